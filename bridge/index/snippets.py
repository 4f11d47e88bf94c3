"""Snippets: the few lines of a chunk that best show why it matched a query."""

from __future__ import annotations

import re

SNIPPET_CHARS = 240
"""Target length of a snippet shown under a hit."""

_WORD = re.compile(r"\w+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:])\s+|\n{2,}|\n(?=\s*[-*+] |\s*\d+[.)] )")


def make_snippet(text: str, query: str, max_chars: int = SNIPPET_CHARS) -> str:
    """Return the window of text (whole sentences where possible) sharing the most words with the query."""
    sentences = [_flatten(part) for part in _SENTENCE_SPLIT.split(text) if part and part.strip()]
    sentences = [sentence for sentence in sentences if sentence]
    if not sentences:
        return ""
    query_words = {word.lower() for word in _WORD.findall(query[:20_000]) if len(word) > 2}
    best_start, best_score = 0, -1.0
    for start in range(len(sentences)):
        window = _window(sentences, start, max_chars)
        words = {word.lower() for word in _WORD.findall(window)}
        score = len(words & query_words) - start * 0.01
        if score > best_score:
            best_start, best_score = start, score
    snippet = _window(sentences, best_start, max_chars)
    if len(snippet) > max_chars:
        snippet = snippet[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return snippet


def _window(sentences: list[str], start: int, max_chars: int) -> str:
    """Return sentences from start joined until max_chars is reached (at least one sentence)."""
    parts: list[str] = []
    length = 0
    for sentence in sentences[start:]:
        if parts and length + len(sentence) + 1 > max_chars:
            break
        parts.append(sentence)
        length += len(sentence) + 1
    return " ".join(parts)


def _flatten(text: str) -> str:
    """Return text on one line, without Markdown heading marks or repeated whitespace."""
    text = re.sub(r"^\s*#+\s*", "", text, flags=re.MULTILINE)
    return re.sub(r"\s+", " ", text).strip()
