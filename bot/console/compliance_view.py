"""The compliance page's data: one cached report per scope and period, built from ``compute_compliance``.

A county report over 1,000 branches and 12 months takes a few hundred milliseconds to compute, so the
page reuses it while the data has not changed: every view runs one cheap fingerprint query (latest
record / audit event / organisation / rule ids, active organisation count) and recomputes only when it
differs, when the day changes (``as_of``), or after ``console_cache_ttl_s`` (covers edits the
fingerprint cannot see, such as a rule override changed in place). Concurrent views of a stale entry
share one computation. The cache is per process; every process validates against the database.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from bot.store.compliance import STATUS_ZH, ComplianceReport, ComplianceRow, Status
from bot.store.periods import PeriodRef, months_between

# Worst first: the colour of a cell is its worst row (党小组会 has one row per group, a quarter three months).
_SEVERITY = {Status.MISSING: 0, Status.LATE: 1, Status.OPEN: 2, Status.DONE: 3, Status.NOT_APPLICABLE: 4}


def shift_month(ym: int, delta: int) -> int:
    y, m = divmod(ym, 100)
    index = y * 12 + (m - 1) + delta
    return (index // 12) * 100 + index % 12 + 1


@dataclass(frozen=True, slots=True)
class Cell:
    status: str  # worst Status of the rows, or "" when the type has no row in the period
    label: str
    done: int  # rows done or late
    rows: int
    title: str  # tooltip: each row's organisation, period and status


@dataclass(frozen=True, slots=True)
class BranchLine:
    branch_id: int
    name: str
    name_path: str
    compliant: bool
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    month: int
    share: float

    @property
    def label(self) -> str:
        return f"{self.month % 100}月"

    @property
    def title(self) -> str:
        return f"{self.month // 100}年{self.month % 100}月：{self.share:.1%}"


@dataclass(frozen=True, slots=True)
class ComplianceView:
    root_id: int
    root_name: str
    period: PeriodRef
    as_of: date
    types: tuple[tuple[str, str], ...]  # (code, name) columns
    lines: tuple[BranchLine, ...]
    share: float  # branches compliant for every month of the period
    failing: int
    trend: tuple[TrendPoint, ...]
    report: ComplianceReport


def _cell(rows: list[ComplianceRow]) -> Cell:
    if not rows:
        return Cell("", "—", 0, 0, "")
    worst = min(rows, key=lambda r: _SEVERITY[r.status]).status
    done = sum(1 for r in rows if r.status in (Status.DONE, Status.LATE))
    applicable = [r for r in rows if r.status != Status.NOT_APPLICABLE]
    title = "；".join(f"{r.org_name} {r.period.label_zh} {STATUS_ZH[r.status]}（{r.held}/{r.required}）" for r in rows)
    if not applicable:
        label = STATUS_ZH[Status.NOT_APPLICABLE]
    elif len(applicable) == 1:
        label = STATUS_ZH[worst]
    else:
        label = f"{STATUS_ZH[worst]} {done}/{len(applicable)}"
    return Cell(worst.value, label, done, len(applicable), title)


def build_view(report: ComplianceReport, period: PeriodRef, trend_months: int) -> ComplianceView:
    """Cells per branch × type for ``period`` (rows whose period overlaps it) and the monthly trend."""
    wanted = set(period.months)
    types: dict[str, str] = {}
    for b in report.branches:
        for r in b.rows:
            types.setdefault(r.type_code, r.type_name)
    lines = []
    failing = 0
    # PeriodRef.months is computed on each access: decide each distinct period once (~55k rows).
    overlaps: dict[PeriodRef, bool] = {}
    for b in report.branches:
        by_type: dict[str, list[ComplianceRow]] = {}
        for r in b.rows:
            hit = overlaps.get(r.period)
            if hit is None:
                hit = overlaps[r.period] = bool(wanted.intersection(r.period.months))
            if hit:
                by_type.setdefault(r.type_code, []).append(r)
        compliant = all(b.compliant(m, late_ok=report.late_ok) for m in period.months)
        failing += not compliant
        lines.append(
            BranchLine(b.branch_id, b.name, b.name_path, compliant, tuple(_cell(by_type.get(c, [])) for c in types))
        )
    last = period.months[-1]
    months = months_between(shift_month(last, -(trend_months - 1)), last)
    trend = tuple(TrendPoint(m, report.share(m)) for m in months)
    share = (len(lines) - failing) / len(lines) if lines else 1.0
    return ComplianceView(
        report.root_id, report.root_name, period, report.as_of, tuple(types.items()), tuple(lines), share,
        failing, trend, report,
    )  # fmt: skip


@dataclass(slots=True)
class _Entry:
    fingerprint: tuple[int, ...]
    built: float
    view: ComplianceView


class ComplianceCache:
    """LRU of :class:`ComplianceView` by (root, period, as_of), validated by a data fingerprint."""

    def __init__(self, *, ttl_s: float, entries: int) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max(1, entries)
        self._entries: OrderedDict[tuple[int, str, date], _Entry] = OrderedDict()
        self._inflight: dict[tuple[int, str, date, tuple[int, ...]], asyncio.Future[ComplianceView]] = {}
        self.hits = 0
        self.misses = 0

    async def get(
        self,
        *,
        root_id: int,
        period: PeriodRef,
        as_of: date,
        fingerprint: tuple[int, ...],
        build: Callable[[], Awaitable[ComplianceView]],
    ) -> ComplianceView:
        key = (root_id, period.label, as_of)
        entry = self._entries.get(key)
        if entry is not None and entry.fingerprint == fingerprint and time.monotonic() - entry.built < self.ttl_s:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.view
        flight_key = (*key, fingerprint)
        pending = self._inflight.get(flight_key)
        if pending is not None:
            return await asyncio.shield(pending)
        self.misses += 1
        future: asyncio.Future[ComplianceView] = asyncio.get_running_loop().create_future()
        self._inflight[flight_key] = future
        try:
            view = await build()
        except BaseException as exc:
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            else:
                future.cancel()
            raise
        finally:
            self._inflight.pop(flight_key, None)
        future.set_result(view)
        self._entries[key] = _Entry(fingerprint, time.monotonic(), view)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return view

    def clear(self) -> None:
        self._entries.clear()
