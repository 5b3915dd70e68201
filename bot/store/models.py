"""Tables of the check-in store (SQLModel), in the ``XBase`` / ``X(table=True)`` style.

Codes stored in the database are short ASCII strings (``StrEnum`` values below), never database enum
types: adding a role or an activity type is then a data change, not a schema migration. Datetimes are
aware UTC; dates (``held_on``) are Beijing calendar dates as the branch lived them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Aware UTC now (SQLModel's ``UTCDateTime`` columns refuse naive datetimes and return UTC)."""
    return datetime.now(UTC)


class OrgLevel(StrEnum):
    COUNTY = "county"  # 县(区)委
    TOWNSHIP = "township"  # 乡镇党委 / 党总支
    BRANCH = "branch"  # 党支部
    GROUP = "group"  # 党小组


class Category(StrEnum):
    FULL = "full"  # 正式党员
    PROBATIONARY = "probationary"  # 预备党员


class Role(StrEnum):
    SECRETARY = "secretary"  # 书记
    DEPUTY_SECRETARY = "deputy_secretary"  # 副书记
    ORGANIZER = "organizer"  # 组织委员
    GROUP_LEADER = "group_leader"  # 党小组长
    MEMBER = "member"  # 党员
    STAFF = "staff"  # 上级党委组织部门工作人员: sees the subtree of its organisation


ORGANIZER_ROLES: frozenset[Role] = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.ORGANIZER})


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class AppliesTo(StrEnum):
    BRANCH = "branch"  # every 党支部
    GROUP = "group"  # every 党小组 of a branch (branches without groups: not applicable)
    COMMITTEE = "committee"  # only branches that have a 支委会


class RecordStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"


class ActivityCode(StrEnum):
    """Codes of the activity types seeded by the initial migration (more may be added as data)."""

    GENERAL_MEETING = "general_meeting"  # 支部党员大会
    COMMITTEE = "committee"  # 支部委员会
    GROUP_MEETING = "group_meeting"  # 党小组会
    LECTURE = "lecture"  # 党课
    THEME_DAY = "theme_day"  # 主题党日
    LIFE_MEETING = "life_meeting"  # 组织生活会


# --- organisations and people ---------------------------------------------------------------------------


class OrganisationBase(SQLModel):
    name: str = Field(max_length=100)
    level: str = Field(max_length=16)  # OrgLevel
    has_committee: bool = False
    active: bool = True


class Organisation(OrganisationBase, table=True):
    """A node of the tree county → township → branch → group.

    ``path`` is the materialised id path ``/1/5/23/`` (subtree = ``path LIKE '/1/5/%'``); ``name_path``
    is the natural key used by the roster import (``县委/乡镇党委/党支部[/党小组]``).
    """

    __tablename__: ClassVar[Any] = "org"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="org.id", index=True)
    path: str = Field(default="", max_length=255, index=True)
    name_path: str = Field(max_length=500, unique=True)
    depth: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class MemberBase(SQLModel):
    name: str = Field(max_length=50)
    category: str = Field(default=Category.FULL, max_length=16)  # Category
    role: str = Field(default=Role.MEMBER, max_length=20)  # Role
    phone: str | None = Field(default=None, max_length=20)
    active: bool = True


class Member(MemberBase, table=True):
    """A person of the roster. ``org_id`` is the branch (or, for STAFF, the county/township)."""

    __tablename__: ClassVar[Any] = "member"
    __table_args__ = (sa.Index("ix_member_org_name", "org_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="org.id")
    group_id: int | None = Field(default=None, foreign_key="org.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WeChatBinding(SQLModel, table=True):
    """One WeChat user (openid of the Official Account) is one roster member, and vice versa."""

    __tablename__: ClassVar[Any] = "wechat_binding"

    id: int | None = Field(default=None, primary_key=True)
    openid: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", unique=True, ondelete="CASCADE")
    invite_id: int | None = Field(default=None, foreign_key="invite_code.id")
    bound_at: datetime = Field(default_factory=utcnow)


class InviteCode(SQLModel, table=True):
    """A branch invite: members send ``绑定 <code>`` or scan a QR code carrying ``scene``."""

    __tablename__: ClassVar[Any] = "invite_code"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    scene: str = Field(max_length=64, unique=True)
    branch_id: int = Field(foreign_key="org.id", index=True)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked: bool = False
    uses: int = 0


# --- rules as data --------------------------------------------------------------------------------------


class ActivityType(SQLModel, table=True):
    __tablename__: ClassVar[Any] = "activity_type"

    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=32)  # Chinese name shown to users
    sort_order: int = 0


class FrequencyRuleBase(SQLModel):
    type_code: str = Field(foreign_key="activity_type.code", max_length=32)
    period: str = Field(max_length=8)  # Period
    min_count: int = 1
    applies_to: str = Field(max_length=16)  # AppliesTo
    deadline_days: int | None = None  # None: settings.checkin_deadline_days
    photo_required: bool = False
    enabled: bool = True
    basis: str = Field(default="", sa_type=sa.Text)


class FrequencyRule(FrequencyRuleBase, table=True):
    """How often a type is due. ``org_id`` NULL is the product default; a row with an ``org_id``
    overrides it for that organisation's whole subtree (the nearest ancestor's row wins)."""

    __tablename__: ClassVar[Any] = "frequency_rule"
    __table_args__ = (sa.UniqueConstraint("type_code", "org_id", name="uq_frequency_rule_type_org"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(default=None, foreign_key="org.id", index=True)


# --- records --------------------------------------------------------------------------------------------


class ActivityRecordBase(SQLModel):
    type_code: str = Field(foreign_key="activity_type.code", max_length=32)
    held_on: date
    start_time: time | None = None
    place: str = Field(default="", max_length=400)
    host: str = Field(default="", max_length=200)
    recorder: str = Field(default="", max_length=200)
    topic: str = Field(default="", sa_type=sa.Text)
    expected: int
    present: int
    summary: str = Field(default="", sa_type=sa.Text)
    decisions: str = Field(default="", sa_type=sa.Text)
    also_counts_as: str | None = Field(default=None, foreign_key="activity_type.code", max_length=32)


class ActivityRecord(ActivityRecordBase, table=True):
    """One meeting as recorded. Corrections are new rows (``version`` + 1, ``supersedes_id``).

    ``current_key`` is ``branch:type:date:group`` on the current version and NULL on superseded ones:
    its UNIQUE constraint is what makes "one record per branch × type × date (× group)" hold under any
    concurrency, on SQLite and PostgreSQL alike (NULLs never collide).
    """

    __tablename__: ClassVar[Any] = "activity_record"
    __table_args__ = (
        sa.Index("ix_activity_record_branch_month", "branch_id", "held_month"),
        sa.CheckConstraint("present >= 0 AND expected >= present", name="counts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="org.id")  # indexed with held_month below
    group_id: int | None = Field(default=None, foreign_key="org.id")
    held_month: int  # year * 100 + month of held_on: lets compliance GROUP BY without date functions
    submitted_by: int | None = Field(default=None, foreign_key="member.id")
    submitted_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=RecordStatus.PENDING, max_length=16)
    late: bool = False
    confirmed_by: int | None = Field(default=None, foreign_key="member.id")
    confirmed_at: datetime | None = None
    version: int = 1
    supersedes_id: int | None = Field(default=None, foreign_key="activity_record.id")
    is_current: bool = True
    current_key: str | None = Field(default=None, max_length=80, unique=True)


class RecordAbsentee(SQLModel, table=True):
    __tablename__: ClassVar[Any] = "record_absentee"

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="activity_record.id", index=True, ondelete="CASCADE")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    name: str = Field(max_length=200)
    reason: str = Field(default="", max_length=200)  # 病假 / 事假 / 公假 / ...


class RecordPhoto(SQLModel, table=True):
    """A photo of a record. ``sha256`` is the delivery key (SHA-256 of the WeChat MediaId, or of the PicUrl
    when there is none): the same delivery attaches once. The ``content_*`` columns describe the image
    bytes once the photo fetcher has downloaded them (migration 0004; docs/checkins.md, "Photos")."""

    __tablename__: ClassVar[Any] = "record_photo"
    __table_args__ = (sa.UniqueConstraint("record_id", "sha256", name="uq_record_photo_record_sha"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="activity_record.id", index=True, ondelete="CASCADE")
    media_id: str = Field(max_length=200, index=True)  # indexed: a correction's copy reuses a fetched twin
    sha256: str = Field(max_length=64)
    added_at: datetime = Field(default_factory=utcnow, index=True)  # indexed: the fetcher's recent window
    content_sha256: str | None = Field(default=None, max_length=64)  # SHA-256 of the image bytes
    content_type: str | None = Field(default=None, max_length=64)  # e.g. image/jpeg (from the bytes)
    size_bytes: int | None = None
    stored_path: str | None = Field(default=None, max_length=200)  # relative to DJ_DATA_DIR
    fetched_at: datetime | None = None
    fetch_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # downloads started
    fetch_error: str | None = Field(default=None, max_length=200)  # set when the fetcher gave up
    # Not before this time: the retry backoff after a transient failure, and the lease while a process
    # downloads it (so two processes do not fetch the same photo). NULL: due now.
    fetch_next_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, with the before/after values (JSON)."""

    __tablename__: ClassVar[Any] = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor_member_id: int | None = Field(default=None, foreign_key="member.id")
    actor_openid: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=32)
    entity: str = Field(max_length=32)
    entity_id: int
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType)


# --- conversation state ---------------------------------------------------------------------------------


class ConversationStateRow(SQLModel, table=True):
    """A user's unfinished conversation (e.g. a check-in), so that it survives a restart."""

    __tablename__: ClassVar[Any] = "conversation_state"

    openid: str = Field(primary_key=True, max_length=64)
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    expires_at: datetime = Field(index=True)
    updated_at: datetime = Field(default_factory=utcnow)
