"""Numbered concepts ("四个融合", "四个覆盖") whose items are named one sentence at a time.

A document often introduces a concept by its count and then gives each item its own sentence, named
with the concept's head word: "做到“四个覆盖”。即领导挂钩联系全覆盖,…。下派驻村工作全覆盖,…。结对共建全
覆盖,…。干部包户全覆盖,…". A question asking what the items are is answered by their names, which no
single clause holds. Items listed in one clause ("五个基本": 基本组织、基本队伍…) need none of this.
"""

from __future__ import annotations

import re

from knowledge.numbers import cn_numeral_value

# "四个融合", "三大杠杆", "5个覆盖": a count, a classifier, then the head word the items end with.
_CONCEPT_RE = re.compile(r"([一二两三四五六七八九十]|\d+)[个大项条种]([\u4e00-\u9fff]{2,3})")
# An item opens a sentence ("即" may lead it in) and its name ends at the first clause mark.
_ITEM_RE = re.compile(r"(?:^|[。；;！!？?])\s*(?:即)?([\u4e00-\u9fff]{1,12}?)[,，:：]")


def concept_items(paragraph: str, term: str) -> list[str] | None:
    """The item names of the numbered concept ``term`` as ``paragraph`` gives them after naming it, or
    None when the paragraph does not name exactly that many sentence-opening items ending in its head."""
    m = _CONCEPT_RE.fullmatch(term)
    if not m:
        return None
    raw = m.group(1)
    count = int(raw) if raw.isdigit() else cn_numeral_value(raw)
    head = m.group(2)
    at = paragraph.find(term)
    if count is None or count < 2 or at < 0:
        return None
    names: list[str] = []
    for item in _ITEM_RE.finditer(paragraph, at + len(term)):
        name = item.group(1)
        if name.endswith(head) and len(name) > len(head) and name not in names:
            names.append(name)
            if len(names) == count:
                return names
    return None
