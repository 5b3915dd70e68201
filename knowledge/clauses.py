"""Cutting text into clauses at clause punctuation, never inside a number ("1,000", "3.876万元")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.numbers import NUMBER_TOKEN_RE

CLAUSE_END = set("，,；;：:。！？!?")
SENTENCE_END = set("。！？!?；;")  # where a sentence (or a 分句 closed by ；) ends
CLOSERS = set("”’」』）)")


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets [start, end) into a text."""

    start: int
    end: int


def number_spans(text: str) -> list[Span]:
    """Where the numbers (with their units) are in ``text``."""
    return [Span(m.start(), m.end()) for m in NUMBER_TOKEN_RE.finditer(text)]


# A quoted phrase up to this long is one saying ("按照“收入有保障,干好有前途,离任有保障”的要求"): its commas
# do not end a clause. Longer quotes are speech, cut as any text.
SHORT_QUOTE = 24
_SHORT_QUOTE_RE = re.compile(rf"“[^“”。！？!?；;]{{1,{SHORT_QUOTE}}}”")


def clauses(text: str) -> list[Span]:
    """Split at clause punctuation (not 、), never inside a number ("1,000" keeps its comma) nor inside a
    short quoted saying."""
    protected = number_spans(text) + [Span(m.start(), m.end()) for m in _SHORT_QUOTE_RE.finditer(text)]
    spans: list[Span] = []
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in CLAUSE_END and not any(s.start < i < s.end - 0 for s in protected):
            end = i + 1
            while end < len(text) and text[end] in CLOSERS:
                end += 1
            if text[start:end].strip():
                spans.append(Span(start, end))
            start = end
            i = end
            continue
        i += 1
    if text[start:].strip():
        spans.append(Span(start, len(text)))
    return spans
