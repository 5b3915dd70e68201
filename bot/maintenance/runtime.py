"""The maintenance tasks of one app process, opened and closed by one cleanup context.

``maintenance_runtime(...)`` starts the photo fetcher (when ``photo_fetch_enabled``, the WeChat API is
configured — app id and secret — and the database has the photo columns of migration 0004) and the
conversation purge (when ``conversation_purge_interval_s`` > 0) as tracked tasks, like
:func:`bot.broadcast.runtime.broadcast_runtime`; at shutdown it sets the stop event and drains them for
``shutdown_grace_s``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.deadline import BackgroundTasks
from bot.maintenance.conversation_purge import ConversationPurger
from bot.maintenance.photo_fetcher import MediaAPI, PhotoFetcher
from bot.settings import Settings
from bot.store.state import SqlStateStorage

log = logging.getLogger(__name__)


class MaintenanceRuntime:
    """The running maintenance tasks (``fetcher``/``purger`` are None when not started)."""

    def __init__(self, *, fetcher: PhotoFetcher | None, purger: ConversationPurger | None) -> None:
        self.fetcher = fetcher
        self.purger = purger
        self.tasks = BackgroundTasks()
        self.stop = asyncio.Event()


def _has_photo_columns(engine: Engine) -> bool:
    columns = {c["name"] for c in sa.inspect(engine).get_columns("record_photo")}
    return "content_sha256" in columns and "fetch_next_at" in columns


async def _photo_fetcher(settings: Settings, engine: Engine, api: MediaAPI) -> PhotoFetcher | None:
    if not settings.photo_fetch_enabled:
        return None
    if not settings.wechat_api_configured:
        log.info("photo fetcher off: no DJ_WECHAT_APP_ID / DJ_WECHAT_APP_SECRET (photos keep only their MediaId)")
        return None
    try:
        ready = await asyncio.to_thread(_has_photo_columns, engine)
    except sa.exc.SQLAlchemyError:
        ready = False
    if not ready:
        log.warning("record_photo lacks the photo columns (run `python -m bot db upgrade`): photo fetcher off")
        return None
    return PhotoFetcher(engine=engine, settings=settings, api=api)


@asynccontextmanager
async def maintenance_runtime(
    settings: Settings, *, engine: Engine, api: MediaAPI
) -> AsyncIterator[MaintenanceRuntime]:
    """Start the photo fetcher and the conversation purge; stop and drain them on exit."""
    fetcher = await _photo_fetcher(settings, engine, api)
    purger = None
    if settings.conversation_purge_interval_s > 0:
        purger = ConversationPurger(SqlStateStorage(engine), interval_s=settings.conversation_purge_interval_s)
    runtime = MaintenanceRuntime(fetcher=fetcher, purger=purger)
    if fetcher is not None:
        runtime.tasks.spawn(fetcher.run(runtime.stop), name="photo fetcher")
    if purger is not None:
        runtime.tasks.spawn(purger.run(runtime.stop), name="conversation purge")
    try:
        yield runtime
    finally:
        runtime.stop.set()
        await runtime.tasks.drain(settings.shutdown_grace_s)
