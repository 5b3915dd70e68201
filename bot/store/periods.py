"""Calendar periods in Beijing time: months, quarters, years, and which period a date falls in."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.store.models import Period


def local_today(tz: str, now: datetime | None = None) -> date:
    """Today's date in ``tz`` (Asia/Shanghai by settings); ``now`` must be aware when given."""
    moment = now if now is not None else datetime.now(ZoneInfo(tz))
    return moment.astimezone(ZoneInfo(tz)).date()


def local_date(moment: datetime, tz: str) -> date:
    """The calendar date of the aware ``moment`` in ``tz``."""
    return moment.astimezone(ZoneInfo(tz)).date()


def month_key(d: date) -> int:
    """``yyyymm`` (stored on records as ``held_month``)."""
    return d.year * 100 + d.month


@dataclass(frozen=True, slots=True, order=True)
class PeriodRef:
    """One period: ``kind`` month (index 1-12), quarter (1-4) or year (index 1)."""

    year: int
    kind: str  # Period value
    index: int

    @property
    def start(self) -> date:
        if self.kind == Period.MONTH:
            return date(self.year, self.index, 1)
        if self.kind == Period.QUARTER:
            return date(self.year, 3 * self.index - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        if self.kind == Period.MONTH:
            last_month = self.index
        elif self.kind == Period.QUARTER:
            last_month = 3 * self.index
        else:
            last_month = 12
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def months(self) -> tuple[int, ...]:
        """``yyyymm`` keys of the months in the period."""
        first = self.start.month
        last = self.end.month
        return tuple(self.year * 100 + m for m in range(first, last + 1))

    @property
    def label(self) -> str:
        """``2026-11``, ``2026Q4`` or ``2026``."""
        if self.kind == Period.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == Period.QUARTER:
            return f"{self.year}Q{self.index}"
        return f"{self.year}"

    @property
    def label_zh(self) -> str:
        """``2026年11月``, ``2026年第4季度`` or ``2026年``."""
        if self.kind == Period.MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind == Period.QUARTER:
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年"

    def due(self, deadline_days: int) -> date:
        """Last day a record of this period is still on time."""
        return self.end + timedelta(days=deadline_days)


def period_of(d: date, kind: str) -> PeriodRef:
    """The period of kind ``kind`` containing ``d``."""
    if kind == Period.MONTH:
        return PeriodRef(d.year, Period.MONTH, d.month)
    if kind == Period.QUARTER:
        return PeriodRef(d.year, Period.QUARTER, (d.month - 1) // 3 + 1)
    if kind == Period.YEAR:
        return PeriodRef(d.year, Period.YEAR, 1)
    raise ValueError(f"unknown period kind {kind!r}")


def period_of_month(ym: int, kind: str) -> PeriodRef:
    """The period of kind ``kind`` containing month ``yyyymm``."""
    return period_of(date(ym // 100, ym % 100, 1), kind)


_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[Qq]([1-4])\s*$")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")


def parse_period(text: str) -> PeriodRef:
    """``2026-11`` → month, ``2026Q4`` → quarter, ``2026`` → year (ValueError otherwise)."""
    if m := _MONTH_RE.match(text):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"bad month {text!r}")
        return PeriodRef(int(m.group(1)), Period.MONTH, month)
    if m := _QUARTER_RE.match(text):
        return PeriodRef(int(m.group(1)), Period.QUARTER, int(m.group(2)))
    if m := _YEAR_RE.match(text):
        return PeriodRef(int(m.group(1)), Period.YEAR, 1)
    raise ValueError(f"not a period (2026-11, 2026Q4 or 2026): {text!r}")


def months_between(first: int, last: int) -> list[int]:
    """All ``yyyymm`` keys from ``first`` to ``last`` inclusive."""
    out: list[int] = []
    y, m = divmod(first, 100)
    while y * 100 + m <= last:
        out.append(y * 100 + m)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out
