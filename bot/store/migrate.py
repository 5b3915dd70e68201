"""Run the Alembic migrations from code (the app, the CLI and the tests create the schema this way)."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db import make_engine
from bot.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    """An Alembic ``Config`` for ``settings`` (no ``alembic.ini`` needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["settings"] = settings
    return cfg


# Any constant shared by all processes of the product: the key of the PostgreSQL advisory lock.
_PG_MIGRATION_LOCK = 4_170_217_021


@contextlib.contextmanager
def _migration_lock(settings: Settings, engine: Engine) -> Iterator[None]:
    """Serialise migrations across processes that start together (two servers behind one proxy).

    PostgreSQL: an advisory lock taken inside the migration's transaction (see ``upgrade``).
    SQLite: an exclusive lock on a file beside the database.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / ".migrate.lock").open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def upgrade(settings: Settings, *, revision: str = "head", engine: Engine | None = None) -> None:
    """Bring the database of ``settings`` (or of ``engine``) up to ``revision``.

    Safe when several processes start at once: the second waits for the first, then finds nothing to do.
    """
    cfg = alembic_config(settings)
    own = engine is None
    engine = engine or make_engine(settings)
    try:
        with _migration_lock(settings, engine), engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if own:
            engine.dispose()


def downgrade(settings: Settings, *, revision: str, engine: Engine | None = None) -> None:
    """Go back to ``revision`` (``base`` drops everything)."""
    cfg = alembic_config(settings)
    if engine is None:
        command.downgrade(cfg, revision)
        return
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(settings: Settings) -> str | None:
    """The newest revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
