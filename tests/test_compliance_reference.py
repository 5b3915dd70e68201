"""``compute_compliance`` against a straightforward reference on randomised counties (hypothesis).

The reference below judges every organisation × type × period by walking the records one by one, as
docs/checkins.md states the rules: current records only (pending ones when counted), each record
counting for its type and for its ``also_counts_as`` type, 党小组会 per active group, rules resolved by
the nearest overriding ancestor, not applicable without a committee / groups or when disabled,
``missing`` only after the period end + deadline days, Beijing dates. The optimised computation (one
scan folded into count vectors, periods judged from slices) must give the same rows in the same order,
the same ``compliant(month)`` for every month (late counting or not), with ``rows_in`` (the console's
page report) and with ``branch_ids`` (its incremental update)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from bot.store.compliance import ComplianceReport, Status, compute_compliance
from bot.store.models import ActivityRecord, ActivityType, FrequencyRule, Organisation
from bot.store.periods import PeriodRef, month_key, months_between, period_of_month

TYPES = ("theme_day", "general_meeting", "committee", "group_meeting", "lecture", "life_meeting")
FIRST_DAY, LAST_DAY = date(2025, 10, 1), date(2027, 3, 31)


@dataclass(frozen=True)
class Org:
    id: int
    name: str
    level: str
    parent: int | None
    path: str
    name_path: str
    has_committee: bool
    active: bool


@dataclass(frozen=True)
class Override:
    org_id: int
    type_code: str
    period: str
    min_count: int
    applies_to: str
    deadline_days: int | None
    enabled: bool


@dataclass(frozen=True)
class Record:
    branch_id: int
    group_id: int | None
    type_code: str
    also_counts_as: str | None
    held_on: date
    late: bool
    confirmed: bool
    current: bool


@dataclass(frozen=True)
class County:
    orgs: tuple[Org, ...]
    overrides: tuple[Override, ...]
    records: tuple[Record, ...]


@st.composite
def counties(draw: st.DrawFn) -> County:
    """A county → townships → branches (committee or not, some inactive) → 0-3 groups, rule overrides
    anywhere in the tree, and records of any type, group, date, status and version."""
    orgs: list[Org] = []

    def add(name: str, level: str, parent: Org | None, committee: bool = False, active: bool = True) -> Org:
        oid = len(orgs) + 1
        # Names carry the id: orgs are sorted by name_path, ties would make the order arbitrary.
        org = Org(
            oid,
            f"{name}{oid}",
            level,
            parent.id if parent else None,
            f"{parent.path if parent else '/'}{oid}/",
            f"{parent.name_path}/{name}{oid}" if parent else f"{name}{oid}",
            committee,
            active,
        )
        orgs.append(org)
        return org

    county = add("县", "county", None)
    branches: list[Org] = []
    groups: dict[int, list[Org]] = {}
    for _ in range(draw(st.integers(1, 2))):
        township = add(draw(st.sampled_from(("乡", "镇", "Z"))), "township", county)
        for _ in range(draw(st.integers(1, 4))):
            branch = add(
                draw(st.sampled_from(("村", "社区", "A"))),
                "branch",
                township,
                draw(st.booleans()),
                draw(st.sampled_from((True, True, True, False))),
            )
            branches.append(branch)
            groups[branch.id] = [
                add("组", "group", branch, active=draw(st.sampled_from((True, True, False))))
                for _ in range(draw(st.integers(0, 3)))
            ]
    overrides: dict[tuple[int, str], Override] = {}
    for _ in range(draw(st.integers(0, 5))):
        org = draw(st.sampled_from([o for o in orgs if o.level != "group"]))
        code = draw(st.sampled_from(TYPES))
        overrides[(org.id, code)] = Override(
            org.id,
            code,
            draw(st.sampled_from(("month", "quarter", "year"))),
            draw(st.integers(0, 3)),
            draw(st.sampled_from(("branch", "group", "committee"))),
            draw(st.sampled_from((None, 0, 3, 10))),
            draw(st.sampled_from((True, True, True, False))),
        )
    records: list[Record] = []
    all_groups = [g.id for gs in groups.values() for g in gs]
    if branches:
        for _ in range(draw(st.integers(0, 60))):
            branch = draw(st.sampled_from(branches))
            own = [g.id for g in groups[branch.id]]
            # Mostly none or the branch's own groups; sometimes another branch's group.
            group = draw(st.sampled_from((None, None, *own, *own, *all_groups)))
            code = draw(st.sampled_from(TYPES))
            records.append(
                Record(
                    branch.id,
                    group,
                    code,
                    draw(st.sampled_from((None, None, None, "lecture", "general_meeting", code))),
                    draw(st.dates(FIRST_DAY, LAST_DAY)),
                    draw(st.booleans()),
                    draw(st.sampled_from((True, True, False))),
                    draw(st.sampled_from((True, True, True, False))),
                )
            )
    return County(tuple(orgs), tuple(overrides.values()), tuple(records))


def _load(engine: Engine, county: County) -> None:
    """Replace the organisations, overrides and records of the database by ``county``'s."""
    o = Organisation.__table__  # type: ignore[attr-defined]
    r = ActivityRecord.__table__  # type: ignore[attr-defined]
    f = FrequencyRule.__table__  # type: ignore[attr-defined]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.delete(r))
        conn.execute(sa.delete(f).where(f.c.org_id.is_not(None)))
        conn.execute(sa.delete(o))
        conn.execute(
            sa.insert(o),
            [
                {
                    "id": x.id,
                    "name": x.name,
                    "level": x.level,
                    "parent_id": x.parent,
                    "path": x.path,
                    "name_path": x.name_path,
                    "depth": x.path.count("/") - 2,
                    "has_committee": x.has_committee,
                    "active": x.active,
                    "created_at": now,
                }
                for x in county.orgs
            ],
        )
        if county.overrides:
            conn.execute(
                sa.insert(f),
                [
                    {
                        "type_code": x.type_code,
                        "org_id": x.org_id,
                        "period": x.period,
                        "min_count": x.min_count,
                        "applies_to": x.applies_to,
                        "deadline_days": x.deadline_days,
                        "photo_required": False,
                        "enabled": x.enabled,
                        "basis": "",
                    }
                    for x in county.overrides
                ],
            )
        if county.records:
            conn.execute(
                sa.insert(r),
                [
                    {
                        "branch_id": x.branch_id,
                        "group_id": x.group_id,
                        "type_code": x.type_code,
                        "held_on": x.held_on,
                        "held_month": month_key(x.held_on),
                        "start_time": None,
                        "place": "",
                        "host": "",
                        "recorder": "",
                        "topic": "",
                        "expected": 1,
                        "present": 1,
                        "summary": "",
                        "decisions": "",
                        "also_counts_as": x.also_counts_as,
                        "submitted_by": None,
                        "submitted_at": now,
                        "status": "confirmed" if x.confirmed else "pending",
                        "late": x.late,
                        "confirmed_by": None,
                        "confirmed_at": None,
                        "version": 1,
                        "supersedes_id": None,
                        "is_current": x.current,
                        "current_key": f"k{i}" if x.current else None,
                    }
                    for i, x in enumerate(county.records)
                ],
            )


@dataclass(frozen=True)
class _Rule:
    code: str
    name: str
    period: str
    min_count: int
    applies_to: str
    deadline: int
    enabled: bool


def _rules(
    types: dict[str, tuple[str, int]], defaults: dict[str, Any], county: County, org: Org, default_deadline: int
) -> list[_Rule]:
    """The rules in force at ``org``: the product default of each type, replaced by the override of the
    nearest ancestor (or the organisation itself) that has one; in the types' display order."""
    chosen: dict[str, Any] = dict(defaults)
    ancestors = [int(i) for i in org.path.strip("/").split("/")]
    for oid in ancestors:  # root first: nearer organisations win
        for x in county.overrides:
            if x.org_id == oid:
                chosen[x.type_code] = x
    out = []
    for code, x in sorted(chosen.items(), key=lambda kv: types[kv[0]][1]):
        deadline = x.deadline_days if x.deadline_days is not None else default_deadline
        out.append(_Rule(code, types[code][0], x.period, x.min_count, x.applies_to, deadline, x.enabled))
    return out


def _reference(
    engine: Engine, county: County, st_: Settings, root: Org, first: int, last: int, as_of: date
) -> list[tuple[int, list[tuple[Any, ...]]]]:
    """(branch id, rows as tuples) for every active branch under ``root``, by name path."""
    with engine.connect() as conn:
        t = ActivityType.__table__  # type: ignore[attr-defined]
        f = FrequencyRule.__table__  # type: ignore[attr-defined]
        types = {row.code: (row.name, row.sort_order) for row in conn.execute(sa.select(t))}
        defaults = {row.type_code: row for row in conn.execute(sa.select(f).where(f.c.org_id.is_(None)))}
    span = months_between(first, last)
    out = []
    by_id = {o.id: o for o in county.orgs}
    branches = sorted(
        (o for o in county.orgs if o.level == "branch" and o.active and o.path.startswith(root.path)),
        key=lambda o: o.name_path,
    )
    for branch in branches:
        groups = sorted(
            (o for o in county.orgs if o.level == "group" and o.active and o.parent == branch.id),
            key=lambda o: o.name_path,
        )
        rows: list[tuple[Any, ...]] = []
        for rule in _rules(types, defaults, county, by_id[branch.id], st_.checkin_deadline_days):
            periods: list[PeriodRef] = []
            for m in span:
                p = period_of_month(m, rule.period)
                if p not in periods:
                    periods.append(p)
            applicable = rule.enabled and not (
                (rule.applies_to == "committee" and not branch.has_committee)
                or (rule.applies_to == "group" and not groups)
            )
            if applicable and rule.applies_to == "group":
                targets = [(g.id, g.name, g.id) for g in groups]
            else:
                targets = [(branch.id, branch.name, 0)]
            for org_id, org_name, gkey in targets:
                for p in periods:
                    due = p.end + timedelta(days=rule.deadline)
                    on_time = late = 0
                    status: Status
                    if applicable:
                        for rec in county.records:
                            if not rec.current or not (rec.confirmed or st_.compliance_count_pending):
                                continue
                            if rec.branch_id != branch.id or (rec.group_id or 0) != gkey:
                                continue
                            if not p.start <= rec.held_on <= p.end:
                                continue
                            hits = (rec.type_code == rule.code) + (rec.also_counts_as == rule.code)
                            if rec.late:
                                late += hits
                            else:
                                on_time += hits
                        if on_time >= rule.min_count:
                            status = Status.DONE
                        elif on_time + late >= rule.min_count:
                            status = Status.LATE
                        else:
                            status = Status.MISSING if as_of > due else Status.OPEN
                    else:
                        status = Status.NOT_APPLICABLE
                    rows.append(
                        (
                            branch.id,
                            org_id,
                            org_name,
                            rule.code,
                            rule.name,
                            p,
                            rule.min_count,
                            on_time,
                            late,
                            status,
                            due,
                            month_key(p.end),
                        )
                    )
        out.append((branch.id, rows))
    return out


def _compliant(rows: Sequence[tuple[Any, ...]], month: int | None, late_ok: bool) -> bool:
    bad = {Status.MISSING} if late_ok else {Status.MISSING, Status.LATE}
    return not any(r[9] in bad and (month is None or r[11] == month) for r in rows)


def _check(report: ComplianceReport, expected: list[tuple[int, list[tuple[Any, ...]]]], keep: Any) -> None:
    """``report`` has the expected branches; its rows are the expected ones whose period overlaps
    ``keep`` (all when None); ``compliant`` agrees with all expected rows for every month."""
    assert [b.branch_id for b in report.branches] == [bid for bid, _ in expected]
    for b, (_, rows) in zip(report.branches, expected, strict=True):
        kept = [r for r in rows if keep is None or set(r[5].months) & set(keep)]
        assert [tuple(r) for r in b.rows] == kept
        for m in (*report.months, None):
            for late_ok in (False, True):
                assert b.compliant(m, late_ok=late_ok) == _compliant(rows, m, late_ok), (b.branch_id, m, late_ok)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    county=counties(),
    data=st.data(),
)
def test_compute_compliance_matches_the_reference(
    make_settings: Callable[..., Settings], engine: Engine, county: County, data: st.DataObject
) -> None:
    _load(engine, county)
    st_ = make_settings(
        compliance_count_pending=data.draw(st.booleans(), label="count_pending"),
        compliance_late_is_compliant=data.draw(st.booleans(), label="late_ok"),
    )
    root = data.draw(st.sampled_from([o for o in county.orgs if o.level != "group"]), label="root")
    months = months_between(202601, 202702)
    first = data.draw(st.sampled_from(months), label="first")
    last = data.draw(st.sampled_from([m for m in months if m >= first][:14]), label="last")
    as_of = data.draw(st.dates(date(2026, 1, 1), date(2027, 6, 30)), label="as_of")
    expected = _reference(engine, county, st_, root, first, last, as_of)
    kw: dict[str, Any] = {
        "settings": st_,
        "root_id": root.id,
        "first_month": first,
        "last_month": last,
        "as_of": as_of,
    }
    with Session(engine) as s:
        _check(compute_compliance(session=s, **kw), expected, None)
        # The console's page report: rows of the shown months only, every month still judged.
        span = months_between(first, last)
        shown = data.draw(st.lists(st.sampled_from(span), min_size=1, max_size=3, unique=True), label="rows_in")
        _check(compute_compliance(session=s, rows_in=shown, **kw), expected, shown)
        # The console's incremental update: some branches only.
        ids = [o.id for o in county.orgs if o.level == "branch"]
        some = data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True), label="branch_ids")
        only = [(bid, rows) for bid, rows in expected if bid in some]
        _check(compute_compliance(session=s, branch_ids=some, rows_in=shown, **kw), only, shown)
