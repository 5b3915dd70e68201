"""Conversation state in the database: survives a restart, expires, cleared with the record."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.conversation import ConversationState, StateStorage
from bot.db import make_engine
from bot.settings import Settings
from bot.store.checkins import submit_record
from bot.store.models import ConversationStateRow, utcnow
from bot.store.state import SqlStateStorage
from tests.store_world import NOW, World, draft


def _state(user: str = "o_user", ttl: float = 600.0, **data: object) -> ConversationState:
    return ConversationState(
        user_id=user,
        flow="checkin",
        step="ask_present",
        expires_at=time.time() + ttl,
        data={"type_code": "theme_day", "held_on": "2026-11-20", "expected": 25, **data},
    )


async def test_set_get_clear(engine: Engine) -> None:
    storage: StateStorage = SqlStateStorage(engine)  # mypy checks it meets the gateway's protocol
    assert await storage.get("o_user") is None
    await storage.set(_state())
    got = await storage.get("o_user")
    assert got is not None and got.flow == "checkin" and got.step == "ask_present"
    assert dict(got.data) == {"type_code": "theme_day", "held_on": "2026-11-20", "expected": 25}
    await storage.set(_state(step="x", present=23))
    got = await storage.get("o_user")
    assert got is not None and got.data["present"] == 23
    await storage.clear("o_user")
    assert await storage.get("o_user") is None
    await storage.clear("o_user")  # clearing nothing is fine


async def test_state_survives_a_restart(store_settings: Settings, engine: Engine) -> None:
    await SqlStateStorage(engine).set(_state(topic="学习“两个确立”；'quoted' \\ 反斜杠"))
    engine.dispose()
    fresh = make_engine(store_settings)  # a new process would build a new engine
    try:
        got = await SqlStateStorage(fresh).get("o_user")
    finally:
        fresh.dispose()
    assert got is not None and got.data["topic"] == "学习“两个确立”；'quoted' \\ 反斜杠"


async def test_expired_state_is_gone(engine: Engine) -> None:
    storage = SqlStateStorage(engine)
    await storage.set(_state(ttl=-1))
    assert await storage.get("o_user") is None
    with Session(engine) as s:
        assert s.get(ConversationStateRow, "o_user") is None  # deleted on read
    await storage.set(_state(user="o_a", ttl=-5))
    await storage.set(_state(user="o_b", ttl=600))
    assert storage.purge_expired_sync() == 1
    assert storage.get_sync("o_b") is not None
    assert storage.get_sync("o_b", now=utcnow() + timedelta(hours=1)) is None


async def test_finishing_a_checkin_clears_state_in_the_same_transaction(
    session: Session, store_settings: Settings, world: World, engine: Engine
) -> None:
    storage = SqlStateStorage(engine)
    await storage.set(_state(user=World.MEM_A))
    submit_record(
        session=session, settings=store_settings, openid=World.MEM_A, draft=draft(), now=NOW, clear_state=True
    )
    assert await storage.get(World.MEM_A) is None
