"""Tables of broadcasts, deliveries, last interactions and reminder rules/runs (migration 0002).

Codes are short strings (``StrEnum`` values), never database enums. Datetimes are aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.store.models import JSONType, utcnow  # also sets the metadata naming convention


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting (first try, or a retry after ``next_attempt_at``)
    SENDING = "sending"  # claimed by ``lease_owner`` until ``lease_until``
    DELIVERED = "delivered"  # WeChat accepted it
    FAILED = "failed"  # transient errors exhausted, or a permanent error that is ours (bad template…)
    UNREACHABLE = "unreachable"  # nobody to send to: not bound, outside the window with no template…


FINAL_STATES: frozenset[str] = frozenset({DeliveryState.DELIVERED, DeliveryState.FAILED, DeliveryState.UNREACHABLE})


class Channel(StrEnum):
    CUSTOM = "custom"  # customer-service text (48 h window)
    TEMPLATE = "template"  # template message (fields ≤ 20 chars)
    MASS = "mass"  # mass send by openid list (clientmsgid)


class BroadcastStatus(StrEnum):
    SENDING = "sending"
    DONE = "done"


class UserActivity(SQLModel, table=True):
    """Last time a WeChat user wrote to us (opens the 48 h customer-service window), and whether they
    still follow the account (an ``unsubscribe`` event clears it)."""

    __tablename__: ClassVar[Any] = "user_activity"

    openid: str = Field(primary_key=True, max_length=64)
    last_inbound_at: datetime
    subscribed: bool = True
    updated_at: datetime = Field(default_factory=utcnow)


class Broadcast(SQLModel, table=True):
    """One notice to many people. ``draft_key`` makes "确认" idempotent (the preview's key)."""

    __tablename__: ClassVar[Any] = "broadcast"

    id: int | None = Field(default=None, primary_key=True)
    draft_key: str = Field(max_length=64, unique=True)
    origin: str = Field(default="wechat", max_length=16)  # wechat / reminder / cli
    sender_member_id: int | None = Field(default=None, foreign_key="member.id")
    sender_openid: str | None = Field(default=None, max_length=64, index=True)
    sender_name: str = Field(default="", max_length=50)
    org_id: int | None = Field(default=None, foreign_key="org.id")
    org_name: str = Field(default="", max_length=100)
    target_kind: str = Field(max_length=16)  # branch / group / subtree / absent / members
    target_label: str = Field(default="", max_length=200)
    content: str = Field(sa_type=sa.Text)
    summary: str = Field(default="", max_length=40)  # ≤ 20 chars, for template fields and lists
    recipients: int = 0
    status: str = Field(default=BroadcastStatus.SENDING, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    reported_at: datetime | None = None
    rule_code: str | None = Field(default=None, max_length=40)


class Delivery(SQLModel, table=True):
    """One recipient of a broadcast. ``idem_key`` is unique and travels to WeChat as the template
    ``client_msg_id`` (mass sends use ``mass_key`` as ``clientmsgid``)."""

    __tablename__: ClassVar[Any] = "delivery"
    __table_args__ = (
        sa.Index("ix_delivery_state_next", "state", "next_attempt_at"),
        sa.Index("ix_delivery_broadcast_state", "broadcast_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", ondelete="CASCADE")
    idem_key: str = Field(max_length=64, unique=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    name: str = Field(default="", max_length=50)
    openid: str | None = Field(default=None, max_length=64)
    state: str = Field(default=DeliveryState.PENDING, max_length=16)
    channel: str | None = Field(default=None, max_length=16)
    reason: str = Field(default="", max_length=40)  # unreachable/failed reason code, or ""
    error_code: int | None = None
    attempts: int = 0
    inflight: bool = False  # set before the API call, cleared with the result: a crash leaves it set
    mass_key: str | None = Field(default=None, max_length=64, index=True)
    content: str | None = Field(default=None, sa_type=sa.Text)  # personalised text (reminders); else the broadcast's
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class ReminderRule(SQLModel, table=True):
    """A scheduled reminder, as data (seeded by migration 0002; operators may edit rows).

    Schedule: at ``at_time`` (Beijing) on days matching ``day_of_month`` / ``weekday`` (0 = Monday) and
    ``months`` ("" = every month, else e.g. "3,6,9,12"). ``check`` decides who is behind:
    ``open`` — the current period of a type in ``type_codes`` is not done yet; ``missing`` — a period
    judged in the last ``lookback_months`` months is missing (deadline passed). ``audience``:
    ``branch_organizers`` (书记/副书记/组织委员 of each branch behind) or ``county_staff`` (staff of the
    top organisations, one summary each). ``message`` uses {branch} {items} {count} {total} {date} {org}.
    """

    __tablename__: ClassVar[Any] = "reminder_rule"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=60)
    enabled: bool = True
    day_of_month: int | None = None
    weekday: int | None = None
    months: str = Field(default="", max_length=40)
    at_time: str = Field(default="09:00", max_length=5)
    type_codes: str = Field(default="", max_length=200)
    check: str = Field(default="open", max_length=16)
    lookback_months: int = 1
    audience: str = Field(default="branch_organizers", max_length=24)
    message: str = Field(sa_type=sa.Text)


class ReminderRun(SQLModel, table=True):
    """One firing of a rule. The UNIQUE ``run_key`` (``code:date``) makes each reminder fire once,
    whatever the number of schedulers: the run row, its broadcast and deliveries commit together."""

    __tablename__: ClassVar[Any] = "reminder_run"

    id: int | None = Field(default=None, primary_key=True)
    run_key: str = Field(max_length=80, unique=True)
    rule_code: str = Field(max_length=40, index=True)
    due_at: datetime
    ran_at: datetime = Field(default_factory=utcnow)
    owner: str = Field(default="", max_length=64)
    recipients: int = 0
    broadcast_id: int | None = Field(default=None, foreign_key="broadcast.id")
    detail: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
