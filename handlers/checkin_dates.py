"""Chinese date phrases of a check-in, read as the past (Beijing time).

A check-in reports a meeting that happened: "周一开的会" is the last Monday, "11月20日" is the last
20 November. Supported: 今天 / 昨天 / 前天 / 大前天, 昨晚, N天前, 上周五 / 上上周三 / 本周二 / 周一 / 星期天 /
礼拜六, 上个月5号, 11月20日 (also 十一月二十日), 20号, 2026-11-20, 2026/11/20, 2026.11.20, 2026年11月20日,
11.20, 11/20. A date in the future is an error (:class:`DateParseError` with ``FUTURE``).

Rules for dates without a year (documented in docs/checkins.md): "11月20日" is this year's unless that is
more than ``YEAR_ROLLBACK_DAYS`` ahead (then last year's: "12月28日" said on 3 January); closer future
dates are refused. A bare "20号" in the future means last month's 20th.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

YEAR_ROLLBACK_DAYS = 31

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUM = "零〇一二两三四五六七八九十百千"


def cn_to_int(text: str) -> int | None:
    """``二十五`` → 25, ``一百零八`` → 108, ``二〇二六`` → 2026, ``25`` → 25; None when not a number."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(ch in _CN_DIGITS for ch in text):  # digit by digit: 二〇二六
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "千":
            total += (current or 1) * 1000
            current = 0
        else:
            return None
    return total + current


class DateProblem(StrEnum):
    UNKNOWN = "unknown"  # no date found
    INVALID = "invalid"  # 2月30日
    FUTURE = "future"


class DateParseError(ValueError):
    def __init__(self, problem: DateProblem, text: str, value: date | None = None) -> None:
        super().__init__(f"{problem.value}: {text!r}")
        self.problem = problem
        self.text = text
        self.value = value


@dataclass(frozen=True, slots=True)
class DateMatch:
    value: date
    text: str  # the phrase as matched (after numeral normalisation)


def today_beijing(now: datetime | None = None, tz: str = "Asia/Shanghai") -> date:
    """Today's date in Beijing (``now`` aware, default: the clock)."""
    return (now or datetime.now(ZoneInfo(tz))).astimezone(ZoneInfo(tz)).date()


_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}  # fmt: skip

_D = r"(\d{1,2})"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "ymd",
        re.compile(r"(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*" + _D + r"\s*(?:[-/.]|月)\s*" + _D + r"\s*[日号]?"),
    ),
    ("relday", re.compile(r"(大前天|前天|前日|昨天|昨日|昨晚|昨早|昨儿|今天|今日|今晚|今早|今儿|明天|明日|后天)")),
    ("ago", re.compile(r"(\d{1,3})\s*天(?:以)?前")),
    ("week", re.compile(r"(上上|上个|上|本|这个|这)?\s*(?:周|星期|礼拜)([一二三四五六日天末1-7])")),
    ("lastmonth", re.compile(r"上(?:个)?月\s*" + _D + r"\s*[日号]")),
    ("md", re.compile(r"(?<![\d.])" + _D + r"\s*月\s*" + _D + r"\s*[日号]?")),
    ("mdnum", re.compile(r"(?<![\d./:-])" + _D + r"[./]" + _D + r"(?![\d./:])")),
    ("day", re.compile(r"(?<![\d月./-])" + _D + r"\s*[日号](?![\d楼室院门栋房线])")),
]

_CN_IN_DATE = re.compile(
    r"([〇零一二两三四五六七八九]{4})(?=年)|([一二三四五六七八九十]{1,3})(?=月)|"
    r"(?<=月)([一二三四五六七八九十]{1,3})(?=[日号])|(?<=上个月)([一二三四五六七八九十]{1,3})(?=[日号])|"
    r"(?<=上月)([一二三四五六七八九十]{1,3})(?=[日号])|([一二三四五六七八九十]{1,3})(?=天前)"
)


def _normalise(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        value = cn_to_int(m.group(0))
        return str(value) if value is not None else m.group(0)

    text = text.translate(str.maketrans("０１２３４５６７８９．／－：", "0123456789./-:"))
    return _CN_IN_DATE.sub(repl, text)


def _safe_date(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateParseError(DateProblem.INVALID, text) from None


def _resolve(kind: str, m: re.Match[str], today: date) -> date | None:
    """The date of one match (None: the numbers are not a date, e.g. "25/23")."""
    text = m.group(0)
    if kind == "ymd":
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if kind == "relday":
        word = m.group(1)
        back = {"大": 3, "前": 2, "昨": 1, "今": 0, "明": -1, "后": -2}[word[0]]  # 明天 / 后天: refused later
        return today - timedelta(days=back)
    if kind == "ago":
        return today - timedelta(days=int(m.group(1)))
    if kind == "week":
        prefix, day = m.group(1) or "", _WEEKDAYS[m.group(2)]
        monday = today - timedelta(days=today.weekday())
        if prefix == "上上":
            return monday - timedelta(days=14) + timedelta(days=day)
        if prefix in ("上", "上个"):
            return monday - timedelta(days=7) + timedelta(days=day)
        if prefix in ("本", "这", "这个"):
            return monday + timedelta(days=day)
        # A bare weekday is the last such day (today included): the meeting has happened.
        return today - timedelta(days=(today.weekday() - day) % 7)
    if kind == "lastmonth":
        first = today.replace(day=1) - timedelta(days=1)
        return _safe_date(first.year, first.month, int(m.group(1)), text)
    if kind in ("md", "mdnum"):
        month, day = int(m.group(1)), int(m.group(2))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            if kind == "mdnum":
                return None
            raise DateParseError(DateProblem.INVALID, text)
        value = _safe_date(today.year, month, day, text)
        if (value - today).days > YEAR_ROLLBACK_DAYS:
            value = _safe_date(today.year - 1, month, day, text)
        return value
    if kind == "day":
        day = int(m.group(1))
        if not 1 <= day <= 31:
            return None
        try:
            this_month: date | None = date(today.year, today.month, day)
        except ValueError:
            this_month = None
        if this_month is not None and this_month <= today:
            return this_month
        prev = today.replace(day=1) - timedelta(days=1)
        return _safe_date(prev.year, prev.month, day, text)
    raise AssertionError(kind)  # pragma: no cover


def find_date(text: str, *, today: date) -> DateMatch | None:
    """The first date phrase in ``text`` (None when there is none).

    Raises :class:`DateParseError` when the phrase is in the future or not a real date."""
    norm = _normalise(text)
    best: tuple[int, int, str, re.Match[str]] | None = None
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(norm):
            key = (m.start(), -(m.end() - m.start()))
            if best is None or key < (best[0], best[1]):
                try:
                    if _resolve(kind, m, today) is None:
                        continue
                except DateParseError:
                    pass  # reported below if this match is chosen
                best = (key[0], key[1], kind, m)
            break  # the first match of each pattern is enough
    if best is None:
        return None
    _, _, kind, m = best
    value = _resolve(kind, m, today)
    assert value is not None
    if value > today:
        raise DateParseError(DateProblem.FUTURE, m.group(0), value)
    return DateMatch(value, m.group(0))


def parse_past_date(text: str, *, today: date) -> date:
    """The date of an answer like "上周五" (DateParseError UNKNOWN / INVALID / FUTURE otherwise)."""
    found = find_date(text, today=today)
    if found is None:
        raise DateParseError(DateProblem.UNKNOWN, text)
    return found.value
