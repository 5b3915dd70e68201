"""The schema comes from the Alembic migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from bot.commands import db as db_command
from bot.db import make_engine
from bot.settings import Settings
from bot.store import migrate
from bot.store.models import ActivityType, FrequencyRule


def test_upgrade_creates_tables_and_seeds_rules(engine: Engine, store_settings: Settings) -> None:
    names = set(sa.inspect(engine).get_table_names())
    assert {
        "org",
        "member",
        "wechat_binding",
        "invite_code",
        "activity_type",
        "frequency_rule",
        "activity_record",
        "record_absentee",
        "record_photo",
        "audit_event",
        "conversation_state",
        "alembic_version",
    } <= names
    with Session(engine) as s:
        types = {t.code: t.name for t in s.exec(select(ActivityType))}
        rules = {r.type_code: r for r in s.exec(select(FrequencyRule)) if r.org_id is None}
    assert types["theme_day"] == "主题党日" and types["committee"] == "支部委员会"
    assert rules["general_meeting"].period == "quarter"
    assert rules["committee"].applies_to == "committee"
    assert rules["group_meeting"].applies_to == "group"
    assert rules["life_meeting"].period == "year"
    assert all(r.basis for r in rules.values())
    assert migrate.current_revision(engine) == migrate.head_revision(store_settings)


def test_models_match_the_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    mine = [d for d in diff if "alembic_version" not in str(d)]
    assert mine == []


def test_downgrade_to_base_and_up_again(engine: Engine, store_settings: Settings) -> None:
    migrate.downgrade(store_settings, revision="base")
    assert "activity_record" not in sa.inspect(engine).get_table_names()
    migrate.upgrade(store_settings)
    assert "activity_record" in sa.inspect(engine).get_table_names()


def test_db_command_upgrade_and_current(store_settings: Settings, capsys: object) -> None:
    parser = argparse.ArgumentParser()
    db_command.add_arguments(parser)
    assert db_command.run(parser.parse_args(["current"]), store_settings) == 1  # empty database
    assert db_command.run(parser.parse_args(["upgrade"]), store_settings) == 0
    assert db_command.run(parser.parse_args(["current"]), store_settings) == 0
    eng = make_engine(store_settings)
    try:
        assert migrate.current_revision(eng) == migrate.head_revision(store_settings)
    finally:
        eng.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_concurrent_upgrades_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    """Two servers starting together on one fresh database: both succeed, the schema is made once."""
    import threading

    from bot.store import migrate

    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate.upgrade(settings)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = make_engine(settings)
    assert migrate.current_revision(engine) == migrate.head_revision(settings)
    engine.dispose()
