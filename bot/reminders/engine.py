"""Evaluating reminder rules against compliance, and firing a run exactly once.

``fire_run`` inserts the ``reminder_run`` row (UNIQUE ``run_key``), the broadcast and its deliveries in
ONE transaction: a second scheduler (another process) fails on the unique key and skips; a crash before
the commit leaves nothing, so the next tick fires it again. On PostgreSQL a transaction-level advisory
lock on the run key additionally keeps a second scheduler from even evaluating a run being fired.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.broadcast.compose import fit, fit_bytes
from bot.broadcast.models import ReminderRule, ReminderRun
from bot.broadcast.store import Recipient, create_broadcast, organizers_of, staff_of
from bot.settings import Settings
from bot.store.compliance import BranchCompliance, ComplianceRow, Status, compute_compliance
from bot.store.models import Organisation, utcnow
from bot.store.periods import local_today, month_key

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    recipients: tuple[Recipient, ...]
    text: str
    org_id: int
    org_name: str


@dataclass(slots=True)
class Evaluation:
    rule_code: str
    messages: list[Message] = field(default_factory=list)
    behind: list[str] = field(default_factory=list)  # branch names behind (for the operator)

    @property
    def recipients(self) -> int:
        return sum(len(m.recipients) for m in self.messages)


def _months_back(today: date, n: int) -> int:
    y, m = today.year, today.month - max(0, n)
    while m <= 0:
        y, m = y - 1, m + 12
    return y * 100 + m


def _behind_rows(
    bc: BranchCompliance, rule: ReminderRule, today: date, first_month: int, types: set[str]
) -> list[ComplianceRow]:
    rows: list[ComplianceRow] = []
    for r in bc.rows:
        if types and r.type_code not in types:
            continue
        if rule.check == "missing":
            if r.status == Status.MISSING and first_month <= r.judged_month <= month_key(today):
                rows.append(r)
        elif r.period.start <= today <= r.period.end and r.status in (Status.OPEN, Status.MISSING):
            rows.append(r)
    return rows


def _items(rows: Sequence[ComplianceRow]) -> str:
    names: dict[str, None] = {}
    for r in rows:
        label = r.type_name if r.org_id == r.branch_id else f"{r.org_name}{r.type_name}"
        names.setdefault(label, None)
    return "、".join(names)


def _format(template: str, **values: object) -> str:
    text = template
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def evaluate_rule(
    *, session: Session, settings: Settings, rule: ReminderRule, now: datetime | None = None
) -> Evaluation:
    """Who is behind according to ``rule`` today (Beijing), and the messages to send."""
    moment = now or utcnow()
    today = local_today(settings.timezone, moment)
    types = {t.strip() for t in rule.type_codes.split(",") if t.strip()}
    first = _months_back(today, rule.lookback_months) if rule.check == "missing" else month_key(today)
    out = Evaluation(rule.code)
    roots = session.exec(
        select(Organisation).where(col(Organisation.parent_id).is_(None), col(Organisation.active).is_(True))
    ).all()
    date_text = f"{today.month}月{today.day}日"
    for root in roots:
        assert root.id is not None
        report = compute_compliance(
            session=session,
            settings=settings,
            root_id=root.id,
            first_month=first,
            last_month=month_key(today),
            as_of=today,
        )
        behind: list[tuple[BranchCompliance, list[ComplianceRow]]] = []
        for bc in report.branches:
            rows = _behind_rows(bc, rule, today, first, types)
            if rows:
                behind.append((bc, rows))
        out.behind.extend(bc.name for bc, _ in behind)
        if rule.audience == "county_staff":
            staff = staff_of(session=session, org_id=root.id)
            if not staff or not behind:
                continue
            head = _format(
                rule.message,
                org=root.name,
                total=len(report.branches),
                count=len(behind),
                date=date_text,
                items="{items}",
            )
            budget = settings.reply_max_bytes - len(head.encode("utf-8")) + len(b"{items}")
            parts = [f"{bc.name}（{_items(rows)}）" for bc, rows in behind]
            items = "；".join(parts)
            if len(items.encode("utf-8")) > budget:
                kept: list[str] = []
                for p in parts:
                    tail = f"等{len(parts)}个支部"
                    if len("；".join([*kept, p]).encode("utf-8")) + len(tail.encode("utf-8")) > budget:
                        break
                    kept.append(p)
                items = "；".join(kept) + f"等{len(parts)}个支部"
            text = fit_bytes(head.replace("{items}", items), settings.reply_max_bytes)
            out.messages.append(Message(tuple(staff), text, root.id, root.name))
        else:
            organizers = organizers_of(session=session, branch_ids=[bc.branch_id for bc, _ in behind])
            for bc, rows in behind:
                people = organizers.get(bc.branch_id, [])
                if not people:
                    continue
                text = _format(
                    rule.message, branch=bc.name, items=_items(rows), date=date_text, org=root.name, count=1, total=1
                )
                out.messages.append(
                    Message(tuple(people), fit_bytes(text, settings.reply_max_bytes), bc.branch_id, bc.name)
                )
    return out


def _advisory_lock(session: Session, run_key: str) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = int.from_bytes(hashlib.blake2b(run_key.encode(), digest_size=8).digest(), "big", signed=True)
    return bool(session.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


@dataclass(frozen=True, slots=True)
class Fired:
    run_key: str
    fired: bool  # False: another scheduler fired it (or is firing it)
    recipients: int = 0
    broadcast_id: int | None = None
    behind: tuple[str, ...] = ()


def fire_run(
    *,
    session: Session,
    settings: Settings,
    rule: ReminderRule,
    run_key: str,
    due_at: datetime,
    owner: str,
    now: datetime | None = None,
) -> Fired:
    """Evaluate ``rule`` and enqueue its messages, once per ``run_key`` (see the module docstring)."""
    moment = now or utcnow()
    if session.exec(select(ReminderRun.id).where(ReminderRun.run_key == run_key)).first() is not None:
        return Fired(run_key, fired=False)
    if not _advisory_lock(session, run_key):
        session.rollback()
        return Fired(run_key, fired=False)
    evaluation = evaluate_rule(session=session, settings=settings, rule=rule, now=moment)
    recipients: list[Recipient] = []
    personal: dict[int, str] = {}
    for m in evaluation.messages:
        for r in m.recipients:
            personal[len(recipients)] = m.text
            recipients.append(r)
    run = ReminderRun(
        run_key=run_key,
        rule_code=rule.code,
        due_at=due_at,
        ran_at=moment,
        owner=owner,
        recipients=len(recipients),
        detail={"behind": evaluation.behind[:200], "messages": len(evaluation.messages)},
    )
    session.add(run)
    try:
        session.flush()
        broadcast_id: int | None = None
        if recipients:
            created = create_broadcast(
                session=session,
                draft_key=f"run:{run_key}"[:64],
                origin="reminder",
                org_id=evaluation.messages[0].org_id if len(evaluation.messages) == 1 else None,
                org_name="党建助手",
                target_kind="reminder",
                target_label=rule.name,
                content=rule.name,
                summary=fit(rule.name.split("：")[-1], settings.template_field_max_chars),
                recipients=recipients,
                personal=personal,
                rule_code=rule.code,
                commit=False,
                now=moment,
            )
            broadcast_id = created.broadcast_id
            run.broadcast_id = broadcast_id
            session.add(run)
        session.commit()
    except IntegrityError:
        session.rollback()
        return Fired(run_key, fired=False)
    log.info(
        "reminder %s fired: %d recipient(s), %d branch(es) behind", run_key, len(recipients), len(evaluation.behind)
    )
    return Fired(run_key, True, len(recipients), broadcast_id, tuple(evaluation.behind))


def load_rules(*, session: Session, code: str | None = None, enabled_only: bool = True) -> list[ReminderRule]:
    stmt = select(ReminderRule).order_by(col(ReminderRule.id))
    if code is not None:
        stmt = stmt.where(ReminderRule.code == code)
    if enabled_only:
        stmt = stmt.where(col(ReminderRule.enabled).is_(True))
    rules = list(session.exec(stmt))
    for r in rules:
        session.expunge(r)
    return rules


def last_runs(*, session: Session) -> dict[str, ReminderRun]:
    out: dict[str, ReminderRun] = {}
    for run in session.exec(select(ReminderRun).order_by(col(ReminderRun.id))):
        out[run.rule_code] = run
    return out
