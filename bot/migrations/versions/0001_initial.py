"""initial schema: organisations, members, rules, records, state

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:09:21.478972
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_type",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_activity_type")),
    )
    op.create_table(
        "conversation_state",
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("flow", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("openid", name=op.f("pk_conversation_state")),
    )
    with op.batch_alter_table("conversation_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_state_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "org",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("has_committee", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("name_path", sa.String(length=500), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["org.id"], name=op.f("fk_org_parent_id_org")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org")),
        sa.UniqueConstraint("name_path", name=op.f("uq_org_name_path")),
    )
    with op.batch_alter_table("org", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_org_path"), ["path"], unique=False)

    op.create_table(
        "frequency_rule",
        sa.Column("type_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("applies_to", sa.String(length=16), nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=True),
        sa.Column("photo_required", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name=op.f("fk_frequency_rule_org_id_org")),
        sa.ForeignKeyConstraint(
            ["type_code"], ["activity_type.code"], name=op.f("fk_frequency_rule_type_code_activity_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frequency_rule")),
        sa.UniqueConstraint("type_code", "org_id", name="uq_frequency_rule_type_org"),
    )
    with op.batch_alter_table("frequency_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frequency_rule_org_id"), ["org_id"], unique=False)

    op.create_table(
        "member",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["org.id"], name=op.f("fk_member_group_id_org")),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name=op.f("fk_member_org_id_org")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_member_org_name", ["org_id", "name"], unique=False)

    op.create_table(
        "activity_record",
        sa.Column("type_code", sa.String(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("place", sa.String(length=400), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("recorder", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("also_counts_as", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("held_month", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("current_key", sa.String(length=80), nullable=True),
        sa.CheckConstraint("present >= 0 AND expected >= present", name=op.f("ck_activity_record_counts")),
        sa.ForeignKeyConstraint(
            ["also_counts_as"],
            ["activity_type.code"],
            name=op.f("fk_activity_record_also_counts_as_activity_type"),
        ),
        sa.ForeignKeyConstraint(["branch_id"], ["org.id"], name=op.f("fk_activity_record_branch_id_org")),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["member.id"], name=op.f("fk_activity_record_confirmed_by_member")
        ),
        sa.ForeignKeyConstraint(["group_id"], ["org.id"], name=op.f("fk_activity_record_group_id_org")),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["member.id"], name=op.f("fk_activity_record_submitted_by_member")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["activity_record.id"],
            name=op.f("fk_activity_record_supersedes_id_activity_record"),
        ),
        sa.ForeignKeyConstraint(
            ["type_code"], ["activity_type.code"], name=op.f("fk_activity_record_type_code_activity_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_record")),
        sa.UniqueConstraint("current_key", name=op.f("uq_activity_record_current_key")),
    )
    with op.batch_alter_table("activity_record", schema=None) as batch_op:
        batch_op.create_index("ix_activity_record_branch_month", ["branch_id", "held_month"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_member_id", sa.Integer(), nullable=True),
        sa.Column("actor_openid", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["actor_member_id"], ["member.id"], name=op.f("fk_audit_event_actor_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "invite_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("scene", sa.String(length=64), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["org.id"], name=op.f("fk_invite_code_branch_id_org")),
        sa.ForeignKeyConstraint(["created_by"], ["member.id"], name=op.f("fk_invite_code_created_by_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_code")),
        sa.UniqueConstraint("code", name=op.f("uq_invite_code_code")),
        sa.UniqueConstraint("scene", name=op.f("uq_invite_code_scene")),
    )
    with op.batch_alter_table("invite_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invite_code_branch_id"), ["branch_id"], unique=False)

    op.create_table(
        "record_absentee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_record_absentee_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["activity_record.id"],
            name=op.f("fk_record_absentee_record_id_activity_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_absentee")),
    )
    with op.batch_alter_table("record_absentee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_absentee_record_id"), ["record_id"], unique=False)

    op.create_table(
        "record_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["activity_record.id"],
            name=op.f("fk_record_photo_record_id_activity_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_photo")),
        sa.UniqueConstraint("record_id", "sha256", name="uq_record_photo_record_sha"),
    )
    with op.batch_alter_table("record_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_photo_record_id"), ["record_id"], unique=False)

    op.create_table(
        "wechat_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=True),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invite_id"], ["invite_code.id"], name=op.f("fk_wechat_binding_invite_id_invite_code")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_wechat_binding_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_binding")),
        sa.UniqueConstraint("member_id", name=op.f("uq_wechat_binding_member_id")),
        sa.UniqueConstraint("openid", name=op.f("uq_wechat_binding_openid")),
    )
    _seed()


# Default rules, written from 《中国共产党支部工作条例（试行）》(2018) and common county practice.
# A snapshot on purpose: later changes to the defaults are new migrations; counties override per
# organisation with their own frequency_rule rows.
_TYPES = [
    ("theme_day", "主题党日", 1),
    ("general_meeting", "支部党员大会", 2),
    ("committee", "支部委员会", 3),
    ("group_meeting", "党小组会", 4),
    ("lecture", "党课", 5),
    ("life_meeting", "组织生活会", 6),
]
_RULES = [
    ("theme_day", "month", 1, "branch", "支部工作条例第十六条：每个月固定一天左右开展主题党日。"),
    (
        "general_meeting",
        "quarter",
        1,
        "branch",
        "支部工作条例第十一条：党员大会一般每季度开一次，到会有表决权的党员须超过半数。",
    ),
    (
        "committee",
        "month",
        1,
        "committee",
        "支部工作条例第十二条：支委会一般每月开一次；正式党员满7人的支部才设支委会。",
    ),
    ("group_meeting", "month", 1, "group", "支部工作条例第十三条：设党小组的，党小组会一般每月开一次。"),
    (
        "lecture",
        "quarter",
        1,
        "branch",
        "多数省县规定每季度至少讲一次党课（也有“每年不少于两次”的规定，可按组织覆盖）。",
    ),
    ("life_meeting", "year", 1, "branch", "支部工作条例第十七条：组织生活会每年至少一次，一般放在第四季度。"),
]


def _seed() -> None:
    types = sa.table(
        "activity_type",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("sort_order", sa.Integer),
    )
    rules = sa.table(
        "frequency_rule",
        sa.column("type_code", sa.String),
        sa.column("period", sa.String),
        sa.column("min_count", sa.Integer),
        sa.column("applies_to", sa.String),
        sa.column("deadline_days", sa.Integer),
        sa.column("photo_required", sa.Boolean),
        sa.column("enabled", sa.Boolean),
        sa.column("basis", sa.Text),
        sa.column("org_id", sa.Integer),
    )
    op.bulk_insert(types, [{"code": c, "name": n, "sort_order": o} for c, n, o in _TYPES])
    op.bulk_insert(
        rules,
        [
            {
                "type_code": code,
                "period": period,
                "min_count": count,
                "applies_to": applies,
                "deadline_days": None,
                "photo_required": False,
                "enabled": True,
                "basis": basis,
                "org_id": None,
            }
            for code, period, count, applies, basis in _RULES
        ],
    )


def downgrade() -> None:
    op.drop_table("wechat_binding")
    with op.batch_alter_table("record_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_photo_record_id"))

    op.drop_table("record_photo")
    with op.batch_alter_table("record_absentee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_absentee_record_id"))

    op.drop_table("record_absentee")
    with op.batch_alter_table("invite_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_code_branch_id"))

    op.drop_table("invite_code")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")

    op.drop_table("audit_event")
    with op.batch_alter_table("activity_record", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_record_branch_month")

    op.drop_table("activity_record")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_org_name")
        batch_op.drop_index(batch_op.f("ix_member_group_id"))

    op.drop_table("member")
    with op.batch_alter_table("frequency_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frequency_rule_org_id"))

    op.drop_table("frequency_rule")
    with op.batch_alter_table("org", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_path"))
        batch_op.drop_index(batch_op.f("ix_org_parent_id"))

    op.drop_table("org")
    with op.batch_alter_table("conversation_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_state_expires_at"))

    op.drop_table("conversation_state")
    op.drop_table("activity_type")
