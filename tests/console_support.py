"""Builders of the console tests: a small county with records and console accounts, an app on it, and a
client that signs in like a browser (CSRF token read from the page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.console import accounts
from bot.settings import Settings
from bot.store import checkins
from bot.store.views import RecordView
from tests.store_world import NOW, World, build_world, draft

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class ConsoleWorld:
    world: World
    pending_a: RecordView  # 主题党日 of branch A by a member: pending
    confirmed_b: RecordView  # 主题党日 of branch B by its secretary: confirmed


def console_settings(tmp_path: Path, db_url: str, api_base: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": db_url,
        "wechat_token": "test-token",
        "wechat_app_id": "wx1234567890abcdef",
        "wechat_app_secret": "secret",
        "wechat_api_base": api_base,
        "console_cookie_secure": False,
        "console_public_url": "http://console.test",
        "reminders_enabled": False,
        "include_builtin_knowledge": False,
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


def build_console_world(engine: Engine, settings: Settings) -> ConsoleWorld:
    with Session(engine) as session:
        w = build_world(session, settings)
        pending = checkins.submit_record(session=session, settings=settings, openid=World.MEM_A, draft=draft(), now=NOW)
        confirmed = checkins.submit_record(
            session=session,
            settings=settings,
            openid=World.SEC_B,
            draft=draft(expected=5, present=4, absentees=[], held_on=date(2026, 11, 18)),
            now=NOW,
        )
        accounts.create_account(
            session=session, login="hongxing", role="organizer", org=w.a.name_path, password=PASSWORD, member="张建国"
        )
        accounts.create_account(
            session=session, login="xiangyang", role="organizer", org=w.b.name_path, password=PASSWORD, member="孙书记"
        )
        accounts.create_account(
            session=session, login="county", role="county", org=w.county.name_path, password=PASSWORD, member="吴干事"
        )
        for obj in (w.county, w.township, w.a, w.b, w.group1, w.group2, *w.members.values()):
            session.refresh(obj)
        session.expunge_all()
    return ConsoleWorld(w, pending, confirmed)


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


async def sign_in(client: TestClient, login: str, password: str = PASSWORD, prefix: str = "/console") -> str:
    """Sign in through the login form; returns a CSRF token of the signed-in session."""
    page = await client.get(f"{prefix}/login")
    token = csrf_of(await page.text())
    resp = await client.post(f"{prefix}/login", data={"csrf": token, "login": login, "password": password})
    assert resp.status == 200, await resp.text()  # followed the redirect to the compliance page
    assert str(resp.url.path).startswith(f"{prefix}/compliance")
    return csrf_of(await resp.text())
