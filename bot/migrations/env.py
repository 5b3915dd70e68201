"""Alembic environment: the SQLModel metadata of ``bot.store`` and the app's database settings.

Called through :mod:`bot.store.migrate` (which passes the ``Settings`` and, optionally, an open
connection in ``config.attributes``); with neither, the settings come from the environment.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.broadcast.models  # broadcast/reminder tables, migration 0002
import bot.console.models  # web console tables, migration 0003
import bot.store.models  # noqa: F401  (registers the store's tables on SQLModel.metadata)
from bot.db import make_engine
from bot.settings import Settings

config = context.config
settings: Settings = config.attributes.get("settings") or Settings()
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=settings.effective_database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
