"""The compliance page's data: one cached view per scope and period, built from ``compute_compliance``.

The report behind a view keeps rows only for the period shown (``rows_in``: the table and the
drill-down) and judges every month of the trend without building rows. Every view runs one cheap
fingerprint query (latest record / audit event / organisation / rule ids, active organisation count):

* unchanged → the cached view;
* only records or audit events added (a submission, correction, confirmation) → the branches they touch
  are recomputed (``compute_compliance(branch_ids=...)``) and spliced into the cached view, the share and
  trend recounted (``update_view``): the first view after a write costs a few milliseconds, not a build;
* anything else (an organisation or rule added, another day, ``console_cache_ttl_s`` since the last full
  build: covers edits the fingerprint cannot see, such as a rule override changed in place) → a full build.

Concurrent views of a stale entry share one computation. The cache is per process; every process
validates against the database.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from bot.store.compliance import STATUS_ZH, BranchCompliance, ComplianceReport, ComplianceRow, Status
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


@dataclass(frozen=True, eq=False)
class BranchLine:
    """One table line. ``cells`` is built on first use: a page shows 100 of the 1,000 lines, and the
    cell titles (one text per row) are most of the cost of a line."""

    branch_id: int
    name: str
    name_path: str
    compliant: bool
    rows_by_type: tuple[tuple[ComplianceRow, ...], ...] = field(repr=False)

    @cached_property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(_cell(list(rows)) for rows in self.rows_by_type)


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
    trend_months: int = 12


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


def _line(
    b: BranchCompliance, period: PeriodRef, types: tuple[str, ...], late_ok: bool, overlaps: dict[PeriodRef, bool]
) -> BranchLine:
    wanted = set(period.months)
    by_type: dict[str, list[ComplianceRow]] = {}
    for r in b.rows:
        hit = overlaps.get(r.period)
        if hit is None:
            # PeriodRef.months is computed on each access: decide each distinct period once (~55k rows).
            hit = overlaps[r.period] = bool(wanted.intersection(r.period.months))
        if hit:
            by_type.setdefault(r.type_code, []).append(r)
    compliant = all(b.compliant(m, late_ok=late_ok) for m in period.months)
    return BranchLine(b.branch_id, b.name, b.name_path, compliant, tuple(tuple(by_type.get(c, ())) for c in types))


def _assemble(
    report: ComplianceReport, period: PeriodRef, trend_months: int, types: dict[str, str], lines: list[BranchLine]
) -> ComplianceView:
    failing = sum(1 for line in lines if not line.compliant)
    last = period.months[-1]
    months = months_between(shift_month(last, -(trend_months - 1)), last)
    trend = tuple(TrendPoint(m, report.share(m)) for m in months)
    share = (len(lines) - failing) / len(lines) if lines else 1.0
    return ComplianceView(
        report.root_id, report.root_name, period, report.as_of, tuple(types.items()), tuple(lines), share,
        failing, trend, report, trend_months,
    )  # fmt: skip


def build_view(report: ComplianceReport, period: PeriodRef, trend_months: int) -> ComplianceView:
    """Cells per branch × type for ``period`` (rows whose period overlaps it) and the monthly trend."""
    types: dict[str, str] = {}
    for b in report.branches:
        for r in b.rows:
            types.setdefault(r.type_code, r.type_name)
    codes = tuple(types)
    overlaps: dict[PeriodRef, bool] = {}
    lines = [_line(b, period, codes, report.late_ok, overlaps) for b in report.branches]
    return _assemble(report, period, trend_months, types, lines)


def update_view(view: ComplianceView, fresh: ComplianceReport) -> ComplianceView | None:
    """``view`` with the branches of ``fresh`` (a report restricted to the branches a write touched)
    replaced; the other branches' lines are reused and the share and trend recounted. None when
    ``fresh`` does not fit (another span or day, a branch or an activity type the view does not have):
    the caller then builds the whole view again."""
    old = view.report
    if (fresh.first_month, fresh.last_month, fresh.as_of, fresh.late_ok) != (
        old.first_month,
        old.last_month,
        old.as_of,
        old.late_ok,
    ):
        return None
    codes = tuple(code for code, _ in view.types)
    index = {b.branch_id: i for i, b in enumerate(old.branches)}
    branches = list(old.branches)
    lines = list(view.lines)
    overlaps: dict[PeriodRef, bool] = {}
    for b in fresh.branches:
        i = index.get(b.branch_id)
        if i is None or any(r.type_code not in codes for r in b.rows):
            return None
        branches[i] = b
        lines[i] = _line(b, view.period, codes, old.late_ok, overlaps)
    report = replace(old, branches=branches)
    return _assemble(report, view.period, view.trend_months, dict(view.types), lines)


def _only_added(old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    """Only records / audit events were added (their max ids grew; organisations and rules unchanged)."""
    return len(old) == len(new) and old[2:] == new[2:] and new[0] >= old[0] and new[1] >= old[1]


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
        self.misses = 0  # full builds
        self.updates = 0  # views patched for the branches a write touched

    async def get(
        self,
        *,
        root_id: int,
        period: PeriodRef,
        as_of: date,
        fingerprint: tuple[int, ...],
        build: Callable[[], Awaitable[ComplianceView]],
        update: Callable[[ComplianceView, tuple[int, ...]], Awaitable[ComplianceView | None]] | None = None,
    ) -> ComplianceView:
        """The cached view when ``fingerprint`` still matches; else, when only records or audit events
        were added since the entry was built (``fingerprint[:2]``, see ``queries.data_fingerprint``),
        ``update(view, old_fingerprint)`` (recompute the touched branches); else ``build()``.

        ``built`` is the time of the last full build: an entry patched by updates is still built again
        after ``ttl_s``."""
        key = (root_id, period.label, as_of)
        entry = self._entries.get(key)
        fresh = entry is not None and time.monotonic() - entry.built < self.ttl_s
        if entry is not None and fresh and entry.fingerprint == fingerprint:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.view
        flight_key = (*key, fingerprint)
        pending = self._inflight.get(flight_key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[ComplianceView] = asyncio.get_running_loop().create_future()
        self._inflight[flight_key] = future
        built = time.monotonic()
        try:
            view: ComplianceView | None = None
            if entry is not None and fresh and update is not None and _only_added(entry.fingerprint, fingerprint):
                view = await update(entry.view, entry.fingerprint)
                if view is not None:
                    self.updates += 1
                    built = entry.built
            if view is None:
                self.misses += 1
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
        self._entries[key] = _Entry(fingerprint, built, view)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return view

    def clear(self) -> None:
        self._entries.clear()
