"""Reads and writes of the console pages (synchronous store functions, run through ``CheckinStore.call``).

Every query is scoped by the signed-in :class:`Principal`: organisations are filtered by the materialised
path prefix, so a branch organizer's query can only ever return rows of their branch. Objects outside the
scope are reported as not found (their existence is not revealed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from bot.console.accounts import Principal
from bot.store.checkins import audit_events, record_history, record_views
from bot.store.errors import ErrorCode, StoreError
from bot.store.models import (
    ActivityRecord,
    ActivityType,
    AuditEvent,
    FrequencyRule,
    Member,
    Organisation,
    OrgLevel,
    RecordStatus,
    utcnow,
)
from bot.store.periods import PeriodRef
from bot.store.views import RecordView

STATUS_FILTERS: dict[str, str] = {"pending": "待确认", "confirmed": "已确认", "late": "逾期补报"}


def data_fingerprint(*, session: Session) -> tuple[int, ...]:
    """Changes whenever a record is submitted, corrected or confirmed, an organisation or a rule is
    added: the compliance cache compares it on every page view (one cheap query)."""
    row = (
        session.connection()
        .execute(
            sa.select(
                sa.select(func.max(ActivityRecord.id)).scalar_subquery(),
                sa.select(func.max(AuditEvent.id)).scalar_subquery(),
                sa.select(func.max(Organisation.id)).scalar_subquery(),
                sa.select(func.count())
                .select_from(Organisation)
                .where(col(Organisation.active).is_(True))
                .scalar_subquery(),
                sa.select(func.max(FrequencyRule.id)).scalar_subquery(),
            )
        )
        .one()
    )
    return tuple(int(v or 0) for v in row)


def touched_branches(*, session: Session, since: tuple[int, ...], limit: int) -> list[int] | None:
    """Branches whose records were added or changed after the fingerprint ``since``: new record ids
    (submissions, corrections) and records named by new audit events (confirmations, photos). None
    when more than ``limit`` (recomputing everything is then as cheap)."""
    r = ActivityRecord.__table__  # type: ignore[attr-defined]
    a = AuditEvent.__table__  # type: ignore[attr-defined]
    stmt = sa.union(
        sa.select(r.c.branch_id).where(r.c.id > since[0]),
        sa.select(r.c.branch_id)
        .select_from(a.join(r, r.c.id == a.c.entity_id))
        .where(a.c.id > since[1], a.c.entity == "activity_record"),
    ).limit(limit + 1)
    ids = [int(v) for v in session.connection().execute(stmt).scalars()]
    return None if len(ids) > limit else ids


def org_in_scope(*, session: Session, principal: Principal, org_id: int, level: str | None = None) -> Organisation:
    """The organisation ``org_id`` when the principal sees it (StoreError NOT_FOUND otherwise)."""
    org = session.get(Organisation, org_id)
    if org is None or not principal.sees(org.path) or (level is not None and org.level != level):
        raise StoreError(ErrorCode.NOT_FOUND, what="org", id=org_id)
    return org


def activity_type_names(*, session: Session) -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in session.exec(select(ActivityType).order_by(col(ActivityType.sort_order)))]


def branch_choices(*, session: Session, principal: Principal, name: str, limit: int) -> list[tuple[int, str]]:
    """Branches in scope whose name contains ``name`` (for the records filter)."""
    stmt = select(Organisation.id, Organisation.name_path).where(
        col(Organisation.path).startswith(principal.org_path, autoescape=True),
        Organisation.level == OrgLevel.BRANCH,
    )
    if name:
        stmt = stmt.where(col(Organisation.name).contains(name, autoescape=True))
    rows = [(int(i), str(p)) for i, p in session.exec(stmt.limit(limit)) if i is not None]
    return sorted(rows, key=lambda r: r[1])


@dataclass(frozen=True, slots=True)
class RecordFilter:
    branch_id: int | None = None
    branch_name: str = ""
    type_code: str = ""
    period: PeriodRef | None = None
    status: str = ""


@dataclass(frozen=True, slots=True)
class RecordPage:
    records: list[RecordView]
    total: int
    page: int
    pages: int
    next_cursor: str = ""  # ``after=`` of the next page ("" on the last page)
    prev_cursor: str = ""  # ``before=`` of the previous page ("" on the first page)


def _cursor(r: ActivityRecord) -> str:
    return f"{r.held_on.isoformat()}_{r.id}"


def parse_cursor(text: str | None) -> tuple[date, int] | None:
    """``2026-11-05_123`` (a record's meeting date and id) → (date, id); None when absent or malformed."""
    if not text:
        return None
    held, _, rid = text.partition("_")
    try:
        return date.fromisoformat(held), int(rid)
    except ValueError:
        return None


def list_records(
    *,
    session: Session,
    principal: Principal,
    flt: RecordFilter,
    page: int,
    page_size: int,
    after: tuple[date, int] | None = None,
    before: tuple[date, int] | None = None,
) -> RecordPage:
    """Current records in scope matching ``flt``, newest meeting first (held_on, id descending), one page
    of ``page_size``.

    Keyset pagination: ``after`` (the last record of the previous page) or ``before`` (the first record of
    the next page) seek by (held_on, id) through the index instead of skipping rows with OFFSET, so a deep
    page costs what the first one does. ``page`` is then only the number shown (carried by the links);
    without a cursor, ``page`` is an OFFSET page (old links keep working)."""
    conds: list[Any] = [
        col(ActivityRecord.is_current).is_(True),
        col(Organisation.path).startswith(principal.org_path, autoescape=True),
    ]
    if flt.branch_id is not None:
        conds.append(ActivityRecord.branch_id == flt.branch_id)
    if flt.branch_name:
        conds.append(col(Organisation.name).contains(flt.branch_name, autoescape=True))
    if flt.type_code:
        conds.append(
            sa.or_(col(ActivityRecord.type_code) == flt.type_code, col(ActivityRecord.also_counts_as) == flt.type_code)
        )
    if flt.period is not None:
        conds.append(col(ActivityRecord.held_on) >= flt.period.start)
        conds.append(col(ActivityRecord.held_on) <= flt.period.end)
    if flt.status == "pending":
        conds.append(ActivityRecord.status == RecordStatus.PENDING)
    elif flt.status == "confirmed":
        conds.append(ActivityRecord.status == RecordStatus.CONFIRMED)
    elif flt.status == "late":
        conds.append(col(ActivityRecord.late).is_(True))
    join = (Organisation, col(Organisation.id) == col(ActivityRecord.branch_id))
    total = int(session.exec(select(func.count()).select_from(ActivityRecord).join(*join).where(*conds)).one())
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    key = sa.tuple_(col(ActivityRecord.held_on), col(ActivityRecord.id))
    newest_first = (col(ActivityRecord.held_on).desc(), col(ActivityRecord.id).desc())
    stmt = select(ActivityRecord).join(*join).where(*conds)
    if after is not None:
        recs = list(session.exec(stmt.where(key < sa.tuple_(*after)).order_by(*newest_first).limit(page_size + 1)))
        has_next, has_prev = len(recs) > page_size, True
        recs = recs[:page_size]
    elif before is not None:
        oldest_first = (col(ActivityRecord.held_on).asc(), col(ActivityRecord.id).asc())
        recs = list(session.exec(stmt.where(key > sa.tuple_(*before)).order_by(*oldest_first).limit(page_size + 1)))
        has_next, has_prev = True, len(recs) > page_size
        recs = recs[:page_size][::-1]
    else:
        recs = list(session.exec(stmt.order_by(*newest_first).offset((page - 1) * page_size).limit(page_size)))
        has_next, has_prev = page < pages, page > 1
    if not has_prev:
        page = 1
    if not has_next:
        page = pages
    return RecordPage(
        record_views(session=session, records=recs),
        total,
        page,
        pages,
        _cursor(recs[-1]) if recs and has_next else "",
        _cursor(recs[0]) if recs and has_prev else "",
    )


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    record_id: int
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordDetail:
    record: RecordView
    branch_path: str
    versions: list[RecordView]
    audit: list[AuditLine]
    may_confirm: bool


def may_confirm(principal: Principal, record: RecordView, branch_path: str) -> bool:
    """Organizers confirm their branch's pending records; county accounts those of their subtree."""
    if not record.is_current or record.status != RecordStatus.PENDING:
        return False
    if principal.is_county:
        return principal.sees(branch_path)
    return principal.org_id == record.branch_id


def record_detail(*, session: Session, principal: Principal, record_id: int) -> RecordDetail:
    """One record with its versions and audit trail (NOT_FOUND when outside the scope)."""
    rec = session.get(ActivityRecord, record_id)
    if rec is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="record", id=record_id)
    branch = org_in_scope(session=session, principal=principal, org_id=rec.branch_id)
    view = record_views(session=session, records=[rec])[0]
    versions = record_history(session=session, record_id=record_id)
    events = audit_events(session=session, entity="activity_record", entity_ids=[v.id for v in versions])
    actor_ids = {e.actor_member_id for e in events if e.actor_member_id is not None}
    names = {m.id: m.name for m in session.exec(select(Member).where(col(Member.id).in_(actor_ids)))}
    audit = [
        AuditLine(
            at=e.at,
            actor=names.get(e.actor_member_id, "") if e.actor_member_id is not None else "",
            action=e.action,
            record_id=e.entity_id,
            before=dict(e.before or {}),
            after=dict(e.after or {}),
        )
        for e in events
    ]
    return RecordDetail(view, branch.path, versions, audit, may_confirm(principal, view, branch.path))


def confirm_record(
    *, session: Session, principal: Principal, record_id: int, now: datetime | None = None
) -> RecordView:
    """Confirm a pending record from the console (the same rule as ``确认`` in WeChat: an organizer of
    the branch, or an account above it). The audit event names the linked roster member and the console
    login (``_via``). The conditional UPDATE decides races between two confirmations. Commits."""
    rec = session.get(ActivityRecord, record_id)
    if rec is None:
        raise StoreError(ErrorCode.NOT_FOUND, what="record", id=record_id)
    branch = org_in_scope(session=session, principal=principal, org_id=rec.branch_id)
    view = record_views(session=session, records=[rec])[0]
    if not rec.is_current:
        raise StoreError(ErrorCode.NOT_CURRENT, record_id=record_id)
    if rec.status == RecordStatus.CONFIRMED:
        raise StoreError(ErrorCode.ALREADY_CONFIRMED, record_id=record_id)
    if not may_confirm(principal, view, branch.path):
        raise StoreError(ErrorCode.FORBIDDEN)
    moment = now or utcnow()
    table = ActivityRecord.__table__  # type: ignore[attr-defined]
    result = session.connection().execute(
        sa.update(table)
        .where(table.c.id == record_id, table.c.status == RecordStatus.PENDING.value, table.c.is_current.is_(True))
        .values(status=RecordStatus.CONFIRMED.value, confirmed_by=principal.member_id, confirmed_at=moment)
    )
    if result.rowcount != 1:
        session.rollback()
        raise StoreError(ErrorCode.ALREADY_CONFIRMED, record_id=record_id)
    session.add(
        AuditEvent(
            actor_member_id=principal.member_id,
            actor_openid=None,
            action="confirm",
            entity="activity_record",
            entity_id=record_id,
            before={"status": RecordStatus.PENDING.value},
            after={"status": RecordStatus.CONFIRMED.value, "_via": f"console:{principal.login}"},
            at=moment,
        )
    )
    session.commit()
    session.expire_all()
    fresh = session.get(ActivityRecord, record_id)
    assert fresh is not None
    return record_views(session=session, records=[fresh])[0]


def branch_records_in(*, session: Session, branch_id: int, first: date, last: date, limit: int) -> list[RecordView]:
    """Current records of one branch in a span (drill-down), by date."""
    recs = list(
        session.exec(
            select(ActivityRecord)
            .where(
                ActivityRecord.branch_id == branch_id,
                col(ActivityRecord.is_current).is_(True),
                col(ActivityRecord.held_on) >= first,
                col(ActivityRecord.held_on) <= last,
            )
            .order_by(col(ActivityRecord.held_on), col(ActivityRecord.id))
            .limit(limit)
        )
    )
    return record_views(session=session, records=recs)
