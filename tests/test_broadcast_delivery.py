"""Delivery of broadcasts against the fake WeChat API: channel per recipient, permanent vs transient
errors, reports, mass send, restart in the middle, two senders (SQLite and PostgreSQL via db_url)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.broadcast import store
from bot.broadcast.models import Broadcast, Channel, Delivery, DeliveryState
from bot.db import make_engine
from bot.settings import Settings
from bot.store.models import utcnow
from tests.broadcast_support import CS, MASS, TEMPLATE, seen, send_notice, sender_for, settings_for
from tests.fake_wechat_api import FakeWeChatAPI
from tests.store_world import World, add_member


def _rows(session: Session, broadcast_id: int) -> dict[str, Delivery]:
    session.expire_all()
    return {d.name: d for d in session.exec(select(Delivery).where(Delivery.broadcast_id == broadcast_id))}


async def test_channel_per_recipient(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url)
    seen(session, World.MEM_A, ago=timedelta(hours=2))  # inside the 48 h window
    seen(session, World.MEM_A2, ago=timedelta(hours=49))  # outside
    created = send_notice(session, settings, World.SEC_A, "通知 本周五下午3点在村委会开展主题党日，请准时参加")
    assert created.recipients == 11
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    rows = _rows(session, created.broadcast_id)
    assert rows["王小明"].state == DeliveryState.DELIVERED and rows["王小明"].channel == Channel.CUSTOM
    assert rows["赵红"].state == DeliveryState.DELIVERED and rows["赵红"].channel == Channel.TEMPLATE
    assert rows["李梅"].channel == Channel.TEMPLATE  # never wrote: template
    assert rows["党员甲0"].state == DeliveryState.UNREACHABLE and rows["党员甲0"].reason == "not_bound"
    assert [c.body["touser"] for c in api.calls_to(CS) if c.body and c.body["touser"] != World.SEC_A] == [World.MEM_A]
    template_calls = api.calls_to(TEMPLATE)
    assert sorted(c.body["touser"] for c in template_calls if c.body) == sorted([World.MEM_A2, World.ORG_A])
    for call in template_calls:
        assert call.body is not None
        assert call.body["template_id"] == "TPL-1"
        assert call.body["client_msg_id"].startswith(f"b{created.broadcast_id}:m")
        for value in call.body["data"].values():
            assert len(value["value"]) <= 20 and "\n" not in value["value"]
    # The organizer gets the report by customer-service message, with the names of the unreachable.
    report = [text for who, text in api.sent_texts if who == World.SEC_A]
    assert len(report) == 1
    assert "已送达 3 人" in report[0] and "无法送达 8 人" in report[0] and "党员甲0（未绑定微信）" in report[0]
    b = session.get(Broadcast, created.broadcast_id)
    assert b is not None and b.status == "done" and b.reported_at is not None


async def test_no_template_means_unreachable_outside_the_window(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url, template_id="")
    seen(session, World.MEM_A, ago=timedelta(hours=1))
    seen(session, World.ORG_A, ago=timedelta(hours=1), subscribed=False)  # unfollowed since
    created = send_notice(session, settings, World.SEC_A, "通知 明早8点打扫村部卫生")
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    rows = _rows(session, created.broadcast_id)
    assert rows["王小明"].state == DeliveryState.DELIVERED
    assert (rows["赵红"].state, rows["赵红"].reason) == (DeliveryState.UNREACHABLE, "outside_window")
    assert (rows["李梅"].state, rows["李梅"].reason) == (DeliveryState.UNREACHABLE, "unsubscribed")
    assert api.calls_to(TEMPLATE) == []


async def test_window_closed_falls_back_to_template(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url)
    seen(session, World.MEM_A, ago=timedelta(hours=1))
    api.fail_for(CS, World.MEM_A, 45015)
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    row = _rows(session, created.broadcast_id)["王小明"]
    assert (row.state, row.channel) == (DeliveryState.DELIVERED, Channel.TEMPLATE)
    assert api.received_by(World.MEM_A) == 1


async def test_permanent_errors_are_not_retried(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url)
    api.block(TEMPLATE, World.MEM_A2, 43004)  # unfollowed
    api.block(TEMPLATE, World.ORG_A, 40037)  # bad template id
    api.block(TEMPLATE, World.MEM_A, 40003)  # invalid openid
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    rows = _rows(session, created.broadcast_id)
    assert (rows["赵红"].state, rows["赵红"].reason) == (DeliveryState.UNREACHABLE, "unsubscribed")
    assert (rows["李梅"].state, rows["李梅"].reason, rows["李梅"].error_code) == (
        DeliveryState.FAILED,
        "error_40037",
        40037,
    )
    assert (rows["王小明"].state, rows["王小明"].reason) == (DeliveryState.UNREACHABLE, "invalid_openid")
    per_user = Counter(c.body["touser"] for c in api.calls_to(TEMPLATE) if c.body)
    assert per_user == {World.MEM_A2: 1, World.ORG_A: 1, World.MEM_A: 1}
    assert all(r.attempts == 1 for r in rows.values() if r.openid)
    report = next(text for who, text in api.sent_texts if who == World.SEC_A)
    assert "发送失败：李梅（模板消息配置错误）" in report


async def test_transient_errors_are_retried_with_backoff(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url, broadcast_max_attempts=4)
    api.fail_for(TEMPLATE, World.MEM_A2, -1, 45011)  # busy, then per-minute limit, then fine
    api.block(TEMPLATE, World.ORG_A, -1)  # busy for ever
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    rows = _rows(session, created.broadcast_id)
    assert (rows["赵红"].state, rows["赵红"].attempts) == (DeliveryState.DELIVERED, 3)
    assert (rows["李梅"].state, rows["李梅"].reason, rows["李梅"].attempts) == (
        DeliveryState.FAILED,
        "retries_exhausted",
        4,
    )
    per_user = Counter(c.body["touser"] for c in api.calls_to(TEMPLATE) if c.body)
    assert per_user[World.MEM_A2] == 3 and per_user[World.ORG_A] == 4


async def test_backoff_grows_and_is_capped(store_settings: Settings, engine: Engine) -> None:
    from bot.broadcast.sender import BroadcastSender

    settings = store_settings.model_copy(update={"broadcast_backoff_base_s": 2.0, "broadcast_backoff_max_s": 10.0})
    sender = BroadcastSender(engine=engine, settings=settings, api=None)  # type: ignore[arg-type]
    delays = [sender.backoff(n).total_seconds() for n in (1, 2, 3, 10)]
    assert 1.6 <= delays[0] <= 2.4 and 3.2 <= delays[1] <= 4.8 and 6.4 <= delays[2] <= 9.6
    assert delays[3] <= 12.0


async def test_mass_send_with_clientmsgid(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url, mass_send_enabled=True)
    seen(session, World.MEM_A, ago=timedelta(hours=1))
    created = send_notice(session, settings, World.SEC_A, "通知 全体党员明晚7点到村部学习")
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    rows = _rows(session, created.broadcast_id)
    assert rows["王小明"].channel == Channel.CUSTOM
    assert rows["赵红"].channel == Channel.MASS and rows["李梅"].channel == Channel.MASS
    calls = api.calls_to(MASS)
    assert len(calls) == 1 and calls[0].body is not None
    assert sorted(calls[0].body["touser"]) == sorted([World.MEM_A2, World.ORG_A])
    assert calls[0].body["clientmsgid"] == rows["赵红"].mass_key
    assert "全体党员明晚7点" in calls[0].body["text"]["content"]


def _crash_midway(engine: Engine, broadcast_id: int, *, channel: str, sent: list[str], api: FakeWeChatAPI) -> None:
    """What a process killed mid-batch leaves: rows claimed by it (lease expired), some with the API
    call made (and accepted by WeChat) but the result never written."""
    past = utcnow() - timedelta(seconds=5)
    with Session(engine) as s:
        rows = list(s.exec(select(Delivery).where(Delivery.broadcast_id == broadcast_id, Delivery.state == "pending")))
        for d in rows:
            d.state, d.lease_owner, d.lease_until = DeliveryState.SENDING, "dead-process", past
            if d.openid in sent:
                d.inflight, d.attempts, d.channel = True, 1, channel
                # WeChat already accepted this one before the crash:
                if channel == Channel.TEMPLATE:
                    api.client_ids.add(d.idem_key)
                api.accepted.append(("crashed", d.openid, "before the crash"))
            s.add(d)
        s.commit()


async def test_restart_midway_template_no_duplicates_none_lost(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url)
    extra = [add_member(session, world.a, f"新党员{i}", openid=f"o_new_{i}") for i in range(20)]
    session.commit()
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    openids = [World.ORG_A, World.MEM_A, World.MEM_A2] + [f"o_new_{i}" for i in range(len(extra))]
    _crash_midway(engine, created.broadcast_id, channel=Channel.TEMPLATE, sent=openids[:7], api=api)
    async with sender_for(engine, settings, owner="restarted") as sender:
        await sender.run_until_idle(timeout_s=20)
    for openid in openids:
        assert api.received_by(openid) == 1, openid  # none twice, none lost
    assert api.duplicates_dropped == 7  # resent with the same client_msg_id, dropped by WeChat
    states = store.delivery_states(session=session, broadcast_id=created.broadcast_id)
    assert states == {"delivered": len(openids), "unreachable": 8}


async def test_restart_midway_customer_service_in_doubt(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    api, url = fake_api
    settings = settings_for(store_settings, url)
    for openid in (World.ORG_A, World.MEM_A, World.MEM_A2):
        seen(session, openid, ago=timedelta(minutes=5))
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    _crash_midway(engine, created.broadcast_id, channel=Channel.CUSTOM, sent=[World.MEM_A], api=api)
    async with sender_for(engine, settings) as sender:
        await sender.run_until_idle(timeout_s=20)
    rows = _rows(session, created.broadcast_id)
    # No dedup key exists for customer-service messages: at most once, reported by name.
    assert (rows["王小明"].state, rows["王小明"].reason) == (DeliveryState.FAILED, "in_doubt")
    assert api.received_by(World.MEM_A) == 1
    assert rows["李梅"].state == rows["赵红"].state == DeliveryState.DELIVERED
    report = next(text for who, text in api.sent_texts if who == World.SEC_A)
    assert "王小明（发送中断，未确认是否送达）" in report


async def test_restart_of_the_app_midway_resumes(
    engine: Engine, session: Session, world: World, store_settings: Settings, fake_api: tuple[FakeWeChatAPI, str]
) -> None:
    """A graceful stop in the middle (rate-limited), then a new runtime: every member gets it once."""
    from bot.broadcast.activity import ActivityTracker
    from bot.broadcast.runtime import broadcast_runtime
    from tests.broadcast_support import wechat_api

    api, url = fake_api
    for i in range(40):
        add_member(session, world.a, f"新党员{i}", openid=f"o_new_{i}")
    session.commit()
    settings = settings_for(store_settings, url, broadcast_rate_per_s=40.0, broadcast_claim_batch=10)
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    async with wechat_api(settings) as client:
        async with broadcast_runtime(settings, engine=engine, api=client, tracker=ActivityTracker()) as rt:
            rt.wake()
            await asyncio.sleep(0.4)
        first = len(api.accepted)
        assert 0 < first < 43  # stopped midway
        async with broadcast_runtime(settings, engine=engine, api=client, tracker=ActivityTracker()) as rt:
            for _ in range(400):
                states = store.delivery_states(session=session, broadcast_id=created.broadcast_id)
                if states.get("delivered", 0) == 43:
                    break
                await asyncio.sleep(0.05)
    for openid in [World.ORG_A, World.MEM_A, World.MEM_A2] + [f"o_new_{i}" for i in range(40)]:
        assert api.received_by(openid) == 1, openid


async def test_two_senders_send_each_delivery_once(
    engine: Engine,
    session: Session,
    world: World,
    store_settings: Settings,
    fake_api: tuple[FakeWeChatAPI, str],
) -> None:
    """Two app instances (own engines and pools) on one database: PostgreSQL claims with
    FOR UPDATE SKIP LOCKED; on SQLite the conditional UPDATE serialises them."""
    api, url = fake_api
    api.delay_s = 0.002
    rows = [
        {"name": f"批量{i}", "org_id": world.a.id, "role": "member", "category": "full", "active": True}
        for i in range(300)
    ]
    from bot.store.models import Member, WeChatBinding

    now = utcnow()
    with Session(engine) as s:
        s.execute(sa.insert(Member), [{**r, "created_at": now, "updated_at": now} for r in rows])
        s.commit()
        ids = s.exec(select(Member.id).where(sa.func.substr(Member.name, 1, 2) == "批量")).all()
        s.execute(sa.insert(WeChatBinding), [{"openid": f"o_bulk_{i}", "member_id": i, "bound_at": now} for i in ids])
        s.commit()
    settings = settings_for(store_settings, url, broadcast_claim_batch=20, broadcast_concurrency=4)
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    engine2 = make_engine(settings)
    try:
        async with sender_for(engine, settings, owner="A") as a, sender_for(engine2, settings, owner="B") as b:
            done = await asyncio.gather(a.run_until_idle(timeout_s=60), b.run_until_idle(timeout_s=60))
    finally:
        engine2.dispose()
    assert sum(done) >= 303
    per_user = Counter(who for path, who, _ in api.accepted if path == TEMPLATE)
    assert len(per_user) == 303 and set(per_user.values()) == {1}
    owners = Counter(d.lease_owner for d in _rows(session, created.broadcast_id).values())
    assert owners == {None: 311}  # every lease released
    assert a.sent > 0 and (b.sent > 0 or engine.dialect.name == "sqlite")
    assert a.sent + b.sent == 303


ROOT = str(Path(__file__).resolve().parent.parent)
SENDER_SCRIPT = """
import asyncio, sys
from bot.db import make_engine
from bot.settings import Settings
from tests.broadcast_support import sender_for

async def main() -> None:
    settings = Settings()
    engine = make_engine(settings)
    async with sender_for(engine, settings, owner=sys.argv[1]) as sender:
        await sender.run_until_idle(timeout_s=60)
    print(sender.sent)

asyncio.run(main())
"""


async def test_two_os_processes_send_each_delivery_once(
    engine: Engine,
    session: Session,
    world: World,
    store_settings: Settings,
    fake_api: tuple[FakeWeChatAPI, str],
) -> None:
    """Two real processes (python -c) sending the same broadcast on PostgreSQL."""
    if engine.dialect.name != "postgresql":
        pytest.skip("several sender processes need PostgreSQL (SQLite: one process per file)")
    api, url = fake_api
    api.delay_s = 0.002
    for i in range(150):
        add_member(session, world.a, f"进程{i}", openid=f"o_proc_{i}")
    session.commit()
    settings = settings_for(store_settings, url)
    created = send_notice(session, settings, World.SEC_A, "通知 开会")
    env = {
        **os.environ,
        "DJ_DATABASE_URL": store_settings.database_url,
        "DJ_WECHAT_API_BASE": url,
        "DJ_WECHAT_APP_ID": "wxapp",
        "DJ_WECHAT_APP_SECRET": "secret",
        "DJ_TEMPLATE_ID": "TPL-1",
        "DJ_BROADCAST_RATE_PER_S": "0",
        "DJ_BROADCAST_CLAIM_BATCH": "10",
        "DJ_BROADCAST_POLL_S": "0.05",
    }
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", SENDER_SCRIPT, owner, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE
        )
        for owner in ("P1", "P2")
    ]
    outputs = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    sent = [int(out.decode().strip().splitlines()[-1]) for out, _ in outputs]
    per_user = Counter(who for path, who, _ in api.accepted if path == TEMPLATE)
    assert len(per_user) == 153 and set(per_user.values()) == {1}
    assert sum(sent) == 153 and all(n > 0 for n in sent)
    assert store.delivery_states(session=session, broadcast_id=created.broadcast_id) == {
        "delivered": 153,
        "unreachable": 8,
    }
