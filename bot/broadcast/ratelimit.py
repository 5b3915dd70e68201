"""A small async token bucket (per process): ``await limiter.acquire()`` waits for a free slot."""

from __future__ import annotations

import asyncio
import time


class RateLimiter:
    """``rate`` events per ``per_s`` seconds, bursts up to ``burst``.

    ``rate <= 0`` means unlimited. Waiters are served in order (one lock)."""

    def __init__(self, rate: float, *, per_s: float = 1.0, burst: float | None = None) -> None:
        self.rate = rate / per_s if per_s > 0 else 0.0
        # Default burst: a tenth of a second of traffic (smooth sending, no start-up spike).
        self.capacity = max(1.0, burst if burst is not None else self.rate / 10)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    async def acquire(self, n: float = 1.0) -> None:
        """Wait until ``n`` tokens are available and take them."""
        if self.unlimited:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= n or (n > self.capacity and self._tokens >= self.capacity):
                    self._tokens -= n
                    return
                await asyncio.sleep((min(n, self.capacity) - self._tokens) / self.rate)
