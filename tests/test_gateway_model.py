"""The gateway with the real KnowledgeService (slow: loads the embedding model)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import create_app
from tests.fake_wechat_api import WeChatClient

pytestmark = pytest.mark.model


async def test_policy_question_through_real_service(aiohttp_client: Any, gateway_settings: Any) -> None:
    pytest.importorskip("knowledge.service", reason="knowledge.service is not there yet")
    settings = gateway_settings(reply_deadline_s=30.0)
    try:
        app = create_app(settings)  # answerer=None: the real service, opened in the cleanup context
        client = await aiohttp_client(app)
    except Exception as exc:  # no index built / model missing on this machine
        pytest.skip(f"knowledge service could not open: {exc}")
    wc = WeChatClient(client)
    health = await client.get("/healthz")
    assert health.status in (200, 503)
    reply = await wc.say("党费每月交多少")
    assert reply
    assert len(reply.encode()) <= 2047
