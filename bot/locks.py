"""Per-user locks: one user's messages are handled one at a time (a flow never sees two at once).

In memory by default; in Redis (``SET NX PX`` with a random token, released only by its holder) when
``DJ_REDIS_URL`` is set, so several processes serialise a user together.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from redis.asyncio import Redis


class LockTimeoutError(TimeoutError):
    """The user's previous message did not finish within the wait allowed."""


class UserLocks(Protocol):
    """Per-user mutual exclusion."""

    def hold(self, user_id: str) -> AbstractAsyncContextManager[None]: ...


class MemoryUserLocks:
    """Process-local per-user locks; a user's lock is dropped when nobody holds or waits for it."""

    def __init__(self, *, wait_s: float) -> None:
        self._wait_s = wait_s
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, user_id: str) -> AsyncIterator[None]:
        """Hold ``user_id``'s lock for the ``async with`` body; raises :class:`LockTimeoutError`."""
        lock, users = self._locks.get(user_id, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[user_id] = (lock, users + 1)
        try:
            if users == 0:
                await lock.acquire()  # a new lock nobody holds or waits for: free at once, no timer
            else:
                try:
                    async with asyncio.timeout(self._wait_s):
                        await lock.acquire()
                except TimeoutError as exc:
                    raise LockTimeoutError(user_id) from exc
            try:
                yield
            finally:
                lock.release()
        finally:
            current, n = self._locks[user_id]
            if n <= 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (current, n - 1)


# Delete the key only if it still holds our token (the lock may have expired and been re-taken).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisUserLocks:
    """Per-user locks shared by all processes using the same Redis."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_s: float, wait_s: float, poll_s: float) -> None:
        self._redis = redis
        self._prefix = prefix + "lock:user:"
        self._ttl_ms = int(ttl_s * 1000)
        self._wait_s = wait_s
        self._poll_s = poll_s
        self._release = redis.register_script(_RELEASE)

    @asynccontextmanager
    async def hold(self, user_id: str) -> AsyncIterator[None]:
        """Hold ``user_id``'s lock for the ``async with`` body; raises :class:`LockTimeoutError`."""
        key = self._prefix + user_id
        token = secrets.token_hex(16)
        give_up = time.monotonic() + self._wait_s
        delay = self._poll_s / 4
        while not await self._redis.set(key, token, nx=True, px=self._ttl_ms):
            if time.monotonic() >= give_up:
                raise LockTimeoutError(user_id)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._poll_s)
        try:
            yield
        finally:
            await self._release(keys=[key], args=[token])
