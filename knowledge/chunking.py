"""Cutting paragraphs into passages: Chinese sentence-aware, never inside a number or an amount.

A paragraph is split into sentences (after 。！？!?；; and "……", closing quotes and brackets staying with
their sentence); a sentence longer than ``max_chars`` is split at clause marks (first ，,：:, then 、),
and only as a last resort cut hard — never inside a number token such as "3.876万元", "2000-4000元",
"1,000", "38760元/年", "2016/9/2" or "8:51:02". Passages are windows of consecutive pieces of one
paragraph, overlapping by one piece so that a fact on a window boundary is whole in some passage.
"""

from __future__ import annotations

import re

from knowledge.documents import Document, Passage

DEFAULT_MAX_CHARS = 160

_NUM = r"\d+(?:[.,]\d+)*"
_UNITS = (
    r"(?:万亿|亿|万|千|百)?(?:元|人次|人|户|名|个|家|所|场次|场|期|次|项|条|种|平方米|平方公里|公里|亩|吨|斤|"
    r"岁|倍|批次|余|多)?"
)
# Number tokens that a cut must never enter: dates, times, numbers (with decimals, thousands
# separators and ranges), their units, percent signs and "per" suffixes.
NUMBER_TOKEN_RE = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    rf"|{_NUM}(?:\s*[-~～—–至到]\s*{_NUM})?(?:\s*(?:[%％‰]|{_UNITS}))"
    r"(?:\s*/\s*(?:年|月|日|天|周|人|户|个|村|次|亩|平方米|期))?"
)
_CLOSERS = "”’」』）)]】》\"'"
_SENTENCE_END_RE = re.compile(rf"(?:…{{2,}}|[。！？!?；;])+[{re.escape(_CLOSERS)}]*")
_CLAUSE_END_RE = re.compile(rf"(?:…{{2,}}|[。！？!?；;，,、：:])+[{re.escape(_CLOSERS)}]*")
# Clause levels tried in turn for an over-long sentence: strong marks first, then the enumeration comma.
_CLAUSE_LEVELS = (
    re.compile(rf"[，,：:；;]+[{re.escape(_CLOSERS)}]*"),
    re.compile(rf"、+[{re.escape(_CLOSERS)}]*"),
)

Span = tuple[int, int]


def _protected(text: str) -> list[Span]:
    return [(m.start(), m.end()) for m in NUMBER_TOKEN_RE.finditer(text)]


def _inside(pos: int, protected: list[Span]) -> Span | None:
    return next(((s, e) for s, e in protected if s < pos < e), None)


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _split_at(text: str, start: int, end: int, pattern: re.Pattern[str], protected: list[Span]) -> list[Span]:
    """Split text[start:end] after each match of ``pattern`` (not inside a number); trimmed spans."""
    spans: list[Span] = []
    cursor = start
    for m in pattern.finditer(text, start, end):
        if _inside(m.end(), protected) or _inside(m.start(), protected):
            continue
        if (span := _trim(text, cursor, m.end())) is not None:
            spans.append(span)
        cursor = m.end()
    if (span := _trim(text, cursor, end)) is not None:
        spans.append(span)
    return spans


def split_sentences(paragraph: str) -> list[Span]:
    """Sentence spans (start, end) of a paragraph: split after 。！？!?；; and "……", closers kept."""
    return _split_at(paragraph, 0, len(paragraph), _SENTENCE_END_RE, _protected(paragraph))


def split_clauses(text: str) -> list[Span]:
    """Clause spans of a text: split at ，,、；;：: and sentence ends, never inside a number ("1,000")."""
    return _split_at(text, 0, len(text), _CLAUSE_END_RE, _protected(text))


def _pack(spans: list[Span], max_chars: int) -> list[Span]:
    """Greedily merge consecutive spans into groups no longer than ``max_chars`` (a long one stays alone)."""
    groups: list[Span] = []
    for start, end in spans:
        if groups and end - groups[-1][0] <= max_chars:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    return groups


def _hard_cut(text: str, start: int, end: int, max_chars: int, protected: list[Span]) -> list[Span]:
    pieces: list[Span] = []
    while end - start > max_chars:
        cut = start + max_chars
        token = _inside(cut, protected)
        if token is not None:
            # Back to the token's start; a token longer than the whole budget is kept whole.
            cut = token[0] if token[0] > start else token[1]
        if (span := _trim(text, start, cut)) is not None:
            pieces.append(span)
        start = cut
    if (span := _trim(text, start, end)) is not None:
        pieces.append(span)
    return pieces


def _fit(text: str, span: Span, max_chars: int, protected: list[Span], level: int = 0) -> list[Span]:
    start, end = span
    if end - start <= max_chars:
        return [span]
    if level >= len(_CLAUSE_LEVELS):
        return _hard_cut(text, start, end, max_chars, protected)
    parts = _split_at(text, start, end, _CLAUSE_LEVELS[level], protected)
    if len(parts) <= 1:
        return _fit(text, span, max_chars, protected, level + 1)
    pieces: list[Span] = []
    for group in _pack(parts, max_chars):
        pieces.extend(_fit(text, group, max_chars, protected, level + 1))
    return pieces


def split_pieces(paragraph: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[Span]:
    """Sentence pieces of a paragraph, each at most ``max_chars`` unless it is one unsplittable token."""
    protected = _protected(paragraph)
    pieces: list[Span] = []
    for sentence in split_sentences(paragraph):
        pieces.extend(_fit(paragraph, sentence, max_chars, protected))
    return pieces


def _windows(pieces: list[Span], max_chars: int) -> list[Span]:
    """Consecutive pieces packed up to ``max_chars``; a window of ≥ 2 pieces shares its last with the next."""
    windows: list[Span] = []
    i, n = 0, len(pieces)
    while i < n:
        j = i
        while j + 1 < n and pieces[j + 1][1] - pieces[i][0] <= max_chars:
            j += 1
        windows.append((pieces[i][0], pieces[j][1]))
        if j == n - 1:
            break
        # Overlap only when the next window can hold the shared piece and at least one more.
        overlap = j > i and pieces[j + 1][1] - pieces[j][0] <= max_chars
        i = j if overlap else j + 1
    return windows


def chunk_document(doc: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Passage]:
    """Passages of a document: overlapping windows of sentence pieces within each paragraph."""
    passages: list[Passage] = []
    for number, paragraph in enumerate(doc.paragraphs, start=1):
        for start, end in _windows(split_pieces(paragraph, max_chars), max_chars):
            text = paragraph[start:end]
            passages.append(
                Passage(
                    passage_id=Passage.make_id(doc.doc_id, number, start, text),
                    doc_id=doc.doc_id,
                    paragraph=number,
                    start=start,
                    end=end,
                    text=text,
                )
            )
    return passages
