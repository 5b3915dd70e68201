"""The shared access_token cache.

Each new token invalidates the old one after a 5-minute overlap, so all workers must share one token and
only one may refresh at a time. Memory by default (one process); Redis when ``DJ_REDIS_URL`` is set: the
token lives in a key with its expiry, and a ``SET NX PX`` lock with a random token guards the refresh (the
others wait for the new value).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

Fetch = Callable[[bool], Awaitable[tuple[str, float]]]  # force -> (token, expires_in seconds)


class TokenUnavailableError(RuntimeError):
    """No token could be obtained (another process holds the refresh lock too long)."""


@dataclass(frozen=True, slots=True)
class CachedToken:
    """A token and when to stop using it (epoch seconds, refresh margin already subtracted)."""

    value: str
    use_until: float


class TokenStore(Protocol):
    """Get the current token, refreshing through ``fetch`` when missing/expired or when ``stale`` (a
    token the API just rejected) is still the cached one."""

    async def get(self, fetch: Fetch, *, stale: str | None = None) -> str: ...


class MemoryTokenStore:
    """Process-local token cache with an asyncio lock around the refresh."""

    def __init__(self, *, margin_s: float) -> None:
        self._margin_s = margin_s
        self._token: CachedToken | None = None
        self._lock = asyncio.Lock()

    def _valid(self, stale: str | None) -> str | None:
        tok = self._token
        if tok is None or tok.use_until <= time.time() or (stale is not None and tok.value == stale):
            return None
        return tok.value

    async def get(self, fetch: Fetch, *, stale: str | None = None) -> str:
        """The cached token, refreshed once if needed (concurrent callers share the refresh)."""
        value = self._valid(stale)
        if value is not None:
            return value
        async with self._lock:
            value = self._valid(stale)
            if value is not None:
                return value
            token, expires_in = await fetch(stale is not None)
            self._token = CachedToken(token, time.time() + max(expires_in - self._margin_s, 1.0))
            return token


_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisTokenStore:
    """Token shared by every process through Redis; one process refreshes at a time."""

    def __init__(
        self, redis: Redis, *, prefix: str, margin_s: float, lock_ttl_s: float, wait_s: float, poll_s: float
    ) -> None:
        self._redis = redis
        self._key = prefix + "wechat:access_token"
        self._lock_key = prefix + "wechat:access_token:lock"
        self._margin_s = margin_s
        self._lock_ttl_ms = int(lock_ttl_s * 1000)
        self._wait_s = wait_s
        self._poll_s = poll_s
        self._release = redis.register_script(_RELEASE)

    async def _read(self, stale: str | None) -> str | None:
        raw = await self._redis.get(self._key)
        if raw is None:
            return None
        data = json.loads(raw)
        value = str(data["value"])
        if float(data["use_until"]) <= time.time() or (stale is not None and value == stale):
            return None
        return value

    async def get(self, fetch: Fetch, *, stale: str | None = None) -> str:
        """The shared token; refreshed by whichever process takes the lock, the others wait for it."""
        value = await self._read(stale)
        if value is not None:
            return value
        give_up = time.monotonic() + self._wait_s
        lock_token = secrets.token_hex(16)
        while True:
            if await self._redis.set(self._lock_key, lock_token, nx=True, px=self._lock_ttl_ms):
                try:
                    value = await self._read(stale)  # refreshed while we were taking the lock
                    if value is not None:
                        return value
                    token, expires_in = await fetch(stale is not None)
                    use_until = time.time() + max(expires_in - self._margin_s, 1.0)
                    await self._redis.set(
                        self._key,
                        json.dumps({"value": token, "use_until": use_until}),
                        px=max(int((use_until - time.time()) * 1000), 1000),
                    )
                    return token
                finally:
                    await self._release(keys=[self._lock_key], args=[lock_token])
            await asyncio.sleep(self._poll_s)
            value = await self._read(stale)
            if value is not None:
                return value
            if time.monotonic() >= give_up:
                raise TokenUnavailableError("access_token refresh by another process did not finish in time")
