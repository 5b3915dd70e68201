"""Exactly-once processing of WeChat deliveries (WeChat retries a callback up to 3 times in ~15 s).

Protocol for one dedup key (see ``Inbound.dedup_key``):

* ``claim`` — the first delivery becomes the owner and starts the work; later ones join.
* ``wait`` — every delivery waits (up to its own deadline) for the outcome.
* ``give_up`` — a delivery out of time atomically either gets the outcome (it just arrived) or marks the
  key *late*: from then on the answer belongs to the customer-service path.
* ``publish`` — the owner stores the outcome; it atomically learns whether some delivery gave up, in
  which case it sends the answer once through the customer-service API, and retries get ``success``.

Outcomes are kept for ``dedup_ttl_s`` so a later retry gets the same reply. The memory store serves one
process; the Redis store makes several processes behave as one (atomic Lua for publish/give-up).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a delivery answers: ``text`` passively (``None``: ``success``). ``late``: went by customer
    service, so deliveries answer ``success``."""

    text: str | None
    late: bool = False

    def passive_text(self) -> str | None:
        """The passive reply for a delivery seeing this outcome."""
        return None if self.late else self.text


class DedupStore(Protocol):
    """See the module docstring."""

    async def claim(self, key: str) -> bool: ...

    async def wait(self, key: str, within_s: float) -> Outcome | None: ...

    async def give_up(self, key: str) -> Outcome | None: ...

    async def publish(self, key: str, text: str | None) -> bool: ...


@dataclass(slots=True)
class _Entry:
    future: asyncio.Future[Outcome]
    late: bool
    expires_at: float


class MemoryDedup:
    """Process-local :class:`DedupStore` (an in-flight future registry plus a TTL result cache)."""

    def __init__(self, *, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _sweep(self, now: float) -> None:
        # Entries are (re)inserted at the end on claim and on publish, so the front is the oldest.
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if entry.expires_at > now or not entry.future.done():
                break
            del self._entries[key]

    async def claim(self, key: str) -> bool:
        """True for the first delivery of ``key`` (the owner)."""
        now = time.monotonic()
        self._sweep(now)
        entry = self._entries.get(key)
        if entry is not None and (entry.expires_at > now or not entry.future.done()):
            return False
        self._entries[key] = _Entry(asyncio.get_running_loop().create_future(), False, now + self._ttl_s)
        self._entries.move_to_end(key)
        return True

    async def wait(self, key: str, within_s: float) -> Outcome | None:
        """The outcome of ``key`` if it is ready within ``within_s`` seconds (never cancels the work)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if not entry.future.done() and within_s > 0:
            await asyncio.wait({entry.future}, timeout=within_s)
        return entry.future.result() if entry.future.done() else None

    async def give_up(self, key: str) -> Outcome | None:
        """The outcome if ready; otherwise mark ``key`` late and return ``None``."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.future.done():
            return entry.future.result()
        entry.late = True
        return None

    async def publish(self, key: str, text: str | None) -> bool:
        """Store the outcome; True when a delivery gave up (the caller must send ``text`` late)."""
        entry = self._entries.get(key)
        if entry is None or entry.future.done():
            return False
        entry.future.set_result(Outcome(text, late=entry.late))
        entry.expires_at = time.monotonic() + self._ttl_s
        self._entries.move_to_end(key)
        return entry.late


_PUBLISH = """
local late = redis.call('GET', KEYS[2])
if late then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 0
"""

_GIVE_UP = """
local r = redis.call('GET', KEYS[1])
if r then return r end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
return false
"""


def _encode(outcome: Outcome) -> str:
    return json.dumps({"t": outcome.text, "late": outcome.late}, ensure_ascii=False)


def _decode(raw: bytes | str) -> Outcome:
    data = json.loads(raw)
    text = data.get("t")
    return Outcome(text if isinstance(text, str) else None, late=bool(data.get("late")))


class RedisDedup:
    """:class:`DedupStore` shared through Redis. The owner's own wait uses a local future (no polling);
    joiners on other processes poll the result key every ``poll_s``."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_s: float, poll_s: float) -> None:
        self._redis = redis
        self._prefix = prefix + "dedup:"
        self._ttl_ms = int(ttl_s * 1000)
        self._poll_s = poll_s
        self._local: dict[str, asyncio.Future[Outcome]] = {}
        self._publish = redis.register_script(_PUBLISH)
        self._give_up = redis.register_script(_GIVE_UP)

    def _keys(self, key: str) -> tuple[str, str, str]:
        base = self._prefix + key
        return base + ":claim", base + ":result", base + ":late"

    async def claim(self, key: str) -> bool:
        """True for the first delivery of ``key`` across all processes."""
        claim_key, _, _ = self._keys(key)
        if key in self._local:
            return False
        # The claim outlives the work: the TTL counts from the claim, the result gets its own TTL.
        if not await self._redis.set(claim_key, "1", nx=True, px=self._ttl_ms):
            return False
        if key in self._local:  # another local delivery claimed meanwhile (cannot: SET NX), be safe
            return False
        self._local[key] = asyncio.get_running_loop().create_future()
        return True

    async def wait(self, key: str, within_s: float) -> Outcome | None:
        """The outcome of ``key`` if ready within ``within_s`` seconds."""
        local = self._local.get(key)
        if local is not None:
            if not local.done() and within_s > 0:
                await asyncio.wait({local}, timeout=within_s)
            return local.result() if local.done() else None
        _, result_key, _ = self._keys(key)
        deadline = time.monotonic() + within_s
        while True:
            raw = await self._redis.get(result_key)
            if raw is not None:
                return _decode(raw)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            await asyncio.sleep(min(self._poll_s, remaining))

    async def give_up(self, key: str) -> Outcome | None:
        """The outcome if ready; otherwise mark ``key`` late (atomically) and return ``None``."""
        _, result_key, late_key = self._keys(key)
        raw = await self._give_up(keys=[result_key, late_key], args=[self._ttl_ms])
        return None if raw is None else _decode(raw)

    async def publish(self, key: str, text: str | None) -> bool:
        """Store the outcome; True when a delivery gave up (the caller must send ``text`` late)."""
        _, result_key, late_key = self._keys(key)
        late = bool(
            await self._publish(
                keys=[result_key, late_key],
                args=[_encode(Outcome(text)), _encode(Outcome(text, late=True)), self._ttl_ms],
            )
        )
        local = self._local.pop(key, None)
        if local is not None and not local.done():
            local.set_result(Outcome(text, late=late))
        return late
