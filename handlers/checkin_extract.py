"""Fields of a check-in read from free text ("昨天开了主题党日，应到25人实到23人，主题是学习…").

Regex-based and knowledge-free: what is found is filled in, what is not stays None and the conversation
asks for it. Nothing here touches the database; the store validates everything again.

Labelled sections ("缺席：张三（病假）、李四（事假）", "会议内容：…", "决议：…") are cut out of the text
first, so the other fields (topic, place, names, types) are never read from inside them. Absentee
lists ("张三 病假，李四 外出务工") are read by :func:`parse_absentees`, also used for the answer to the
conversation's absentee question.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import NamedTuple

from handlers.checkin_dates import CN_NUM, DateParseError, cn_to_int, find_date

# Activity types by phrase, longest phrases first (codes as seeded in the store).
TYPE_PHRASES: tuple[tuple[str, str], ...] = (
    ("组织生活会", "life_meeting"),
    ("支部党员大会", "general_meeting"),
    ("全体党员大会", "general_meeting"),
    ("全体党员会议", "general_meeting"),
    ("党员大会", "general_meeting"),
    ("支部大会", "general_meeting"),
    ("支部委员会会议", "committee"),
    ("支部委员会", "committee"),
    ("支委扩大会", "committee"),
    ("支委会", "committee"),
    ("党小组会", "group_meeting"),
    ("党小组学习", "group_meeting"),
    ("小组会", "group_meeting"),
    ("主题党日", "theme_day"),
    ("固定党日", "theme_day"),
    ("党员活动日", "theme_day"),
    ("党日活动", "theme_day"),
    ("微党课", "lecture"),
    ("党课", "lecture"),
)

_NUM = rf"(\d{{1,6}}|[{CN_NUM}]{{1,5}})"
_SEP = r"\s*(?:人数)?\s*(?:[:：=为是]|共)?\s*"
_EXPECTED = [
    re.compile(r"应(?:到|出席|参会|参加|到会)(?:会)?(?:党员)?" + _SEP + _NUM),
    re.compile(r"(?:全支部|支部共有|共有|全体)(?:党员)?\s*" + _NUM + r"\s*(?:人|名)(?:党员)?"),
]
_PRESENT = [
    re.compile(r"实(?:到|际到会|际参加|际出席|参会|出席|到会)(?:会)?(?:党员)?" + _SEP + _NUM),
    re.compile(
        r"(?<![应实])(?:到会|出席|参会|参加)(?:党员)?(?:人数)?\s*[:：为是]?\s*" + _NUM + r"\s*(?:人|名)"
    ),
    re.compile(_NUM + r"\s*(?:人|名)(?:党员)?(?:参加|参会|到会|出席)"),
]
_ABSENT = [
    re.compile(r"(?:缺席|请假|未到|缺勤)(?:人数)?\s*[:：为是]?\s*" + _NUM + r"\s*(?:人|名)?"),
    re.compile(_NUM + r"\s*(?:人|名)(?:缺席|请假|未到)"),
]
_FIELD_WORDS = (
    "地点", "主持", "记录", "应到", "实到", "到会", "出席", "参加", "缺席", "请假", "时间", "主题", "议题",
    "内容", "由", "在", "共", "决议", "会上", "上午", "下午", "晚上",
)  # fmt: skip
_TOPIC = re.compile(r"(?:主题|议题|题目|内容)(?:是|为|：|:)\s*(.+)", re.S)
_STUDY = re.compile(
    r"((?:传达)?学习(?:了|贯彻)?[^，,。；;！!\n]{2,}(?:[，,](?!\s*(?:"
    + "|".join(_FIELD_WORDS)
    + r"))[^，,。；;！!\n]+)*)"
)
_PLACE_WORDS = (
    "会议室", "活动室", "村委会", "村部", "服务中心", "服务站", "礼堂", "基地", "大厅",
    "办公室", "会场", "广场", "纪念馆", "展览馆", "教室", "线上", "家中",
)  # fmt: skip
_PLACE = [
    re.compile(r"地点(?:是|为|在|：|:)\s*([^，,。；;！!\s]{1,40})"),
    re.compile(r"地点\s*([^，,。；;！!\s是为在]{2,40})"),
    re.compile(
        r"(?<![存现正所实好])在\s*([^，,。；;！!\s在]{2,30}?)(?:召开|开展|举行|组织|开了|开的|开|进行|学习)"
    ),
    re.compile(r"(?<![存现正所实好])在\s*([^，,。；;！!\s在]{0,20}?(?:" + "|".join(_PLACE_WORDS) + r"))"),
]
_TITLES = (
    "支部书记",
    "第一书记",
    "副书记",
    "书记",
    "组织委员",
    "村支书",
    "党小组长",
    "小组长",
    "主任",
    "同志",
)
_NAME = r"([\u4e00-\u9fff·]{2,8})"
_HOST = [
    re.compile(r"主持(?:人)?(?:是|为|：|:)\s*" + _NAME),
    re.compile(r"由?" + _NAME + r"(?:同志)?主持"),
]
_RECORDER = [
    re.compile(r"记录(?:人|员)?(?:是|为|：|:)\s*" + _NAME),
    re.compile(r"由?" + _NAME + r"(?:同志)?(?:负责)?记录"),
]
_TIME_HM = re.compile(r"(?<![\d.])(\d{1,2})[:：](\d{2})(?!\d)")
_TIME_CN = re.compile(
    r"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚)?\s*(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*[点时]\s*"
    r"(半|一刻|三刻|\d{1,2}\s*分?)?"
)
_GROUP = re.compile(r"((?:第[一二三四五六七八九十\d]{1,3}|[\u4e00-\u9fff\d]{1,8}?)党?小组)(?!会|长|学习)")
_TOPIC_END = re.compile(r"[。；！!\n]")


class Absence(NamedTuple):
    """One absentee as written: a name and the reason ("" when none was given)."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a message says about a meeting (None: not said)."""

    type_code: str | None = None
    also_types: tuple[str, ...] = ()  # further types named ("主题党日暨党员大会")
    held_on: date | None = None
    date_error: DateParseError | None = None  # a date was given but is future / invalid
    start_time: time | None = None
    expected: int | None = None
    present: int | None = None
    absent: int | None = None
    topic: str | None = None
    place: str | None = None
    host: str | None = None
    recorder: str | None = None
    group_name: str | None = None
    absentees: tuple[Absence, ...] | None = None  # a listed 缺席 section (None: no names given)
    summary: str | None = None  # "会议内容：…" (uncapped: the conversation checks the length)
    decisions: str | None = None  # "决议：…" / "表决：…"
    found: tuple[str, ...] = field(default=())  # names of the fields found, in order

    def missing(
        self, required: tuple[str, ...] = ("type_code", "held_on", "expected", "present", "topic")
    ) -> list[str]:
        """Required fields still unknown, in asking order."""
        return [name for name in required if getattr(self, name) is None]


def detect_types(text: str) -> list[str]:
    """Activity type codes named in ``text``, in order of appearance, without repeats."""
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for phrase, code in TYPE_PHRASES:
        for m in re.finditer(re.escape(phrase), text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue  # inside a longer phrase already matched
            taken.append((m.start(), m.end()))
            hits.append((m.start(), code))
    out: list[str] = []
    for _, code in sorted(hits):
        if code not in out:
            out.append(code)
    return out


def parse_count(text: str) -> int | None:
    """A head count answer: "25", "25人", "二十五名" → 25 (None when there is no number)."""
    m = re.search(_NUM, text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    if m is None:
        return None
    return cn_to_int(m.group(1))


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    best: re.Match[str] | None = None
    for p in patterns:
        m = p.search(text)
        if m is not None and (best is None or m.start() < best.start()):
            best = m
    return best


def _count(patterns: list[re.Pattern[str]], text: str) -> int | None:
    m = _first(patterns, text)
    return cn_to_int(m.group(1)) if m else None


def parse_time(text: str) -> time | None:
    """Start time: "14:30", "下午3点", "晚上7点半", "上午九点" → time (None when absent or impossible)."""
    m = _TIME_HM.search(text)
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        return time(h, mi) if h < 24 and mi < 60 else None
    m = _TIME_CN.search(text)
    if not m:
        return None
    hour = cn_to_int(m.group(2))
    if hour is None:
        return None
    h = hour
    minute_text = (m.group(3) or "").replace("分", "").strip()
    named = {"半": 30, "一刻": 15, "三刻": 45}.get(minute_text)
    minute = named if named is not None else int(minute_text) if minute_text.isdigit() else 0
    part = m.group(1) or ""
    if (part in ("下午", "傍晚", "晚上", "晚") and h < 12) or (part == "中午" and h < 6):
        h += 12
    return time(h, minute) if h < 24 and minute < 60 else None


def _strip_titles(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for t in _TITLES:
            if name.startswith(t) and len(name) > len(t) + 1:
                name, changed = name[len(t) :], True
            if name.endswith(t) and len(name) > len(t) + 1:
                name, changed = name[: -len(t)], True
    for filler in ("由", "请", "是"):
        name = name.removeprefix(filler)
    return name


def _topic(text: str) -> str | None:
    m = _TOPIC.search(text)
    if m is None:
        m = _STUDY.search(text)
        if m is None:
            return None
    raw = _TOPIC_END.split(m.group(1))[0]
    parts = re.split(r"[，,]", raw)
    kept = [parts[0]]
    for part in parts[1:]:
        if any(part.strip().startswith(w) for w in _FIELD_WORDS) or re.match(r"\s*\d", part):
            break
        kept.append(part)
    # An empty clause is where a section was cut out ("学习党章，。"): not part of the topic.
    topic = "，".join(p.strip() for p in kept if p.strip()).strip(" ：:“”")
    return topic or None


def extract_checkin(text: str, *, today: date) -> Extracted:
    """Read every field ``text`` holds (see :class:`Extracted`)."""
    text, absentees, summary, decisions = _cut_sections(text.strip())
    found: list[str] = []
    types = detect_types(text)
    held_on: date | None = None
    date_error: DateParseError | None = None
    try:
        dm = find_date(text, today=today)
        held_on = dm.value if dm else None
    except DateParseError as exc:
        date_error = exc
    expected = _count(_EXPECTED, text)
    present = _count(_PRESENT, text)
    absent = _count(_ABSENT, text)
    # Two of the three counts give the third.
    if present is None and expected is not None and absent is not None:
        present = expected - absent
    if expected is None and present is not None and absent is not None:
        expected = present + absent
    place = host = recorder = None
    if m := _first(_PLACE, text):
        place = m.group(1).strip()
    if m := _first(_HOST, text):
        host = _strip_titles(m.group(1)) or None
    if m := _first(_RECORDER, text):
        recorder = _strip_titles(m.group(1)) or None
    group_name = None
    if m := _GROUP.search(text):
        group_name = m.group(1)
    start_time = parse_time(_without_counts_and_dates(text))
    result = Extracted(
        type_code=types[0] if types else None,
        also_types=tuple(types[1:]),
        held_on=held_on,
        date_error=date_error,
        start_time=start_time,
        expected=expected,
        present=present,
        absent=absent,
        topic=_topic(text),
        place=place,
        host=host,
        recorder=recorder,
        group_name=group_name,
        absentees=absentees,
        summary=summary,
        decisions=decisions,
    )
    for name in ("type_code", "held_on", "start_time", "expected", "present", "absent", "topic", "place",
                 "host", "recorder", "group_name", "absentees", "summary", "decisions"):  # fmt: skip
        if getattr(result, name) is not None:
            found.append(name)
    return replace(result, found=tuple(found))


def _without_counts_and_dates(text: str) -> str:
    # "11.20" or "应到25人" must not be read as a time of day.
    text = re.sub(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?", " ", text)
    return re.sub(r"\d{1,2}\s*[./月]\s*\d{1,2}\s*[日号]?", " ", text)


# --- absentees and labelled sections ------------------------------------------------------------------------

# Reasons normalised only where the short form is unambiguous; anything else is kept as written.
REASON_NORMAL: dict[str, str] = {
    "病": "病假", "生病": "病假", "因病": "病假", "有病": "病假", "患病": "病假", "请病假": "病假",
    "事": "事假", "有事": "事假", "因事": "事假", "私事": "事假", "因私": "事假", "请事假": "事假",
    "家里有事": "事假", "家中有事": "事假",
    "公": "公假", "因公": "公假", "公事": "公假", "公务": "公假", "请公假": "公假",
}  # fmt: skip
# Words a reason starts with, so "张三病假" / "李四外出务工" split without a separator.
_REASON_LEADS = (
    "病假", "事假", "公假", "婚假", "产假", "丧假", "探亲假", "年假", "休假", "请假", "生病", "有病", "有事",
    "病", "因", "外出", "出差", "务工", "打工", "外地", "在外", "住院", "就医", "看病", "探亲", "身体",
    "年老", "年迈", "年纪大", "行动不便", "卧床", "照顾", "陪护", "家中", "家里", "公务", "上班", "值班",
    "培训", "流动", "失联", "出国", "感冒", "发烧", "不舒服",
)  # fmt: skip
_SHORT_REASONS = frozenset(REASON_NORMAL) | frozenset(
    ("病假", "事假", "公假", "婚假", "产假", "丧假", "请假", "出差", "外出", "住院", "生病")
)
_LEADS_RE = "|".join(sorted(map(re.escape, _REASON_LEADS), key=len, reverse=True))
_CJK = r"\u4e00-\u9fff"
_COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐", "夏侯", "司徒", "端木",
)  # fmt: skip
# A Chinese name: 2-4 characters, or parts joined by "·" (minority names).
_NAME_RE = re.compile(rf"[{_CJK}]{{2,4}}|[{_CJK}]{{1,10}}(?:[·•][{_CJK}]{{1,10}}){{1,3}}")
_NAME_LEAD_RE = re.compile(rf"([{_CJK}]{{2,4}}?)((?:{_LEADS_RE}).*)", re.S)
_COMPACT_PAIR = rf"[{_CJK}]{{2,4}}?(?:病假|事假|公假|婚假|产假|丧假|请假|出差|外出|住院|生病)"
_COMPACT_RE = re.compile(rf"({_COMPACT_PAIR})+")
_PAIR_RE = re.compile(rf"([{_CJK}]{{2,4}}?)(病假|事假|公假|婚假|产假|丧假|请假|出差|外出|住院|生病)")
_JOINED_RE = re.compile(rf"([{_CJK}]{{2,3}})(?:和|及|与|跟)([{_CJK}]{{2,3}})")
_PAREN_RE = re.compile(r"(.+?)\s*(?:（\s*(.*?)\s*）?|\(\s*(.*?)\s*\)?)\s*", re.S)
_COLON_RE = re.compile(r"(.+?)\s*(?:[:：]|—+|－|-{1,2})\s*(.+)", re.S)
_NAME_TAIL_RE = re.compile(r"(?:同志|等(?:\d+|[一二两三四五六七八九十]+)?[人名位]?)$")
_LIST_SEPS = frozenset("，、,；;。\n")
_PAIRS = {"（": "）", "(": ")"}
# An answer may repeat the question's words: "缺席的是：张三…", "请假2人：…".
_ANSWER_PREFIX = re.compile(
    r"^\s*(?:缺席|请假|未到会|未到|未参加|没来|没到|没参加|缺勤)(?:的)?(?:人员|同志|党员|名单)?(?:共)?\s*"
    + r"(?:" + _NUM + r"\s*(?:人|名|位))?\s*(?:的)?(?:有|是|为)?\s*[:：]?\s*"
)

# Labelled sections of a first message.
_ABSENT_MARK = re.compile(
    r"(?:缺席|请假|未到会|未到|未参加|没来|没到|没参加|缺勤)(?:的)?(?:人员|同志|党员|名单)?(?:共)?\s*"
    + r"(?:" + _NUM + r"\s*(?:人|名|位))?\s*(?:(?:的)?(?:有|是|为)\s*[:：]?|[:：]|(?P<paren>[（(]))"
)
_SUMMARY_MARK = re.compile(
    r"(?:会议内容|主要内容|会议纪要|内容摘要|会议摘要|内容概要|纪要)\s*(?:[:：]|是|为)|会议记录\s*[:：]"
)
_DECISION_MARK = re.compile(
    r"(?:会议决议|形成决议|决议事项|决议)\s*(?:[:：]|是|为)|(?:会议决定|决定事项|决定|表决情况|表决结果|表决)\s*[:：]"
)
# A clause that starts another field ends a section ("…，主题是…", "。地点：…", "，应到12人").
_SECTION_STOP = re.compile(
    r"[，,。；;\n]\s*(?=(?:应到|实到|应出席|应参会|实际到会|实际参加|实际出席)"
    r"|(?:地点|主持人|主持|记录人|记录员|议题|主题|时间|日期)\s*(?:[:：是为在]))"
)
_LIST_END = re.compile(r"[。；;\n]")
_CLOSE_RE = re.compile(r"[）)]")


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _is_name(text: str) -> bool:
    """A plausible Chinese name (2-4 characters, or "·"-joined parts)."""
    return _NAME_RE.fullmatch(text) is not None


def _short_name(text: str) -> bool:
    """A name rather than a reason, when a space separates the two: 2-3 characters (4 with a
    compound surname, or "·"-joined)."""
    if not _is_name(text) or text.startswith(_REASON_LEADS) or text in REASON_NORMAL:
        return False
    return len(text) <= 3 or "·" in text or "•" in text or text.startswith(_COMPOUND_SURNAMES)


def normalise_reason(reason: str) -> str:
    """"病" → "病假", "有事" → "事假", "因公" → "公假"; anything else is kept (trimmed)."""
    reason = reason.strip(" 　,，。.;；:：")
    return REASON_NORMAL.get(reason) or REASON_NORMAL.get(reason.removesuffix("了")) or reason


def _clean_name(name: str) -> str:
    name = name.strip(" 　\"“”'‘’")
    shorter = _NAME_TAIL_RE.sub("", name)
    return shorter if len(shorter) >= 2 else name


def _spans(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty items of a list separated by ，、,；;。 or newlines outside brackets."""
    spans: list[tuple[int, int]] = []
    open_: list[str] = []  # the brackets open at this point (a "(" is closed by ")" only, "（" by "）")
    start = 0
    for i, ch in enumerate(text):
        if ch in _PAIRS:
            open_.append(_PAIRS[ch])
        elif open_ and ch == open_[-1]:
            open_.pop()
        elif ch in _LIST_SEPS and not open_:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _entry(name: str, reason: str) -> Absence:
    return Absence(_clean_name(name), normalise_reason(reason))


def _parse_item(item: str) -> list[Absence]:
    """One list item: "张三 病假", "张三（病假）", "张三:病假", "张三病假", "张三和李四", "张三"."""
    item = item.strip()
    if not _has_letter(item):
        return []  # an emoji, a number, punctuation: noise
    if m := _PAREN_RE.fullmatch(item):
        return [_entry(m.group(1), m.group(2) if m.group(2) is not None else m.group(3) or "")]
    if m := _COLON_RE.fullmatch(item):
        return [_entry(m.group(1), m.group(2))]
    parts = item.split()
    if len(parts) > 1:
        return _parse_spaced(parts)
    if _COMPACT_RE.fullmatch(item) and len(_PAIR_RE.findall(item)) > 1:
        return [_entry(n, r) for n, r in _PAIR_RE.findall(item)]  # "张三病假李四事假"
    if m := _JOINED_RE.fullmatch(item):
        return [_entry(m.group(1), ""), _entry(m.group(2), "")]
    name = re.sub(rf"^([{_CJK}]{{2,4}}?)同志", r"\1", item)
    # "王小明外出务工" (too long for a name) splits at the reason; a name-sized "张三病假" only when the
    # rest is a short known reason, so "王建因" stays a name.
    if (m := _NAME_LEAD_RE.fullmatch(name)) and (not _is_name(name) or m.group(2) in _SHORT_REASONS):
        return [_entry(m.group(1), m.group(2))]
    return [_entry(name, "")]


def _parse_spaced(parts: list[str]) -> list[Absence]:
    # "张三 病假", "张三 病假 李四 事假", "张三 李四 王五": a short name starts an entry, anything else
    # is (part of) the reason of the entry before it.
    if all(_short_name(p) for p in parts):
        return [_entry(p, "") for p in parts]
    out: list[list[str]] = []
    for part in parts:
        if not out or (_short_name(part) and out[-1][1]):
            out.append([part, ""])
        else:
            out[-1][1] = f"{out[-1][1]} {part}".strip()
    return [_entry(n, r) for n, r in out]


def parse_absentees(text: str) -> list[Absence]:
    """Absentees from an answer: items separated by ，、,；; 。 or newlines, each "姓名 原因",
    "姓名（原因）", "姓名:原因", "姓名原因" (a known reason word) or a bare name. Items without a letter
    (emoji, numbers) are dropped; a repeated name counts once. Empty when nothing looks like a name."""
    text = _ANSWER_PREFIX.sub("", text, count=1) if _ANSWER_PREFIX.match(text) else text
    out: list[Absence] = []
    seen: set[str] = set()
    for start, end in _spans(text):
        for entry in _parse_item(text[start:end]):
            if entry.name in _SHORT_REASONS:
                continue  # "病假" alone is a reason without a name
            if len(entry.name) >= 2 and _has_letter(entry.name) and entry.name not in seen:
                seen.add(entry.name)
                out.append(entry)
    return out


def _listed_absentees(region: str) -> tuple[list[Absence], int]:
    """The absentees at the start of ``region`` (a first message after "缺席：") and where they end:
    stricter than :func:`parse_absentees` — every name must look like a Chinese name, and the list
    stops at the first item that does not (the rest of the message is other fields)."""
    out: list[Absence] = []
    seen: set[str] = set()
    end = 0
    for start, stop in _spans(region):
        entries = _parse_item(region[start:stop])
        if not entries or not all(_is_name(e.name) for e in entries):
            break
        for e in entries:
            if e.name not in seen:
                seen.add(e.name)
                out.append(e)
        end = stop
    return out, end


def _cut_sections(text: str) -> tuple[str, tuple[Absence, ...] | None, str | None, str | None]:
    """Cut the 缺席 / 会议内容 / 决议 sections out of a first message: returns the text without them (each
    replaced by "。", so no other field is read from inside), the absentees, the summary and the
    decisions. A 缺席 label stays in the text ("缺席2人：" still gives the count)."""
    marks: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in (("absent", _ABSENT_MARK), ("summary", _SUMMARY_MARK), ("decisions", _DECISION_MARK)):
        marks.extend((m.start(), m.end(), kind, m) for m in pattern.finditer(text))
    if not marks:
        return text, None, None, None
    marks.sort(key=lambda x: (x[0], -x[1]))
    # Positions found once and looked up by bisection: a message full of labels stays linear.
    starts = [x[0] for x in marks]
    stops = [m.start() for m in _SECTION_STOP.finditer(text)]
    closes = [m.start() for m in _CLOSE_RE.finditer(text)]

    def first_at(positions: list[int], pos: int) -> int:
        i = bisect.bisect_left(positions, pos)
        return positions[i] if i < len(positions) else len(text)

    absentees: list[Absence] = []
    listed: set[str] = set()
    summaries: list[str] = []
    decisions: list[str] = []
    cuts: list[tuple[int, int]] = []
    taken_until = 0
    for start, end, kind, m in marks:
        if start < taken_until:
            continue  # inside a section already cut
        limit = min(first_at(starts, end), first_at(stops, end))
        if kind == "absent":
            if m.group("paren"):
                limit = min(limit, first_at(closes, end))
            else:
                list_end = _LIST_END.search(text, end, limit)
                limit = list_end.start() if list_end else limit
            found, used = _listed_absentees(text[end:limit])
            if not found:
                continue
            for a in found:
                if a.name not in listed:
                    listed.add(a.name)
                    absentees.append(a)
            cuts.append((end, end + used))
            taken_until = end + used
            continue
        content = text[end:limit].strip(" 　，,。；;\n")
        if kind == "decisions" and m.group(0).startswith("表决") and content:
            content = m.group(0).rstrip(" 　:：") + "：" + content
        if content:
            (summaries if kind == "summary" else decisions).append(content)
        cuts.append((start, limit))
        taken_until = limit
    rest = text
    for start, end in sorted(cuts, reverse=True):
        rest = rest[:start] + "。" + rest[end:]
    return (
        rest,
        tuple(absentees) or None,
        "；".join(summaries) or None,
        "；".join(decisions) or None,
    )
