"""Split a record body into search chunks: sections by heading, cut to fit the embedding model's window.

Markdown is read with markdown-it-py, reStructuredText with a small heading/paragraph scanner. Each chunk keeps
its heading path; the text that is embedded is prefixed with the record title and that path, so a short
section ("Impact") still says what it is about. Code blocks, tables and list items stay whole where they fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bridge.domain import Chunk, Record
from bridge.terms import readable

MAX_CHUNK_TOKENS = 200
"""Word-piece budget of a chunk's own text; with the title/heading prefix it stays under MiniLM's 256."""
OVERLAP_TOKENS = 32
"""Trailing text of one chunk repeated at the start of the next when a section is cut."""

_TOKEN_PATTERN = re.compile(r"[A-Za-z]+|\d+|[^\w\s]|[^\W\d_A-Za-z]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9`*_-])")
_RST_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")
MAX_HEADINGS = 2_000
"""Headings per record that start sections; a body with more is split by a line scanner in bounded memory and
the headings after the cap are kept as searchable text (a 200,000-heading file once took 465 MB and 18 s)."""


def estimate_tokens(text: str) -> int:
    """Return an upper-leaning estimate of how many word pieces a BERT-style tokenizer makes of text.

    Calibrated on the bundled MiniLM tokenizer: long or rare words split into several pieces, digits in
    groups, every punctuation mark is a piece. An estimate keeps chunking independent of the loaded model.
    """
    count = 0
    for match in _TOKEN_PATTERN.finditer(text):
        piece = match.group(0)
        if piece.isascii() and piece.isalpha():
            count += 1 + max(0, len(piece) - 7) // 4 + (1 if len(piece) > 4 and not piece.islower() else 0)
        elif piece.isdigit():
            count += (len(piece) + 2) // 3
        elif piece.isascii():
            count += 1
        else:
            count += len(piece)
    return count


@dataclass
class Block:
    """A unit of body text that should not be cut when it fits: a paragraph, list item, code block or table."""

    text: str
    parts: list[str] = field(default_factory=list)
    """Smaller pieces (list items, lines) to fall back on when the block alone exceeds the budget."""
    splittable_by_sentence: bool = False


@dataclass
class Section:
    """The blocks under one heading, with the path of headings leading to it."""

    heading_path: list[str]
    blocks: list[Block] = field(default_factory=list)


def chunk_record(record: Record, *, max_tokens: int = MAX_CHUNK_TOKENS, overlap_tokens: int = OVERLAP_TOKENS) -> list[Chunk]:
    """Return the record's chunks in body order, each with heading path, text and the text to embed."""
    if record.body_format == "rst":
        sections = split_rst_sections(record.body)
    elif _count_atx_headings(record.body, MAX_HEADINGS + 1) > MAX_HEADINGS:
        sections = split_many_headings(record.body, MAX_HEADINGS)
    else:
        sections = split_markdown_sections(record.body)
    chunks: list[Chunk] = []
    for section in sections:
        heading_path = _drop_title_heading(section.heading_path, record.title)
        for text in pack_blocks(section.blocks, max_tokens=max_tokens, overlap_tokens=overlap_tokens):
            chunks.append(
                Chunk(
                    record_key=record.key,
                    ordinal=len(chunks),
                    heading_path=heading_path,
                    text=text,
                    embed_text=embed_text_for(record.title, heading_path, text),
                )
            )
    if not chunks and record.title.strip():
        chunks.append(Chunk(record.key, 0, [], record.title.strip(), embed_text_for(record.title, [], "")))
    return chunks


def embed_text_for(title: str, heading_path: list[str], text: str) -> str:
    """Return the text that is embedded: title and heading path as context, then the chunk text."""
    context = readable(" › ".join([title.strip(), *heading_path]) if title.strip() else " › ".join(heading_path))
    return f"{context}\n\n{readable(text)}".strip() if text else context


def _drop_title_heading(heading_path: list[str], title: str) -> list[str]:
    """Drop a leading heading that only repeats the record title (``# KubeJobFailed`` under "Kube Job Failed")."""
    if heading_path and _squash(heading_path[0]) == _squash(title):
        return heading_path[1:]
    return heading_path


def _squash(text: str) -> str:
    """Return text lower-cased with everything but letters and digits removed, for loose comparison."""
    return re.sub(r"[\W_]+", "", text).lower()


# -- Markdown ---------------------------------------------------------------------------------------------------


def split_markdown_sections(body: str) -> list[Section]:
    """Split a Markdown body into sections by heading, each holding its top-level blocks."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    tokens = parser.parse(body)
    lines = body.splitlines()
    sections = [Section(heading_path=[])]
    heading_stack: list[tuple[int, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0 or token.map is None or token.nesting == -1:
            index += 1
            continue
        start, end = token.map
        if token.type == "hr":
            index += 1
            continue
        if token.type == "heading_open":
            level = int(token.tag[1:])
            heading = _plain_inline(tokens[index + 1].content)
            while heading_stack and heading_stack[-1][0] >= level:
                heading_stack.pop()
            heading_stack.append((level, heading))
            sections.append(Section(heading_path=[text for _level, text in heading_stack]))
            index += 3
            continue
        block_text = "\n".join(lines[start:end]).strip("\n")
        parts: list[str] = []
        if token.type in ("bullet_list_open", "ordered_list_open"):
            parts = _list_item_texts(tokens, index, lines)
        elif token.type in ("fence", "code_block", "table_open", "html_block"):
            parts = block_text.splitlines()
        if block_text.strip():
            sections[-1].blocks.append(
                Block(block_text, parts=parts, splittable_by_sentence=token.type in ("paragraph_open", "blockquote_open"))
            )
        index = _skip_to_close(tokens, index) + 1
    return [section for section in sections if section.blocks]


def _count_atx_headings(body: str, stop_at: int) -> int:
    """Return how many lines of body look like ATX headings, counting no further than stop_at."""
    count = 0
    for match in re.finditer(r"^ {0,3}#{1,6}(?:[ \t]|$)", body, re.MULTILINE):
        del match
        count += 1
        if count >= stop_at:
            break
    return count


def split_many_headings(body: str, max_headings: int) -> list[Section]:
    """Split a body with very many headings line by line: the first max_headings start sections, every heading's
    text stays searchable as a line of its section, and paragraphs are blank-line separated blocks."""
    sections = [Section(heading_path=[])]
    heading_stack: list[tuple[int, str]] = []
    paragraph: list[str] = []
    headings = 0
    in_fence = False

    def flush() -> None:
        if paragraph:
            text = "\n".join(paragraph).strip("\n")
            if text.strip():
                sections[-1].blocks.append(Block(text, parts=list(paragraph), splittable_by_sentence=False))
            paragraph.clear()

    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _ATX_HEADING.match(line)
        if match is None:
            if line.strip():
                paragraph.append(line)
            else:
                flush()
            continue
        heading = _plain_inline(match.group(2) or "")
        if headings < max_headings:
            flush()
            headings += 1
            level = len(match.group(1))
            while heading_stack and heading_stack[-1][0] >= level:
                heading_stack.pop()
            heading_stack.append((level, heading))
            sections.append(Section(heading_path=[text for _level, text in heading_stack]))
        if heading:
            paragraph.append(heading)
    flush()
    return [section for section in sections if section.blocks]


def _skip_to_close(tokens: list, index: int) -> int:
    """Return the index of the token closing the block opened at index (index itself for leaf blocks)."""
    if tokens[index].nesting != 1:
        return index
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _list_item_texts(tokens: list, index: int, lines: list[str]) -> list[str]:
    """Return the source text of each top-level item of the list opened at index."""
    close = _skip_to_close(tokens, index)
    items: list[str] = []
    for token in tokens[index + 1 : close]:
        if token.type == "list_item_open" and token.level == 1 and token.map:
            start, end = token.map
            items.append("\n".join(lines[start:end]).strip("\n"))
    return items


def _plain_inline(text: str) -> str:
    """Return heading text without inline Markdown marks (backticks, emphasis, link targets)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[`*_]+", "", text).strip()


# -- reStructuredText -------------------------------------------------------------------------------------------


def split_rst_sections(body: str) -> list[Section]:
    """Split a reStructuredText body into sections by adorned headings, each holding its paragraph blocks."""
    lines = body.splitlines()
    sections = [Section(heading_path=[])]
    styles: list[tuple[str, bool]] = []
    heading_stack: list[tuple[int, str]] = []
    paragraph: list[str] = []

    def flush() -> None:
        text = "\n".join(paragraph).strip("\n")
        paragraph.clear()
        if not text.strip():
            return
        blocks = sections[-1].blocks
        indented = text[:1] in (" ", "\t")
        if indented and blocks and (blocks[-1].text.rstrip().endswith("::") or blocks[-1].parts):
            previous = blocks[-1]
            previous.text = f"{previous.text}\n\n{text}"
            previous.parts = previous.parts or [previous.text.rsplit("\n\n", 1)[0]]
            previous.parts.append(text)
            previous.splittable_by_sentence = False
            return
        blocks.append(Block(text, parts=text.splitlines() if indented else [], splittable_by_sentence=not indented))

    index = 0
    while index < len(lines):
        heading = _rst_heading_at(lines, index)
        if heading is not None:
            title, style, consumed = heading
            flush()
            if style not in styles:
                styles.append(style)
            level = styles.index(style)
            while heading_stack and heading_stack[-1][0] >= level:
                heading_stack.pop()
            heading_stack.append((level, title))
            sections.append(Section(heading_path=[text for _level, text in heading_stack]))
            index += consumed
            continue
        line = lines[index]
        if line.strip():
            paragraph.append(line)
        else:
            flush()
        index += 1
    flush()
    return [section for section in sections if section.blocks]


def _rst_heading_at(lines: list[str], index: int) -> tuple[str, tuple[str, bool], int] | None:
    """Return (title, (adornment char, has overline), lines consumed) when a heading starts at index."""
    line = lines[index]
    overline = _RST_ADORNMENT.match(line)
    if overline and index + 2 < len(lines):
        title = lines[index + 1].strip()
        underline = _RST_ADORNMENT.match(lines[index + 2])
        if title and underline and underline.group(1) == overline.group(1) and not _RST_ADORNMENT.match(title):
            return _clean_rst_title(title), (overline.group(1), True), 3
    if not line.strip() or line[:1].isspace() or overline or index + 1 >= len(lines):
        return None
    underline = _RST_ADORNMENT.match(lines[index + 1])
    if underline and len(lines[index + 1].rstrip()) >= len(line.rstrip()):
        return _clean_rst_title(line.strip()), (underline.group(1), False), 2
    return None


def _clean_rst_title(title: str) -> str:
    """Return an rst heading without inline markup."""
    return re.sub(r"`+|\*+", "", title).strip()


# -- packing ----------------------------------------------------------------------------------------------------


def pack_blocks(blocks: list[Block], *, max_tokens: int, overlap_tokens: int) -> list[str]:
    """Greedily pack a section's blocks into texts of at most max_tokens, cutting oversized blocks gently."""
    pieces: list[str] = []
    for block in blocks:
        pieces.extend(_fit_block(block, max_tokens, room_for_overlap=overlap_tokens))
    texts: list[str] = []
    current: list[str] = []
    current_tokens = 0
    for piece in pieces:
        piece_tokens = estimate_tokens(piece)
        if current and current_tokens + piece_tokens > max_tokens:
            texts.append("\n\n".join(current))
            overlap = _tail(texts[-1], overlap_tokens) if overlap_tokens else ""
            overlap_cost = estimate_tokens(overlap) if overlap else 0
            current = [overlap] if overlap and overlap_cost + piece_tokens <= max_tokens else []
            current_tokens = overlap_cost if current else 0
        current.append(piece)
        current_tokens += piece_tokens
    if current:
        texts.append("\n\n".join(current))
    return [text for text in texts if text.strip()]


def _fit_block(block: Block, max_tokens: int, room_for_overlap: int = 0) -> list[str]:
    """Return the block whole when it fits, else its parts (items, sentences, lines) grouped to fit.

    Parts of a cut block are grouped to leave room_for_overlap, so the next part can repeat the previous tail.
    """
    if estimate_tokens(block.text) <= max_tokens:
        return [block.text]
    max_tokens = max(max_tokens - room_for_overlap, max_tokens // 2)
    if block.parts and len(block.parts) > 1:
        units = block.parts
        joiner = "\n"
    elif block.splittable_by_sentence:
        units = _SENTENCE_END.split(block.text)
        joiner = " "
    else:
        units = block.text.splitlines()
        joiner = "\n"
    grouped: list[str] = []
    current: list[str] = []
    current_tokens = 0
    for unit in units:
        for piece in _split_words(unit, max_tokens):
            piece_tokens = estimate_tokens(piece)
            if current and current_tokens + piece_tokens > max_tokens:
                grouped.append(joiner.join(current))
                current, current_tokens = [], 0
            current.append(piece)
            current_tokens += piece_tokens
    if current:
        grouped.append(joiner.join(current))
    return [text for text in grouped if text.strip()]


def _split_words(text: str, max_tokens: int) -> list[str]:
    """Cut a single over-long unit (a giant sentence or line) at word boundaries."""
    if estimate_tokens(text) <= max_tokens:
        return [text]
    words = text.split(" ")
    pieces: list[str] = []
    current: list[str] = []
    current_tokens = 0
    for word in words:
        for part in _split_long_word(word, max_tokens):
            part_tokens = estimate_tokens(part) + 1
            if current and current_tokens + part_tokens > max_tokens:
                pieces.append(" ".join(current))
                current, current_tokens = [], 0
            current.append(part)
            current_tokens += part_tokens
    if current:
        pieces.append(" ".join(current))
    return pieces


def _split_long_word(word: str, max_tokens: int) -> list[str]:
    """Cut a run of text with no spaces (a URL, base64) into pieces that fit."""
    if estimate_tokens(word) < max_tokens:
        return [word]
    width = max(16, max_tokens)
    return [word[start : start + width] for start in range(0, len(word), width)]


def _tail(text: str, overlap_tokens: int) -> str:
    """Return the last sentences of text that fit in overlap_tokens (empty when even one does not)."""
    sentences = _SENTENCE_END.split(text.replace("\n", " "))
    tail: list[str] = []
    used = 0
    for sentence in reversed(sentences):
        cost = estimate_tokens(sentence)
        if used + cost > overlap_tokens:
            break
        tail.insert(0, sentence)
        used += cost
    return " ".join(tail).strip()
