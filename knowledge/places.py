"""Place names: a small gazetteer (lexicon/places.tsv) and detection of the place a text is about.

Two uses: ``detect_place`` decides where a whole document's practice comes from (weighing its title and
first paragraphs), ``places_in_text`` lists the places a short question names. Matching is
leftmost-longest over full names and aliases, so "宁德市" wins over "宁德" and "上海南京路" reads as
上海 + 南京 rather than 海南.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from knowledge.documents import Place

Level = Literal["province", "city", "county"]

GAZETTEER_PATH = Path(__file__).with_name("lexicon") / "places.tsv"
_LEVELS: tuple[Level, ...] = ("province", "city", "county")

# Everyday phrases that contain a place alias without naming the place ("黄河南岸" is not 河南).
# ("以来凤庆": the 来 of 以来 and 凤庆, not 来凤; "以来凤庆县" is told apart in ``_matches`` too.)
_BLOCKERS = ("黄河南", "黄河北", "洞庭湖南", "洞庭湖北", "入海口", "江山东", "以来凤", "年来凤", "后来凤")

# Weights for ``detect_place``: the title says most about where a document is from, the lead
# paragraphs next; a passing mention deep in the body ("在云南省等地建站") says little.
_TITLE_WEIGHT = 5.0
_LEAD_WEIGHT = 2.0
_LEAD_LINES = 2
_MIN_SCORE = 2.0  # one body mention is not enough to call a document's place
_CHILD_SHARE = 0.5  # descend to a sub-place only when it carries at least half of its parent's weight

# Fallback for places missing from the gazetteer: a sub-place written right after a known place
# ("甘肃省渭源县", "宁德市某某区"), or a county/city name opening the title ("某某县：…").
_SUB_PLACE_RE = re.compile(
    r"(?P<stem>[\u4e00-\u9fff]{2,6}?)(?P<suffix>自治县|自治州|自治旗|特区|地区|县|市|区|州|盟|旗)"
)
_TITLE_PLACE_RE = re.compile(r"^(?P<stem>[\u4e00-\u9fff]{2,5}?)(?P<suffix>县|市|区|旗)(?=[:：，,\s])")
# A stem holding any of these is a phrase ("省委组织部", "各县市区"), not a place name.
_NOT_IN_STEM = set("委党政府部厅局办的和与及在是等各全该本对为了以从到向省市县区州乡镇村将把有中")


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """One gazetteer place: its level, parent and aliases; ``place`` holds it with all its ancestors."""

    name: str
    level: Level
    parent: str | None
    aliases: tuple[str, ...]
    ancestors: tuple[str, ...]  # nearest first: 鲁甸县 -> ('昭通市', '云南省')
    place: Place

    @property
    def terms(self) -> tuple[str, ...]:
        """The name and every alias."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    entries: dict[str, PlaceEntry]
    by_term: dict[str, PlaceEntry]
    children: dict[str, tuple[str, ...]]
    pattern: re.Pattern[str]


def _build_place(name: str, level: Level, ancestors: list[tuple[str, Level]]) -> Place:
    levels: dict[Level, str] = {lvl: nm for nm, lvl in ancestors}
    levels[level] = name
    return Place(province=levels.get("province"), city=levels.get("city"), county=levels.get("county"))


def _parse_rows(text: str) -> list[tuple[str, Level, str | None, tuple[str, ...]]]:
    rows: list[tuple[str, Level, str | None, tuple[str, ...]]] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.startswith("#") or raw.startswith("name\t"):
            continue
        cols = [*raw.split("\t"), "", "", ""][:4]
        name, level, parent, aliases = (c.strip() for c in cols)
        if level not in _LEVELS:
            raise ValueError(f"places.tsv: bad level {level!r} for {name!r}")
        alias_list = tuple(a.strip() for a in aliases.split(",") if len(a.strip()) >= 2)
        rows.append((name, level, parent or None, alias_list))
    return rows


@cache
def _gazetteer() -> _Gazetteer:
    rows = _parse_rows(GAZETTEER_PATH.read_text(encoding="utf-8"))
    info = {name: (level, parent, aliases) for name, level, parent, aliases in rows}
    entries: dict[str, PlaceEntry] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for name, level, parent, aliases in rows:
        chain: list[tuple[str, Level]] = []
        up = parent
        while up is not None:
            if up not in info:
                raise ValueError(f"places.tsv: unknown parent {up!r} of {name!r}")
            chain.append((up, info[up][0]))
            up = info[up][1]
        entries[name] = PlaceEntry(
            name, level, parent, aliases, tuple(n for n, _ in chain), _build_place(name, level, chain)
        )
        if parent:
            children[parent].append(name)
    by_term: dict[str, PlaceEntry] = {}
    # Full names first, then aliases in file order: an alias never shadows a full name, and for an
    # alias shared by two places the higher level (listed first) wins ("吉林" is the province).
    for entry in entries.values():
        by_term[entry.name] = entry
    for entry in entries.values():
        for alias in entry.aliases:
            by_term.setdefault(alias, entry)
    terms = sorted(by_term, key=lambda t: (-len(t), t))
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    return _Gazetteer(entries, by_term, {k: tuple(v) for k, v in children.items()}, pattern)


def _blocked_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for blocker in _BLOCKERS:
        start = text.find(blocker)
        while start != -1:
            spans.append((start, start + len(blocker)))
            start = text.find(blocker, start + 1)
    return spans


def _matches(text: str) -> Iterator[tuple[int, int, PlaceEntry]]:
    """Leftmost-longest gazetteer matches as (start, end, entry), skipping blocked phrases.

    A bare alias gives way to a full name that starts inside it and runs past it: in "2015年以来凤庆县"
    the 来凤 of 以来 is not 来凤县, the text goes on to name 凤庆县."""
    gaz = _gazetteer()
    blocked = _blocked_spans(text)
    pos = 0
    while (m := gaz.pattern.search(text, pos)) is not None:
        if gaz.by_term[m.group(0)].name != m.group(0):
            for i in range(m.start() + 1, m.end()):
                alt = gaz.pattern.match(text, i)
                if alt is not None and alt.end() > m.end() and gaz.by_term[alt.group(0)].name == alt.group(0):
                    m = alt
                    break
        if any(bs <= m.start() and m.end() <= be for bs, be in blocked):
            pos = m.start() + 1  # a place may start inside the blocked match ("以来凤庆" names 凤庆)
            continue
        pos = m.end()
        yield m.start(), m.end(), gaz.by_term[m.group(0)]


def lookup(term: str) -> PlaceEntry | None:
    """The gazetteer place with this exact name or alias, or None."""
    return _gazetteer().by_term.get(term)


def all_place_terms() -> list[str]:
    """Every gazetteer name and alias (for the jieba user dictionary)."""
    return list(_gazetteer().by_term)


# A county's name followed by a character sounding like 县 (xian): a voice or pinyin slip ("宣恩线那边").
# 现 only where it does not open a word of its own ("宣恩现在…").
_COUNTY_SLIP_RE = re.compile(r"[线限献显]|现(?![在场金状有实行今任时阶代])")


@cache
def _county_slip_pattern() -> re.Pattern[str]:
    stems = sorted(
        {a for e in _gazetteer().entries.values() if e.level == "county" for a in e.aliases if len(a) >= 2},
        key=lambda t: (-len(t), t),
    )
    return re.compile(f"({'|'.join(re.escape(t) for t in stems)})({_COUNTY_SLIP_RE.pattern})")


def read_county_slips(text: str) -> str:
    """``text`` with a county's 县 typed as a homophone read as 县: "宣恩线那边" → "宣恩县那边"."""
    return _county_slip_pattern().sub(lambda m: f"{m.group(1)}县", text)


def places_in_text(text: str) -> list[PlaceEntry]:
    """Every gazetteer place a short text names (by name or alias), in order of first mention."""
    seen: dict[str, PlaceEntry] = {}
    for _, _, entry in _matches(text):
        seen.setdefault(entry.name, entry)
    return list(seen.values())


def narrowest(entries: list[PlaceEntry]) -> list[PlaceEntry]:
    """``entries`` without those enclosing another one: "恩施州来凤县" is about 来凤县, not all of 恩施州
    (whose 宣恩县 a document may be about)."""
    return [e for e in entries if not any(e.name in other.ancestors for other in entries)]


def _stem_ok(stem: str) -> bool:
    return not any(ch in _NOT_IN_STEM for ch in stem)


def _sub_level(suffix: str, parent_level: Level) -> Level | None:
    if suffix in {"县", "自治县", "旗", "自治旗", "特区", "区"}:
        return "county"
    if suffix in {"州", "自治州", "盟", "地区"}:
        return "city" if parent_level == "province" else None
    # 市 under a province is a prefecture-level city, under a prefecture a county-level one.
    return "city" if parent_level == "province" else "county"


def _dynamic_entry(name: str, level: Level, parent: PlaceEntry | None) -> PlaceEntry:
    if parent is None:
        return PlaceEntry(name, level, None, (), (), _build_place(name, level, []))
    chain: list[tuple[str, Level]] = [(parent.name, parent.level)]
    gaz = _gazetteer()
    chain += [(a, gaz.entries[a].level) for a in parent.ancestors]
    ancestors = tuple(n for n, _ in chain)
    return PlaceEntry(name, level, parent.name, (), ancestors, _build_place(name, level, chain))


def _mentions(line: str, *, is_title: bool) -> Iterator[PlaceEntry]:
    """Gazetteer places in a line, plus unknown sub-places written right after a known one."""
    gaz = _gazetteer()
    for _, end, entry in _matches(line):
        yield entry
        if entry.level == "county":
            continue
        sub = _SUB_PLACE_RE.match(line, end)
        if sub and _stem_ok(sub.group("stem")) and sub.group(0) not in gaz.by_term:
            level = _sub_level(sub.group("suffix"), entry.level)
            if level is not None:
                yield _dynamic_entry(sub.group(0), level, entry)
    if is_title:
        head = _TITLE_PLACE_RE.match(line)
        if head and _stem_ok(head.group("stem")) and head.group(0) not in gaz.by_term:
            yield _dynamic_entry(head.group(0), "city" if head.group("suffix") == "市" else "county", None)


def detect_place(text: str) -> Place:
    """The place a document is about: its first line is read as the title, the next two as the lead.

    Mentions are weighted (title 5, lead 2, body 1) and summed up the hierarchy; the answer descends from
    the best-supported province to the sub-place carrying most of its weight. Returns ``Place()`` when
    nothing is named often enough.
    """
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    gaz = _gazetteer()
    entries: dict[str, PlaceEntry] = dict(gaz.entries)
    own: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    order = 0
    for i, line in enumerate(lines):
        weight = _TITLE_WEIGHT if i == 0 else _LEAD_WEIGHT if i <= _LEAD_LINES else 1.0
        for entry in _mentions(line, is_title=i == 0):
            entries.setdefault(entry.name, entry)
            own[entry.name] += weight
            first_seen.setdefault(entry.name, order)
            order += 1
    if not own:
        return Place()

    total: dict[str, float] = defaultdict(float)  # own mentions plus those of every descendant
    children: dict[str, set[str]] = defaultdict(set)
    for name, score in own.items():
        entry = entries[name]
        total[name] += score
        chain = [name, *entry.ancestors]
        for child, ancestor in itertools.pairwise(chain):
            total[ancestor] += score
            children[ancestor].add(child)
            first_seen.setdefault(ancestor, first_seen[name])
            first_seen[ancestor] = min(first_seen[ancestor], first_seen[name])

    def best(names: set[str] | list[str]) -> str:
        return max(names, key=lambda n: (total[n], -first_seen[n]))

    roots = [n for n in total if entries[n].parent is None]
    node = best(roots)
    if total[node] < _MIN_SCORE:
        return Place()
    while children.get(node):
        child = best(children[node])
        if total[child] < _CHILD_SHARE * total[node]:
            break
        node = child
    return entries[node].place
