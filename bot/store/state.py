"""Conversation state in the database (:class:`bot.conversation.StateStorage` on SQLModel).

A check-in in progress survives a restart: the state row outlives the process, and ``get`` hides (and
deletes) rows past their expiry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete

from bot.conversation import ConversationState
from bot.store.models import ConversationStateRow, utcnow

_TABLE: sa.Table = ConversationStateRow.__table__  # type: ignore[attr-defined]


def _to_dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class SqlStateStorage:
    """Conversation states keyed by openid in ``conversation_state``; DB calls run in a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # PostgreSQL: the state read runs outside a transaction (no BEGIN/ROLLBACK round trips); same pool.
        # (pysqlite opens no transaction for a SELECT anyway.)
        pg = engine.dialect.name == "postgresql"
        self._reader = engine.execution_options(isolation_level="AUTOCOMMIT") if pg else engine
        self._upsert = _upsert_statement(engine.dialect.name)

    # --- sync core (also usable from threads and tests) ---------------------------------------------------

    # The hot path of every message in a conversation: one Core statement each (no ORM unit of work).

    def get_sync(self, user_id: str, *, now: datetime | None = None) -> ConversationState | None:
        """The live state of ``user_id``; an expired row is deleted and None returned."""
        moment = now or utcnow()
        t = _TABLE
        with self._reader.connect() as conn:
            row = conn.execute(_SELECT, {"openid": user_id}).first()
        if row is None:
            return None
        if row.expires_at <= moment:
            with self._engine.begin() as conn:
                conn.execute(sa.delete(t).where(t.c.openid == user_id, t.c.expires_at <= moment))
            return None
        return ConversationState(
            user_id=user_id,
            flow=row.flow,
            step=row.step,
            expires_at=row.expires_at.timestamp(),
            data=dict(row.data),
        )

    def set_sync(self, state: ConversationState) -> None:
        """Insert or replace the state of ``state.user_id`` (one upsert)."""
        with self._engine.begin() as conn:
            self.write_in(conn, state)

    def write_in(self, conn: sa.Connection, state: ConversationState | None, *, user_id: str = "") -> None:
        """Upsert ``state`` (None: delete ``user_id``'s row) on ``conn``, in the caller's transaction: a
        handler writes the state together with its own database work (one worker-thread call)."""
        if state is None:
            conn.execute(_DELETE, {"openid": user_id})
            return
        values: dict[str, Any] = {
            "openid": state.user_id,
            "flow": state.flow,
            "step": state.step,
            "data": _plain(state.data),
            "expires_at": _to_dt(state.expires_at),
            "updated_at": utcnow(),
        }
        conn.execute(self._upsert, values)

    def clear_sync(self, user_id: str) -> None:
        """Forget ``user_id``'s state (no error when there is none)."""
        with Session(self._engine) as session:
            session.exec(delete(ConversationStateRow).where(col(ConversationStateRow.openid) == user_id))
            session.commit()

    def purge_expired_sync(self, *, now: datetime | None = None) -> int:
        """Delete all expired rows; returns how many (run every ``DJ_CONVERSATION_PURGE_INTERVAL_S`` by
        the app's maintenance task, bot/maintenance/conversation_purge.py)."""
        with Session(self._engine) as session:
            result = session.exec(
                delete(ConversationStateRow).where(col(ConversationStateRow.expires_at) <= (now or utcnow()))
            )
            session.commit()
            return int(result.rowcount or 0)

    # --- StateStorage protocol -------------------------------------------------------------------------

    async def get(self, user_id: str) -> ConversationState | None:
        return await asyncio.to_thread(self.get_sync, user_id)

    async def set(self, state: ConversationState) -> None:
        await asyncio.to_thread(self.set_sync, state)

    async def clear(self, user_id: str) -> None:
        await asyncio.to_thread(self.clear_sync, user_id)

    async def purge_expired(self) -> int:
        return await asyncio.to_thread(self.purge_expired_sync)


_SELECT = sa.select(_TABLE.c.flow, _TABLE.c.step, _TABLE.c.data, _TABLE.c.expires_at).where(
    _TABLE.c.openid == sa.bindparam("openid")
)


_DELETE = sa.delete(_TABLE).where(_TABLE.c.openid == sa.bindparam("openid"))


def _upsert_statement(dialect: str) -> Any:
    """``INSERT … ON CONFLICT (openid) DO UPDATE`` (SQLite and PostgreSQL), built once per storage."""
    stmt = (sqlite_insert if dialect == "sqlite" else pg_insert)(_TABLE)
    columns = ("flow", "step", "data", "expires_at", "updated_at")
    return stmt.on_conflict_do_update(index_elements=[_TABLE.c.openid], set_={k: stmt.excluded[k] for k in columns})


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON column needs a real dict (``data`` may be a MappingProxy or another Mapping)."""
    return {str(k): v for k, v in data.items()}
