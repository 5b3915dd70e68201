"""The outbound client against the fake WeChat API server."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.metrics import Metrics
from bot.wechat.api import NETWORK_ERROR, WeChatAPI, WeChatAPIError
from bot.wechat.token import MemoryTokenStore


async def _client(fake_api: Any, session: aiohttp.ClientSession, metrics: Metrics | None = None) -> WeChatAPI:
    _, base = fake_api
    return WeChatAPI(
        session=session,
        base_url=base,
        app_id="wxapp",
        app_secret=SecretStr("s3cret"),
        tokens=MemoryTokenStore(margin_s=300),
        metrics=metrics,
    )


async def test_endpoints_and_token_cached(fake_api: Any) -> None:
    api, _ = fake_api
    async with aiohttp.ClientSession() as session:
        client = await _client(fake_api, session)
        await client.send_text("oU", "你好")
        assert await client.send_template("oU", "TPL", {"thing1": "主题党日"}) == 1001
        assert await client.mass_send_text(["oA", "oB"], "通知", client_msg_id="batch-1") == 2002
        assert (await client.user_info("oU"))["subscribe"] == 1
        assert (await client.create_qrcode("branch42", expire_seconds=60))["ticket"] == "TICKET"
    assert len(api.calls_to("cgi-bin/stable_token")) == 1
    token_call = api.calls_to("cgi-bin/stable_token")[0]
    assert token_call.body == {
        "grant_type": "client_credential",
        "appid": "wxapp",
        "secret": "s3cret",
        "force_refresh": False,
    }
    mass = api.calls_to("cgi-bin/message/mass/send")[0]
    assert mass.body is not None and mass.body["clientmsgid"] == "batch-1"
    assert mass.query["access_token"] == "TOKEN-1"
    qr = api.calls_to("cgi-bin/qrcode/create")[0].body
    assert qr == {
        "action_info": {"scene": {"scene_str": "branch42"}},
        "action_name": "QR_STR_SCENE",
        "expire_seconds": 60,
    }


async def test_concurrent_callers_share_one_token_fetch(fake_api: Any) -> None:
    api, _ = fake_api
    api.token_delay_s = 0.05
    async with aiohttp.ClientSession() as session:
        client = await _client(fake_api, session)
        await asyncio.gather(*[client.send_text(f"o{i}", "x") for i in range(10)])
    assert len(api.calls_to("cgi-bin/stable_token")) == 1


async def test_token_error_refreshes_once_and_retries_once(fake_api: Any) -> None:
    api, _ = fake_api
    metrics = Metrics()
    async with aiohttp.ClientSession() as session:
        client = await _client(fake_api, session, metrics)
        await client.send_text("oU", "first")  # TOKEN-1
        api.invalid_tokens.add("TOKEN-1")
        await client.send_text("oU", "second")
    sends = api.calls_to("cgi-bin/message/custom/send")
    assert [c.query["access_token"] for c in sends] == ["TOKEN-1", "TOKEN-1", "TOKEN-2"]
    tokens = api.calls_to("cgi-bin/stable_token")
    assert [c.body["force_refresh"] for c in tokens if c.body] == [False, True]
    assert metrics.api_errors["40001"] == 1


async def test_token_error_twice_is_raised_not_looped(fake_api: Any) -> None:
    api, _ = fake_api
    api.fail("cgi-bin/message/custom/send", 40001, 40001, 40001)
    async with aiohttp.ClientSession() as session:
        client = await _client(fake_api, session)
        with pytest.raises(WeChatAPIError) as info:
            await client.send_text("oU", "x")
    assert info.value.code == 40001
    assert len(api.calls_to("cgi-bin/message/custom/send")) == 2


@pytest.mark.parametrize(
    ("code", "permanent"),
    [
        (45015, True),
        (45047, True),
        (40164, True),
        (43004, True),
        (40003, True),
        (40037, True),
        (45009, False),
        (45011, False),
        (99999, True),
    ],
)
async def test_errors_typed_and_not_retried(fake_api: Any, code: int, permanent: bool) -> None:
    api, _ = fake_api
    api.fail("cgi-bin/message/template/send", code)
    metrics = Metrics()
    async with aiohttp.ClientSession() as session:
        client = await _client(fake_api, session, metrics)
        with pytest.raises(WeChatAPIError) as info:
            await client.send_template("oU", "TPL", {"k": "v"})
    err = info.value
    assert (err.code, err.permanent) == (code, permanent)
    assert str(code) in str(err) and "template/send" in str(err)
    assert len(api.calls_to("cgi-bin/message/template/send")) == 1
    assert metrics.api_errors[str(code)] == 1
    assert "s3cret" not in str(err)


async def test_network_error_is_typed(unused_tcp_port: int) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session:
        client = WeChatAPI(
            session=session,
            base_url=f"http://127.0.0.1:{unused_tcp_port}/",
            app_id="wx",
            app_secret=SecretStr("s"),
            tokens=MemoryTokenStore(margin_s=0),
        )
        with pytest.raises(WeChatAPIError) as info:
            await client.send_text("o", "x")
    assert info.value.code == NETWORK_ERROR and not info.value.permanent
