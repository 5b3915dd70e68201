"""Fixtures of the store / check-in tests (plugin listed in tests/conftest.py).

``db_url`` runs each test on a SQLite file in ``tmp_path`` and, when ``DJ_TEST_POSTGRES_URL`` is set,
again on PostgreSQL in a schema of its own (dropped afterwards). The schema is always created by the
Alembic migrations, never by ``create_all``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import make_engine
from bot.settings import Settings
from bot.store.migrate import upgrade
from tests.store_world import World, build_world

POSTGRES_URL = os.environ.get("DJ_TEST_POSTGRES_URL", "")
NO_POSTGRES = "DJ_TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped"


def postgres_schema_url(base: str, schema: str) -> str:
    """``base`` with every connection's search_path set to ``schema``, named after it (application_name),
    so the fixture can find the test's connections when it drops the schema."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema (skips when DJ_TEST_POSTGRES_URL is unset)."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            # pytest tears fixtures down in reverse order of set-up, so an app a test started after this
            # fixture (aiohttp_client) may still hold a connection in a transaction: the DROP would then
            # deadlock with it. The test is over; its connections are ended first.
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :schema AND pid <> pg_backend_pid()"
                ),
                {"schema": schema},
            )
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def make_settings(db_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "data", "database_url": db_url, "_env_file": None}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def store_settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def engine(store_settings: Settings) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    upgrade(store_settings)
    eng = make_engine(store_settings)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def world(session: Session, store_settings: Settings) -> World:
    """A county with two branches, groups, members and WeChat bindings (see tests/store_world.py)."""
    return build_world(session, store_settings)
