"""The broadcast machinery of one app process, opened and closed by one cleanup context.

``broadcast_runtime(...)`` starts three tracked background tasks — the sender, the activity flusher and
the reminder scheduler — and at shutdown stops them (the sender finishes the batch in hand), drains them
for ``shutdown_grace_s`` and flushes the last activity notes. When the database has no broadcast tables
(never migrated) the runtime is disabled, with a warning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.broadcast.activity import ActivityTracker
from bot.broadcast.sender import BroadcastSender, ReportFormatter, SenderAPI
from bot.deadline import BackgroundTasks
from bot.reminders.scheduler import ReminderScheduler
from bot.settings import Settings
from bot.store.service import CheckinStore

log = logging.getLogger(__name__)

REQUIRED_TABLES = ("broadcast", "delivery", "user_activity", "reminder_rule", "reminder_run")


class BroadcastRuntime:
    """What handlers need: the store runner, the sender (to wake it), the activity tracker."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        tracker: ActivityTracker,
        sender: BroadcastSender,
        scheduler: ReminderScheduler,
        enabled: bool,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.store = CheckinStore(engine, settings)
        self.tracker = tracker
        self.sender = sender
        self.scheduler = scheduler
        self.enabled = enabled
        self.tasks = BackgroundTasks()
        self.stop = asyncio.Event()

    def wake(self) -> None:
        """A broadcast was confirmed: the sender looks now."""
        self.sender.wake()

    async def _flush_loop(self) -> None:
        while not self.stop.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=self.settings.activity_flush_s)
            try:
                await self.tracker.flush(self.engine)
            except Exception:
                log.exception("writing last-interaction times failed (kept for the next flush)")


def _has_tables(engine: Engine) -> bool:
    names = set(sa.inspect(engine).get_table_names())
    return all(t in names for t in REQUIRED_TABLES)


@asynccontextmanager
async def broadcast_runtime(
    settings: Settings,
    *,
    engine: Engine,
    api: SenderAPI,
    tracker: ActivityTracker,
    report_text: ReportFormatter | None = None,
) -> AsyncIterator[BroadcastRuntime]:
    """Start the sender, the activity flusher and the scheduler; stop and drain them on exit."""
    enabled = settings.broadcast_enabled and await asyncio.to_thread(_has_tables, engine)
    if settings.broadcast_enabled and not enabled:
        log.warning("broadcast tables missing (run `python -m bot db upgrade`): broadcasts disabled")
    sender = BroadcastSender(engine=engine, settings=settings, api=api, tracker=tracker, report_text=report_text)
    runtime = BroadcastRuntime(
        engine=engine,
        settings=settings,
        tracker=tracker,
        sender=sender,
        scheduler=ReminderScheduler(engine=engine, settings=settings, on_fired=sender.wake),
        enabled=enabled,
    )
    if enabled:
        runtime.tasks.spawn(sender.run(runtime.stop), name="broadcast sender")
        runtime.tasks.spawn(runtime._flush_loop(), name="activity flush")
        if settings.reminders_enabled:
            runtime.tasks.spawn(runtime.scheduler.run(runtime.stop), name="reminder scheduler")
    try:
        yield runtime
    finally:
        runtime.stop.set()
        await runtime.tasks.drain(settings.shutdown_grace_s)
        if enabled:
            try:
                await tracker.flush(engine)
            except Exception:
                log.exception("last flush of interaction times failed")
