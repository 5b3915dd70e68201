"""Numbered concepts ("四个融合", "四个覆盖") whose items are named one sentence at a time.

A document often introduces a concept by its count and then gives each item its own sentence, named
with the concept's head word: "做到“四个覆盖”。即领导挂钩联系全覆盖,…。下派驻村工作全覆盖,…。结对共建全
覆盖,…。干部包户全覆盖,…". A question asking what the items are is answered by their names, which no
single clause holds. Items listed in one clause ("五个基本": 基本组织、基本队伍…) need none of this.
"""

from __future__ import annotations

import re

from knowledge.numbers import amounts_in, cn_numeral_value

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


# Spoken particles that may follow a head word ("哪几个融合啊").
_PARTICLES = "啊呀呢吗嘛哈哦的了"
# "做到了哪几个全覆盖", "融合哪些方面", "融合是哪几个方面": items asked by their head word, the count
# unknown to the asker. A generic word after the ask (方面, 部分) is not the head; the word before it is.
_HEAD_ASKED_RE = re.compile(
    r"([\u4e00-\u9fff]{2})(?:是|有|包括|分)?哪几[个项条种大]?(?:方面|部分|块|类|样)"
    r"|哪几[个项条种大]?([\u4e00-\u9fff]{2,3})|([\u4e00-\u9fff]{2})(?:了|的)?哪些"
)


def head_asked(question: str) -> str | None:
    """The head word whose items a question asks without their count ("哪几个全覆盖" → 全覆盖)."""
    m = _HEAD_ASKED_RE.search(question)
    if m is None:
        return None
    # "哪几个融合啊": a spoken particle after the head is not part of it.
    return str(m.group(1) or m.group(2) or m.group(3)).rstrip(_PARTICLES)


def concept_by_head(paragraph: str, word: str) -> str | None:
    """The numbered concept ``paragraph`` names whose head word ``word`` ends with: "哪几个全覆盖" asks
    the items of the "四个覆盖" a paragraph names (the question may not know the count)."""
    for m in _CONCEPT_RE.finditer(paragraph):
        if word.endswith(m.group(2)):
            return m.group(0)
    return None


# A counted concept a question may ask the items of: "四场硬仗", "六项刚性要求", "十个一批", "双带", "五抓五促".
_COUNTED_RE = re.compile(r"^([一二两三四五六七八九十]|\d+|双)(?:[个大项条种场批件点招]|(?=[\u4e00-\u9fff]))(.+)$")
# Where a list can be read off: between clause marks (not 、, which joins the items themselves).
_CLAUSE_MARK_RE = re.compile(r"[,，:：;；。！？!?]")
# The words joining the last two listed items ("A、B和C"). Not 与, mostly a part of 参与 or 给与.
_JOINER_RE = re.compile(r"以及|和|及")
# An item opening a sentence or paragraph: "1.", "（一）", "一是".
# Where an item's heading ends: its first full stop.
_HEADING_END_RE = re.compile(r"[。！？!?；;]")
_ITEM_OPEN_RE = re.compile(
    r"(?:^|[。；;！？!?\n])\s*(?:[（(]?(?:[一二三四五六七八九十]+|\d+)[)）.、．]|[一二三四五六七八九十]+是)"
)


def concept_count(term: str) -> int | None:
    """How many items the counted concept ``term`` has ("四场硬仗" → 4, "双带" → 2); None if it is not one."""
    m = _COUNTED_RE.match(term)
    if not m:
        return None
    raw = m.group(1)
    if raw == "双":
        return 2
    return int(raw) if raw.isdigit() else cn_numeral_value(raw)


def _variants(term: str) -> tuple[str, ...]:
    """"三个杠杆" and "三大杠杆" name the same concept."""
    m = _CONCEPT_RE.fullmatch(term)
    if not m:
        return (term,)
    return tuple(dict.fromkeys(f"{m.group(1)}{c}{m.group(2)}" for c in "个大项条种"))


def _heads(term: str) -> list[str]:
    """The parts of a concept its items repeat: "五抓五促" → 抓, 促; "四场硬仗" → 硬仗."""
    m = _COUNTED_RE.match(term)
    rest = m.group(2) if m else term
    return [p for p in re.split(r"[一二两三四五六七八九十\d]", rest) if p]


def listed_count(clause: str) -> int:
    """How many items a clause lists ("干好本职事、做好身边事和管好家庭事" → 3); 1 when it lists none."""
    segments = [seg for seg in clause.split("、") if seg.strip("“”\"' ,，。")]
    if not segments:
        return 0
    # The last two items may be joined by a word instead of "、".
    return len(segments) + (1 if _JOINER_RE.search(segments[-1]) else 0)


def names_concept(paragraphs: tuple[str, ...], term: str) -> bool:
    """Does a document name ``term`` at all (as "三个杠杆" or "三大杠杆")? A name the asker coined ("三个百"
    for 百个…、百名…、百个…) is not one the document could be said to leave unexplained."""
    forms = _variants(term)
    return any(f in p for p in paragraphs for f in forms)


def gives_items(paragraphs: tuple[str, ...], index: int, term: str) -> bool:
    """Does paragraph ``index`` (0-based) of a document give the items of the counted concept ``term``,
    rather than only name it?

    Items are given when they are named one sentence at a time after it (:func:`concept_items`), when
    they are listed ("A、B和C") in the clause naming the concept or in the clause right after it ("干好本
    职事、…、完成组织交办事“五事”", "三是用好“三个杠杆”。强基惠农…、…和…"), or when the document opens
    items with numbers, each repeating the concept's parts ("1.抓思想宣传发动,促脱贫攻坚有信念" for
    "五抓五促"). "围绕“四场硬仗”等重点工作" only names it.
    """
    count = concept_count(term)
    if count is None:
        return True
    paragraph = paragraphs[index]
    forms = _variants(term)
    if any(concept_items(paragraph, f) for f in forms):
        return True
    # At least three items are wanted of a longer list, two of a pair. A list of other counted concepts
    # ("做好四个融合、发挥两个作用、用好三个杠杆") names concepts, not items.
    needed = min(count, 3)
    clauses = _CLAUSE_MARK_RE.split(paragraph)
    for i, clause in enumerate(clauses):
        if not any(f in clause for f in forms):
            continue
        for near in clauses[i : i + 2]:
            for f in forms:
                near = near.replace(f, "")
            # Segments that are themselves counted concepts are not items of this one, and a list of
            # figures ("新建村级活动室54个、改扩建41个、修缮44个" after "“十有”标准") names no items.
            if len(amounts_in(near)) >= 2:
                continue
            if listed_count(near) - len(_CONCEPT_RE.findall(near)) >= needed:
                return True
    return len(_opened_items(paragraphs, term)) >= min(count, 2)


def _opened_items(paragraphs: tuple[str, ...], term: str) -> list[tuple[int, str]]:
    """The numbered items of a document ("1.抓思想宣传发动,促脱贫攻坚有信念。…") that repeat the parts of
    the concept ``term`` ("五抓五促"): (0-based paragraph, the item's heading, up to its full stop)."""
    heads = _heads(term)
    if sum(map(len, heads)) < 2:
        # One character ("五优" → 优) would be found in any numbered item.
        return []
    forms = _variants(term)
    found: list[tuple[int, str]] = []
    for index, text in enumerate(paragraphs):
        for m in _ITEM_OPEN_RE.finditer(text):
            # The item's name: its first two clauses ("抓思想宣传发动,促脱贫攻坚有信念").
            name = "".join(_CLAUSE_MARK_RE.split(text[m.end() : m.end() + 40], maxsplit=2)[:2])
            # The heading naming the concept itself ("二是发挥好“两个作用”") is not one of its items.
            if all(h in name for h in heads) and not any(f in name for f in forms):
                heading = _HEADING_END_RE.split(text[m.end() :], maxsplit=1)[0].strip()
                found.append((index, heading))
    return found


def heading_items(paragraphs: tuple[str, ...], term: str) -> list[tuple[int, str]] | None:
    """The items of the counted concept ``term`` when the document gives each a numbered heading of its
    own, across paragraphs ("五抓五促": "1.抓思想宣传发动,促脱贫攻坚有信念。" … "5.抓激励约束机制,…"):
    (0-based paragraph, heading) for each, or None unless exactly that many are found."""
    count = concept_count(term)
    if count is None or count < 2:
        return None
    items = _opened_items(paragraphs, term)
    return items if len(items) == count else None


# "“五抓五促”里讲激励的那一条", "哪条是管干部的": one item of a list, told by what it is about.
_ONE_ITEM_RE = re.compile(r"[那哪这]一?[条项招]")


def one_item_asked(question: str) -> bool:
    """Does ``question`` ask for one item of a list, described by its content rather than its number?"""
    return _ONE_ITEM_RE.search(question) is not None


def item_about(headings: list[str], term: str, weights: dict[str, dict[str, float]]) -> int | None:
    """Which of the concept ``term``'s item ``headings`` states the most of ``weights`` (a question's
    words with their alternatives; words of the concept itself, which every item repeats, do not count):
    its 0-based index, or None when none states any or two state as much."""
    parts = [*_heads(term), term]
    words = {w: alts for w, alts in weights.items() if not any(w in p or p in w for p in parts)}
    scores = [
        sum(max((v for t, v in alts.items() if t in heading), default=0.0) for alts in words.values())
        for heading in headings
    ]
    ranked = sorted(scores, reverse=True)
    if not ranked or ranked[0] <= 0 or (len(ranked) > 1 and ranked[1] == ranked[0]):
        return None
    return scores.index(ranked[0])


# "有啥问题", "存在哪些问题", "查出来有些什么困难": the kind of thing whose items are asked, not counted.
_KIND_ASKED_RE = re.compile(r"(?:有|存在|还有)\s*(?:些)?(?:什么|啥|哪些)(?:主要)?(?:的)?([\u4e00-\u9fff]{2})")
# The passage introduces items of that kind: the word, the end of its sentence or a colon, maybe a lead-in
# ("从客观上看:"), then the first item ("一是", "1.", "（一）", "首先").
_ITEMS_FOLLOW = r"[^。]{0,12}[。:：]\s*(?:[^。:：]{0,8}[:：])?\s*(?:一是|1[.、．]|[（(]一[)）]|首先)"


def kind_asked(question: str) -> str | None:
    """The kind whose items a list question asks ("凤庆双推进有啥问题" → 问题), or None."""
    m = _KIND_ASKED_RE.search(question)
    return m.group(1) if m else None


def introduces_items(text: str, kind: str) -> bool:
    """Does ``text`` name ``kind`` and go on to its first item ("…还有一些不容忽视的问题。从客观上看:一是…")?"""
    return re.search(re.escape(kind) + _ITEMS_FOLLOW, text) is not None
