"""Async access to the store for the gateway: each call runs the synchronous service function in a worker
thread with its own session, retrying when a SQLite file is momentarily locked.

    store = CheckinStore(engine, settings)
    view = await store.call(checkins.submit_record, openid=openid, draft=draft, clear_state=True)

Service functions take ``session`` (and ``settings`` when they declare it) as keyword arguments; ``call``
supplies both.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot.settings import Settings
from bot.store.errors import ErrorCode, StoreError

T = TypeVar("T")


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text or "busy" in text


def _wants_settings(fn: Callable[..., Any]) -> bool:
    """True when ``fn`` declares a ``settings`` parameter (read from its code object: a signature per
    call showed in the check-in profile)."""
    code = getattr(fn, "__code__", None)
    if code is None or code.co_flags & inspect.CO_VARKEYWORDS:
        return "settings" in inspect.signature(fn).parameters
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return "settings" in names


class CheckinStore:
    """Runs store functions off the event loop (``asyncio.to_thread``), one session per call."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def call_sync(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Run ``fn(session=..., [settings=...], **kwargs)`` in a fresh session (retries busy SQLite)."""
        wants_settings = _wants_settings(fn)
        attempts = max(1, self.settings.db_write_retries)
        for attempt in range(attempts):
            with Session(self.engine) as session:
                try:
                    if wants_settings:
                        return fn(session=session, settings=self.settings, **kwargs)
                    return fn(session=session, **kwargs)
                except OperationalError as exc:
                    session.rollback()
                    if not _is_busy(exc) or attempt == attempts - 1:
                        if _is_busy(exc):
                            raise StoreError(ErrorCode.BUSY) from exc
                        raise
            time.sleep(0.05 * (attempt + 1))
        raise StoreError(ErrorCode.BUSY)  # pragma: no cover - loop always returns or raises

    async def call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        """Async :meth:`call_sync`."""
        return await asyncio.to_thread(self.call_sync, fn, **kwargs)
