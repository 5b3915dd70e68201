"""Compliance (达标率): per branch, per activity type, each over its own period, in Beijing time.

One report covers a span of months under one organisation (a branch, a township, a county). It is
built from three grouped queries — the organisations of the subtree, the rules, and the record counts
per branch × group × type × month — whatever the number of branches, then assembled in memory.

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
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from bot.settings import Settings
from bot.store.models import ActivityRecord, AppliesTo, Organisation, OrgLevel, RecordStatus
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
    ref: PeriodRef
    months: tuple[int, ...]
    due: date
    judged: int


def _counts_query(
    *,
    session: Session,
    prefix: str,
    lo: int,
    hi: int,
    type_column: str,
    count_pending: bool,
    branch_ids: Collection[int] | None = None,
) -> list[tuple[int, int | None, str, int, bool, int]]:
    r = ActivityRecord.__table__.alias("r")  # type: ignore[attr-defined]
    o = Organisation.__table__.alias("o")  # type: ignore[attr-defined]
    type_col = r.c[type_column]
    conds = [
        r.c.is_current.is_(True),
        r.c.held_month >= lo,
        r.c.held_month <= hi,
        o.c.path.startswith(prefix, autoescape=True),
        type_col.is_not(None),
    ]
    if not count_pending:
        conds.append(r.c.status == RecordStatus.CONFIRMED.value)
    if branch_ids is not None:
        conds.append(r.c.branch_id.in_(sorted(branch_ids)))
    stmt = (
        sa.select(r.c.branch_id, r.c.group_id, type_col, r.c.held_month, r.c.late, sa.func.count())
        .select_from(r.join(o, o.c.id == r.c.branch_id))
        .where(*conds)
        .group_by(r.c.branch_id, r.c.group_id, type_col, r.c.held_month, r.c.late)
    )
    return [tuple(row) for row in session.connection().execute(stmt).all()]


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
    # counts[(branch, group or 0, type)][month] = [on_time, late]
    counts: dict[tuple[int, int, str], dict[int, list[int]]] = defaultdict(dict)
    for type_column in ("type_code", "also_counts_as"):
        for branch_id, group_id, type_code, month, late, n in _counts_query(
            session=session,
            prefix=root.path,
            lo=lo,
            hi=hi,
            type_column=type_column,
            count_pending=settings.compliance_count_pending,
            branch_ids=branch_ids,
        ):
            cell = counts[(branch_id, group_id or 0, type_code)].setdefault(month, [0, 0])
            cell[1 if late else 0] += n

    span = months_between(first_month, last_month)
    periods: dict[str, list[PeriodRef]] = {}
    for kind in ("month", "quarter", "year"):
        seen: dict[PeriodRef, None] = {}
        for m in span:
            seen.setdefault(period_of_month(m, kind), None)
        periods[kind] = list(seen)
    # Period arithmetic once per (kind, deadline), not once per branch.
    infos: dict[tuple[str, int], list[_PeriodInfo]] = {}

    def period_infos(rule: EffectiveRule) -> list[_PeriodInfo]:
        key = (rule.period, rule.deadline_days)
        if key not in infos:
            infos[key] = [
                _PeriodInfo(p, p.months, p.due(rule.deadline_days), month_key(p.end))
                for p in periods[rule.period]
            ]
        return infos[key]

    report = ComplianceReport(
        root_id=root_id,
        root_name=root.name,
        first_month=first_month,
        last_month=last_month,
        as_of=today,
        late_ok=settings.compliance_late_is_compliant,
        branches=[],
    )
    keep = None if rows_in is None else frozenset(rows_in)
    for branch in branches:
        assert branch.id is not None
        bc = BranchCompliance(branch.id, branch.name, branch.name_path, bool(branch.has_committee))
        if keep is not None:
            bc.missing_months, bc.late_months = set(), set()
        rules = book.for_path(branch.path)
        for rule in rules.values():
            _rows_for(bc, branch, groups.get(branch.id, []), rule, period_infos(rule), counts, today, keep)
        report.branches.append(bc)
    return report


def _rows_for(
    bc: BranchCompliance,
    branch: Any,  # an org row (id, name, has_committee)
    branch_groups: list[Any],
    rule: EffectiveRule,
    periods: list[_PeriodInfo],
    counts: dict[tuple[int, int, str], dict[int, list[int]]],
    today: date,
    keep: frozenset[int] | None = None,
) -> None:
    assert branch.id is not None
    applicable = rule.enabled and not (
        (rule.applies_to == AppliesTo.COMMITTEE and not branch.has_committee)
        or (rule.applies_to == AppliesTo.GROUP and not branch_groups)
    )
    targets: list[tuple[int, str, int]]  # (org id, org name, group key)
    if applicable and rule.applies_to == AppliesTo.GROUP:
        targets = [(g.id, g.name, g.id) for g in branch_groups if g.id is not None]
    else:
        targets = [(branch.id, branch.name, 0)]
    append = bc.rows.append
    missing, late_months = bc.missing_months, bc.late_months
    for org_id, org_name, gkey in targets:
        by_month = counts.get((branch.id, gkey, rule.type_code), {})
        for p, months, due, judged in periods:
            kept = keep is None or not keep.isdisjoint(months)
            if not applicable:
                if not kept:
                    continue
                append(
                    ComplianceRow(
                        branch.id,
                        org_id,
                        org_name,
                        rule.type_code,
                        rule.type_name,
                        p,
                        rule.min_count,
                        0,
                        0,
                        Status.NOT_APPLICABLE,
                        due,
                        judged,
                    )
                )
                continue
            on_time = late = 0
            if by_month:
                for m in months:
                    cell = by_month.get(m)
                    if cell is not None:
                        on_time += cell[0]
                        late += cell[1]
            if on_time >= rule.min_count:
                status = Status.DONE
            elif on_time + late >= rule.min_count:
                status = Status.LATE
            elif today > due:
                status = Status.MISSING
            else:
                status = Status.OPEN
            if missing is not None and late_months is not None:
                if status is Status.MISSING:
                    missing.add(judged)
                elif status is Status.LATE:
                    late_months.add(judged)
            if not kept:
                continue
            append(
                ComplianceRow(
                    branch.id,
                    org_id,
                    org_name,
                    rule.type_code,
                    rule.type_name,
                    p,
                    rule.min_count,
                    on_time,
                    late,
                    status,
                    due,
                    judged,
                )
            )
