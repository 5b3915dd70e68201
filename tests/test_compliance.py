"""Compliance per branch, type and period (Beijing time), county share and drill-down, and scale."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.compliance_bench import generate, time_compliance
from bot.settings import Settings
from bot.store.checkins import correct_record, submit_record
from bot.store.compliance import ComplianceReport, Status, compute_compliance
from bot.store.rules import set_rule_override
from tests.store_world import BJ, World, draft

NOV = 202611


def _submit(
    session: Session, settings: Settings, openid: str, held: date, late_days: int = 0, **overrides: object
) -> int:
    """Submit a record as if on the meeting's day (+ ``late_days``)."""
    now = datetime(held.year, held.month, held.day, 20, 0, tzinfo=BJ) + timedelta(days=late_days)
    overrides.setdefault("absentees", [])
    view = submit_record(
        session=session, settings=settings, openid=openid, draft=draft(held_on=held, **overrides), now=now
    )
    return view.id


def _status(
    report: ComplianceReport, branch_id: int | None, type_code: str, label: str, org_id: int | None = None
) -> Status:
    assert branch_id is not None
    rows = [
        r
        for r in report.branch(branch_id).rows
        if r.type_code == type_code and r.period.label == label and (org_id is None or r.org_id == org_id)
    ]
    assert len(rows) == 1, rows
    return rows[0].status


def _report(
    session: Session,
    settings: Settings,
    world: World,
    first: int,
    last: int | None = None,
    as_of: date = date(2026, 12, 15),
) -> ComplianceReport:
    assert world.county.id is not None
    return compute_compliance(
        session=session,
        settings=settings,
        root_id=world.county.id,
        first_month=first,
        last_month=last,
        as_of=as_of,
    )


def test_statuses_for_a_month(session: Session, store_settings: Settings, world: World) -> None:
    a, b = world.a.id, world.b.id
    _submit(session, store_settings, World.SEC_A, date(2026, 11, 20))  # theme day
    _submit(
        session,
        store_settings,
        World.SEC_A,
        date(2026, 11, 5),
        type_code="group_meeting",
        group_id=world.group1.id,
        expected=6,
        present=6,
    )
    report = _report(session, store_settings, world, NOV)
    assert _status(report, a, "theme_day", "2026-11") is Status.DONE
    assert _status(report, a, "committee", "2026-11") is Status.MISSING  # closed on 3 Dec
    assert _status(report, a, "group_meeting", "2026-11", world.group1.id) is Status.DONE
    assert _status(report, a, "group_meeting", "2026-11", world.group2.id) is Status.MISSING
    assert _status(report, a, "general_meeting", "2026Q4") is Status.OPEN  # quarter still running
    assert _status(report, a, "life_meeting", "2026") is Status.OPEN
    assert _status(report, b, "committee", "2026-11") is Status.NOT_APPLICABLE  # no committee
    assert _status(report, b, "group_meeting", "2026-11") is Status.NOT_APPLICABLE  # no groups
    assert _status(report, b, "theme_day", "2026-11") is Status.MISSING
    branch_a = report.branch(a or 0)
    assert not branch_a.compliant(NOV)
    assert {(r.type_code, r.org_name) for r in branch_a.failing(NOV)} == {
        ("committee", "红星村党支部"),
        ("group_meeting", "第二党小组"),
    }
    owed = branch_a.owed()
    assert owed[0].due <= owed[-1].due and any(r.type_code == "general_meeting" for r in owed)


def test_open_until_the_deadline_after_the_period(
    session: Session, store_settings: Settings, world: World
) -> None:
    report = _report(session, store_settings, world, NOV, as_of=date(2026, 12, 3))
    assert _status(report, world.a.id, "theme_day", "2026-11") is Status.OPEN  # 30 Nov + 3 days
    report = _report(session, store_settings, world, NOV, as_of=date(2026, 12, 4))
    assert _status(report, world.a.id, "theme_day", "2026-11") is Status.MISSING


def test_many_theme_days_do_not_make_a_general_meeting(
    session: Session, store_settings: Settings, world: World
) -> None:
    for month, day in ((10, 8), (11, 8), (12, 8), (12, 9)):
        _submit(session, store_settings, World.SEC_B, date(2026, month, day), expected=5, present=5)
    report = _report(session, store_settings, world, 202610, 202612, as_of=date(2027, 1, 10))
    b = report.branch(world.b.id or 0)
    assert _status(report, world.b.id, "theme_day", "2026-12") is Status.DONE
    assert _status(report, world.b.id, "general_meeting", "2026Q4") is Status.MISSING
    assert b.compliant(202610)  # October: its theme day; the quarter is judged in December
    assert not b.compliant(202612)
    assert [r.type_code for r in b.failing(202612)] == ["general_meeting", "lecture", "life_meeting"]


def test_late_records(session: Session, make_settings: object, world: World) -> None:
    settings: Settings = make_settings()  # type: ignore[operator]
    _submit(session, settings, World.SEC_B, date(2026, 11, 10), late_days=9, expected=5, present=5)
    report = _report(session, settings, world, NOV)
    assert _status(report, world.b.id, "theme_day", "2026-11") is Status.LATE
    assert report.branch(world.b.id or 0).failing(NOV, late_ok=False)[0].type_code == "theme_day"
    lenient: Settings = make_settings(compliance_late_is_compliant=True)  # type: ignore[operator]
    report = _report(session, lenient, world, NOV)
    assert all(r.type_code != "theme_day" for r in report.branch(world.b.id or 0).failing(NOV, late_ok=True))


def test_pending_records_count_or_not(session: Session, make_settings: object, world: World) -> None:
    _submit(session, make_settings(), World.MEM_B, date(2026, 11, 10), expected=5, present=5)  # type: ignore[operator]
    counted = _report(session, make_settings(), world, NOV)  # type: ignore[operator]
    assert _status(counted, world.b.id, "theme_day", "2026-11") is Status.DONE
    strict = _report(session, make_settings(compliance_count_pending=False), world, NOV)  # type: ignore[operator]
    assert _status(strict, world.b.id, "theme_day", "2026-11") is Status.MISSING


def test_theme_day_also_counting_as_lecture(session: Session, store_settings: Settings, world: World) -> None:
    _submit(
        session,
        store_settings,
        World.SEC_B,
        date(2026, 11, 10),
        expected=5,
        present=5,
        also_counts_as="lecture",
    )
    report = _report(session, store_settings, world, 202610, 202612, as_of=date(2027, 1, 10))
    assert _status(report, world.b.id, "theme_day", "2026-11") is Status.DONE
    assert _status(report, world.b.id, "lecture", "2026Q4") is Status.DONE


def test_county_override_of_a_rule(session: Session, store_settings: Settings, world: World) -> None:
    # A county whose rule is "党课每年不少于两次".
    assert world.county.id is not None
    set_rule_override(
        session=session,
        org_id=world.county.id,
        type_code="lecture",
        period="year",
        min_count=2,
        basis="县委规定：党课每年不少于两次",
    )
    _submit(
        session, store_settings, World.SEC_B, date(2026, 3, 10), type_code="lecture", expected=5, present=5
    )
    report = _report(session, store_settings, world, 202612, as_of=date(2027, 1, 10))
    assert _status(report, world.b.id, "lecture", "2026") is Status.MISSING  # one of two
    _submit(
        session, store_settings, World.SEC_B, date(2026, 9, 10), type_code="lecture", expected=5, present=5
    )
    report = _report(session, store_settings, world, 202612, as_of=date(2027, 1, 10))
    assert _status(report, world.b.id, "lecture", "2026") is Status.DONE


def test_corrections_are_not_counted_twice(session: Session, store_settings: Settings, world: World) -> None:
    rid = _submit(session, store_settings, World.SEC_B, date(2026, 11, 10), expected=5, present=5)
    correct_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_B,
        record_id=rid,
        changes={"held_on": date(2026, 10, 10)},
        now=datetime(2026, 11, 10, 21, tzinfo=BJ),
    )
    report = _report(session, store_settings, world, 202610, 202611)
    # Moved to October: counted there once, and late (first submitted a month after 10 October).
    assert _status(report, world.b.id, "theme_day", "2026-10") is Status.LATE
    assert _status(report, world.b.id, "theme_day", "2026-11") is Status.MISSING


def test_county_share_and_subtree(session: Session, store_settings: Settings, world: World) -> None:
    for branch_openid, members in ((World.SEC_A, 12), (World.SEC_B, 5)):
        _submit(session, store_settings, branch_openid, date(2026, 10, 10), expected=members, present=members)
    # Branch A also owes a committee meeting and group meetings in October; B owes nothing else monthly.
    report = _report(session, store_settings, world, 202610, as_of=date(2026, 11, 10))
    assert report.share(202610) == 0.5
    assert [b.name for b in report.branches if b.compliant(202610)] == ["向阳村党支部"]
    # A branch-rooted report covers that branch only.
    assert world.a.id is not None
    only_a = compute_compliance(
        session=session,
        settings=store_settings,
        root_id=world.a.id,
        first_month=202610,
        as_of=date(2026, 11, 10),
    )
    assert [b.branch_id for b in only_a.branches] == [world.a.id]
    assert set(report.monthly_shares()) == {202610}


def test_beijing_month_boundary(session: Session, store_settings: Settings, world: World) -> None:
    # Held on 1 December Beijing time: counts for December, not November.
    _submit(session, store_settings, World.SEC_B, date(2026, 12, 1), expected=5, present=5)
    report = _report(session, store_settings, world, 202611, 202612, as_of=date(2026, 12, 2))
    assert _status(report, world.b.id, "theme_day", "2026-11") is Status.OPEN
    assert _status(report, world.b.id, "theme_day", "2026-12") is Status.DONE


def test_thousand_branches_twelve_months_report_is_complete(store_settings: Settings, engine: Engine) -> None:
    # The county of bench/compliance_bench.py; its speed is measured there (README), not asserted here.
    county = generate(engine, branches=1000)
    _, report = time_compliance(engine, store_settings, county, repeat=1)
    assert len(report.branches) == 1000
    shares = report.monthly_shares()
    assert len(shares) == 12 and all(0.0 <= v <= 1.0 for v in shares.values())
