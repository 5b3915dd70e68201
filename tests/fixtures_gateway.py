"""Fixtures of the WeChat gateway tests (plugin listed in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from tests.fake_wechat_api import AES_KEY, APP_ID, TOKEN, FakeAnswerer, FakeWeChatAPI, WeChatClient


@pytest.fixture
def fake_answerer() -> FakeAnswerer:
    return FakeAnswerer()


@pytest.fixture
async def fake_api(aiohttp_server: Any) -> tuple[FakeWeChatAPI, str]:
    api = FakeWeChatAPI()
    server = await aiohttp_server(api.app())
    return api, str(server.make_url("/"))


@pytest.fixture
def gateway_settings(tmp_path: Path, fake_api: tuple[FakeWeChatAPI, str]) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "wechat_token": TOKEN,
            "wechat_app_id": APP_ID,
            "wechat_app_secret": "secret",
            "wechat_aes_key": AES_KEY,
            "wechat_api_base": fake_api[1],
            "redis_url": "",
            "_env_file": None,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def gateway_client(
    aiohttp_client: Any, gateway_settings: Callable[..., Settings], fake_answerer: FakeAnswerer
) -> Callable[..., Any]:
    """``await gateway_client(aes=False, **settings_overrides)`` → a :class:`WeChatClient` on a fresh app."""

    async def make(*, aes: bool = False, answerer: Any = None, **overrides: Any) -> WeChatClient:
        settings = gateway_settings(**overrides)
        app: web.Application = create_app(settings, answerer=answerer or fake_answerer)
        client = await aiohttp_client(app)
        return WeChatClient(client, aes=aes, path=settings.wechat_path)

    return make
