"""The gateway with the real KnowledgeService (slow: loads the embedding model)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import create_app
from tests.fake_wechat_api import WeChatClient

pytestmark = pytest.mark.model


async def test_policy_question_through_real_service(aiohttp_client: Any, gateway_settings: Any) -> None:
    settings = gateway_settings(reply_deadline_s=30.0)
    app = create_app(settings)  # answerer=None: the real service, opened in the cleanup context
    client = await aiohttp_client(app)
    wc = WeChatClient(client)
    health = await client.get("/healthz")
    assert health.status == 200
    body = await health.json()
    assert body["knowledge"]["ready"] is True
    # A fresh install answers from the built-in knowledge, with its source...
    reply = await wc.say("支部党员大会多久开一次？", msg_id="1")
    assert reply is not None and "每季度" in reply and "出处：" in reply
    # ...and says plainly when its documents do not cover a question.
    reply = await wc.say("党费每月交多少", msg_id="2")
    assert reply is not None and "没有找到" in reply
    assert len(reply.encode()) <= 2047
