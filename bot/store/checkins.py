"""Check-in records: validate, create, confirm, correct (as new versions with an audit trail).

The rules of the issue, in the order a user is told about them: the WeChat user must be bound; the
branch comes from the binding (never from free text); the type must apply to the branch (支委会 only
with a committee, 党小组会 only for one of its groups); the date is past and not too old; the counts
add up and fit the roster; texts respect their caps; then one record per branch × type × date
(× group): a second attempt gets :class:`DuplicateRecordError` carrying the first record.

Every function takes keyword-only arguments and a ``Session``; those that write commit (one
transaction each). They are synchronous: async callers go through :class:`bot.store.service.CheckinStore`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from bot.settings import Settings
from bot.store.binding import require_actor
from bot.store.errors import DuplicateRecordError, ErrorCode, StoreError
from bot.store.models import (
    ActivityCode,
    ActivityRecord,
    ActivityType,
    AppliesTo,
    AuditEvent,
    ConversationStateRow,
    Member,
    Organisation,
    OrgLevel,
    RecordAbsentee,
    RecordPhoto,
    RecordStatus,
    utcnow,
)
from bot.store.orgs import get_org, groups_of
from bot.store.periods import local_date, local_today, month_key
from bot.store.rules import EffectiveRule, cached_rulebook, load_rulebook
from bot.store.views import AbsenteeView, Actor, PhotoView, RecordView

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class AbsenteeIn(SQLModel):
    name: str
    reason: str = ""
    member_id: int | None = None


class PhotoIn(SQLModel):
    media_id: str
    sha256: str  # hex digest of the image bytes: the same photo sent twice attaches once

    @field_validator("sha256")
    @classmethod
    def _hex(cls, v: str) -> str:
        v = v.strip().lower()
        if not _SHA256_RE.match(v):
            raise ValueError("sha256 must be 64 hex digits")
        return v


class RecordDraft(SQLModel):
    """What a check-in conversation collected. ``branch_id`` is optional and only cross-checked: the
    branch always comes from the submitter's binding (county staff may name a branch they oversee)."""

    type_code: str
    held_on: date
    start_time: time | None = None
    place: str = ""
    host: str = ""
    recorder: str = ""
    topic: str = ""
    expected: int
    present: int
    absentees: list[AbsenteeIn] = Field(default_factory=list)
    summary: str = ""
    decisions: str = ""
    photos: list[PhotoIn] = Field(default_factory=list)
    group_id: int | None = None
    branch_id: int | None = None
    also_counts_as: str | None = None


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: int
    name: str
    roster_size: int


@dataclass(frozen=True, slots=True)
class CheckinContext:
    """What a conversation needs to ask good questions for this user."""

    actor: Actor
    branch_id: int
    branch_name: str
    has_committee: bool
    groups: tuple[GroupInfo, ...]
    roster_size: int
    types: tuple[EffectiveRule, ...]  # the types that apply to this branch, display order
    is_organizer: bool


# --- text hygiene -----------------------------------------------------------------------------------------

_KEEP_CONTROLS = {"\n", "\t"}


def clean_text(value: str) -> str:
    """NFC-normalise, drop control characters (PostgreSQL refuses NUL; the rest is noise), trim.

    Everything else (quotes, ``<script>``, ``'; DROP TABLE``) is kept verbatim: it is data, bound as a
    parameter, and escaped wherever it is shown."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(
        ch for ch in value if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return value.strip()


def _cap(field: str, value: str, limit: int) -> str:
    value = clean_text(value)
    if len(value) > limit:
        raise StoreError(ErrorCode.TOO_LONG, field=field, limit=limit, length=len(value))
    return value


# --- context and pre-checks ------------------------------------------------------------------------------


# Hot-path statements (every check-in message runs some of them): Core, built once.
_MEMBER = Member.__table__  # type: ignore[attr-defined]
_RECORD = ActivityRecord.__table__  # type: ignore[attr-defined]
_ORG = Organisation.__table__  # type: ignore[attr-defined]
_ROSTER_OF_BRANCH = (
    sa.select(sa.func.count())
    .select_from(_MEMBER)
    .where(_MEMBER.c.active.is_(True), _MEMBER.c.org_id == sa.bindparam("org"), _MEMBER.c.role != "staff")
)
_ROSTER_OF_GROUP = (
    sa.select(sa.func.count())
    .select_from(_MEMBER)
    .where(_MEMBER.c.active.is_(True), _MEMBER.c.group_id == sa.bindparam("group"))
)
_GROUPS_WITH_ROSTERS = (
    sa.select(_ORG.c.id, _ORG.c.name, sa.func.count(_MEMBER.c.id))
    .select_from(
        _ORG.outerjoin(_MEMBER, sa.and_(_MEMBER.c.group_id == _ORG.c.id, _MEMBER.c.active.is_(True)))
    )
    .where(
        _ORG.c.parent_id == sa.bindparam("branch"),
        _ORG.c.level == str(OrgLevel.GROUP),
        _ORG.c.active.is_(True),
    )
    .group_by(_ORG.c.id, _ORG.c.name)
)
_RECORD_ID_BY_KEY = sa.select(_RECORD.c.id).where(_RECORD.c.current_key == sa.bindparam("key"))
_ORG_NAME = sa.select(_ORG.c.name).where(_ORG.c.id == sa.bindparam("id"))


def _roster_size(*, session: Session, branch_id: int, group_id: int | None = None) -> int:
    conn = session.connection()
    if group_id is not None:
        return int(conn.execute(_ROSTER_OF_GROUP, {"group": group_id}).scalar_one())
    return int(conn.execute(_ROSTER_OF_BRANCH, {"org": branch_id}).scalar_one())


class BranchLike(Protocol):
    """What the checks need of a branch: an :class:`Organisation`, or :class:`_Branch` from the binding."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def has_committee(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class _Branch:
    """A member's own branch, read with the binding (no second query)."""

    id: int
    name: str
    path: str
    has_committee: bool


def _branch_for(*, session: Session, actor: Actor, branch_id: int | None) -> BranchLike:
    """The branch a record is for: the actor's own; staff may name one in their subtree."""
    if actor.is_staff:
        if branch_id is None:
            raise StoreError(ErrorCode.OTHER_BRANCH)
        branch = get_org(session=session, org_id=branch_id)
        if branch.level != OrgLevel.BRANCH or not actor.oversees(branch.path):
            raise StoreError(ErrorCode.OTHER_BRANCH)
        return branch
    if branch_id is not None and branch_id != actor.org_id:
        raise StoreError(ErrorCode.OTHER_BRANCH)
    # A member's organisation is their branch; the binding query read its fields.
    return _Branch(actor.org_id, actor.org_name, actor.org_path, actor.org_has_committee)


def _applicable(rule: EffectiveRule, branch: BranchLike, groups: Sequence[object]) -> bool:
    if not rule.enabled:
        return False
    if rule.applies_to == AppliesTo.COMMITTEE:
        return branch.has_committee
    if rule.applies_to == AppliesTo.GROUP:
        return bool(groups)
    return True


def checkin_context(
    *, session: Session, settings: Settings, openid: str, branch_id: int | None = None
) -> CheckinContext:
    """The branch, its groups and roster, and the applicable types for ``openid``'s check-ins."""
    actor = require_actor(session=session, openid=openid)
    branch = _branch_for(session=session, actor=actor, branch_id=branch_id)
    assert branch.id is not None
    # The active groups with their rosters in one query (codepoint order of names, as groups_of).
    conn = session.connection()
    infos = sorted(
        (GroupInfo(int(r[0]), r[1], int(r[2])) for r in conn.execute(_GROUPS_WITH_ROSTERS, {"branch": branch.id})),
        key=lambda g: g.name,
    )
    rules = cached_rulebook(session=session, settings=settings).for_path(branch.path)
    return CheckinContext(
        actor=actor,
        branch_id=branch.id,
        branch_name=branch.name,
        has_committee=branch.has_committee,
        groups=tuple(infos),
        roster_size=_roster_size(session=session, branch_id=branch.id),
        types=tuple(r for r in rules.values() if _applicable(r, branch, infos)),
        is_organizer=actor.may_manage(branch.id, branch.path),
    )


def _check_type(
    *,
    session: Session,
    settings: Settings,
    branch: BranchLike,
    type_code: str,
    group_id: int | None,
) -> EffectiveRule:
    book = cached_rulebook(session=session, settings=settings)
    if type_code not in book.types:
        raise StoreError(ErrorCode.UNKNOWN_TYPE, type_code=type_code)
    rule = book.for_path(branch.path).get(type_code)
    type_name = book.types[type_code].name
    if rule is None or not rule.enabled:
        raise StoreError(ErrorCode.TYPE_DISABLED, type_name=type_name)
    assert branch.id is not None
    if rule.applies_to == AppliesTo.COMMITTEE and not branch.has_committee:
        raise StoreError(ErrorCode.NO_COMMITTEE, type_name=type_name)
    if rule.applies_to == AppliesTo.GROUP:
        groups = groups_of(session=session, branch_id=branch.id)
        if not groups:
            raise StoreError(ErrorCode.NO_GROUPS, type_name=type_name)
        if group_id is None:
            raise StoreError(ErrorCode.GROUP_REQUIRED, type_name=type_name, groups=[g.name for g in groups])
        if group_id not in {g.id for g in groups}:
            raise StoreError(ErrorCode.GROUP_NOT_IN_BRANCH)
    elif group_id is not None:
        raise StoreError(ErrorCode.GROUP_NOT_ALLOWED, type_name=type_name)
    return rule


def check_date(*, settings: Settings, held_on: date, now: datetime | None = None) -> None:
    """Refuse future dates (Beijing time) and dates older than ``checkin_max_backdate_days``."""
    today = local_today(settings.timezone, now)
    if held_on > today:
        raise StoreError(ErrorCode.FUTURE_DATE, held_on=held_on, today=today)
    if held_on < today - timedelta(days=settings.checkin_max_backdate_days):
        raise StoreError(ErrorCode.TOO_OLD, held_on=held_on, days=settings.checkin_max_backdate_days)


def current_key(branch_id: int, type_code: str, held_on: date, group_id: int | None) -> str:
    """The value of ``activity_record.current_key`` for the current version of a meeting."""
    return f"{branch_id}:{type_code}:{held_on.isoformat()}:{group_id or 0}"


def find_current_record(
    *, session: Session, branch_id: int, type_code: str, held_on: date, group_id: int | None = None
) -> RecordView | None:
    """The current record of that meeting, if any."""
    key = current_key(branch_id, type_code, held_on, group_id)
    if session.connection().execute(_RECORD_ID_BY_KEY, {"key": key}).first() is None:
        return None  # the usual case: one indexed lookup, no ORM load
    rec = session.exec(
        select(ActivityRecord).where(
            ActivityRecord.current_key == current_key(branch_id, type_code, held_on, group_id)
        )
    ).first()
    return None if rec is None else record_views(session=session, records=[rec])[0]


def precheck(
    *,
    session: Session,
    settings: Settings,
    openid: str,
    type_code: str | None = None,
    held_on: date | None = None,
    group_id: int | None = None,
    branch_id: int | None = None,
    expected: int | None = None,
    present: int | None = None,
    now: datetime | None = None,
) -> None:
    """Run the checks possible with what is known so far, so a conversation can stop early (e.g. tell a
    second sender about the first record before asking for counts). Raises like :func:`submit_record`.

    ``expected`` (with ``present`` when known) is checked against the roster of the branch, or of
    ``group_id``'s group."""
    actor = require_actor(session=session, openid=openid)
    branch = _branch_for(session=session, actor=actor, branch_id=branch_id)
    assert branch.id is not None
    if held_on is not None:
        check_date(settings=settings, held_on=held_on, now=now)
    if expected is not None:
        _check_counts(
            session=session,
            settings=settings,
            branch_id=branch.id,
            group_id=group_id,
            expected=expected,
            present=present,
        )
    if type_code is not None:
        rule = _check_type_partial(
            session=session, settings=settings, branch=branch, type_code=type_code, group_id=group_id
        )
        if held_on is not None and (rule.applies_to != AppliesTo.GROUP or group_id is not None):
            existing = find_current_record(
                session=session, branch_id=branch.id, type_code=type_code, held_on=held_on, group_id=group_id
            )
            if existing is not None:
                raise DuplicateRecordError(existing)


def _check_type_partial(
    *, session: Session, settings: Settings, branch: BranchLike, type_code: str, group_id: int | None
) -> EffectiveRule:
    try:
        return _check_type(
            session=session, settings=settings, branch=branch, type_code=type_code, group_id=group_id
        )
    except StoreError as exc:
        if exc.code is ErrorCode.GROUP_REQUIRED:  # not known yet: the conversation asks for it
            book = cached_rulebook(session=session, settings=settings)
            return book.for_path(branch.path)[type_code]
        raise


# --- validation -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Clean:
    values: dict[str, Any]  # ActivityRecord fields
    absentees: list[AbsenteeIn]
    photos: list[PhotoIn]
    rule: EffectiveRule
    warnings: tuple[str, ...]


def _check_count(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise StoreError(ErrorCode.BAD_COUNT, field=field)
    return value


def _check_counts(
    *,
    session: Session,
    settings: Settings,
    branch_id: int,
    group_id: int | None,
    expected: Any,
    present: Any = None,
) -> tuple[int, int]:
    """:func:`check_counts` against the roster of the branch (the group's for 党小组会)."""
    roster = _roster_size(session=session, branch_id=branch_id, group_id=group_id)
    return check_counts(settings=settings, roster=roster, expected=expected, present=present)


def check_counts(*, settings: Settings, roster: int, expected: Any, present: Any = None) -> tuple[int, int]:
    """应到 ≥ 1 and ≤ ``roster`` + margin (and the absolute cap); 实到 (when given) between
    ``checkin_min_present`` and 应到. Pure: a conversation checks an answer against the roster size it
    read at its start; the submission checks again against the database. Returns the pair (``present``
    -1 when not given)."""
    expected = _check_count("expected", expected)
    if expected < 1:
        raise StoreError(ErrorCode.BAD_COUNT, field="expected")
    cap = settings.checkin_max_expected
    if roster > 0:
        cap = min(cap, roster + settings.checkin_expected_margin)
    if expected > cap:
        raise StoreError(ErrorCode.EXPECTED_OVER_ROSTER, expected=expected, roster=roster, limit=cap)
    if present is None:
        return expected, -1
    present = _check_count("present", present)
    if present < 0:
        raise StoreError(ErrorCode.BAD_COUNT, field="present")
    if present < settings.checkin_min_present:
        raise StoreError(ErrorCode.TOO_FEW_PRESENT, minimum=settings.checkin_min_present)
    if present > expected:
        raise StoreError(ErrorCode.PRESENT_OVER_EXPECTED, expected=expected, present=present)
    return expected, present


def _validate(
    *,
    session: Session,
    settings: Settings,
    branch: BranchLike,
    draft: RecordDraft,
    now: datetime | None,
) -> _Clean:
    assert branch.id is not None
    rule = _check_type(
        session=session, settings=settings, branch=branch, type_code=draft.type_code, group_id=draft.group_id
    )
    if draft.also_counts_as is not None:
        if draft.also_counts_as == draft.type_code:
            raise StoreError(ErrorCode.UNKNOWN_TYPE, type_code=draft.also_counts_as)
        _check_type(
            session=session, settings=settings, branch=branch, type_code=draft.also_counts_as, group_id=None
        )
    check_date(settings=settings, held_on=draft.held_on, now=now)

    expected, present = _check_counts(
        session=session,
        settings=settings,
        branch_id=branch.id,
        group_id=draft.group_id,
        expected=draft.expected,
        present=draft.present,
    )

    if len(draft.absentees) > settings.checkin_max_absentees:
        raise StoreError(ErrorCode.TOO_MANY, field="absentees", limit=settings.checkin_max_absentees)
    absentees = [
        AbsenteeIn(
            name=_cap("absentee_name", a.name, settings.checkin_name_max_chars),
            reason=_cap("absentee_reason", a.reason, settings.checkin_reason_max_chars),
            member_id=a.member_id,
        )
        for a in draft.absentees
    ]
    if any(not a.name for a in absentees):
        raise StoreError(ErrorCode.BAD_COUNT, field="absentees")
    if len(absentees) > expected - present:
        raise StoreError(ErrorCode.ABSENTEES_OVER_GAP, listed=len(absentees), gap=expected - present)

    seen: set[str] = set()
    photos: list[PhotoIn] = []
    for p in draft.photos:
        if p.sha256 not in seen:
            seen.add(p.sha256)
            photos.append(PhotoIn(media_id=_cap("photo", p.media_id, 200), sha256=p.sha256))
    if len(photos) > settings.checkin_max_photos:
        raise StoreError(ErrorCode.TOO_MANY, field="photos", limit=settings.checkin_max_photos)
    if rule.photo_required and not photos:
        raise StoreError(ErrorCode.PHOTO_REQUIRED, type_name=rule.type_name)

    values: dict[str, Any] = {
        "type_code": draft.type_code,
        "held_on": draft.held_on,
        "start_time": draft.start_time,
        "place": _cap("place", draft.place, settings.checkin_place_max_chars),
        "host": _cap("host", draft.host, settings.checkin_name_max_chars),
        "recorder": _cap("recorder", draft.recorder, settings.checkin_name_max_chars),
        "topic": _cap("topic", draft.topic, settings.checkin_topic_max_chars),
        "expected": expected,
        "present": present,
        "summary": _cap("summary", draft.summary, settings.checkin_summary_max_chars),
        "decisions": _cap("decisions", draft.decisions, settings.checkin_decisions_max_chars),
        "also_counts_as": draft.also_counts_as,
        "group_id": draft.group_id,
    }
    warnings: list[str] = []
    # 条例 Art. 11: a 党员大会 needs more than half of the voting members present.
    if draft.type_code == ActivityCode.GENERAL_MEETING and present * 2 <= expected:
        warnings.append("quorum")
    return _Clean(values, absentees, photos, rule, tuple(warnings))


def _is_late(*, settings: Settings, held_on: date, submitted_at: datetime, rule: EffectiveRule) -> bool:
    return (local_date(submitted_at, settings.timezone) - held_on).days > rule.deadline_days


# --- writes -----------------------------------------------------------------------------------------------

_AUDITED = (
    "type_code", "held_on", "start_time", "place", "host", "recorder", "topic", "expected", "present",
    "summary", "decisions", "also_counts_as", "group_id",
)  # fmt: skip


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    return value


def _snapshot(values: Mapping[str, Any], absentees: Iterable[AbsenteeIn | AbsenteeView]) -> dict[str, Any]:
    snap = {k: _jsonable(values[k]) for k in _AUDITED}
    snap["absentees"] = [[a.name, a.reason] for a in absentees]
    return snap


def _insert_children(
    *,
    session: Session,
    record_id: int,
    absentees: Sequence[AbsenteeIn],
    photos: Sequence[PhotoIn | PhotoView],
) -> None:
    for a in absentees:
        session.add(RecordAbsentee(record_id=record_id, member_id=a.member_id, name=a.name, reason=a.reason))
    for p in photos:
        session.add(RecordPhoto(record_id=record_id, media_id=p.media_id, sha256=p.sha256))


_ABSENTEE = RecordAbsentee.__table__  # type: ignore[attr-defined]
_PHOTO = RecordPhoto.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]
_STATE = ConversationStateRow.__table__  # type: ignore[attr-defined]
_INSERT_RECORD = sa.insert(_RECORD)
_INSERT_ABSENTEE = sa.insert(_ABSENTEE)
_INSERT_PHOTO = sa.insert(_PHOTO)
_INSERT_AUDIT = sa.insert(_AUDIT)
_DELETE_STATE = sa.delete(_STATE).where(_STATE.c.openid == sa.bindparam("openid"))


def _insert_children_core(
    conn: sa.Connection,
    *,
    record_id: int,
    absentees: Sequence[AbsenteeIn],
    photos: Sequence[PhotoIn | PhotoView],
    at: datetime,
) -> None:
    """:func:`_insert_children` as Core inserts (one executemany per table)."""
    if absentees:
        conn.execute(
            _INSERT_ABSENTEE,
            [{"record_id": record_id, "member_id": a.member_id, "name": a.name, "reason": a.reason} for a in absentees],
        )
    if photos:
        conn.execute(
            _INSERT_PHOTO,
            [{"record_id": record_id, "media_id": p.media_id, "sha256": p.sha256, "added_at": at} for p in photos],
        )


def _raise_duplicate(*, session: Session, key: str) -> None:
    if session.connection().execute(_RECORD_ID_BY_KEY, {"key": key}).first() is None:
        return  # the usual case: one indexed lookup, no ORM load
    rec = session.exec(select(ActivityRecord).where(ActivityRecord.current_key == key)).first()
    if rec is not None:
        raise DuplicateRecordError(record_views(session=session, records=[rec])[0])


def submit_record(
    *,
    session: Session,
    settings: Settings,
    openid: str,
    draft: RecordDraft,
    now: datetime | None = None,
    clear_state: bool = False,
) -> RecordView:
    """Validate ``draft`` and store it as a new record of the submitter's branch. Commits.

    Organizers' records are confirmed at once; members' are pending. ``clear_state`` also deletes the
    user's conversation state in the same transaction (finishing a check-in is atomic)."""
    moment = now or utcnow()
    actor = require_actor(session=session, openid=openid)
    branch = _branch_for(session=session, actor=actor, branch_id=draft.branch_id)
    assert branch.id is not None
    clean = _validate(session=session, settings=settings, branch=branch, draft=draft, now=moment)
    key = current_key(branch.id, draft.type_code, draft.held_on, draft.group_id)
    _raise_duplicate(session=session, key=key)
    organizer = actor.may_manage(branch.id, branch.path)
    status = str(RecordStatus.CONFIRMED if organizer else RecordStatus.PENDING)
    confirmed_at = moment if organizer else None
    late = _is_late(settings=settings, held_on=draft.held_on, submitted_at=moment, rule=clean.rule)
    row: dict[str, Any] = {
        **clean.values,
        "branch_id": branch.id,
        "held_month": month_key(draft.held_on),
        "submitted_by": actor.member_id,
        "submitted_at": moment,
        "status": status,
        "confirmed_by": actor.member_id if organizer else None,
        "confirmed_at": confirmed_at,
        "late": late,
        "version": 1,
        "supersedes_id": None,
        "is_current": True,
        "current_key": key,
    }
    # Core inserts (no ORM unit of work: ~0.7 ms less per submission). The record insert is this
    # transaction's first write, so on a unique violation rolling everything back loses nothing.
    # (No SAVEPOINT: pysqlite's legacy transaction handling would commit on RELEASE.)
    conn = session.connection()
    try:
        inserted = conn.execute(_INSERT_RECORD, row).inserted_primary_key
    except IntegrityError:
        # Another submission of the same meeting won the race (the unique key decided).
        session.rollback()
        _raise_duplicate(session=session, key=key)
        raise
    assert inserted is not None
    record_id = int(inserted[0])
    _insert_children_core(conn, record_id=record_id, absentees=clean.absentees, photos=clean.photos, at=moment)
    conn.execute(
        _INSERT_AUDIT,
        {
            "at": moment,
            "actor_member_id": actor.member_id,
            "actor_openid": openid,
            "action": "create",
            "entity": "activity_record",
            "entity_id": record_id,
            "before": None,
            "after": _snapshot(clean.values, clean.absentees),
        },
    )
    if clear_state:
        conn.execute(_DELETE_STATE, {"openid": openid})
    # The view from what was just written (no read-back: that was five more queries per submission).
    group_id = clean.values["group_id"]
    group_name = None
    if group_id is not None:
        group_name = conn.execute(_ORG_NAME, {"id": group_id}).scalar()
    session.commit()  # before building the view: the SQLite write lock is held until the commit
    v = clean.values
    view = RecordView(
        id=record_id,
        branch_id=branch.id,
        branch_name=branch.name,
        group_id=group_id,
        group_name=group_name,
        type_code=v["type_code"],
        type_name=clean.rule.type_name,
        held_on=v["held_on"],
        start_time=v["start_time"],
        place=v["place"],
        host=v["host"],
        recorder=v["recorder"],
        topic=v["topic"],
        expected=v["expected"],
        present=v["present"],
        summary=v["summary"],
        decisions=v["decisions"],
        also_counts_as=v["also_counts_as"],
        absentees=tuple(AbsenteeView(a.name, a.reason, a.member_id) for a in clean.absentees),
        photos=tuple(PhotoView(p.media_id, p.sha256) for p in clean.photos),
        submitted_by=actor.member_id,
        submitted_by_name=actor.name,
        submitted_at=moment.astimezone(UTC),  # as the database gives it back
        status=status,
        late=late,
        confirmed_by=row["confirmed_by"],
        confirmed_at=confirmed_at.astimezone(UTC) if confirmed_at is not None else None,
        version=1,
        supersedes_id=None,
        is_current=True,
        warnings=clean.warnings,
    )
    return view


def _with_warnings(view: RecordView, warnings: tuple[str, ...]) -> RecordView:
    return replace(view, warnings=warnings) if warnings else view


def _load_current(*, session: Session, record_id: int) -> ActivityRecord:
    rec = session.get(ActivityRecord, record_id)
    if rec is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="record", id=record_id)
    if not rec.is_current:
        raise StoreError(ErrorCode.NOT_CURRENT, record_id=record_id)
    return rec


def confirm_record(
    *, session: Session, openid: str, record_id: int, now: datetime | None = None
) -> RecordView:
    """An organizer (or staff above) confirms a pending record. Commits."""
    actor = require_actor(session=session, openid=openid)
    rec = _load_current(session=session, record_id=record_id)
    branch = get_org(session=session, org_id=rec.branch_id)
    if not actor.may_manage(rec.branch_id, branch.path):
        raise StoreError(ErrorCode.FORBIDDEN)
    if rec.status == RecordStatus.CONFIRMED:
        raise StoreError(ErrorCode.ALREADY_CONFIRMED, record_id=record_id)
    moment = now or utcnow()
    rec.status = RecordStatus.CONFIRMED
    rec.confirmed_by = actor.member_id
    rec.confirmed_at = moment
    session.add(rec)
    session.add(
        AuditEvent(
            actor_member_id=actor.member_id,
            actor_openid=openid,
            action="confirm",
            entity="activity_record",
            entity_id=record_id,
            before={"status": RecordStatus.PENDING.value},
            after={"status": RecordStatus.CONFIRMED.value},
            at=moment,
        )
    )
    session.commit()
    return record_views(session=session, records=[rec])[0]


def correct_record(
    *,
    session: Session,
    settings: Settings,
    openid: str,
    record_id: int,
    changes: Mapping[str, Any],
    reason: str = "",
    now: datetime | None = None,
) -> RecordView:
    """Store a corrected version of record ``record_id`` (the old version stays, no longer current)
    and an audit event with the changed fields before/after. Commits.

    Organizers (and staff above) may correct any current record of the branch. The member who submitted
    it may correct it while it is pending and within the deadline; otherwise it is locked."""
    moment = now or utcnow()
    actor = require_actor(session=session, openid=openid)
    old = _load_current(session=session, record_id=record_id)
    branch = get_org(session=session, org_id=old.branch_id)
    assert branch.id is not None and old.id is not None
    manager = actor.may_manage(branch.id, branch.path)
    if not manager:
        if actor.member_id != old.submitted_by:
            raise StoreError(ErrorCode.OTHER_BRANCH if actor.org_id != branch.id else ErrorCode.FORBIDDEN)
        rule = load_rulebook(session=session, settings=settings).for_path(branch.path).get(old.type_code)
        deadline = rule.deadline_days if rule else settings.checkin_deadline_days
        if (
            old.status != RecordStatus.PENDING
            or (local_date(moment, settings.timezone) - old.held_on).days > deadline
        ):
            raise StoreError(ErrorCode.LOCKED)
    unknown = set(changes) - set(RecordDraft.model_fields) - {"branch_id"}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    old_view = record_views(session=session, records=[old])[0]
    base = RecordDraft(
        type_code=old.type_code,
        held_on=old.held_on,
        start_time=old.start_time,
        place=old.place,
        host=old.host,
        recorder=old.recorder,
        topic=old.topic,
        expected=old.expected,
        present=old.present,
        absentees=[
            AbsenteeIn(name=a.name, reason=a.reason, member_id=a.member_id) for a in old_view.absentees
        ],
        summary=old.summary,
        decisions=old.decisions,
        photos=[PhotoIn(media_id=p.media_id, sha256=p.sha256) for p in old_view.photos],
        group_id=old.group_id,
        also_counts_as=old.also_counts_as,
    )
    draft = RecordDraft.model_validate({**base.model_dump(), **dict(changes), "branch_id": branch.id})
    clean = _validate(session=session, settings=settings, branch=branch, draft=draft, now=moment)
    before = _snapshot({k: getattr(old, k) for k in _AUDITED}, old_view.absentees)
    after = _snapshot(clean.values, clean.absentees)
    changed = sorted(k for k in after if after[k] != before[k])
    old_photos = {p.sha256 for p in old_view.photos}
    photos_changed = {p.sha256 for p in clean.photos} != old_photos
    if not changed and not photos_changed:
        raise StoreError(ErrorCode.NOTHING_CHANGED)
    key = current_key(branch.id, draft.type_code, draft.held_on, draft.group_id)
    if key != old.current_key:
        _raise_duplicate(session=session, key=key)
    old.is_current = False
    old.current_key = None
    session.add(old)
    session.flush()
    new = ActivityRecord(
        **clean.values,
        branch_id=branch.id,
        held_month=month_key(draft.held_on),
        submitted_by=old.submitted_by,
        submitted_at=old.submitted_at,  # lateness is about the first submission, not the correction
        status=RecordStatus.CONFIRMED if manager else RecordStatus.PENDING,
        confirmed_by=actor.member_id if manager else None,
        confirmed_at=moment if manager else None,
        late=_is_late(
            settings=settings, held_on=draft.held_on, submitted_at=old.submitted_at, rule=clean.rule
        ),
        version=old.version + 1,
        supersedes_id=old.id,
        is_current=True,
        current_key=key,
    )
    try:
        session.add(new)
        session.flush()
    except IntegrityError:  # a concurrent submission took the new key: undo the whole correction
        session.rollback()
        _raise_duplicate(session=session, key=key)
        raise
    assert new.id is not None
    _insert_children(session=session, record_id=new.id, absentees=clean.absentees, photos=clean.photos)
    audit_before = {k: before[k] for k in changed}
    audit_after: dict[str, Any] = {k: after[k] for k in changed}
    if photos_changed:
        audit_before["photos"] = sorted(old_photos)
        audit_after["photos"] = sorted(p.sha256 for p in clean.photos)
    audit_after["_supersedes"] = old.id
    audit_after["_version"] = new.version
    if reason:
        audit_after["_reason"] = clean_text(reason)[: settings.checkin_reason_max_chars]
    session.add(
        AuditEvent(
            actor_member_id=actor.member_id,
            actor_openid=openid,
            action="correct",
            entity="activity_record",
            entity_id=new.id,
            before=audit_before,
            after=audit_after,
            at=moment,
        )
    )
    session.commit()
    return _with_warnings(record_views(session=session, records=[new])[0], clean.warnings)


def add_photo(
    *,
    session: Session,
    settings: Settings,
    openid: str,
    record_id: int,
    photo: PhotoIn,
    now: datetime | None = None,
) -> RecordView:
    """Attach a photo to a current record (submitter or organizer). The same image twice attaches once.
    Commits."""
    actor = require_actor(session=session, openid=openid)
    rec = _load_current(session=session, record_id=record_id)
    branch = get_org(session=session, org_id=rec.branch_id)
    if actor.member_id != rec.submitted_by and not actor.may_manage(rec.branch_id, branch.path):
        raise StoreError(ErrorCode.FORBIDDEN)
    existing = list(session.exec(select(RecordPhoto).where(RecordPhoto.record_id == record_id)))
    if photo.sha256 not in {p.sha256 for p in existing}:
        if len(existing) >= settings.checkin_max_photos:
            raise StoreError(ErrorCode.TOO_MANY, field="photos", limit=settings.checkin_max_photos)
        session.add(
            RecordPhoto(record_id=record_id, media_id=clean_text(photo.media_id)[:200], sha256=photo.sha256)
        )
        session.add(
            AuditEvent(
                actor_member_id=actor.member_id,
                actor_openid=openid,
                action="photo_add",
                entity="activity_record",
                entity_id=record_id,
                after={"media_id": photo.media_id, "sha256": photo.sha256},
                at=now or utcnow(),
            )
        )
        session.commit()
    return record_views(session=session, records=[rec])[0]


# --- reads ------------------------------------------------------------------------------------------------


def record_views(*, session: Session, records: Sequence[ActivityRecord]) -> list[RecordView]:
    """Views of ``records`` with their children and names (a fixed number of queries)."""
    ids = [r.id for r in records if r.id is not None]
    if not ids:
        return []
    absentees: dict[int, list[AbsenteeView]] = {}
    for a in session.exec(
        select(RecordAbsentee).where(col(RecordAbsentee.record_id).in_(ids)).order_by(col(RecordAbsentee.id))
    ):
        absentees.setdefault(a.record_id, []).append(AbsenteeView(a.name, a.reason, a.member_id))
    photos: dict[int, list[PhotoView]] = {}
    for p in session.exec(
        select(RecordPhoto).where(col(RecordPhoto.record_id).in_(ids)).order_by(col(RecordPhoto.id))
    ):
        photos.setdefault(p.record_id, []).append(PhotoView(p.media_id, p.sha256))
    org_ids = {r.branch_id for r in records} | {r.group_id for r in records if r.group_id is not None}
    orgs = {o.id: o.name for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))}
    member_ids = {r.submitted_by for r in records if r.submitted_by is not None}
    members = {m.id: m.name for m in session.exec(select(Member).where(col(Member.id).in_(member_ids)))}
    types = {t.code: t.name for t in session.exec(select(ActivityType))}
    out = []
    for r in records:
        assert r.id is not None
        out.append(
            RecordView(
                id=r.id,
                branch_id=r.branch_id,
                branch_name=orgs.get(r.branch_id, ""),
                group_id=r.group_id,
                group_name=orgs.get(r.group_id) if r.group_id is not None else None,
                type_code=r.type_code,
                type_name=types.get(r.type_code, r.type_code),
                held_on=r.held_on,
                start_time=r.start_time,
                place=r.place,
                host=r.host,
                recorder=r.recorder,
                topic=r.topic,
                expected=r.expected,
                present=r.present,
                summary=r.summary,
                decisions=r.decisions,
                also_counts_as=r.also_counts_as,
                absentees=tuple(absentees.get(r.id, ())),
                photos=tuple(photos.get(r.id, ())),
                submitted_by=r.submitted_by,
                submitted_by_name=members.get(r.submitted_by) if r.submitted_by is not None else None,
                submitted_at=r.submitted_at,
                status=r.status,
                late=r.late,
                confirmed_by=r.confirmed_by,
                confirmed_at=r.confirmed_at,
                version=r.version,
                supersedes_id=r.supersedes_id,
                is_current=r.is_current,
            )
        )
    return out


def latest_submission(*, session: Session, openid: str, since: datetime) -> RecordView | None:
    """The current record ``openid``'s member submitted last, if submitted at or after ``since`` (the
    conversation attaches images sent shortly after a submission to it)."""
    actor = require_actor(session=session, openid=openid)
    rec = session.exec(
        select(ActivityRecord)
        .where(
            ActivityRecord.submitted_by == actor.member_id,
            col(ActivityRecord.is_current).is_(True),
            col(ActivityRecord.submitted_at) >= since,
        )
        .order_by(col(ActivityRecord.submitted_at).desc(), col(ActivityRecord.id).desc())
    ).first()
    return None if rec is None else record_views(session=session, records=[rec])[0]


def get_record(*, session: Session, record_id: int) -> RecordView:
    rec = session.get(ActivityRecord, record_id)
    if rec is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="record", id=record_id)
    return record_views(session=session, records=[rec])[0]


def record_history(*, session: Session, record_id: int) -> list[RecordView]:
    """All versions of the meeting ``record_id`` belongs to, oldest first (follows ``supersedes_id``)."""
    rec = session.get(ActivityRecord, record_id)
    if rec is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="record", id=record_id)
    chain = [rec]
    while chain[0].supersedes_id is not None:
        prev = session.get(ActivityRecord, chain[0].supersedes_id)
        if prev is None:
            break
        chain.insert(0, prev)
    while True:
        nxt = session.exec(select(ActivityRecord).where(ActivityRecord.supersedes_id == chain[-1].id)).first()
        if nxt is None:
            break
        chain.append(nxt)
    return record_views(session=session, records=chain)


def audit_events(*, session: Session, entity: str, entity_ids: Sequence[int]) -> list[AuditEvent]:
    """Audit events of the given entities, oldest first."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity == entity, col(AuditEvent.entity_id).in_(list(entity_ids)))
            .order_by(col(AuditEvent.id))
        )
    )


def pending_records(*, session: Session, openid: str, limit: int = 20) -> list[RecordView]:
    """Current records awaiting confirmation in the branches the organizer (or staff) manages."""
    actor = require_actor(session=session, openid=openid)
    stmt = (
        select(ActivityRecord)
        .join(Organisation, col(Organisation.id) == col(ActivityRecord.branch_id))
        .where(col(ActivityRecord.is_current).is_(True), ActivityRecord.status == RecordStatus.PENDING)
    )
    if actor.is_staff:
        stmt = stmt.where(col(Organisation.path).startswith(actor.org_path, autoescape=True))
    elif actor.is_organizer_of(actor.org_id):
        stmt = stmt.where(ActivityRecord.branch_id == actor.org_id)
    else:
        raise StoreError(ErrorCode.FORBIDDEN)
    recs = list(session.exec(stmt.order_by(col(ActivityRecord.held_on), col(ActivityRecord.id)).limit(limit)))
    return record_views(session=session, records=recs)


def branch_records(
    *, session: Session, branch_id: int, first: date, last: date, current_only: bool = True
) -> list[RecordView]:
    """Records of a branch held between ``first`` and ``last`` (inclusive), by date."""
    stmt = select(ActivityRecord).where(
        ActivityRecord.branch_id == branch_id,
        col(ActivityRecord.held_on) >= first,
        col(ActivityRecord.held_on) <= last,
    )
    if current_only:
        stmt = stmt.where(col(ActivityRecord.is_current).is_(True))
    recs = list(session.exec(stmt.order_by(col(ActivityRecord.held_on), col(ActivityRecord.id))))
    return record_views(session=session, records=recs)
