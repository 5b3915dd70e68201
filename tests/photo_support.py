"""Helpers of the photo tests: the fake WeChat API taught cgi-bin/media/get (and its ``media_api`` fixture;
this module is a pytest plugin, see tests/conftest.py), real image bytes, records with photos, a settable
clock."""

from __future__ import annotations

import asyncio
import hashlib
import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from bot.store import checkins
from bot.store.models import RecordPhoto
from tests.fake_wechat_api import Call, FakeWeChatAPI
from tests.store_world import NOW, World, draft

MEDIA_GET = "cgi-bin/media/get"
PHOTO = RecordPhoto.__table__  # type: ignore[attr-defined]


def png_bytes(red: int, green: int = 0, blue: int = 0) -> bytes:
    """A real 1×1 PNG of one colour (different colours: different bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, green, blue]))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_bytes(tag: bytes = b"x") -> bytes:
    """Bytes that start like a JPEG (enough for the type check; never decoded)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + tag * 64 + b"\xff\xd9"


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@dataclass
class FakeMediaAPI(FakeWeChatAPI):
    """:class:`FakeWeChatAPI` plus ``cgi-bin/media/get``: ``media`` maps a media_id to (bytes, Content-Type);
    an unknown id answers errcode 40007 (as text/plain, like WeChat). ``fail(MEDIA_GET, code…)`` queues
    errcodes (``fail("cgi-bin/stable_token", code…)`` too: the token fetch fails); ``media_delay_s``
    delays every media answer (timeouts)."""

    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media_delay_s: float = 0.0

    def media_calls(self) -> list[Call]:
        return self.calls_to(MEDIA_GET)

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        if path == "cgi-bin/stable_token" and self.queued.get(path):
            self.calls.append(Call(path, dict(request.query), None))
            return _error(self.queued[path].pop(0), "fake token error")
        if path != MEDIA_GET:
            return await super()._handle(request)
        self.calls.append(Call(path, dict(request.query), None))
        if self.media_delay_s:
            await asyncio.sleep(self.media_delay_s)
        queue = self.queued.get(path)
        if queue:
            return _error(queue.pop(0), "fake error")
        if request.query.get("access_token") in self.invalid_tokens:
            return _error(40001, "invalid credential")
        item = self.media.get(request.query.get("media_id", ""))
        if item is None:
            return _error(40007, "invalid media_id hint: [fake]")
        data, content_type = item
        return web.Response(
            body=data, headers={"Content-Type": content_type, "Content-disposition": 'attachment; filename="p.jpg"'}
        )


def _error(code: int, message: str) -> web.Response:
    return web.Response(text=json.dumps({"errcode": code, "errmsg": message}), content_type="text/plain")


def api_settings(settings: Settings, api_url: str, **overrides: object) -> Settings:
    """``settings`` pointed at the fake API, with credentials and quick photo-fetch timings."""
    values: dict[str, object] = {
        "wechat_api_base": api_url,
        "wechat_app_id": "wxapp",
        "wechat_app_secret": "secret",
        "photo_fetch_backoff_base_s": 60.0,
        "photo_fetch_backoff_max_s": 600.0,
        "photo_fetch_timeout_s": 5.0,
        "reminders_enabled": False,
        **overrides,
    }
    # A validated copy (model_copy would keep a plain str where a SecretStr belongs).
    return Settings(**{**settings.model_dump(), **values, "_env_file": None})


class Clock:
    """A settable clock for the fetcher (``clock()``), starting at the tests' NOW."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def submit_with_photos(
    engine: Engine, settings: Settings, media_ids: list[str], *, openid: str = World.MEM_A, **overrides: object
) -> int:
    """Submit a 主题党日 of branch A with these photos (added at NOW); returns the record id."""
    photos = [{"media_id": m, "sha256": sha(m)} for m in media_ids]
    with Session(engine) as s:
        view = checkins.submit_record(
            session=s, settings=settings, openid=openid, draft=draft(photos=photos, **overrides), now=NOW
        )
    return view.id


def photo_rows(engine: Engine, record_id: int | None = None) -> list[sa.Row[tuple[object, ...]]]:
    """Every record_photo row (of one record), by id."""
    stmt = sa.select(PHOTO).order_by(PHOTO.c.id)
    if record_id is not None:
        stmt = stmt.where(PHOTO.c.record_id == record_id)
    with engine.connect() as conn:
        return list(conn.execute(stmt).all())


def set_added_at(engine: Engine, when: datetime) -> None:
    """Pretend every photo was added at ``when``."""
    with engine.begin() as conn:
        conn.execute(sa.update(PHOTO).values(added_at=when))


async def eventually(check: Callable[[], bool], *, timeout_s: float = 10.0, poll_s: float = 0.05) -> None:
    """Wait until ``check()`` holds (a background task's effect in the database); fail after ``timeout_s``."""
    for _ in range(int(timeout_s / poll_s)):
        if check():
            return
        await asyncio.sleep(poll_s)
    raise AssertionError(f"not true after {timeout_s} s")


@pytest.fixture
async def media_api(aiohttp_server: Any) -> tuple[FakeMediaAPI, str]:
    """A running fake media API: (the fake, its base URL)."""
    api = FakeMediaAPI()
    server = await aiohttp_server(api.app())
    return api, str(server.make_url("/"))
