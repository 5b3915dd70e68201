"""Synchronous store functions of broadcasts (run them off the loop with ``CheckinStore.call``).

* :func:`plan_broadcast` — who may send what to whom (refusals are :class:`BroadcastError`);
* :func:`create_broadcast` — the broadcast and one delivery row per recipient, in one transaction,
  idempotent by ``draft_key`` (a second 「确认」 finds the first broadcast);
* :func:`claim_deliveries` / :func:`begin_attempts` / :func:`record_results` — the sender's state
  machine ``pending → sending(lease owner, expiry) → delivered / failed / unreachable``;
* :func:`finish_if_done`, :func:`broadcast_report`, :func:`recent_broadcasts` — reports.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.broadcast.compose import ACTIVITY_ALIASES, NoticeCommand, clean_body, compose_text, fit, utf8_len
from bot.broadcast.models import (
    FINAL_STATES,
    Broadcast,
    BroadcastStatus,
    Delivery,
    DeliveryState,
    UserActivity,
)
from bot.settings import Settings
from bot.store.binding import actor_for_openid
from bot.store.models import (
    ActivityRecord,
    ActivityType,
    AuditEvent,
    Member,
    Organisation,
    OrgLevel,
    Role,
    WeChatBinding,
    utcnow,
)
from bot.store.orgs import groups_of
from bot.store.periods import local_today, period_of
from bot.store.rules import effective_rules
from bot.store.views import Actor

log = logging.getLogger(__name__)


class BroadcastErrorCode(StrEnum):
    NOT_BOUND = "not_bound"
    FORBIDDEN = "forbidden"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    UNKNOWN_GROUP = "unknown_group"
    NO_GROUPS = "no_groups"
    UNKNOWN_ORG = "unknown_org"
    UNKNOWN_ACTIVITY = "unknown_activity"
    NO_RECORD = "no_record"
    NO_ABSENTEES = "no_absentees"
    NO_RECIPIENTS = "no_recipients"
    NOT_FOUND = "not_found"


class BroadcastError(Exception):
    """A refusal, worded for the user by ``handlers.broadcast_texts.error_text``."""

    def __init__(self, code: BroadcastErrorCode, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    member_id: int | None
    openid: str | None


@dataclass(frozen=True, slots=True)
class Plan:
    """What 「确认」 would send (shown in the preview)."""

    sender_member_id: int
    sender_openid: str
    sender_name: str
    org_id: int
    org_name: str
    target_kind: str
    target_label: str
    content: str
    summary: str
    recipients: tuple[Recipient, ...]
    estimate: Mapping[str, int]  # custom / template / mass / unreachable


# --- planning ------------------------------------------------------------------------------------------


def _members_under(*, session: Session, path: str, exclude: int | None) -> list[Recipient]:
    rows = session.exec(
        select(Member.id, Member.name, WeChatBinding.openid)
        .join(Organisation, col(Organisation.id) == col(Member.org_id))
        .join(WeChatBinding, col(WeChatBinding.member_id) == col(Member.id), isouter=True)
        .where(col(Organisation.path).startswith(path, autoescape=True), col(Member.active).is_(True))
        .order_by(col(Member.id))
    ).all()
    return [Recipient(name, mid, openid) for mid, name, openid in rows if mid != exclude]


def _members_of(*, session: Session, branch_id: int, group_id: int | None, exclude: int | None) -> list[Recipient]:
    stmt = (
        select(Member.id, Member.name, WeChatBinding.openid)
        .join(WeChatBinding, col(WeChatBinding.member_id) == col(Member.id), isouter=True)
        .where(Member.org_id == branch_id, col(Member.active).is_(True))
    )
    if group_id is not None:
        stmt = stmt.where(Member.group_id == group_id)
    rows = session.exec(stmt.order_by(col(Member.id))).all()
    return [Recipient(name, mid, openid) for mid, name, openid in rows if mid != exclude]


def _activity_code(*, session: Session, word: str) -> tuple[str, str]:
    code = ACTIVITY_ALIASES.get(word)
    types = {t.code: t for t in session.exec(select(ActivityType))}
    if code is None:
        code = next((t.code for t in types.values() if t.name == word), None)
    if code is None or code not in types:
        names = "、".join(t.name for t in sorted(types.values(), key=lambda t: t.sort_order))
        raise BroadcastError(BroadcastErrorCode.UNKNOWN_ACTIVITY, word=word, types=names)
    return code, types[code].name


def absent_members(
    *, session: Session, settings: Settings, branch_id: int, type_code: str, today: date
) -> tuple[list[Recipient], str]:
    """Members recorded absent from ``type_code`` in its current period (union over the period's current
    records; absentees without a member id are matched by name in the branch). Returns them and the
    period's Chinese label. BroadcastError NO_RECORD when the period has no record yet."""
    rules = effective_rules(session=session, settings=settings, org_id=branch_id)
    rule = rules.get(type_code)
    period = period_of(today, rule.period if rule is not None else "month")
    records = list(
        session.exec(
            select(ActivityRecord).where(
                ActivityRecord.branch_id == branch_id,
                col(ActivityRecord.is_current).is_(True),
                sa.or_(col(ActivityRecord.type_code) == type_code, col(ActivityRecord.also_counts_as) == type_code),
                col(ActivityRecord.held_on) >= period.start,
                col(ActivityRecord.held_on) <= period.end,
            )
        )
    )
    if not records:
        raise BroadcastError(BroadcastErrorCode.NO_RECORD, period=period.label_zh)
    from bot.store.models import RecordAbsentee

    ids = [r.id for r in records if r.id is not None]
    absentees = list(session.exec(select(RecordAbsentee).where(col(RecordAbsentee.record_id).in_(ids))))
    roster = _members_of(session=session, branch_id=branch_id, group_id=None, exclude=None)
    by_id = {r.member_id: r for r in roster}
    by_name: dict[str, Recipient] = {}
    for r in roster:
        by_name.setdefault(r.name, r)
    out: dict[str, Recipient] = {}
    for a in absentees:
        hit = by_id.get(a.member_id) if a.member_id is not None else by_name.get(a.name)
        rec = hit if hit is not None else Recipient(a.name, None, None)
        out.setdefault(f"m{rec.member_id}" if rec.member_id is not None else f"n{rec.name}", rec)
    return list(out.values()), period.label_zh


def _check_content(settings: Settings, body: str, org_name: str, sender_name: str) -> str:
    content = clean_body(body)
    if not content:
        raise BroadcastError(BroadcastErrorCode.EMPTY)
    if len(content) > settings.broadcast_max_chars:
        raise BroadcastError(BroadcastErrorCode.TOO_LONG, chars=len(content), limit=settings.broadcast_max_chars)
    # WeChat drops texts over ~2048 bytes UTF-8 (the same limit as passive replies).
    full = compose_text(org_name=org_name, content=content, sender_name=sender_name)
    if utf8_len(full) > settings.reply_max_bytes:
        over = utf8_len(full) - settings.reply_max_bytes
        raise BroadcastError(
            BroadcastErrorCode.TOO_LONG, chars=len(content), limit=max(1, len(content) - (over + 2) // 3)
        )
    return content


def _refuse(session: Session, actor: Actor | None, openid: str, why: str) -> BroadcastError:
    log.warning(
        "broadcast refused: openid=%s member=%s role=%s (%s)",
        openid,
        actor.member_id if actor else None,
        actor.role if actor else None,
        why,
    )
    session.add(
        AuditEvent(
            actor_member_id=actor.member_id if actor else None,
            actor_openid=openid,
            action="broadcast_refused",
            entity="broadcast",
            entity_id=0,
            after={"why": why},
        )
    )
    session.commit()
    return BroadcastError(BroadcastErrorCode.FORBIDDEN if actor else BroadcastErrorCode.NOT_BOUND)


def may_broadcast(actor: Actor) -> bool:
    """Organizers (书记/副书记/组织委员) of their branch, and county/township staff."""
    return actor.is_staff or actor.is_organizer_of(actor.org_id)


def plan_broadcast(
    *, session: Session, settings: Settings, openid: str, command: NoticeCommand, now: datetime | None = None
) -> Plan:
    """Resolve the sender's rights, the target and the recipients of ``command`` (nothing is written,
    except an audit row for a refused sender)."""
    actor = actor_for_openid(session=session, openid=openid)
    if actor is None or not may_broadcast(actor):
        raise _refuse(session, actor, openid, "not an organizer or staff")
    moment = now or utcnow()
    org = session.get(Organisation, actor.org_id)
    assert org is not None and org.id is not None
    kind, label, org_id, org_name = "branch", f"{org.name}（全体）", org.id, org.name
    if actor.is_staff:
        kind, label = "subtree", f"{org.name}所辖全体党员"
    recipients: list[Recipient]
    if command.kind == "group":
        if actor.is_staff:
            raise BroadcastError(BroadcastErrorCode.UNKNOWN_GROUP, word=command.word, groups="")
        groups = groups_of(session=session, branch_id=org.id)
        if not groups:
            raise BroadcastError(BroadcastErrorCode.NO_GROUPS, branch=org.name)
        group = next((g for g in groups if g.name == command.word), None)
        if group is None:
            group = next((g for g in groups if command.word in g.name or g.name in command.word), None)
        if group is None:
            raise BroadcastError(
                BroadcastErrorCode.UNKNOWN_GROUP, word=command.word, groups="、".join(g.name for g in groups)
            )
        assert group.id is not None
        kind, label = "group", f"{org.name}{group.name}"
        content = _check_content(settings, command.body, org_name, actor.name)
        recipients = _members_of(session=session, branch_id=org.id, group_id=group.id, exclude=actor.member_id)
    elif command.kind == "absent":
        if actor.is_staff:
            raise BroadcastError(BroadcastErrorCode.FORBIDDEN)
        if not command.word:
            raise BroadcastError(BroadcastErrorCode.UNKNOWN_ACTIVITY, word="", types="主题党日、党员大会、党课…")
        code, type_name = _activity_code(session=session, word=command.word)
        content = _check_content(settings, command.body, org_name, actor.name)
        today = local_today(settings.timezone, moment)
        recipients, period = absent_members(
            session=session, settings=settings, branch_id=org.id, type_code=code, today=today
        )
        recipients = [r for r in recipients if r.member_id != actor.member_id]
        if not recipients:
            raise BroadcastError(BroadcastErrorCode.NO_ABSENTEES, activity=type_name, period=period)
        kind, label = "absent", f"{org.name}{period}{type_name}未签到人员"
    elif command.kind == "org" and actor.is_staff:
        target = session.exec(
            select(Organisation).where(
                Organisation.name == command.word,
                col(Organisation.path).startswith(org.path, autoescape=True),
                col(Organisation.active).is_(True),
            )
        ).first()
        if target is None or target.id is None:
            raise BroadcastError(BroadcastErrorCode.UNKNOWN_ORG, word=command.word, org=org.name)
        org_id, org_name = target.id, target.name
        kind, label = ("branch", f"{target.name}（全体）")
        if target.level != OrgLevel.BRANCH:
            kind, label = "subtree", f"{target.name}所辖全体党员"
        content = _check_content(settings, command.body, org_name, actor.name)
        recipients = _members_under(session=session, path=target.path, exclude=actor.member_id)
    else:
        body = command.body
        if command.kind == "org" and command.word != org.name:  # an organizer: their own branch only
            raise BroadcastError(BroadcastErrorCode.UNKNOWN_ORG, word=command.word, org=org.name)
        content = _check_content(settings, body, org_name, actor.name)
        if actor.is_staff:
            recipients = _members_under(session=session, path=org.path, exclude=actor.member_id)
        else:
            recipients = _members_of(session=session, branch_id=org.id, group_id=None, exclude=actor.member_id)
    if not recipients:
        raise BroadcastError(BroadcastErrorCode.NO_RECIPIENTS, target=label)
    return Plan(
        sender_member_id=actor.member_id,
        sender_openid=openid,
        sender_name=actor.name,
        org_id=org_id,
        org_name=org_name,
        target_kind=kind,
        target_label=label,
        content=content,
        summary=fit(content, settings.template_field_max_chars),
        recipients=tuple(recipients),
        estimate=estimate_channels(session=session, settings=settings, recipients=recipients, now=moment),
    )


def estimate_channels(
    *, session: Session, settings: Settings, recipients: Sequence[Recipient], now: datetime
) -> dict[str, int]:
    """How the recipients would be reached if sent now (the sender decides again at send time)."""
    openids = [r.openid for r in recipients if r.openid]
    seen: dict[str, UserActivity] = {}
    for chunk in _chunks(openids, 500):
        for row in session.exec(select(UserActivity).where(col(UserActivity.openid).in_(chunk))):
            seen[row.openid] = row
    window = timedelta(seconds=settings.cs_window_s - settings.cs_window_margin_s)
    out = {"custom": 0, "template": 0, "mass": 0, "unreachable": 0}
    for r in recipients:
        act = seen.get(r.openid) if r.openid else None
        if not r.openid or (act is not None and not act.subscribed):
            out["unreachable"] += 1
        elif act is not None and now - act.last_inbound_at < window:
            out["custom"] += 1
        elif settings.mass_send_enabled:
            out["mass"] += 1
        elif settings.template_id:
            out["template"] += 1
        else:
            out["unreachable"] += 1
    return out


def _chunks(items: Sequence[str], n: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


# --- creating -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Created:
    broadcast_id: int
    recipients: int
    created: bool  # False: this draft_key had already been sent (a second 「确认」)


def create_broadcast(
    *,
    session: Session,
    draft_key: str,
    plan: Plan | None = None,
    origin: str = "wechat",
    org_id: int | None = None,
    org_name: str = "",
    target_kind: str = "",
    target_label: str = "",
    content: str = "",
    summary: str = "",
    recipients: Sequence[Recipient] = (),
    personal: Mapping[int, str] | None = None,
    rule_code: str | None = None,
    commit: bool = True,
    now: datetime | None = None,
) -> Created:
    """Insert the broadcast and its deliveries (recipients without a WeChat binding are recorded
    unreachable at once). Idempotent: an existing ``draft_key`` returns that broadcast unchanged.
    ``personal`` maps a recipient's index to their own text (reminders)."""
    moment = now or utcnow()
    existing = session.exec(select(Broadcast).where(Broadcast.draft_key == draft_key)).first()
    if existing is not None and existing.id is not None:
        return Created(existing.id, existing.recipients, created=False)
    if plan is not None:
        org_id, org_name, target_kind, target_label = plan.org_id, plan.org_name, plan.target_kind, plan.target_label
        content, summary, recipients = plan.content, plan.summary, plan.recipients
    b = Broadcast(
        draft_key=draft_key,
        origin=origin,
        sender_member_id=plan.sender_member_id if plan else None,
        sender_openid=plan.sender_openid if plan else None,
        sender_name=plan.sender_name if plan else "",
        org_id=org_id,
        org_name=org_name,
        target_kind=target_kind,
        target_label=fit(target_label, 200),
        content=content,
        summary=summary,
        recipients=len(recipients),
        created_at=moment,
        rule_code=rule_code,
    )
    session.add(b)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = session.exec(select(Broadcast).where(Broadcast.draft_key == draft_key)).first()
        assert existing is not None and existing.id is not None
        return Created(existing.id, existing.recipients, created=False)
    assert b.id is not None
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(recipients):
        key = f"b{b.id}:m{r.member_id}" if r.member_id is not None else f"b{b.id}:n{i}"
        unbound = not r.openid
        rows.append(
            {
                "broadcast_id": b.id,
                "idem_key": key,
                "member_id": r.member_id,
                "name": fit(r.name, 50),
                "openid": r.openid,
                "state": DeliveryState.UNREACHABLE if unbound else DeliveryState.PENDING,
                "reason": ("not_bound" if r.member_id is not None else "not_in_roster") if unbound else "",
                "attempts": 0,
                "inflight": False,
                "content": (personal or {}).get(i),
                "next_attempt_at": moment,
                "updated_at": moment,
            }
        )
    for i in range(0, len(rows), 1000):
        session.execute(sa.insert(Delivery), rows[i : i + 1000])
    if not any(r["state"] == DeliveryState.PENDING for r in rows):
        b.status = BroadcastStatus.DONE
        b.finished_at = moment
        session.add(b)
    if commit:
        session.commit()
    return Created(b.id, len(rows), created=True)


def recent_confirmation(*, session: Session, openid: str, within_s: float, now: datetime | None = None) -> int | None:
    """The id of a broadcast ``openid`` confirmed within ``within_s`` seconds (a repeated 「确认」)."""
    since = (now or utcnow()) - timedelta(seconds=within_s)
    return session.exec(
        select(Broadcast.id)
        .where(Broadcast.sender_openid == openid, col(Broadcast.created_at) >= since)
        .order_by(col(Broadcast.id).desc())
    ).first()


# --- the sender's state machine -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed delivery with what the sender needs to send it."""

    id: int
    broadcast_id: int
    idem_key: str
    openid: str
    name: str
    attempts: int
    in_doubt: bool  # a previous owner started the API call and never recorded the result
    channel: str | None
    mass_key: str | None
    text: str
    summary: str
    org_name: str
    sender_name: str
    origin: str
    created_at: datetime
    last_inbound_at: datetime | None
    subscribed: bool | None


def claim_deliveries(
    *, session: Session, settings: Settings, owner: str, limit: int, now: datetime | None = None
) -> list[Job]:
    """Claim up to ``limit`` deliveries that are due (pending and ``next_attempt_at`` passed, or
    ``sending`` with an expired lease) for ``owner`` until ``now + broadcast_lease_s``.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then ``UPDATE … WHERE id IN (…)`` — concurrent senders never
    claim the same row and never wait for each other. SQLite: one writer at a time, and the UPDATE
    repeats the "due" condition, so a row picked by two processes is claimed by one (RETURNING)."""
    moment = now or utcnow()
    due = sa.or_(
        sa.and_(col(Delivery.state) == DeliveryState.PENDING, col(Delivery.next_attempt_at) <= moment),
        sa.and_(col(Delivery.state) == DeliveryState.SENDING, col(Delivery.lease_until) < moment),
    )
    candidates = sa.select(col(Delivery.id)).where(due).order_by(col(Delivery.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # Two statements, not UPDATE … WHERE id IN (subquery): PostgreSQL may re-run a LIMIT … SKIP LOCKED
    # subquery inside an UPDATE and claim more rows than asked.
    picked = [row[0] for row in session.execute(candidates)]
    if not picked:
        session.rollback()
        return []
    stmt = (
        sa.update(Delivery)
        .where(col(Delivery.id).in_(picked), due)
        .values(
            state=DeliveryState.SENDING,
            lease_owner=owner,
            lease_until=moment + timedelta(seconds=settings.broadcast_lease_s),
            updated_at=moment,
        )
        .returning(col(Delivery.id))
        .execution_options(synchronize_session=False)
    )
    ids = [row[0] for row in session.execute(stmt)]
    session.commit()
    if not ids:
        return []
    rows = session.execute(
        sa.select(Delivery, Broadcast, UserActivity)
        .join(Broadcast, col(Broadcast.id) == col(Delivery.broadcast_id))
        .join(UserActivity, col(UserActivity.openid) == col(Delivery.openid), isouter=True)
        .where(col(Delivery.id).in_(ids), col(Delivery.lease_owner) == owner)
        .order_by(col(Delivery.id))
    ).all()
    jobs: list[Job] = []
    for d, b, act in rows:
        assert d.id is not None and d.openid is not None
        text = d.content or compose_text(org_name=b.org_name, content=b.content, sender_name=b.sender_name)
        if b.origin != "wechat" and not d.content:
            text = b.content
        jobs.append(
            Job(
                id=d.id,
                broadcast_id=d.broadcast_id,
                idem_key=d.idem_key,
                openid=d.openid,
                name=d.name,
                attempts=d.attempts,
                in_doubt=d.inflight,
                channel=d.channel,
                mass_key=d.mass_key,
                text=text,
                summary=b.summary,
                org_name=b.org_name,
                sender_name=b.sender_name,
                origin=b.origin,
                created_at=b.created_at,
                last_inbound_at=act.last_inbound_at if act is not None else None,
                subscribed=act.subscribed if act is not None else None,
            )
        )
    return jobs


def begin_attempts(
    *,
    session: Session,
    owner: str,
    attempts: Mapping[int, tuple[str, str | None]],
    now: datetime | None = None,
) -> set[int]:
    """Just before the API calls: mark deliveries ``inflight`` (attempts + 1, channel, mass key) while
    still owned by ``owner``. Returns the ids still owned (a lost lease is not sent). One UPDATE per
    distinct (channel, mass key)."""
    moment = now or utcnow()
    groups: dict[tuple[str, str | None], list[int]] = {}
    for delivery_id, plan in attempts.items():
        groups.setdefault(plan, []).append(delivery_id)
    owned: set[int] = set()
    for (channel, mass_key), ids in groups.items():
        result = session.execute(
            sa.update(Delivery)
            .where(
                col(Delivery.id).in_(ids),
                col(Delivery.lease_owner) == owner,
                col(Delivery.state) == DeliveryState.SENDING,
            )
            .values(
                inflight=True,
                attempts=col(Delivery.attempts) + 1,
                channel=channel,
                mass_key=mass_key,
                updated_at=moment,
            )
            .returning(col(Delivery.id))
            .execution_options(synchronize_session=False)
        )
        owned.update(row[0] for row in result)
    session.commit()
    return owned


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one delivery attempt. ``retry_at`` set: back to pending for another try."""

    delivery_id: int
    state: str
    channel: str | None = None
    reason: str = ""
    error_code: int | None = None
    retry_at: datetime | None = None


def record_results(
    *, session: Session, owner: str, outcomes: Sequence[Outcome], now: datetime | None = None
) -> set[int]:
    """Write the outcomes (only for rows ``owner`` still holds), one UPDATE per distinct outcome;
    returns the broadcasts touched."""
    moment = now or utcnow()
    groups: dict[tuple[str, str | None, str, int | None, datetime | None], list[int]] = {}
    for o in outcomes:
        groups.setdefault((o.state, o.channel, o.reason, o.error_code, o.retry_at), []).append(o.delivery_id)
    touched: set[int] = set()
    for (state, channel, reason, error_code, retry_at), ids in groups.items():
        values: dict[str, Any] = {
            "inflight": False,
            "lease_owner": None,
            "lease_until": None,
            "reason": reason,
            "error_code": error_code,
            "updated_at": moment,
        }
        if channel is not None:
            values["channel"] = channel
        if retry_at is not None:
            values.update(state=DeliveryState.PENDING, next_attempt_at=retry_at)
        else:
            values["state"] = state
            if state == DeliveryState.DELIVERED:
                values["sent_at"] = moment
        result = session.execute(
            sa.update(Delivery)
            .where(col(Delivery.id).in_(ids), col(Delivery.lease_owner) == owner)
            .values(**values)
            .returning(col(Delivery.broadcast_id))
            .execution_options(synchronize_session=False)
        )
        touched.update(row[0] for row in result)
    session.commit()
    return touched


def finish_if_done(*, session: Session, broadcast_id: int, now: datetime | None = None) -> bool:
    """Mark the broadcast done when no delivery is left to send. True for exactly one caller (that
    caller sends the organizer's report)."""
    left = session.exec(
        select(sa.func.count())
        .select_from(Delivery)
        .where(
            Delivery.broadcast_id == broadcast_id,
            col(Delivery.state).in_([DeliveryState.PENDING, DeliveryState.SENDING]),
        )
    ).one()
    if left:
        return False
    result = session.execute(
        sa.update(Broadcast)
        .where(col(Broadcast.id) == broadcast_id, col(Broadcast.status) == BroadcastStatus.SENDING)
        .values(status=BroadcastStatus.DONE, finished_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def mark_reported(*, session: Session, broadcast_id: int) -> None:
    session.execute(sa.update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(reported_at=utcnow()))
    session.commit()


# --- reports --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    broadcast_id: int
    created_at: datetime
    origin: str
    sender_openid: str | None
    sender_name: str
    target_label: str
    summary: str
    status: str
    total: int
    counts: Mapping[str, int]
    channels: Mapping[str, int]
    unreachable: tuple[tuple[str, str], ...] = field(default=())  # (name, reason)
    failed: tuple[tuple[str, str], ...] = field(default=())

    @property
    def delivered(self) -> int:
        return self.counts.get(DeliveryState.DELIVERED, 0)

    @property
    def in_progress(self) -> int:
        return self.counts.get(DeliveryState.PENDING, 0) + self.counts.get(DeliveryState.SENDING, 0)


def broadcast_report(*, session: Session, broadcast_id: int, names_max: int = 1000) -> Report:
    b = session.get(Broadcast, broadcast_id)
    if b is None or b.id is None:
        raise BroadcastError(BroadcastErrorCode.NOT_FOUND, id=broadcast_id)
    counts: dict[str, int] = {}
    for state, n in session.exec(
        select(Delivery.state, sa.func.count()).where(Delivery.broadcast_id == b.id).group_by(Delivery.state)
    ):
        counts[state] = int(n)
    channels: dict[str, int] = {}
    for channel, n in session.exec(
        select(Delivery.channel, sa.func.count())
        .where(Delivery.broadcast_id == b.id, Delivery.state == DeliveryState.DELIVERED)
        .group_by(Delivery.channel)
    ):
        channels[channel or "?"] = int(n)

    def names(state: str) -> tuple[tuple[str, str], ...]:
        rows = session.exec(
            select(Delivery.name, Delivery.reason)
            .where(Delivery.broadcast_id == b.id, Delivery.state == state)
            .order_by(col(Delivery.id))
            .limit(names_max)
        ).all()
        return tuple((n, r) for n, r in rows)

    return Report(
        broadcast_id=b.id,
        created_at=b.created_at,
        origin=b.origin,
        sender_openid=b.sender_openid,
        sender_name=b.sender_name,
        target_label=b.target_label,
        summary=b.summary,
        status=b.status,
        total=b.recipients,
        counts=counts,
        channels=channels,
        unreachable=names(DeliveryState.UNREACHABLE),
        failed=names(DeliveryState.FAILED),
    )


def _visible(session: Session, actor: Actor) -> Any:
    org = session.get(Organisation, actor.org_id)
    assert org is not None
    return sa.or_(
        col(Broadcast.sender_member_id) == actor.member_id,
        col(Broadcast.org_id).in_(
            sa.select(col(Organisation.id)).where(col(Organisation.path).startswith(org.path, autoescape=True))
        ),
    )


def recent_broadcasts(*, session: Session, openid: str, limit: int) -> list[Report]:
    """The latest broadcasts the user sent or may manage (organizers: their branch; staff: subtree)."""
    actor = actor_for_openid(session=session, openid=openid)
    if actor is None or not may_broadcast(actor):
        raise BroadcastError(BroadcastErrorCode.FORBIDDEN if actor else BroadcastErrorCode.NOT_BOUND)
    ids = session.exec(
        select(Broadcast.id).where(_visible(session, actor)).order_by(col(Broadcast.id).desc()).limit(limit)
    ).all()
    return [broadcast_report(session=session, broadcast_id=i, names_max=0) for i in ids if i is not None]


def report_for(*, session: Session, openid: str, broadcast_id: int, names_max: int) -> Report:
    """One broadcast's report, if the user may see it."""
    actor = actor_for_openid(session=session, openid=openid)
    if actor is None or not may_broadcast(actor):
        raise BroadcastError(BroadcastErrorCode.FORBIDDEN if actor else BroadcastErrorCode.NOT_BOUND)
    found = session.exec(select(Broadcast.id).where(Broadcast.id == broadcast_id, _visible(session, actor))).first()
    if found is None:
        raise BroadcastError(BroadcastErrorCode.NOT_FOUND, id=broadcast_id)
    return broadcast_report(session=session, broadcast_id=broadcast_id, names_max=names_max)


def delivery_states(*, session: Session, broadcast_id: int) -> dict[str, int]:
    """``state -> count`` (tests, CLI)."""
    return {
        s: int(n)
        for s, n in session.exec(
            select(Delivery.state, sa.func.count())
            .where(Delivery.broadcast_id == broadcast_id)
            .group_by(Delivery.state)
        )
    }


def unfinished(*, session: Session) -> int:
    """Deliveries not yet final, all broadcasts."""
    return int(
        session.exec(
            select(sa.func.count()).select_from(Delivery).where(col(Delivery.state).not_in(list(FINAL_STATES)))
        ).one()
    )


def organizers_of(*, session: Session, branch_ids: Sequence[int]) -> dict[int, list[Recipient]]:
    """书记/副书记/组织委员 of each branch (reminder audience)."""
    from bot.store.models import ORGANIZER_ROLES

    out: dict[int, list[Recipient]] = {b: [] for b in branch_ids}
    if not branch_ids:
        return out
    rows = session.exec(
        select(Member.org_id, Member.id, Member.name, WeChatBinding.openid)
        .join(WeChatBinding, col(WeChatBinding.member_id) == col(Member.id), isouter=True)
        .where(
            col(Member.org_id).in_(list(branch_ids)),
            col(Member.active).is_(True),
            col(Member.role).in_([r.value for r in ORGANIZER_ROLES]),
        )
        .order_by(col(Member.id))
    ).all()
    for org_id, mid, name, openid in rows:
        out[org_id].append(Recipient(name, mid, openid))
    return out


def staff_of(*, session: Session, org_id: int) -> list[Recipient]:
    """Staff members attached to ``org_id`` (the county department)."""
    rows = session.exec(
        select(Member.id, Member.name, WeChatBinding.openid)
        .join(WeChatBinding, col(WeChatBinding.member_id) == col(Member.id), isouter=True)
        .where(Member.org_id == org_id, col(Member.active).is_(True), Member.role == Role.STAFF.value)
        .order_by(col(Member.id))
    ).all()
    return [Recipient(name, mid, openid) for mid, name, openid in rows]
