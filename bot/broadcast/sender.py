"""The background sender: claims due deliveries, picks a channel per recipient, sends within the rate
limit, retries transient errors with backoff, never retries permanent ones, reports to the organizer.

Channel per recipient, decided at send time (the window moves):

1. the member wrote within ``cs_window_s`` (48 h, minus ``cs_window_margin_s``) → customer-service text;
   errcode 45015/45047 (window closed / count used up) falls back to the next channel at once;
2. ``mass_send_enabled`` → mass send by openid list (several recipients of one broadcast per call,
   ``clientmsgid`` = the batch's ``mass_key``; errcode 45065 "clientmsgid exists" means already sent);
3. ``template_id`` set → template message (``client_msg_id`` = the delivery's ``idem_key``);
4. otherwise unreachable (``outside_window``), like unbound members (``not_bound``) and users who
   unfollowed (``unsubscribed``, from the event or errcode 43004) or whose openid is invalid (40003).

A crash between the API call and the result write leaves the row ``inflight`` with an expired lease.
The next owner resends template and mass deliveries with the same ``client_msg_id``/``clientmsgid``
(WeChat drops the duplicate within its dedup window); the customer-service API has no such key, so
such a row is reported ``failed`` (``in_doubt``) unless ``broadcast_resend_in_doubt`` is set.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine

from bot.broadcast import store
from bot.broadcast.activity import ActivityTracker
from bot.broadcast.compose import fit_bytes, template_data
from bot.broadcast.models import Channel, DeliveryState
from bot.broadcast.ratelimit import RateLimiter
from bot.broadcast.store import Job, Outcome
from bot.settings import Settings
from bot.store.models import utcnow
from bot.store.service import CheckinStore
from bot.wechat.api import WeChatAPIError

log = logging.getLogger(__name__)

# Customer-service errors after which another channel may still reach the user.
CS_FALLBACK = frozenset({45015, 45047})
UNREACHABLE_CODES: dict[int, str] = {43004: "unsubscribed", 40003: "invalid_openid"}
MASS_DUPLICATE = 45065  # clientmsgid already used: that batch was sent before


class SenderAPI(Protocol):
    """The parts of :class:`bot.wechat.api.WeChatAPI` the sender uses."""

    async def send_text(self, openid: str, content: str) -> None: ...

    async def send_template(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        *,
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> int: ...

    async def mass_send_text(self, openids: Sequence[str], content: str, *, client_msg_id: str) -> int: ...


class ReportFormatter(Protocol):
    def __call__(self, report: store.Report, *, names_max: int) -> str: ...


class BroadcastSender:
    """One per process. ``run(stop)`` loops until ``stop`` is set; ``run_once()`` does one claim."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        api: SenderAPI,
        tracker: ActivityTracker | None = None,
        report_text: ReportFormatter | None = None,
        owner: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.api = api
        self.tracker = tracker
        self.report_text = report_text
        self.owner = owner or f"sender-{uuid.uuid4().hex[:12]}"
        self.clock = clock
        self.store = CheckinStore(engine, settings)
        self.limiter = RateLimiter(settings.broadcast_rate_per_s)
        self.mass_limiter = RateLimiter(settings.mass_send_per_min, per_s=60.0, burst=1.0)
        self._wake = asyncio.Event()
        self.sent = 0
        self.reports_sent = 0

    def wake(self) -> None:
        """New work (a confirmed broadcast): look now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; the batch in hand is finished first (graceful shutdown)."""
        log.info("broadcast sender %s started", self.owner)
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("broadcast sender: a round failed; retrying after the poll interval")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            waiters = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())}
            try:
                await asyncio.wait(waiters, timeout=self.settings.broadcast_poll_s, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()
        log.info("broadcast sender %s stopped", self.owner)

    async def run_until_idle(self, *, timeout_s: float = 60.0) -> int:
        """Send until nothing is due (tests, CLI, bench); returns deliveries handled."""
        total = 0
        async with asyncio.timeout(timeout_s):
            while True:
                n = await self.run_once()
                total += n
                if n:
                    continue
                if await self.store.call(store.unfinished) == 0:
                    return total
                await asyncio.sleep(min(0.05, self.settings.broadcast_poll_s))

    def _claim_size(self) -> int:
        # Claim no more than can be sent well within one lease at the configured rate.
        size = self.settings.broadcast_claim_batch
        rate = self.settings.broadcast_rate_per_s
        if rate > 0:
            size = min(size, max(1, int(rate * self.settings.broadcast_lease_s / 4)))
        if self.settings.mass_send_enabled:
            size = max(size, 1)
        return max(1, size)

    async def run_once(self) -> int:
        """Claim one batch and send it; returns how many deliveries were handled."""
        jobs = await self.store.call(
            store.claim_deliveries, owner=self.owner, limit=self._claim_size(), now=self.clock()
        )
        if not jobs:
            return 0
        touched: set[int] = set()
        mass: dict[int, list[Job]] = {}
        singles: list[Job] = []
        for job in jobs:
            if self._wants_mass(job):
                mass.setdefault(job.broadcast_id, []).append(job)
            else:
                singles.append(job)
        for group in mass.values():
            if len(group) < 2 and not any(j.in_doubt for j in group):
                singles.extend(group)  # the platform wants at least 2 openids per mass send
            else:
                touched |= await self._send_mass(group)
        step = max(1, self.settings.broadcast_concurrency)
        for i in range(0, len(singles), step):
            touched |= await self._send_chunk(singles[i : i + step])
        for broadcast_id in sorted(touched):
            await self._maybe_finish(broadcast_id)
        return len(jobs)

    # --- channel choice -----------------------------------------------------------------------------

    def _in_window(self, job: Job) -> bool:
        last = job.last_inbound_at
        if self.tracker is not None:
            mine = self.tracker.last_seen(job.openid)
            if mine is not None and (last is None or mine > last):
                last = mine
        if last is None:
            return False
        window = timedelta(seconds=self.settings.cs_window_s - self.settings.cs_window_margin_s)
        return self.clock() - last < window

    def _wants_mass(self, job: Job) -> bool:
        if job.in_doubt:
            return job.channel == Channel.MASS
        return self.settings.mass_send_enabled and job.subscribed is not False and not self._in_window(job)

    def _first_channel(self, job: Job) -> str | None:
        if job.in_doubt and job.channel in (Channel.TEMPLATE, Channel.CUSTOM):
            return job.channel
        if self._in_window(job):
            return Channel.CUSTOM
        if self.settings.template_id:
            return Channel.TEMPLATE
        return None

    # --- sending --------------------------------------------------------------------------------------

    async def _send_chunk(self, jobs: list[Job]) -> set[int]:
        outcomes: list[Outcome] = []
        planned: dict[int, tuple[str, str | None]] = {}
        todo: list[tuple[Job, str]] = []
        for job in jobs:
            if job.subscribed is False:
                outcomes.append(Outcome(job.id, DeliveryState.UNREACHABLE, reason="unsubscribed"))
                continue
            if job.in_doubt and job.channel == Channel.CUSTOM and not self.settings.broadcast_resend_in_doubt:
                outcomes.append(Outcome(job.id, DeliveryState.FAILED, channel=Channel.CUSTOM, reason="in_doubt"))
                continue
            channel = self._first_channel(job)
            if channel is None:
                outcomes.append(Outcome(job.id, DeliveryState.UNREACHABLE, reason="outside_window"))
                continue
            planned[job.id] = (channel, None)
            todo.append((job, channel))
        if todo:
            await self.limiter.acquire(len(todo))
            owned = await self.store.call(store.begin_attempts, owner=self.owner, attempts=planned, now=self.clock())
            todo = [(j, c) for j, c in todo if j.id in owned]
            results = await asyncio.gather(*(self._send_one(j, c) for j, c in todo))
            outcomes.extend(results)
        return await self.store.call(store.record_results, owner=self.owner, outcomes=outcomes, now=self.clock())

    async def _send_one(self, job: Job, channel: str) -> Outcome:
        text = fit_bytes(job.text, self.settings.reply_max_bytes)
        if channel == Channel.CUSTOM:
            try:
                await self.api.send_text(job.openid, text)
            except WeChatAPIError as exc:
                if exc.code in CS_FALLBACK and self.settings.template_id:
                    return await self._send_one(job, Channel.TEMPLATE)
                if exc.code in CS_FALLBACK:
                    return Outcome(job.id, DeliveryState.UNREACHABLE, Channel.CUSTOM, "outside_window", exc.code)
                return self._failure(job, Channel.CUSTOM, exc)
            self.sent += 1
            return Outcome(job.id, DeliveryState.DELIVERED, Channel.CUSTOM)
        data = template_data(
            self.settings.template_fields,
            summary=job.summary,
            org=job.org_name or "党建助手",
            sender=job.sender_name,
            kind="提醒" if job.origin == "reminder" else "通知",
            at=job.created_at,
            tz=self.settings.timezone,
            max_chars=self.settings.template_field_max_chars,
        )
        try:
            await self.api.send_template(
                job.openid,
                self.settings.template_id,
                data,
                url=self.settings.template_url or None,
                client_msg_id=job.idem_key,
            )
        except WeChatAPIError as exc:
            return self._failure(job, Channel.TEMPLATE, exc)
        self.sent += 1
        return Outcome(job.id, DeliveryState.DELIVERED, Channel.TEMPLATE)

    def _failure(self, job: Job, channel: str, exc: WeChatAPIError) -> Outcome:
        if exc.code in UNREACHABLE_CODES:
            return Outcome(job.id, DeliveryState.UNREACHABLE, channel, UNREACHABLE_CODES[exc.code], exc.code)
        if exc.permanent:
            log.warning("delivery %s: permanent error %s, not retried", job.idem_key, exc.code)
            return Outcome(job.id, DeliveryState.FAILED, channel, f"error_{exc.code}", exc.code)
        attempts = job.attempts + 1
        if attempts >= self.settings.broadcast_max_attempts:
            log.warning("delivery %s: transient error %s, attempts used up", job.idem_key, exc.code)
            return Outcome(job.id, DeliveryState.FAILED, channel, "retries_exhausted", exc.code)
        return Outcome(
            job.id, DeliveryState.PENDING, channel, "retrying", exc.code, retry_at=self.clock() + self.backoff(attempts)
        )

    def backoff(self, attempts: int) -> timedelta:
        """Delay before try ``attempts + 1``: base × 2^(attempts-1), capped, ±20 % jitter."""
        base = self.settings.broadcast_backoff_base_s * (2 ** max(0, attempts - 1))
        delay = min(self.settings.broadcast_backoff_max_s, base) * random.uniform(0.8, 1.2)
        return timedelta(seconds=delay)

    async def _send_mass(self, jobs: list[Job]) -> set[int]:
        touched: set[int] = set()
        # Rows of an interrupted batch keep their mass_key (same clientmsgid, same openids).
        by_key: dict[str, list[Job]] = {}
        fresh = [j for j in jobs if not (j.in_doubt and j.mass_key)]
        for j in jobs:
            if j.in_doubt and j.mass_key:
                by_key.setdefault(j.mass_key, []).append(j)
        limit = max(2, self.settings.mass_send_batch_max)
        for i in range(0, len(fresh), limit):
            part = fresh[i : i + limit]
            by_key[f"dj-b{part[0].broadcast_id}-d{part[0].id}-n{len(part)}"] = part
        for key, part in by_key.items():
            await self.mass_limiter.acquire()
            planned = {j.id: (Channel.MASS.value, key) for j in part}
            owned = await self.store.call(store.begin_attempts, owner=self.owner, attempts=planned, now=self.clock())
            part = [j for j in part if j.id in owned]
            if not part:
                continue
            text = fit_bytes(part[0].text, self.settings.reply_max_bytes)
            outcomes: list[Outcome]
            try:
                await self.api.mass_send_text([j.openid for j in part], text, client_msg_id=key)
            except WeChatAPIError as exc:
                if exc.code == MASS_DUPLICATE:
                    outcomes = [Outcome(j.id, DeliveryState.DELIVERED, Channel.MASS) for j in part]
                else:
                    outcomes = [self._failure(j, Channel.MASS, exc) for j in part]
            else:
                self.sent += len(part)
                outcomes = [Outcome(j.id, DeliveryState.DELIVERED, Channel.MASS) for j in part]
            touched |= await self.store.call(
                store.record_results, owner=self.owner, outcomes=outcomes, now=self.clock()
            )
        return touched

    # --- completion report ----------------------------------------------------------------------------

    async def _maybe_finish(self, broadcast_id: int) -> None:
        if not await self.store.call(store.finish_if_done, broadcast_id=broadcast_id, now=self.clock()):
            return
        report = await self.store.call(
            store.broadcast_report, broadcast_id=broadcast_id, names_max=self.settings.broadcast_report_names_max
        )
        log.info("broadcast %d done: %s", broadcast_id, ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())))
        if report.origin != "wechat" or not report.sender_openid or self.report_text is None:
            return
        text = self.report_text(report, names_max=self.settings.broadcast_report_names_max)
        try:
            await self.api.send_text(report.sender_openid, fit_bytes(text, self.settings.reply_max_bytes))
        except WeChatAPIError as exc:
            log.warning("report of broadcast %d not sent (%s); 「通知记录」 shows it", broadcast_id, exc)
            return
        self.reports_sent += 1
        await self.store.call(store.mark_reported, broadcast_id=broadcast_id)
