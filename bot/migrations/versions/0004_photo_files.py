"""record_photo: the downloaded image (content hash, type, size, file) and the fetcher's bookkeeping

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # batch_alter_table: SQLite rebuilds the table (it cannot add constraints in place); PostgreSQL ALTERs.
    with op.batch_alter_table("record_photo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("content_type", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("size_bytes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stored_path", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("fetched_at", TS, nullable=True))
        # server_default: existing rows start at 0 attempts.
        batch_op.add_column(sa.Column("fetch_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("fetch_error", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("fetch_next_at", TS, nullable=True))
        batch_op.create_index(batch_op.f("ix_record_photo_media_id"), ["media_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_record_photo_added_at"), ["added_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_photo_added_at"))
        batch_op.drop_index(batch_op.f("ix_record_photo_media_id"))
        batch_op.drop_column("fetch_next_at")
        batch_op.drop_column("fetch_error")
        batch_op.drop_column("fetch_attempts")
        batch_op.drop_column("fetched_at")
        batch_op.drop_column("stored_path")
        batch_op.drop_column("size_bytes")
        batch_op.drop_column("content_type")
        batch_op.drop_column("content_sha256")
