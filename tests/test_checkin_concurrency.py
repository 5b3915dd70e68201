"""200 members submitting at once: no record lost or doubled (threads, real databases)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.db import make_engine
from bot.settings import Settings
from bot.store.checkins import submit_record
from bot.store.errors import DuplicateRecordError
from bot.store.models import ActivityRecord, OrgLevel, Role
from bot.store.orgs import create_org
from bot.store.service import CheckinStore
from tests.store_world import NOW, World, add_member, draft


def _big_branch(session: Session, world: World, n: int) -> tuple[int, list[str]]:
    branch = create_org(session=session, name="大村党支部", level=OrgLevel.BRANCH, parent=world.township)
    openids = []
    for i in range(n):
        openid = f"o_big_{i}"
        add_member(session, branch, f"党员{i:03d}", role=Role.MEMBER, openid=openid)
        openids.append(openid)
    session.commit()
    assert branch.id is not None
    return branch.id, openids


def _threads(settings: Settings, engine: Engine) -> int:
    return 200 if engine.dialect.name == "postgresql" else 50


@pytest.fixture
def pool_engine(store_settings: Settings, engine: Engine) -> Engine:
    """An engine whose pool lets the threads really run at once on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return engine
    from sqlmodel import create_engine

    eng = create_engine(store_settings.effective_database_url, pool_size=40, max_overflow=0, pool_timeout=60)
    return eng


def test_same_meeting_from_many_members_is_stored_once(
    session: Session, store_settings: Settings, world: World, engine: Engine, pool_engine: Engine
) -> None:
    n = _threads(store_settings, engine)
    branch_id, openids = _big_branch(session, world, n)
    store = CheckinStore(pool_engine, store_settings)
    d = draft(expected=n, present=n - 2, absentees=[])

    def submit(openid: str) -> str:
        try:
            store.call_sync(submit_record, openid=openid, draft=d, now=NOW)
            return "stored"
        except DuplicateRecordError as exc:
            assert exc.existing.branch_id == branch_id
            return "duplicate"

    with ThreadPoolExecutor(max_workers=n) as pool:
        outcomes = list(pool.map(submit, openids))
    assert outcomes.count("stored") == 1
    assert outcomes.count("duplicate") == n - 1
    with Session(engine) as s:
        count = s.exec(
            select(func.count()).select_from(ActivityRecord).where(ActivityRecord.branch_id == branch_id)
        ).one()
    assert count == 1
    if pool_engine is not engine:
        pool_engine.dispose()


def test_different_meetings_at_once_are_all_stored(
    session: Session, store_settings: Settings, world: World, engine: Engine, pool_engine: Engine
) -> None:
    n = _threads(store_settings, engine)
    branch_id, openids = _big_branch(session, world, n)
    store = CheckinStore(pool_engine, store_settings)

    def submit(i: int) -> int:
        d = draft(held_on=date(2026, 11, 20) - timedelta(days=i), expected=n, present=n, absentees=[])
        return store.call_sync(submit_record, openid=openids[i], draft=d, now=NOW).id

    with ThreadPoolExecutor(max_workers=n) as pool:
        ids = list(pool.map(submit, range(n)))
    assert len(set(ids)) == n
    with Session(engine) as s:
        count = s.exec(
            select(func.count()).select_from(ActivityRecord).where(ActivityRecord.branch_id == branch_id)
        ).one()
    assert count == n
    if pool_engine is not engine:
        pool_engine.dispose()


async def test_async_store_runs_off_the_loop(
    session: Session, store_settings: Settings, world: World, engine: Engine
) -> None:
    store = CheckinStore(make_engine(store_settings), store_settings)
    view = await store.call(submit_record, openid=World.MEM_A, draft=draft(), now=NOW)
    assert view.branch_id == world.a.id
    with pytest.raises(DuplicateRecordError):
        await store.call(submit_record, openid=World.MEM_A2, draft=draft(), now=NOW)
    store.engine.dispose()
