"""Long answers: WeChat drops text replies over about 2048 bytes UTF-8, so a long answer is cut into
pages; the first goes out with "回复「更多」", the rest wait per user (with an expiry) for 「更多」.

Cuts prefer paragraph, line, sentence, then clause boundaries; a cut never splits a UTF-8 character, a
number (digits with their separators) or an ASCII word.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from redis.asyncio import Redis

_BREAKS: tuple[tuple[str, ...], ...] = (
    ("\n\n",),
    ("\n",),
    ("。", "！", "？", "；", "!", "?", ";"),
    ("，", "、", "：", ",", ":"),
    (" ",),
)


def _utf8_len(s: str) -> int:
    return len(s.encode("utf-8"))


def _glued(a: str, b: str) -> bool:
    """True when a cut between ``a`` and ``b`` would split a number or an ASCII word."""
    if not a or not b:
        return False
    word = str.isascii
    if a.isdigit() and (b.isdigit() or b in ".,%"):
        return True
    if b.isdigit() and a in ".,":
        return True
    return word(a) and word(b) and a.isalnum() and b.isalnum()


def _fit(text: str, budget: int) -> int:
    """The largest character count whose UTF-8 encoding fits ``budget`` bytes."""
    used = 0
    for i, ch in enumerate(text):
        used += _utf8_len(ch)
        if used > budget:
            return i
    return len(text)


def split_text(text: str, max_bytes: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_bytes`` UTF-8 bytes each (at good boundaries)."""
    if max_bytes < 8:
        raise ValueError("max_bytes too small")
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if _utf8_len(rest) <= max_bytes:
            pieces.append(rest)
            break
        limit = _fit(rest, max_bytes)
        cut = 0
        for group in _BREAKS:
            best = max((rest.rfind(sep, 0, limit - len(sep) + 1) + len(sep) for sep in group), default=0)
            # A break in the first third would make silly short pages; fall through to finer breaks.
            if best > limit // 3 and best > 0:
                cut = best
                break
        if cut == 0:
            cut = limit
            while cut > 1 and _glued(rest[cut - 1], rest[cut]):
                cut -= 1
            if cut <= 1:  # one enormous number/word: cut it anyway rather than loop forever
                cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [p for p in pieces if p]


class PageStore(Protocol):
    """The waiting pages of each user."""

    async def put(self, user_id: str, pages: Sequence[str], ttl_s: float) -> None: ...

    async def pop(self, user_id: str) -> tuple[str, int] | None:
        """The next page and how many remain after it; ``None`` when nothing waits."""
        ...


class MemoryPageStore:
    """Process-local :class:`PageStore`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._pages: dict[str, tuple[float, list[str]]] = {}
        self._clock = clock

    async def put(self, user_id: str, pages: Sequence[str], ttl_s: float) -> None:
        """Replace ``user_id``'s waiting pages."""
        now = self._clock()
        for uid in [u for u, (exp, _) in self._pages.items() if exp <= now]:
            del self._pages[uid]
        if pages:
            self._pages[user_id] = (now + ttl_s, list(pages))
        else:
            self._pages.pop(user_id, None)

    async def pop(self, user_id: str) -> tuple[str, int] | None:
        """Take the next waiting page."""
        entry = self._pages.get(user_id)
        if entry is None or entry[0] <= self._clock() or not entry[1]:
            self._pages.pop(user_id, None)
            return None
        page = entry[1].pop(0)
        if not entry[1]:
            del self._pages[user_id]
        return page, len(entry[1])


class RedisPageStore:
    """:class:`PageStore` in Redis (a list per user) so 「更多」 works on any process."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix + "pages:"

    async def put(self, user_id: str, pages: Sequence[str], ttl_s: float) -> None:
        """Replace ``user_id``'s waiting pages."""
        key = self._prefix + user_id
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if pages:
                pipe.rpush(key, *[json.dumps(p, ensure_ascii=False) for p in pages])
                pipe.pexpire(key, int(ttl_s * 1000))
            await pipe.execute()

    async def pop(self, user_id: str) -> tuple[str, int] | None:
        """Take the next waiting page."""
        key = self._prefix + user_id
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpop(key)
            pipe.llen(key)
            raw, remaining = await pipe.execute()
        if raw is None:
            return None
        return str(json.loads(raw)), int(remaining)


class Paginator:
    """Applies the page budget to replies and serves 「更多」."""

    def __init__(
        self, store: PageStore, *, max_bytes: int, ttl_s: float, footer: Callable[[int, int], str]
    ) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.ttl_s = ttl_s
        self._footer = footer  # (page number, page count) -> "（1/3）回复「更多」…"

    async def paginate(self, user_id: str, text: str) -> str:
        """``text`` if it fits; else its first page with a footer, the rest stored for 「更多」."""
        if _utf8_len(text) <= self.max_bytes:
            return text
        # Footer size depends on the page numbers; a 99-page answer's footers bound them all.
        budget = self.max_bytes - max(_utf8_len(self._footer(98, 99)), _utf8_len(self._footer(99, 99)))
        pages = split_text(text, budget)
        total = len(pages)
        decorated = [p + self._footer(i + 1, total) if i + 1 < total else p for i, p in enumerate(pages)]
        if total > 1:
            decorated[-1] = pages[-1] + self._footer(total, total)
        await self.store.put(user_id, decorated[1:], self.ttl_s)
        return decorated[0]

    async def next_page(self, user_id: str) -> str | None:
        """The next stored page (already carrying its footer), or ``None``."""
        got = await self.store.pop(user_id)
        return None if got is None else got[0]
