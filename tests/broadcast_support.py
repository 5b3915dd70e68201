"""Shared helpers of the broadcast / reminder tests: a fake-API-backed WeChatAPI, senders, settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.broadcast import store
from bot.broadcast.compose import NoticeCommand
from bot.broadcast.models import UserActivity
from bot.broadcast.sender import BroadcastSender
from bot.settings import Settings
from bot.store.models import utcnow
from bot.wechat.api import WeChatAPI
from bot.wechat.token import MemoryTokenStore
from handlers.broadcast_texts import report_text

CS = "cgi-bin/message/custom/send"
TEMPLATE = "cgi-bin/message/template/send"
MASS = "cgi-bin/message/mass/send"

FAST: dict[str, Any] = {
    "broadcast_rate_per_s": 0.0,  # unlimited unless a test sets it
    "broadcast_backoff_base_s": 0.01,
    "broadcast_backoff_max_s": 0.05,
    "broadcast_poll_s": 0.05,
    "activity_flush_s": 0.05,
    "template_id": "TPL-1",
    "reminders_enabled": False,
}


def settings_for(base: Settings, api_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        **FAST,
        "wechat_api_base": api_url,
        "wechat_app_id": "wxapp",
        "wechat_app_secret": SecretStr("secret"),
        **overrides,
    }
    return base.model_copy(update=values)


@asynccontextmanager
async def wechat_api(settings: Settings) -> AsyncIterator[WeChatAPI]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        yield WeChatAPI(
            session=http,
            base_url=settings.wechat_api_base,
            app_id=settings.wechat_app_id,
            app_secret=settings.wechat_app_secret,
            tokens=MemoryTokenStore(margin_s=300),
        )


@asynccontextmanager
async def sender_for(
    engine: Engine, settings: Settings, *, owner: str | None = None, **kw: Any
) -> AsyncIterator[BroadcastSender]:
    async with wechat_api(settings) as api:
        yield BroadcastSender(engine=engine, settings=settings, api=api, owner=owner, report_text=report_text, **kw)


def seen(session: Session, openid: str, *, ago: timedelta, subscribed: bool = True) -> None:
    """Pretend ``openid`` last wrote ``ago`` ago."""
    row = session.get(UserActivity, openid)
    at = utcnow() - ago
    if row is None:
        row = UserActivity(openid=openid, last_inbound_at=at, subscribed=subscribed)
    else:
        row.last_inbound_at, row.subscribed = at, subscribed
    session.add(row)
    session.commit()


def send_notice(
    session: Session, settings: Settings, openid: str, text: str, *, key: str = "draft-1", now: datetime | None = None
) -> store.Created:
    """Plan and create a broadcast as 「通知 …」 + 「确认」 would."""
    from bot.broadcast.compose import parse_notice

    command = parse_notice(text)
    assert isinstance(command, NoticeCommand)
    plan = store.plan_broadcast(session=session, settings=settings, openid=openid, command=command, now=now)
    return store.create_broadcast(session=session, draft_key=key, plan=plan)
