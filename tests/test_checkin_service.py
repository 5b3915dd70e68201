"""Check-in records: the rules of issue 4, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.settings import Settings
from bot.store.checkins import (
    PhotoIn,
    add_photo,
    audit_events,
    checkin_context,
    confirm_record,
    correct_record,
    find_current_record,
    get_record,
    pending_records,
    precheck,
    record_history,
    submit_record,
)
from bot.store.errors import DuplicateRecordError, ErrorCode, StoreError
from bot.store.models import ActivityRecord, AuditEvent, Member, RecordAbsentee
from bot.store.rules import effective_rules, set_rule_override
from handlers.checkin_texts import error_text
from tests.store_world import NOW, World, draft

SHA_A = "a" * 64
SHA_B = "b" * 64


def _records(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ActivityRecord)).one())


def _refused(
    session: Session, settings: Settings, openid: str, code: ErrorCode, **overrides: object
) -> StoreError:
    before = _records(session)
    with pytest.raises(StoreError) as info:
        submit_record(session=session, settings=settings, openid=openid, draft=draft(**overrides), now=NOW)
    assert info.value.code is code, info.value
    session.rollback()
    assert _records(session) == before  # nothing wrong is stored
    text = error_text(info.value)
    assert text and not text.isascii()
    return info.value


def test_member_submits_pending_record(session: Session, store_settings: Settings, world: World) -> None:
    view = submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW)
    assert view.status == "pending" and view.version == 1 and view.is_current
    assert view.branch_id == world.a.id and view.branch_name == "红星村党支部"
    assert view.type_name == "主题党日" and view.submitted_by_name == "王小明"
    assert [a.name for a in view.absentees] == ["党员甲1", "党员甲2"]
    assert view.late is False
    events = audit_events(session=session, entity="activity_record", entity_ids=[view.id])
    assert [e.action for e in events] == ["create"]
    assert events[0].after is not None and events[0].after["topic"] == "学习党的二十届四中全会精神"


def test_organizer_record_is_confirmed(session: Session, store_settings: Settings, world: World) -> None:
    view = submit_record(session=session, settings=store_settings, openid=World.ORG_A, draft=draft(), now=NOW)
    assert view.status == "confirmed" and view.confirmed_by == world.members["org_a"].id


def test_duplicate_is_told_about_the_first(session: Session, store_settings: Settings, world: World) -> None:
    first = submit_record(
        session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW
    )
    with pytest.raises(DuplicateRecordError) as info:
        submit_record(
            session=session, settings=store_settings, openid=World.MEM_A2, draft=draft(present=9), now=NOW
        )
    assert info.value.existing.id == first.id
    assert info.value.existing.submitted_by_name == "王小明"
    text = error_text(info.value)
    assert "王小明" in text and "11月20日" in text and "主题党日" in text
    # The same sender again (a WeChat retry) gets the same answer; still one record.
    with pytest.raises(DuplicateRecordError):
        submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW)
    assert _records(session) == 1
    # precheck tells it before the counts are even asked.
    with pytest.raises(DuplicateRecordError):
        precheck(
            session=session,
            settings=store_settings,
            openid=World.MEM_A2,
            type_code="theme_day",
            held_on=date(2026, 11, 20),
            now=NOW,
        )
    # Another date, or another type the same day, is a different meeting.
    submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(type_code="lecture"),
        now=NOW,
    )
    assert _records(session) == 2


def test_group_meetings_are_per_group(session: Session, store_settings: Settings, world: World) -> None:
    d1 = draft(type_code="group_meeting", group_id=world.group1.id, expected=6, present=5, absentees=[])
    d2 = draft(type_code="group_meeting", group_id=world.group2.id, expected=6, present=6, absentees=[])
    submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=d1, now=NOW)
    submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=d2, now=NOW)
    with pytest.raises(DuplicateRecordError):
        submit_record(session=session, settings=store_settings, openid=World.MEM_A2, draft=d1, now=NOW)
    _refused(session, store_settings, World.MEM_A, ErrorCode.GROUP_REQUIRED, type_code="group_meeting")
    _refused(session, store_settings, World.MEM_A, ErrorCode.GROUP_NOT_ALLOWED, group_id=world.group1.id)
    _refused(
        session,
        store_settings,
        World.MEM_B,
        ErrorCode.NO_GROUPS,
        type_code="group_meeting",
        expected=5,
        present=5,
        absentees=[],
    )


def test_group_of_another_branch_refused(session: Session, store_settings: Settings, world: World) -> None:
    # 向阳村 has no groups; a member of 红星村 naming a group of... another branch's group id.
    from bot.store.models import OrgLevel
    from bot.store.orgs import create_org

    other = create_org(session=session, name="第三党小组", level=OrgLevel.GROUP, parent=world.b)
    session.commit()
    _refused(
        session,
        store_settings,
        World.MEM_A,
        ErrorCode.GROUP_NOT_IN_BRANCH,
        type_code="group_meeting",
        group_id=other.id,
    )


def test_committee_only_where_there_is_one(session: Session, store_settings: Settings, world: World) -> None:
    submit_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_A,
        draft=draft(type_code="committee", expected=5, present=5, absentees=[]),
        now=NOW,
    )
    _refused(
        session,
        store_settings,
        World.SEC_B,
        ErrorCode.NO_COMMITTEE,
        type_code="committee",
        expected=5,
        present=5,
        absentees=[],
    )


def test_member_records_only_for_own_branch(session: Session, store_settings: Settings, world: World) -> None:
    err = _refused(session, store_settings, World.MEM_B, ErrorCode.OTHER_BRANCH, branch_id=world.a.id)
    assert "本人所在的党支部" in error_text(err)
    # Without a branch id the record goes to the member's own branch, whatever the text says.
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_B,
        draft=draft(topic="红星村党支部的会", expected=5, present=5, absentees=[]),
        now=NOW,
    )
    assert view.branch_id == world.b.id


def test_unbound_user_refused(session: Session, store_settings: Settings, world: World) -> None:
    _refused(session, store_settings, "o_stranger", ErrorCode.NOT_BOUND)


def test_staff_records_for_branches_they_oversee(
    session: Session, store_settings: Settings, world: World
) -> None:
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.STAFF_TOWN,
        draft=draft(branch_id=world.b.id, expected=5, present=5, absentees=[]),
        now=NOW,
    )
    assert view.branch_id == world.b.id and view.status == "confirmed"
    _refused(session, store_settings, World.STAFF, ErrorCode.OTHER_BRANCH)  # staff must name the branch


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"expected": 0, "present": 0, "absentees": []}, ErrorCode.BAD_COUNT),
        ({"expected": -3, "present": -5, "absentees": []}, ErrorCode.BAD_COUNT),
        ({"expected": 12, "present": -1, "absentees": []}, ErrorCode.BAD_COUNT),
        ({"expected": 9999, "present": 9999, "absentees": []}, ErrorCode.EXPECTED_OVER_ROSTER),
        ({"expected": 30, "present": 25, "absentees": []}, ErrorCode.EXPECTED_OVER_ROSTER),
        ({"expected": 12, "present": 0, "absentees": []}, ErrorCode.TOO_FEW_PRESENT),
        ({"expected": 10, "present": 12, "absentees": []}, ErrorCode.PRESENT_OVER_EXPECTED),
        ({"expected": 12, "present": 11}, ErrorCode.ABSENTEES_OVER_GAP),
    ],
)
def test_absurd_counts_refused(
    session: Session, store_settings: Settings, world: World, overrides: dict[str, object], code: ErrorCode
) -> None:
    _refused(session, store_settings, World.MEM_A, code, **overrides)


def test_counts_within_margin_and_fewer_absentees_accepted(
    session: Session, store_settings: Settings, world: World
) -> None:
    # 12 on the roster + margin 5: 17 is plausible (guests, members not yet imported).
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(expected=17, present=14, absentees=[{"name": "党员甲3", "reason": "事假"}]),
        now=NOW,
    )
    assert view.expected == 17 and len(view.absentees) == 1


def test_no_roster_uses_absolute_cap(session: Session, make_settings: object, world: World) -> None:
    from bot.store.models import OrgLevel
    from bot.store.orgs import create_org
    from tests.store_world import add_member

    settings = make_settings(checkin_max_expected=50)  # type: ignore[operator]
    empty = create_org(session=session, name="新建党支部", level=OrgLevel.BRANCH, parent=world.township)
    add_member(
        session,
        empty,
        "新书记",
        role=__import__("bot.store.models").store.models.Role.SECRETARY,
        openid="o_new",
    )
    session.commit()
    # Roster of one (the secretary) + margin 5 → at most 6.
    with pytest.raises(StoreError) as info:
        submit_record(
            session=session,
            settings=settings,
            openid="o_new",
            draft=draft(expected=40, present=30, absentees=[]),
            now=NOW,
        )
    assert info.value.code is ErrorCode.EXPECTED_OVER_ROSTER


def test_future_date_refused(session: Session, store_settings: Settings, world: World) -> None:
    err = _refused(session, store_settings, World.MEM_A, ErrorCode.FUTURE_DATE, held_on=date(2026, 11, 24))
    assert "11月24日" in error_text(err)
    # Beijing time decides "today": 23 Nov 20:00 UTC is already 24 Nov in Beijing.
    late_utc = datetime(2026, 11, 23, 20, 0, tzinfo=NOW.tzinfo).astimezone(NOW.tzinfo)
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(held_on=date(2026, 11, 23)),
        now=late_utc,
    )
    assert view.held_on == date(2026, 11, 23)


def test_too_old_refused(session: Session, store_settings: Settings, world: World) -> None:
    _refused(session, store_settings, World.MEM_A, ErrorCode.TOO_OLD, held_on=date(2024, 1, 1))


def test_ten_thousand_char_topic_refused(session: Session, store_settings: Settings, world: World) -> None:
    err = _refused(session, store_settings, World.MEM_A, ErrorCode.TOO_LONG, topic="学" * 10_000)
    assert err.params["field"] == "topic" and err.params["limit"] == store_settings.checkin_topic_max_chars
    assert "议题" in error_text(err) and "200" in error_text(err)
    _refused(session, store_settings, World.MEM_A, ErrorCode.TOO_LONG, summary="x" * 5000)
    _refused(session, store_settings, World.MEM_A, ErrorCode.TOO_LONG, place="村" * 500)
    _refused(
        session,
        store_settings,
        World.MEM_A,
        ErrorCode.TOO_LONG,
        absentees=[{"name": "甲", "reason": "因" * 300}],
    )


def test_injection_looking_text_stored_verbatim(
    session: Session, store_settings: Settings, world: World
) -> None:
    nasty = '\'); DROP TABLE activity_record; -- <script>alert(1)</script> =HYPERLINK("http://x") ${jndi:x}'
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(topic=nasty[:200], host="Robert'); --", place="<b>村委会</b>"),
        now=NOW,
    )
    again = get_record(session=session, record_id=view.id)
    assert again.topic == nasty[:200] and again.host == "Robert'); --" and again.place == "<b>村委会</b>"
    assert _records(session) == 1  # the table is still there


def test_control_characters_dropped(session: Session, store_settings: Settings, world: World) -> None:
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(topic="学习\x00党章\x07\n第二部分 "),
        now=NOW,
    )
    assert view.topic == "学习党章\n第二部分"


def test_late_submission_flagged(session: Session, store_settings: Settings, world: World) -> None:
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(held_on=date(2026, 11, 10)),
        now=NOW,
    )
    assert view.late is True
    on_time = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(held_on=date(2026, 11, 20), type_code="lecture"),
        now=NOW,
    )
    assert on_time.late is False  # 3 days: 20 → 23 November


def test_county_deadline_override(session: Session, store_settings: Settings, world: World) -> None:
    assert world.county.id is not None
    set_rule_override(session=session, org_id=world.county.id, type_code="theme_day", deadline_days=1)
    rules = effective_rules(session=session, settings=store_settings, org_id=world.a.id or 0)
    assert rules["theme_day"].deadline_days == 1 and rules["theme_day"].source_org_id == world.county.id
    assert rules["lecture"].deadline_days == store_settings.checkin_deadline_days
    view = submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW)
    assert view.late is True  # held 20th, reported 23rd, county allows 1 day


def test_photo_requirement_override(session: Session, store_settings: Settings, world: World) -> None:
    assert world.a.id is not None
    set_rule_override(session=session, org_id=world.a.id, type_code="theme_day", photo_required=True)
    _refused(session, store_settings, World.MEM_A, ErrorCode.PHOTO_REQUIRED)
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        draft=draft(photos=[{"media_id": "m1", "sha256": SHA_A}, {"media_id": "m1-again", "sha256": SHA_A}]),
        now=NOW,
    )
    assert [p.sha256 for p in view.photos] == [SHA_A]  # the same image twice attaches once


def test_add_photo_after_submission(session: Session, store_settings: Settings, world: World) -> None:
    view = submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW)
    photo = PhotoIn(media_id="m2", sha256=SHA_B)
    add_photo(session=session, settings=store_settings, openid=World.MEM_A, record_id=view.id, photo=photo)
    again = add_photo(
        session=session, settings=store_settings, openid=World.MEM_A, record_id=view.id, photo=photo
    )
    assert len(again.photos) == 1
    with pytest.raises(StoreError) as info:
        add_photo(
            session=session, settings=store_settings, openid=World.MEM_B, record_id=view.id, photo=photo
        )
    assert info.value.code is ErrorCode.FORBIDDEN


def test_confirm_by_organizer_only(session: Session, store_settings: Settings, world: World) -> None:
    view = submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW)
    assert [r.id for r in pending_records(session=session, openid=World.SEC_A)] == [view.id]
    for openid, code in ((World.MEM_A2, ErrorCode.FORBIDDEN), (World.SEC_B, ErrorCode.FORBIDDEN)):
        with pytest.raises(StoreError) as info:
            confirm_record(session=session, openid=openid, record_id=view.id)
        assert info.value.code is code
    with pytest.raises(StoreError):
        pending_records(session=session, openid=World.MEM_A)
    done = confirm_record(session=session, openid=World.ORG_A, record_id=view.id)
    assert done.status == "confirmed" and done.confirmed_by == world.members["org_a"].id
    assert pending_records(session=session, openid=World.SEC_A) == []
    with pytest.raises(StoreError) as info:
        confirm_record(session=session, openid=World.SEC_A, record_id=view.id)
    assert info.value.code is ErrorCode.ALREADY_CONFIRMED
    assert [
        e.action for e in audit_events(session=session, entity="activity_record", entity_ids=[view.id])
    ] == [
        "create",
        "confirm",
    ]


def test_correction_is_a_new_version_with_audit(
    session: Session, store_settings: Settings, world: World
) -> None:
    v1 = submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW)
    confirm_record(session=session, openid=World.SEC_A, record_id=v1.id)
    # The member may no longer change a confirmed record.
    with pytest.raises(StoreError) as info:
        correct_record(
            session=session,
            settings=store_settings,
            openid=World.MEM_A,
            record_id=v1.id,
            changes={"present": 11, "absentees": [{"name": "党员甲1", "reason": "病假"}]},
        )
    assert info.value.code is ErrorCode.LOCKED
    v2 = correct_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_A,
        record_id=v1.id,
        changes={"present": 11, "absentees": [{"name": "党员甲1", "reason": "病假"}]},
        reason="补签到",
        now=NOW + timedelta(hours=1),
    )
    assert v2.version == 2 and v2.supersedes_id == v1.id and v2.present == 11 and v2.is_current
    assert v2.submitted_by == v1.submitted_by and v2.submitted_at == v1.submitted_at
    old = get_record(session=session, record_id=v1.id)
    assert not old.is_current and old.present == 10 and len(old.absentees) == 2  # history kept
    current = find_current_record(
        session=session, branch_id=world.a.id or 0, type_code="theme_day", held_on=date(2026, 11, 20)
    )
    assert current is not None and current.id == v2.id
    assert [v.version for v in record_history(session=session, record_id=v1.id)] == [1, 2]
    ev = session.exec(select(AuditEvent).where(AuditEvent.action == "correct")).one()
    assert ev.entity_id == v2.id and ev.actor_member_id == world.members["sec_a"].id
    assert ev.before == {"present": 10, "absentees": [["党员甲1", "病假"], ["党员甲2", "外出务工"]]}
    assert ev.after is not None and ev.after["present"] == 11 and ev.after["_supersedes"] == v1.id
    assert ev.after["_reason"] == "补签到"
    # Correcting the old version is refused; an unchanged correction too.
    with pytest.raises(StoreError) as info:
        correct_record(
            session=session,
            settings=store_settings,
            openid=World.SEC_A,
            record_id=v1.id,
            changes={"present": 9},
        )
    assert info.value.code is ErrorCode.NOT_CURRENT
    with pytest.raises(StoreError) as info:
        correct_record(
            session=session,
            settings=store_settings,
            openid=World.SEC_A,
            record_id=v2.id,
            changes={"present": 11},
        )
    assert info.value.code is ErrorCode.NOTHING_CHANGED
    # Invalid corrections are refused like submissions, and leave v2 current.
    with pytest.raises(StoreError) as info:
        correct_record(
            session=session,
            settings=store_settings,
            openid=World.SEC_A,
            record_id=v2.id,
            changes={"present": 9999},
        )
    assert info.value.code is ErrorCode.PRESENT_OVER_EXPECTED
    session.rollback()
    assert get_record(session=session, record_id=v2.id).is_current


def test_member_corrects_own_pending_record(session: Session, store_settings: Settings, world: World) -> None:
    v1 = submit_record(session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW)
    v2 = correct_record(
        session=session,
        settings=store_settings,
        openid=World.MEM_A,
        record_id=v1.id,
        changes={"topic": "学习党章"},
        now=NOW,
    )
    assert v2.status == "pending" and v2.topic == "学习党章"
    with pytest.raises(StoreError) as info:
        correct_record(
            session=session,
            settings=store_settings,
            openid=World.MEM_A2,
            record_id=v2.id,
            changes={"topic": "别人改"},
            now=NOW,
        )
    assert info.value.code is ErrorCode.FORBIDDEN
    # Past the deadline the member's pending record is locked too.
    with pytest.raises(StoreError) as info:
        correct_record(
            session=session,
            settings=store_settings,
            openid=World.MEM_A,
            record_id=v2.id,
            changes={"topic": "再改"},
            now=NOW + timedelta(days=10),
        )
    assert info.value.code is ErrorCode.LOCKED


def test_correction_onto_an_existing_meeting_is_a_duplicate(
    session: Session, store_settings: Settings, world: World
) -> None:
    a = submit_record(session=session, settings=store_settings, openid=World.SEC_A, draft=draft(), now=NOW)
    b = submit_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_A,
        draft=draft(held_on=date(2026, 11, 21)),
        now=NOW,
    )
    with pytest.raises(DuplicateRecordError) as info:
        correct_record(
            session=session,
            settings=store_settings,
            openid=World.SEC_A,
            record_id=b.id,
            changes={"held_on": date(2026, 11, 20)},
            now=NOW,
        )
    assert info.value.existing.id == a.id


def test_checkin_context(session: Session, store_settings: Settings, world: World) -> None:
    ctx = checkin_context(session=session, settings=store_settings, openid=World.MEM_A)
    assert ctx.branch_name == "红星村党支部" and ctx.roster_size == 12 and not ctx.is_organizer
    assert [g.name for g in ctx.groups] == ["第一党小组", "第二党小组"]
    assert [t.type_code for t in ctx.types] == [
        "theme_day",
        "general_meeting",
        "committee",
        "group_meeting",
        "lecture",
        "life_meeting",
    ]
    ctx_b = checkin_context(session=session, settings=store_settings, openid=World.SEC_B)
    assert ctx_b.is_organizer and {t.type_code for t in ctx_b.types} == {
        "theme_day",
        "general_meeting",
        "lecture",
        "life_meeting",
    }


def test_quorum_warning_for_general_meeting(session: Session, store_settings: Settings, world: World) -> None:
    view = submit_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_A,
        draft=draft(type_code="general_meeting", expected=12, present=6, absentees=[]),
        now=NOW,
    )
    assert view.warnings == ("quorum",)


def test_inactive_member_cannot_record(session: Session, store_settings: Settings, world: World) -> None:
    m = session.get(Member, world.members["mem_a"].id)
    assert m is not None
    m.active = False
    session.add(m)
    session.commit()
    _refused(session, store_settings, World.MEM_A, ErrorCode.NOT_BOUND)


def test_every_error_code_has_a_chinese_text() -> None:
    for code in ErrorCode:
        params = {
            "field": "topic",
            "limit": 3,
            "expected": 5,
            "present": 6,
            "roster": 4,
            "listed": 2,
            "gap": 1,
            "minimum": 1,
            "days": 400,
            "held_on": date(2026, 12, 1),
            "type_name": "支委会",
            "name": "张三",
            "groups": ["第一党小组"],
        }
        text = error_text(StoreError(code, **params))
        assert text and not text.isascii() and len(text) < 120, code


def test_absentee_rows_belong_to_their_version(
    session: Session, store_settings: Settings, world: World
) -> None:
    v1 = submit_record(session=session, settings=store_settings, openid=World.SEC_A, draft=draft(), now=NOW)
    correct_record(
        session=session,
        settings=store_settings,
        openid=World.SEC_A,
        record_id=v1.id,
        changes={"absentees": []},
        now=NOW,
    )
    rows = list(session.exec(select(RecordAbsentee).where(col(RecordAbsentee.record_id) == v1.id)))
    assert len(rows) == 2


@pytest.mark.parametrize("kind", ["branch", "group", "organizer", "quorum"])
def test_submitted_view_equals_the_stored_record(
    session: Session, store_settings: Settings, world: World, kind: str
) -> None:
    """``submit_record`` builds its view from what it wrote (no read-back): it must equal a fresh read."""
    openid = World.ORG_A if kind == "organizer" else World.MEM_A
    overrides: dict[str, object] = {
        "photos": [{"media_id": "m1", "sha256": "a" * 64}],
        "also_counts_as": "lecture",
    }
    if kind == "group":
        overrides = {"type_code": "group_meeting", "group_id": world.group1.id, "expected": 5, "present": 4,
                     "absentees": []}  # fmt: skip
    if kind == "quorum":
        overrides = {"type_code": "general_meeting", "expected": 12, "present": 6, "absentees": []}
    view = submit_record(session=session, settings=store_settings, openid=openid, draft=draft(**overrides), now=NOW)
    session.expire_all()
    stored = get_record(session=session, record_id=view.id)
    assert replace(view, warnings=()) == stored
    assert view.warnings == (("quorum",) if kind == "quorum" else ())
