"""Running the real app on loopback and driving Debian's chromium with Playwright (tests and screenshots)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import create_app
from bot.db import make_engine
from bot.store.migrate import upgrade
from tests.console_support import ConsoleWorld, build_console_world, console_settings
from tests.fake_wechat_api import FakeAnswerer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def missing_browser() -> str:
    """Why the browser tests cannot run here ('' when they can)."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing (apt-get install -y chromium)"
    return ""


@asynccontextmanager
async def running_console(
    tmp: Path, *, real_knowledge: bool = False, **overrides: Any
) -> AsyncIterator[tuple[str, ConsoleWorld]]:
    """The app on 127.0.0.1 (SQLite in ``tmp``, the small county with accounts): yields the console URL."""
    settings = console_settings(
        tmp, f"sqlite:///{tmp / 'console.sqlite3'}", "http://127.0.0.1:9/",
        include_builtin_knowledge=real_knowledge, **overrides,
    )  # fmt: skip
    upgrade(settings)
    engine = make_engine(settings)
    world = build_console_world(engine, settings)
    app = create_app(settings, answerer=None if real_knowledge else FakeAnswerer(), engine=engine)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/console", world
    finally:
        await runner.cleanup()
        engine.dispose()


@asynccontextmanager
async def browser(tmp: Path) -> AsyncIterator[Any]:
    """A fresh headless chromium (its own profile folder under ``tmp``)."""
    from playwright.async_api import async_playwright

    profile = tmp / "chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, locale="zh-CN"
        )
        try:
            yield context
        finally:
            await context.close()


async def sign_in(page: Any, base: str, login: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("#login", login)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/compliance**")
