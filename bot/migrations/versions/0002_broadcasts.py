"""broadcasts, deliveries, last interactions, reminder rules (seeded) and runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)

# Reminder rules as data (docs/broadcasts.md). Placeholders: {branch} {items} {count} {total} {date} {org}.
SEED_RULES: list[dict[str, object]] = [
    {
        "code": "theme_day_20th",
        "name": "每月20日：主题党日未登记提醒",
        "enabled": True,
        "day_of_month": 20,
        "weekday": None,
        "months": "",
        "at_time": "09:00",
        "type_codes": "theme_day",
        "check": "open",
        "lookback_months": 1,
        "audience": "branch_organizers",
        "message": "【提醒】{branch}：本月{items}尚未登记。请按时开展，活动后在党建助手回复「打卡」登记。",
    },
    {
        "code": "quarter_end_meetings",
        "name": "季度末月10日：党员大会、党课未登记提醒",
        "enabled": True,
        "day_of_month": 10,
        "weekday": None,
        "months": "3,6,9,12",
        "at_time": "09:00",
        "type_codes": "general_meeting,lecture",
        "check": "open",
        "lookback_months": 1,
        "audience": "branch_organizers",
        "message": "【提醒】{branch}：本季度{items}尚未登记，本月是季度最后一个月，请抓紧召开并登记。",
    },
    {
        "code": "weekly_county_summary",
        "name": "每周一：向县委组织部通报落后支部",
        "enabled": True,
        "day_of_month": None,
        "weekday": 0,
        "months": "",
        "at_time": "09:00",
        "type_codes": "",
        "check": "missing",
        "lookback_months": 1,
        "audience": "county_staff",
        "message": "【周通报】截至{date}，{org}所辖{total}个支部中{count}个有逾期未完成的项目：{items}",
    },
]


def upgrade() -> None:
    op.create_table(
        "reminder_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("day_of_month", sa.Integer(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("months", sa.String(length=40), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("type_codes", sa.String(length=200), nullable=False),
        sa.Column("check", sa.String(length=16), nullable=False),
        sa.Column("lookback_months", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=24), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_rule")),
        sa.UniqueConstraint("code", name=op.f("uq_reminder_rule_code")),
    )
    op.create_table(
        "user_activity",
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("last_inbound_at", TS, nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("openid", name=op.f("pk_user_activity")),
    )
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_key", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("sender_member_id", sa.Integer(), nullable=True),
        sa.Column("sender_openid", sa.String(length=64), nullable=True),
        sa.Column("sender_name", sa.String(length=50), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("org_name", sa.String(length=100), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_label", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("summary", sa.String(length=40), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("reported_at", TS, nullable=True),
        sa.Column("rule_code", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name=op.f("fk_broadcast_org_id_org")),
        sa.ForeignKeyConstraint(["sender_member_id"], ["member.id"], name=op.f("fk_broadcast_sender_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast")),
        sa.UniqueConstraint("draft_key", name=op.f("uq_broadcast_draft_key")),
    )
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broadcast_sender_openid"), ["sender_openid"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("idem_key", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("inflight", sa.Boolean(), nullable=False),
        sa.Column("mass_key", sa.String(length=64), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcast.id"],
            name=op.f("fk_delivery_broadcast_id_broadcast"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_delivery_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("idem_key", name=op.f("uq_delivery_idem_key")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index("ix_delivery_broadcast_state", ["broadcast_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_mass_key"), ["mass_key"], unique=False)
        batch_op.create_index("ix_delivery_state_next", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "reminder_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(length=80), nullable=False),
        sa.Column("rule_code", sa.String(length=40), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("ran_at", TS, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["broadcast_id"], ["broadcast.id"], name=op.f("fk_reminder_run_broadcast_id_broadcast")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_run")),
        sa.UniqueConstraint("run_key", name=op.f("uq_reminder_run_run_key")),
    )
    with op.batch_alter_table("reminder_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_run_rule_code"), ["rule_code"], unique=False)

    rules = sa.table(
        "reminder_rule",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("enabled", sa.Boolean),
        sa.column("day_of_month", sa.Integer),
        sa.column("weekday", sa.Integer),
        sa.column("months", sa.String),
        sa.column("at_time", sa.String),
        sa.column("type_codes", sa.String),
        sa.column("check", sa.String),
        sa.column("lookback_months", sa.Integer),
        sa.column("audience", sa.String),
        sa.column("message", sa.Text),
    )
    op.bulk_insert(rules, SEED_RULES)


def downgrade() -> None:
    with op.batch_alter_table("reminder_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_run_rule_code"))
    op.drop_table("reminder_run")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_state_next")
        batch_op.drop_index(batch_op.f("ix_delivery_mass_key"))
        batch_op.drop_index("ix_delivery_broadcast_state")
    op.drop_table("delivery")
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_sender_openid"))
    op.drop_table("broadcast")
    op.drop_table("user_activity")
    op.drop_table("reminder_rule")
