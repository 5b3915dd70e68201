"""Expired conversation rows are purged on a schedule (not only when their user writes again): the
purge's single sweep, and the app's tracked task with a tiny interval."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.app import MAINTENANCE, create_app
from bot.conversation import ConversationState
from bot.maintenance.conversation_purge import ConversationPurger
from bot.settings import Settings
from bot.store.models import ConversationStateRow
from bot.store.state import SqlStateStorage
from tests.fake_wechat_api import FakeAnswerer
from tests.photo_support import eventually


def _state(user: str, ttl: float) -> ConversationState:
    return ConversationState(user_id=user, flow="checkin", step="ask_present", expires_at=time.time() + ttl, data={})


def _row(engine: Engine, user: str) -> ConversationStateRow | None:
    with Session(engine) as s:
        return s.get(ConversationStateRow, user)


async def test_one_sweep_deletes_only_expired_rows(engine: Engine) -> None:
    storage = SqlStateStorage(engine)
    storage.set_sync(_state("o_gone", ttl=-5))
    storage.set_sync(_state("o_live", ttl=600))
    purger = ConversationPurger(storage, interval_s=3600)
    assert await purger.run_once() == 1
    assert _row(engine, "o_gone") is None and _row(engine, "o_live") is not None
    assert await purger.run_once() == 0


async def test_the_app_purges_on_its_interval_and_stops_cleanly(
    aiohttp_client: Any, engine: Engine, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        conversation_purge_interval_s=0.05, wechat_token="t", reminders_enabled=False, include_builtin_knowledge=False
    )
    app = create_app(settings, answerer=FakeAnswerer(), engine=engine)
    client = await aiohttp_client(app)
    runtime = app[MAINTENANCE]
    assert runtime.purger is not None and runtime.fetcher is None  # no API credentials: no photo fetcher
    SqlStateStorage(engine).set_sync(_state("o_abandoned", ttl=-1))  # nobody will read it again
    SqlStateStorage(engine).set_sync(_state("o_busy", ttl=600))
    await eventually(lambda: _row(engine, "o_abandoned") is None)
    assert _row(engine, "o_busy") is not None
    await client.close()
    assert len(runtime.tasks) == 0 and runtime.stop.is_set()


async def test_interval_zero_disables_the_purge(
    aiohttp_client: Any, engine: Engine, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(conversation_purge_interval_s=0, wechat_token="t", reminders_enabled=False)
    app = create_app(settings, answerer=FakeAnswerer(), engine=engine)
    await aiohttp_client(app)
    assert app[MAINTENANCE].purger is None and len(app[MAINTENANCE].tasks) == 0
