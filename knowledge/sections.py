"""The headings a passage sits under, inside its paragraph.

Our documents write their section headings inline: a paragraph opens with a short lead sentence
("严纪固标,建立机制促长效。", "(一)坚持“破立”的统一,融合堡垒组织力。") and numbers its measures in the running
text ("一是建立挂联包帮机制。…二是建立问题交办机制。"). A passage cut from the middle of such a paragraph
("112名驻村第一书记…全部帮扶到村") has lost the words that say what it is about, so a question that names
the measure ("挂联包帮机制里有多少个第一书记包到村") finds only the heading. Matching a passage together
with the headings above it gives back that context; the quote shown to users is still the passage alone.
"""

from __future__ import annotations

import re

from knowledge.chunking import split_sentences

HEADING_MAX_CHARS = 24  # a sentence this short that leads a paragraph or an item is a heading

# A lead sentence: short, at the very start of the paragraph, ending a sentence.
_LEAD_RE = re.compile(rf"^\s*([^。！？；;]{{2,{HEADING_MAX_CHARS}}}[。！？；;])")
# An inline item heading: "一是建立挂联包帮机制。" (short; a long "一是…" sentence is content, not a heading).
_ITEM_RE = re.compile(r"(?:^|(?<=[。！？；;]))\s*([一二三四五六七八九十]是[^。！？；;]{2,20}[。！？；;])")


def headings_before(paragraph: str, start: int) -> str:
    """The lead sentence of ``paragraph`` and the last item heading before offset ``start`` (the start
    of a passage), as one string; empty when the passage starts the paragraph or there are none."""
    if start <= 0:
        return ""
    before = paragraph[:start]
    found: list[str] = []
    lead = _LEAD_RE.match(before)
    if lead:
        found.append(lead.group(1))
    items = _ITEM_RE.findall(before)
    if items and items[-1] not in found:
        found.append(items[-1])
    return "".join(found)


def only_headings(text: str) -> bool:
    """Is ``text`` (a passage) nothing but short heading sentences ("严纪固标,建立机制促长效。一是建立挂联
    包帮机制。")? Such a passage names a measure and states nothing about it: the passage after it does."""
    sentences = split_sentences(text)
    return bool(sentences) and all(e - s <= HEADING_MAX_CHARS for s, e in sentences)
