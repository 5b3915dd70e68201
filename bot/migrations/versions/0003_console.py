"""web console: accounts, sessions, one-time sign-in links, failed sign-in attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "console_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_console_account_member_id_member")),
        sa.ForeignKeyConstraint(["org_id"], ["org.id"], name=op.f("fk_console_account_org_id_org")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_account")),
        sa.UniqueConstraint("login", name=op.f("uq_console_account_login")),
    )
    with op.batch_alter_table("console_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_account_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_account_org_id"), ["org_id"], unique=False)

    op.create_table(
        "console_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["console_account.id"],
            name=op.f("fk_console_session_account_id_console_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_console_session")),
    )
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_session_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_console_session_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "console_login_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["console_account.id"],
            name=op.f("fk_console_login_link_account_id_console_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_login_link")),
    )
    with op.batch_alter_table("console_login_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_login_link_account_id"), ["account_id"], unique=False)

    op.create_table(
        "console_login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_login_attempt")),
    )
    with op.batch_alter_table("console_login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_console_login_attempt_ip_at", ["ip", "at"], unique=False)
        batch_op.create_index("ix_console_login_attempt_login_at", ["login", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("console_login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_console_login_attempt_login_at")
        batch_op.drop_index("ix_console_login_attempt_ip_at")
    op.drop_table("console_login_attempt")
    with op.batch_alter_table("console_login_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_login_link_account_id"))
    op.drop_table("console_login_link")
    with op.batch_alter_table("console_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_session_expires_at"))
        batch_op.drop_index(batch_op.f("ix_console_session_account_id"))
    op.drop_table("console_session")
    with op.batch_alter_table("console_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_account_org_id"))
        batch_op.drop_index(batch_op.f("ix_console_account_member_id"))
    op.drop_table("console_account")
