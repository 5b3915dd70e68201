"""Run the Alembic migrations from code (the app, the CLI and the tests create the schema this way)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from bot.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    """An Alembic ``Config`` for ``settings`` (no ``alembic.ini`` needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["settings"] = settings
    return cfg


def upgrade(settings: Settings, *, revision: str = "head", engine: Engine | None = None) -> None:
    """Bring the database of ``settings`` (or of ``engine``) up to ``revision``."""
    cfg = alembic_config(settings)
    if engine is None:
        command.upgrade(cfg, revision)
        return
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


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
