"""Reading and writing record files: Markdown/reST parsing, git history, chunking, export."""
