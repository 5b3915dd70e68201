"""Compliance (达标率): per branch, per activity type, each over its own period, in Beijing time.

One report covers a span of months under one organisation (a branch, a township, a county). It is
built from a fixed number of queries whatever the number of branches — the organisations of the
subtree, the rules, and one scan of the current records, counted in memory per branch × group × type ×
month — then judged period by period from those counts.

Row status (one row per organisation × type × period; 党小组会 rows are per 党小组):

- ``done``: at least ``min_count`` records submitted on time;
- ``late``: enough records, but only counting those submitted after the deadline;
- ``missing``: not enough records and the period (plus the deadline days) is over;
- ``open``: not enough records yet, the period is still running (or within its deadline);
- ``not_applicable``: the rule is disabled here, or needs a committee / groups the branch lacks.

A row is *judged* in the month its period ends (a quarterly 党员大会 in March, June, September,
December): a branch is compliant for a month when every row judged in that month is done (or late,
when ``compliance_late_is_compliant``), open or not applicable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from bot.settings import Settings
from bot.store.models import ActivityRecord, AppliesTo, Organisation, OrgLevel, Period, RecordStatus
from bot.store.orgs import get_org
from bot.store.periods import PeriodRef, local_today, month_key, months_between, period_of_month
from bot.store.rules import EffectiveRule, load_rulebook


class Status(StrEnum):
    DONE = "done"
    LATE = "late"
    MISSING = "missing"
    OPEN = "open"
    NOT_APPLICABLE = "not_applicable"


STATUS_ZH: dict[str, str] = {
    Status.DONE: "已完成",
    Status.LATE: "逾期补报",
    Status.MISSING: "未完成",
    Status.OPEN: "进行中",
    Status.NOT_APPLICABLE: "不适用",
}


class ComplianceRow(NamedTuple):
    """One line of the 台账: an organisation (branch, or 党小组 for 党小组会) × type × period.

    A NamedTuple (immutable, hashable): a county report builds ~55,000 of them, and a tuple is built
    several times faster than a frozen dataclass."""

    branch_id: int
    org_id: int
    org_name: str
    type_code: str
    type_name: str
    period: PeriodRef
    required: int
    on_time: int
    late: int
    status: Status
    due: date  # last day a record of this period is on time
    judged_month: int  # yyyymm of the period's last month

    @property
    def held(self) -> int:
        return self.on_time + self.late


_BAD = frozenset({Status.MISSING, Status.LATE})
_BAD_LATE_OK = frozenset({Status.MISSING})


@dataclass(slots=True)
class BranchCompliance:
    branch_id: int
    name: str
    name_path: str
    has_committee: bool
    rows: list[ComplianceRow] = field(default_factory=list)
    # (len(rows), late_ok) → months with a failing row: compliant(month) for every month of a report
    # without rescanning the rows each time (a county view asks 1,000 branches × 12+ months).
    _failing_months: tuple[int, bool, frozenset[int]] | None = field(default=None, repr=False, compare=False)
    # Reports built with ``rows_in`` keep only some rows but judge every period of the span: the months
    # with a missing row and those with a late row, so that compliant(month) stays exact.
    missing_months: set[int] | None = field(default=None, repr=False, compare=False)
    late_months: set[int] | None = field(default=None, repr=False, compare=False)

    def judged(self, month: int | None = None) -> list[ComplianceRow]:
        """Rows judged in ``month`` (yyyymm), or in the whole span when None."""
        return self.rows if month is None else [r for r in self.rows if r.judged_month == month]

    def failing(self, month: int | None = None, *, late_ok: bool = False) -> list[ComplianceRow]:
        """Rows that make the branch non-compliant (the drill-down)."""
        bad = _BAD_LATE_OK if late_ok else _BAD
        return [r for r in self.judged(month) if r.status in bad]

    def compliant(self, month: int | None = None, *, late_ok: bool = False) -> bool:
        if self.missing_months is not None and self.late_months is not None:
            if month is None:
                return not self.missing_months and (late_ok or not self.late_months)
            return month not in self.missing_months and (late_ok or month not in self.late_months)
        if month is None:
            return not self.failing(None, late_ok=late_ok)
        cached = self._failing_months
        if cached is None or cached[0] != len(self.rows) or cached[1] != late_ok:
            bad = _BAD_LATE_OK if late_ok else _BAD
            months = frozenset(r.judged_month for r in self.rows if r.status in bad)
            cached = self._failing_months = (len(self.rows), late_ok, months)
        return month not in cached[2]

    def owed(self) -> list[ComplianceRow]:
        """What the branch still owes: open or missing rows, earliest due first (for "未完成")."""
        return sorted(
            (r for r in self.rows if r.status in (Status.OPEN, Status.MISSING)),
            key=lambda r: (r.due, r.type_code, r.org_id),
        )


@dataclass(slots=True)
class ComplianceReport:
    root_id: int
    root_name: str
    first_month: int
    last_month: int
    as_of: date
    late_ok: bool
    branches: list[BranchCompliance]

    @property
    def months(self) -> list[int]:
        return months_between(self.first_month, self.last_month)

    def share(self, month: int | None = None) -> float:
        """Share of branches compliant for ``month`` (or over the whole span); 1.0 when there are none."""
        if not self.branches:
            return 1.0
        ok = sum(1 for b in self.branches if b.compliant(month, late_ok=self.late_ok))
        return ok / len(self.branches)

    def monthly_shares(self) -> dict[int, float]:
        return {m: self.share(m) for m in self.months}

    def branch(self, branch_id: int) -> BranchCompliance:
        for b in self.branches:
            if b.branch_id == branch_id:
                return b
        raise KeyError(branch_id)


class _PeriodInfo(NamedTuple):
    """One period of a rule's kind overlapping the span, with its slots in the count vectors."""

    ref: PeriodRef
    start: int  # index of its first month in the counted months (lo..hi)
    stop: int  # index after its last month (periods are runs of whole months)
    due: date
    judged: int  # yyyymm of its last month
    kept: bool  # a row is kept for it (``rows_in``)
    overdue: bool  # today is past its due date: not enough records is ``missing``, not ``open``


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to judge one (period kind, deadline, min count) over the span: its periods, where they are
    in the count vectors, and the outcome of a target with no record at all — the same for every
    such branch × type, so it is worked out once."""

    periods: tuple[_PeriodInfo, ...]
    bounds: tuple[tuple[int, int], ...]  # (start, stop) of each period; monthly: consecutive slots
    single_month: bool  # monthly periods: the on-time counts are one slice, no sums
    kept: tuple[int, ...]  # indices of the periods that keep a row, in order
    empty_statuses: tuple[Status, ...]  # per period, with no record
    empty_missing: frozenset[int]  # judged months of those that are missing with no record


# counts[(branch, group or 0, type)] → record counts per slot: on time at i, late at n + i, for the
# i-th of the n counted months. A flat list per target instead of a dict per month: judging a period
# is two indexings (a month) or two slice sums (a quarter, a year).
_Counts = dict[tuple[int, int, str], list[int]]


def _record_counts(
    *,
    session: Session,
    prefix: str,
    months: list[int],
    count_pending: bool,
    branch_ids: Collection[int] | None = None,
) -> _Counts:
    """Current records of the subtree held in ``months`` (consecutive yyyymm), counted per branch ×
    group × type (and per ``also_counts_as`` type) × month × on time/late, in one pass.

    One plain scan of the five small columns needed, folded in Python: with about one record per
    branch × type × month, a ``GROUP BY`` returns as many rows as there are records and costs a sort on
    top (SQLite builds a temporary B-tree for it); the fold is a dict lookup per record."""
    r = ActivityRecord.__table__.alias("r")  # type: ignore[attr-defined]
    o = Organisation.__table__.alias("o")  # type: ignore[attr-defined]
    n = len(months)
    # held_month * 2 + late → slot: one integer column instead of two, mapped by one dict lookup.
    slot_of = {m * 2 + late: i + late * n for i, m in enumerate(months) for late in (0, 1)}
    conds = [
        r.c.is_current.is_(True),
        r.c.held_month >= months[0],
        r.c.held_month <= months[-1],
        o.c.path.startswith(prefix, autoescape=True),
    ]
    if not count_pending:
        conds.append(r.c.status == RecordStatus.CONFIRMED.value)
    if branch_ids is not None:
        conds.append(r.c.branch_id.in_(sorted(branch_ids)))
    stmt = (
        sa.select(
            r.c.branch_id,
            r.c.group_id,
            r.c.type_code,
            r.c.also_counts_as,
            r.c.held_month * 2 + sa.case((r.c.late.is_(True), 1), else_=0),
        )
        .select_from(r.join(o, o.c.id == r.c.branch_id))
        .where(*conds)
    )
    counts: _Counts = {}
    get = counts.get
    width = 2 * n
    # Streamed in chunks (yield_per: fetchmany; a server-side cursor on PostgreSQL). Iterating a plain
    # result fetches row by row through Python-level fetchone calls (psycopg's are costly), and .all()
    # keeps ~38,000 rows alive at once: that sets off full garbage collections (median 120 ms instead
    # of 35 ms for the fetch alone, measured on the bench county).
    rows = session.connection().execute(stmt.execution_options(yield_per=2000))
    for branch_id, group_id, type_code, also, key in rows:
        slot = slot_of.get(key)
        if slot is None:  # a held_month that is no month (202513): in no period
            continue
        target = (branch_id, group_id or 0, type_code)
        vec = get(target)
        if vec is None:
            vec = counts[target] = [0] * width
        vec[slot] += 1
        if also is not None:  # counts for that type too (a link, not a copy)
            target = (branch_id, group_id or 0, also)
            vec = get(target)
            if vec is None:
                vec = counts[target] = [0] * width
            vec[slot] += 1
    return counts


def compute_compliance(
    *,
    session: Session,
    settings: Settings,
    root_id: int,
    first_month: int,
    last_month: int | None = None,
    as_of: date | None = None,
    now: datetime | None = None,
    branch_ids: Collection[int] | None = None,
    rows_in: Collection[int] | None = None,
) -> ComplianceReport:
    """Compliance of every branch under ``root_id`` for the months ``first_month..last_month`` (yyyymm).

    Each type is evaluated over every one of its periods that overlaps the span (a quarter type over
    whole quarters, a year type over whole years). ``as_of`` (default: today, Beijing) decides
    ``open`` versus ``missing``. ``branch_ids`` restricts the report to those branches of the subtree
    (same rows as in the full report: the console recomputes only the branches a write touched).
    ``rows_in`` (months, yyyymm) keeps in ``rows`` only the rows whose period overlaps one of them — the
    console page shows one month or quarter — while every period of the span is still judged for
    ``compliant(month)`` and ``share(month)`` (the trend); ``failing``/``owed`` then see the kept rows
    only. The 台账 and the WeChat 达标率 use whole reports."""
    last_month = last_month or first_month
    if last_month < first_month:
        raise ValueError("last_month before first_month")
    today = as_of or local_today(settings.timezone, now)
    root = get_org(session=session, org_id=root_id)
    book = load_rulebook(session=session, settings=settings)

    o = Organisation.__table__  # type: ignore[attr-defined]
    # Core rows, not ORM objects: a county has thousands of organisations.
    orgs: list[Any] = list(
        session.connection().execute(
            sa.select(o.c.id, o.c.name, o.c.name_path, o.c.path, o.c.level, o.c.parent_id, o.c.has_committee).where(
                o.c.path.startswith(root.path, autoescape=True),
                o.c.level.in_([OrgLevel.BRANCH.value, OrgLevel.GROUP.value]),
                o.c.active.is_(True),
                *(
                    ()
                    if branch_ids is None
                    else (sa.or_(o.c.id.in_(sorted(branch_ids)), o.c.parent_id.in_(sorted(branch_ids))),)
                ),
            )
        )
    )
    # Sorted here, not by SQL: collations differ between SQLite and PostgreSQL.
    orgs.sort(key=lambda o: o.name_path)
    branches = [o for o in orgs if o.level == OrgLevel.BRANCH]
    groups: dict[int, list[Any]] = defaultdict(list)
    for o in orgs:
        if o.level == OrgLevel.GROUP and o.parent_id is not None:
            groups[o.parent_id].append(o)

    # Whole years around the span: quarter and year periods need all their months.
    lo, hi = (first_month // 100) * 100 + 1, (last_month // 100) * 100 + 12
    counted = months_between(lo, hi)
    counts = _record_counts(
        session=session,
        prefix=root.path,
        months=counted,
        count_pending=settings.compliance_count_pending,
        branch_ids=branch_ids,
    )

    span = months_between(first_month, last_month)
    index = {m: i for i, m in enumerate(counted)}
    keep = None if rows_in is None else frozenset(rows_in)
    periods: dict[str, list[PeriodRef]] = {}
    for kind in ("month", "quarter", "year"):
        seen: dict[PeriodRef, None] = {}
        for m in span:
            seen.setdefault(period_of_month(m, kind), None)
        periods[kind] = list(seen)
    # Period arithmetic once per (kind, deadline, min count), not once per branch.
    plans: dict[tuple[str, int, int], _Plan] = {}

    def plan_of(rule: EffectiveRule) -> _Plan:
        key = (rule.period, rule.deadline_days, rule.min_count)
        plan = plans.get(key)
        if plan is None:
            infos = []
            for ref in periods[rule.period]:
                months = ref.months
                due = ref.due(rule.deadline_days)
                kept = keep is None or not keep.isdisjoint(months)
                infos.append(
                    _PeriodInfo(
                        ref, index[months[0]], index[months[-1]] + 1, due, month_key(ref.end), kept, today > due
                    )
                )
            empty = tuple(_status(0, 0, rule.min_count, p.overdue) for p in infos)
            plan = plans[key] = _Plan(
                tuple(infos),
                tuple((p.start, p.stop) for p in infos),
                rule.period == Period.MONTH,
                tuple(k for k, p in enumerate(infos) if p.kept),
                empty,
                frozenset(p.judged for p, st in zip(infos, empty, strict=True) if st is Status.MISSING),
            )
        return plan

    report = ComplianceReport(
        root_id=root_id,
        root_name=root.name,
        first_month=first_month,
        last_month=last_month,
        as_of=today,
        late_ok=settings.compliance_late_is_compliant,
        branches=[],
    )
    n = len(counted)
    for branch in branches:
        bc = BranchCompliance(branch.id, branch.name, branch.name_path, bool(branch.has_committee))
        missing: set[int] = set()
        late_months: set[int] = set()
        branch_groups = groups.get(branch.id, ())
        for rule in book.for_path(branch.path).values():
            _judge(bc, branch, branch_groups, rule, plan_of(rule), counts, n, missing, late_months)
        if keep is not None:
            bc.missing_months, bc.late_months = missing, late_months
        report.branches.append(bc)
    return report


def _status(on_time: int, late: int, required: int, overdue: bool) -> Status:
    """The status of one applicable row from its record counts (see the module docstring)."""
    if on_time >= required:
        return Status.DONE
    if on_time + late >= required:
        return Status.LATE
    return Status.MISSING if overdue else Status.OPEN


def _judge(
    bc: BranchCompliance,
    branch: Any,  # an org row (id, name, has_committee)
    branch_groups: Sequence[Any],
    rule: EffectiveRule,
    plan: _Plan,
    counts: _Counts,
    n: int,
    missing: set[int],
    late_months: set[int],
) -> None:
    """Judge every period of ``rule`` at ``branch`` (or at each of its groups): add the kept rows to
    ``bc.rows`` and the judged months of missing and late rows to ``missing`` / ``late_months``."""
    applicable = rule.enabled and not (
        (rule.applies_to == AppliesTo.COMMITTEE and not branch.has_committee)
        or (rule.applies_to == AppliesTo.GROUP and not branch_groups)
    )
    targets: list[tuple[int, str, int]]  # (org id, org name, group key)
    if applicable and rule.applies_to == AppliesTo.GROUP:
        targets = [(g.id, g.name, g.id) for g in branch_groups]
    else:
        targets = [(branch.id, branch.name, 0)]
    append = bc.rows.append
    bid, code, name, required = branch.id, rule.type_code, rule.type_name, rule.min_count
    for org_id, org_name, gkey in targets:
        if not applicable:
            for p in plan.periods:
                if p.kept:
                    append(ComplianceRow(bid, org_id, org_name, code, name, p.ref, required, 0, 0,
                                         Status.NOT_APPLICABLE, p.due, p.judged))  # fmt: skip
            continue
        vec = counts.get((bid, gkey, code))
        if vec is None:
            # No record at all: the same outcome for every such target, worked out once per plan.
            missing.update(plan.empty_missing)
            for p, status in zip(plan.periods, plan.empty_statuses, strict=True):
                if p.kept:
                    append(ComplianceRow(bid, org_id, org_name, code, name, p.ref, required, 0, 0, status, p.due,
                                         p.judged))  # fmt: skip
            continue
        # On-time counts per period: a slice for months (consecutive slots), slice sums otherwise.
        bounds = plan.bounds
        single = plan.single_month
        on_times = vec[bounds[0][0] : bounds[-1][1]] if single else [sum(vec[a:b]) for a, b in bounds]
        # Most periods are done: only the short ones are looked at one by one (for the trend).
        if min(on_times) < required:
            for k, on_time in enumerate(on_times):
                if on_time < required:
                    p = plan.periods[k]
                    a, b = bounds[k]
                    if on_time + sum(vec[a + n : b + n]) >= required:
                        late_months.add(p.judged)
                    elif p.overdue:
                        missing.add(p.judged)
        for k in plan.kept:
            p = plan.periods[k]
            a, b = bounds[k]
            on_time, late = on_times[k], sum(vec[a + n : b + n])
            append(ComplianceRow(bid, org_id, org_name, code, name, p.ref, required, on_time, late,
                                 _status(on_time, late, required, p.overdue), p.due, p.judged))  # fmt: skip
