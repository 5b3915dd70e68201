"""Database engine for the SQLModel store: an embedded SQLite file by default, PostgreSQL in production."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

from bot.settings import Settings

_SYNCHRONOUS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})


def _sqlite_pragmas(synchronous: str) -> Callable[[Any, Any], None]:
    if synchronous.upper() not in _SYNCHRONOUS:
        raise ValueError(f"DJ_SQLITE_SYNCHRONOUS must be one of {sorted(_SYNCHRONOUS)}")

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers (the 台账, the console) run while a check-in is being written;
        # SQLite leaves foreign keys off unless asked on every connection. With WAL, synchronous=NORMAL
        # skips the fsync of every commit (the check-in p99 budget) and stays corruption-free.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return on_connect


_WRITE_LOCK_KEY = "dj_sqlite_write_lock"
_BUSY_TIMEOUT_S = 5.0  # = PRAGMA busy_timeout above


def _serialise_sqlite_writes(engine: Engine) -> None:
    """One write transaction at a time per process, handed over at once.

    SQLite allows one writer; a second one gets SQLITE_BUSY and its busy handler sleeps 1, 2, 5, 10, 15,
    20, 25… ms between retries, which made a state upsert wait ~6 ms on average and set the check-in p99.
    Here a writer takes a process-wide lock before its transaction's first write (pysqlite opens the
    transaction right there) and releases it at commit or rollback, so writers queue on the lock instead
    of polling. Other processes still meet SQLite's own locking (the busy handler applies as before); if
    the lock cannot be had within the busy timeout the write proceeds and SQLite decides, as without it."""
    lock = threading.Lock()

    def before_execute(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        info = conn.info
        if info.get(_WRITE_LOCK_KEY):
            return
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            writes = True
        else:
            head = statement.lstrip()[:7].upper()
            writes = head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
        if writes and lock.acquire(timeout=_BUSY_TIMEOUT_S):
            info[_WRITE_LOCK_KEY] = True

    def release(info: dict[Any, Any]) -> None:
        if info.pop(_WRITE_LOCK_KEY, False):
            lock.release()

    def on_end(conn: Any) -> None:
        release(conn.info)

    def on_pool(_dbapi_conn: Any, record: Any) -> None:
        release(record.info)  # returned to the pool (or invalidated) without a commit/rollback event

    def on_reset(_dbapi_conn: Any, record: Any, _state: Any) -> None:
        release(record.info)

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine, "commit", on_end)
    event.listen(engine, "rollback", on_end)
    event.listen(engine.pool, "reset", on_reset)
    event.listen(engine.pool, "checkin", on_pool)
    event.listen(engine.pool, "invalidate", on_pool)


def make_engine(settings: Settings) -> Engine:
    """Create the engine for ``settings.effective_database_url`` (SQLite gets WAL and foreign keys)."""
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(settings.sqlite_synchronous))
        _serialise_sqlite_writes(engine)
        return engine
    # A pre-ping costs a round trip on every checkout (every store call); recycling old connections
    # covers server-side idle timeouts without it; after a server restart one call fails and
    # SQLAlchemy invalidates the whole pool.
    recycle = settings.db_pool_recycle_s
    return create_engine(
        url, pool_pre_ping=settings.db_pool_pre_ping, pool_recycle=int(recycle) if recycle > 0 else -1
    )


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query (used by ``/healthz``)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
