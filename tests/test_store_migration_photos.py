"""Migration 0004 (photo files): upgrade and downgrade keep the photos, on SQLite (batch mode) and on
PostgreSQL when DJ_TEST_POSTGRES_URL is set."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import Session

from bot.db import make_engine
from bot.settings import Settings
from bot.store import checkins, migrate
from tests.store_world import NOW, World, build_world, draft

NEW_COLUMNS = {
    "content_sha256",
    "content_type",
    "size_bytes",
    "stored_path",
    "fetched_at",
    "fetch_attempts",
    "fetch_error",
    "fetch_next_at",
}


def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("record_photo")}


def _indexes(engine: sa.Engine) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(engine).get_indexes("record_photo")}


def test_0004_upgrade_and_downgrade_keep_photos(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    migrate.upgrade(settings, revision="0003")
    engine = make_engine(settings)
    try:
        assert not NEW_COLUMNS & _columns(engine)
        with Session(engine) as s:
            build_world(s, settings)
            record = checkins.submit_record(session=s, settings=settings, openid=World.MEM_A, draft=draft(), now=NOW)
        with engine.begin() as conn:  # a photo stored before 0004 (raw SQL: the model has the new columns)
            conn.execute(
                sa.text(
                    "INSERT INTO record_photo (record_id, media_id, sha256, added_at) VALUES (:r, 'M1', :h, :at)"
                ),
                {"r": record.id, "h": "a" * 64, "at": NOW},
            )

        migrate.upgrade(settings, revision="0004")
        assert _columns(engine) >= NEW_COLUMNS
        assert _indexes(engine) >= {"ix_record_photo_media_id", "ix_record_photo_added_at", "ix_record_photo_record_id"}
        with engine.begin() as conn:
            row = conn.execute(sa.text("SELECT * FROM record_photo")).one()._mapping
            assert (row["media_id"], row["sha256"], row["fetch_attempts"]) == ("M1", "a" * 64, 0)
            assert row["content_sha256"] is None and row["stored_path"] is None
            conn.execute(sa.text("UPDATE record_photo SET content_sha256 = :c, fetch_attempts = 1"), {"c": "b" * 64})

        migrate.downgrade(settings, revision="0003", engine=engine)
        assert not NEW_COLUMNS & _columns(engine)
        assert "ix_record_photo_media_id" not in _indexes(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT media_id, sha256 FROM record_photo")).one() == ("M1", "a" * 64)
            # the foreign key to the record survived the SQLite table rebuild
            assert sa.inspect(engine).get_foreign_keys("record_photo")[0]["referred_table"] == "activity_record"

        migrate.upgrade(settings)
        assert migrate.current_revision(engine) == migrate.head_revision(settings)
        assert _columns(engine) >= NEW_COLUMNS
    finally:
        engine.dispose()
