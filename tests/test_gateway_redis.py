"""Scale-out through Redis (needs DJ_TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/15)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.app import METRICS, TASKS, create_app
from bot.dedup import RedisDedup
from bot.locks import RedisUserLocks
from bot.settings import Settings
from bot.wechat.api import WeChatAPI
from bot.wechat.token import RedisTokenStore
from tests.fake_wechat_api import FakeAnswerer, WeChatClient, message_xml

REDIS_URL = os.environ.get("DJ_TEST_REDIS_URL", "")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="DJ_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)"),
]


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    p = f"djtest:{uuid.uuid4().hex}:"
    yield p
    client = Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(match=p + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


async def test_dedup_across_two_instances(
    aiohttp_client: Any, gateway_settings: Callable[..., Settings], prefix: str
) -> None:
    answerer = FakeAnswerer(slow_s=0.4)
    settings = gateway_settings(redis_url=REDIS_URL, redis_key_prefix=prefix)
    a = WeChatClient(await aiohttp_client(create_app(settings, answerer=answerer)))
    b = WeChatClient(await aiohttp_client(create_app(settings, answerer=answerer)))
    body = message_xml("慢问题", msg_id="4242")
    first = asyncio.ensure_future(a.send(body))
    await asyncio.sleep(0.1)  # A is running the handler when the retry reaches B
    second = await b.send(body)
    assert await first == second == "答：慢问题"
    assert answerer.questions == ["慢问题"]
    assert b.client.app[METRICS].dedup_hits == 1
    # a later retry to B is served from the shared result cache
    assert await b.send(body) == "答：慢问题"
    assert answerer.questions == ["慢问题"]


async def test_late_across_instances_sent_once(
    aiohttp_client: Any, gateway_settings: Callable[..., Settings], prefix: str, fake_api: Any
) -> None:
    api, _ = fake_api
    answerer = FakeAnswerer(slow_s=0.4)
    settings = gateway_settings(redis_url=REDIS_URL, redis_key_prefix=prefix, reply_deadline_s=0.1)
    a = WeChatClient(await aiohttp_client(create_app(settings, answerer=answerer)))
    b = WeChatClient(await aiohttp_client(create_app(settings, answerer=answerer)))
    body = message_xml("慢", msg_id="4343")
    replies = await asyncio.gather(a.send(body), b.send(body))
    assert replies[0] is not None  # pending text on the owner
    assert replies[1] is None
    await a.client.app[TASKS].drain(2)
    assert api.sent_texts == [("oUser1", "答：慢")]
    assert await b.send(body) is None


async def test_redis_user_lock_serialises(redis: Redis, prefix: str) -> None:
    locks = RedisUserLocks(redis, prefix=prefix, ttl_s=5, wait_s=5, poll_s=0.01)
    active = 0
    peak = 0

    async def work() -> None:
        nonlocal active, peak
        async with locks.hold("oU"):
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.02)
            active -= 1

    await asyncio.gather(*[work() for _ in range(5)])
    assert peak == 1
    assert await redis.get(prefix + "lock:user:oU") is None


async def test_redis_dedup_give_up_then_publish(redis: Redis, prefix: str) -> None:
    one = RedisDedup(redis, prefix=prefix, ttl_s=10, poll_s=0.01)
    two = RedisDedup(redis, prefix=prefix, ttl_s=10, poll_s=0.01)
    assert await one.claim("k")
    assert not await two.claim("k")
    assert await two.wait("k", 0.05) is None
    assert await two.give_up("k") is None
    assert await one.publish("k", "answer") is True  # someone gave up: send late
    outcome = await two.wait("k", 0.05)
    assert outcome is not None and outcome.passive_text() is None


async def test_token_shared_between_instances_one_refresh(redis: Redis, prefix: str, fake_api: Any) -> None:
    api, base = fake_api
    api.token_delay_s = 0.1
    async with aiohttp.ClientSession() as session:
        clients = [
            WeChatAPI(
                session=session,
                base_url=base,
                app_id="wx",
                app_secret=SecretStr("s"),
                tokens=RedisTokenStore(
                    redis, prefix=prefix, margin_s=300, lock_ttl_s=5, wait_s=5, poll_s=0.01
                ),
            )
            for _ in range(2)
        ]
        await asyncio.gather(*[c.send_text("oU", str(i)) for i, c in enumerate(clients * 3)])
        assert len(api.calls_to("cgi-bin/stable_token")) == 1
        # a token error on one instance refreshes once; the other picks the new token up
        api.invalid_tokens.add("TOKEN-1")
        await clients[0].send_text("oU", "x")
        await clients[1].send_text("oU", "y")
    assert len(api.calls_to("cgi-bin/stable_token")) == 2
    assert api.calls[-1].query["access_token"] == "TOKEN-2"
