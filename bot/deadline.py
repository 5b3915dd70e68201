"""The deadline race and the background work it leaves behind.

WeChat waits 5 s for a passive reply and retries (3 tries in all). Each delivery waits for the answer up
to ``reply_deadline_s`` without cancelling it: ready → passive XML; late → ``success`` (or the handler's
pending text, e.g. "正在查询…") and the answer goes out once through the customer-service API when ready.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any, Protocol

from bot.dedup import DedupStore
from bot.dispatch.context import PendingSlot
from bot.dispatch.dispatcher import Dispatcher
from bot.metrics import Metrics
from bot.wechat.parsing import Inbound

log = logging.getLogger(__name__)


class BackgroundTasks:
    """Every task the gateway starts, kept until done; drained (then cancelled) at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
        """Start ``coro`` as a tracked task; its exception (if any) is logged."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self, grace_s: float) -> int:
        """Wait up to ``grace_s`` for running tasks, then cancel the rest; returns how many were cancelled."""
        if not self._tasks:
            return 0
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace_s)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
            log.warning("cancelled %d background task(s) at shutdown", len(pending))
        return len(pending)


class LateSender(Protocol):
    """Sends a late answer (the customer-service text API)."""

    async def send_text(self, openid: str, content: str) -> None: ...


class Gateway:
    """Exactly-once handling of deliveries with the deadline race."""

    def __init__(
        self,
        *,
        dispatcher: Dispatcher,
        dedup: DedupStore,
        tasks: BackgroundTasks,
        sender: LateSender,
        metrics: Metrics,
        deadline_s: float,
        handler_timeout_s: float,
        apology: str,
    ) -> None:
        self.dispatcher = dispatcher
        self.dedup = dedup
        self.tasks = tasks
        self.sender = sender
        self.metrics = metrics
        self.deadline_s = deadline_s
        self.handler_timeout_s = handler_timeout_s
        self.apology = apology

    async def handle(self, inbound: Inbound, *, started: float | None = None) -> str | None:
        """The passive reply text for this delivery (``None``: answer ``success``)."""
        begin = time.monotonic() if started is None else started
        key = inbound.dedup_key
        pending = PendingSlot()
        if await self.dedup.claim(key):
            self.tasks.spawn(self._work(inbound, key, pending), name=f"handle {key}")
        else:
            self.metrics.dedup_hits += 1
            log.info("retry joined earlier work: %s", key)
        remaining = self.deadline_s - (time.monotonic() - begin)
        outcome = await self.dedup.wait(key, remaining)
        if outcome is None:
            outcome = await self.dedup.give_up(key)
        if outcome is None:
            self.metrics.late_replies += 1
            log.info("deadline missed for %s: answer goes by customer service", key)
            return pending.text
        return outcome.passive_text()

    async def _work(self, inbound: Inbound, key: str, pending: PendingSlot) -> None:
        try:
            async with asyncio.timeout(self.handler_timeout_s):
                reply = await self.dispatcher.feed(inbound, pending)
            text = reply.text or None
        except Exception:  # the dispatcher already catches handler errors; this is timeouts and bugs
            log.exception("handling %s failed", key)
            self.metrics.handler_errors += 1
            text = self.apology
        late = await self.dedup.publish(key, text)
        if late and text:
            await self._send_late(inbound.from_user, text)

    async def _send_late(self, openid: str, text: str) -> None:
        try:
            await self.sender.send_text(openid, text)
        except Exception as exc:  # reported (metrics by errcode in the client), never retried in a loop
            log.error("late answer to a user could not be sent: %s", exc)
        else:
            self.metrics.late_sent += 1
