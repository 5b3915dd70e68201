"""The reminder loop the app runs: every ``reminder_tick_s`` it fires the runs that are due.

Each tick loads the enabled rules and, for each run due now (schedule, quiet hours, catch-up window),
calls :func:`bot.reminders.engine.fire_run` in a worker thread. Firing is idempotent per run key, so any
number of processes may run this loop; exactly one of them fires each run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.reminders import engine as reminders
from bot.reminders.schedule import QuietHours, due_runs
from bot.settings import Settings
from bot.store.models import utcnow
from bot.store.service import CheckinStore

log = logging.getLogger(__name__)


class ReminderScheduler:
    """Fires due reminder runs; ``on_fired`` (e.g. the sender's ``wake``) is called after a firing."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        owner: str | None = None,
        on_fired: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.store = CheckinStore(engine, settings)
        self.owner = owner or f"scheduler-{uuid.uuid4().hex[:12]}"
        self.on_fired = on_fired
        self.clock = clock
        self.quiet = QuietHours.parse(settings.quiet_hours_start, settings.quiet_hours_end)

    async def tick(self) -> list[reminders.Fired]:
        """Fire what is due now; returns the runs this scheduler fired."""
        now = self.clock()
        rules = await self.store.call(reminders.load_rules)
        fired: list[reminders.Fired] = []
        catchup = timedelta(hours=self.settings.reminder_catchup_hours)
        for rule in rules:
            for due in due_runs(rule, now=now, tz=self.settings.timezone, quiet=self.quiet, catchup=catchup):
                result = await self.store.call(
                    reminders.fire_run,
                    rule=rule,
                    run_key=due.run_key,
                    due_at=due.due_at,
                    owner=self.owner,
                    now=now,
                )
                if result.fired:
                    fired.append(result)
        if fired and self.on_fired is not None:
            self.on_fired()
        return fired

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set."""
        log.info("reminder scheduler %s started", self.owner)
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("reminder tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.reminder_tick_s)
        log.info("reminder scheduler %s stopped", self.owner)
