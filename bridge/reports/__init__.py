"""Renderers of knowledge results: Markdown, HTML, JSON and CSV."""
