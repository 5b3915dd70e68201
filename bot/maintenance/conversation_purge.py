"""The scheduled purge of expired conversation rows.

``SqlStateStorage.get`` deletes an expired row when its user writes again; rows of users who never come
back are deleted here, every ``conversation_purge_interval_s`` (0: never), in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.store.state import SqlStateStorage

log = logging.getLogger(__name__)


class ConversationPurger:
    """Deletes expired ``conversation_state`` rows; ``run_once`` is one sweep, ``run`` the loop."""

    def __init__(self, storage: SqlStateStorage, *, interval_s: float) -> None:
        self.storage = storage
        self.interval_s = interval_s

    async def run_once(self) -> int:
        """Delete the expired rows now (off the event loop); returns how many."""
        deleted = await self.storage.purge_expired()
        if deleted:
            log.info("conversation purge: %d expired row(s) deleted", deleted)
        return deleted

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep every ``interval_s`` until ``stop`` is set; the first sweep waits one interval (startup
        has enough to do, and rows expire slowly)."""
        log.info("conversation purge started (every %.0f s)", self.interval_s)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval_s)
            if stop.is_set():
                break
            try:
                await self.run_once()
            except Exception:
                log.exception("conversation purge failed; trying again after the interval")
        log.info("conversation purge stopped")
