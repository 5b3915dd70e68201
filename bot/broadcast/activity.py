"""Last interaction per openid, for the customer-service window (platform: 48 h after the user's last
message; a menu click, follow or QR scan opens only 3 messages within 1 minute, so events do not count).

The dispatcher middleware only notes the time in memory (no database write on the reply path); the
runtime flushes the notes every ``activity_flush_s`` with one upsert, and once more at shutdown. A note
lost in a crash only makes the sender try the template channel (or fall back to it on errcode 45015).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from bot.broadcast.models import UserActivity
from bot.dispatch import Context, NextCall, Reply
from bot.store.models import utcnow

log = logging.getLogger(__name__)

# Inbound message types that open the 48 h window (a user message); events never do.
WINDOW_TYPES = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link", "file"})


class ActivityTracker:
    """Notes inbound activity in memory; :meth:`flush_sync` writes it (one upsert per flush)."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[datetime | None, bool | None]] = {}
        self._latest: dict[str, datetime] = {}
        self._latest_max = 100_000

    def note(
        self, openid: str, *, at: datetime | None = None, message: bool = True, subscribed: bool | None = None
    ) -> None:
        """Record that ``openid`` wrote (``message``) and/or (un)followed (``subscribed``)."""
        if not openid:
            return
        moment = at or utcnow()
        old_at, old_sub = self._pending.get(openid, (None, None))
        new_at = moment if message else old_at
        self._pending[openid] = (new_at, subscribed if subscribed is not None else old_sub)
        if message:
            if len(self._latest) >= self._latest_max:
                self._latest.clear()  # a cache only: the database has the truth
            self._latest[openid] = moment

    def last_seen(self, openid: str) -> datetime | None:
        """Latest message time noted by this process (may be newer than the database)."""
        return self._latest.get(openid)

    async def middleware(self, ctx: Context, call_next: NextCall) -> Reply:
        """Dispatcher hook (``user_middlewares``): runs for every inbound message."""
        inbound = ctx.inbound
        if inbound.msg_type in WINDOW_TYPES:
            self.note(inbound.from_user)
        elif inbound.msg_type == "event" and inbound.event in ("subscribe", "unsubscribe"):
            self.note(inbound.from_user, message=False, subscribed=inbound.event == "subscribe")
        return await call_next(ctx)

    def __len__(self) -> int:
        return len(self._pending)

    def flush_sync(self, engine: Engine) -> int:
        """Write the pending notes (newest time wins); returns how many openids were written."""
        if not self._pending:
            return 0
        batch, self._pending = self._pending, {}
        now = utcnow()
        rows = []
        for openid, (at, subscribed) in batch.items():
            rows.append(
                {
                    "openid": openid,
                    "last_inbound_at": at or datetime.fromtimestamp(0, now.tzinfo),
                    "subscribed": True if subscribed is None else subscribed,
                    "updated_at": now,
                    "_has_at": at is not None,
                    "_has_sub": subscribed is not None,
                }
            )
        try:
            with engine.begin() as conn:
                for has_at in (True, False):
                    for has_sub in (True, False):
                        part = [
                            {k: v for k, v in r.items() if not k.startswith("_")}
                            for r in rows
                            if r["_has_at"] is has_at and r["_has_sub"] is has_sub
                        ]
                        if part:
                            conn.execute(_upsert(conn.dialect.name, has_at, has_sub), part)
        except Exception:
            # Put the notes back (unless newer ones arrived) and let the next flush try again.
            for openid, note in batch.items():
                self._pending.setdefault(openid, note)
            raise
        return len(rows)

    async def flush(self, engine: Engine) -> int:
        """Async :meth:`flush_sync` (worker thread)."""
        return await asyncio.to_thread(self.flush_sync, engine)


def _upsert(dialect: str, has_at: bool, has_sub: bool) -> sa.Insert:
    table = UserActivity.__table__  # type: ignore[attr-defined]
    ins: postgresql.Insert | sqlite.Insert
    ins = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    excluded = ins.excluded
    updates: dict[str, object] = {"updated_at": excluded.updated_at}
    if has_at:
        updates["last_inbound_at"] = sa.case(
            (excluded.last_inbound_at > table.c.last_inbound_at, excluded.last_inbound_at),
            else_=table.c.last_inbound_at,
        )
        if not has_sub:
            updates["subscribed"] = sa.true()  # writing to us means following
    if has_sub:
        updates["subscribed"] = excluded.subscribed
    return ins.on_conflict_do_update(index_elements=[table.c.openid], set_=updates)
