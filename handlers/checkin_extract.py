"""Fields of a check-in read from free text ("昨天开了主题党日，应到25人实到23人，主题是学习…").

Regex-based and knowledge-free: what is found is filled in, what is not stays None and the conversation
asks for it. Nothing here touches the database; the store validates everything again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, time

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
    topic = "，".join(p.strip() for p in kept).strip(" ：:“”")
    return topic or None


def extract_checkin(text: str, *, today: date) -> Extracted:
    """Read every field ``text`` holds (see :class:`Extracted`)."""
    text = text.strip()
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
    )
    for name in ("type_code", "held_on", "start_time", "expected", "present", "absent", "topic", "place",
                 "host", "recorder", "group_name"):  # fmt: skip
        if getattr(result, name) is not None:
            found.append(name)
    return replace(result, found=tuple(found))


def _without_counts_and_dates(text: str) -> str:
    # "11.20" or "应到25人" must not be read as a time of day.
    text = re.sub(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?", " ", text)
    return re.sub(r"\d{1,2}\s*[./月]\s*\d{1,2}\s*[日号]?", " ", text)
