"""The console shows a record's photos (issue 6): thumbnails served by a scoped route, through the real app
on SQLite (and PostgreSQL when DJ_TEST_POSTGRES_URL is set); the bytes come from the photo fetcher and a
fake WeChat API over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.app import create_app
from bot.db import make_engine
from bot.maintenance.photo_fetcher import PhotoFetcher
from bot.settings import Settings
from bot.store import checkins
from bot.store.migrate import upgrade
from tests.broadcast_support import wechat_api
from tests.console_support import ConsoleWorld, build_console_world, console_settings, sign_in
from tests.fake_wechat_api import FakeAnswerer
from tests.photo_support import FakeMediaAPI, photo_rows, png_bytes, sha
from tests.store_world import World


@pytest.fixture
def photo_console(
    db_url: str, tmp_path: Path, media_api: tuple[FakeMediaAPI, str], aiohttp_client: Any
) -> Iterator[Callable[..., Any]]:
    """``await photo_console()`` → (client, world, engine, settings, record id, [photo ids]): branch A's
    pending record with two photos (MEDIA-OK is downloadable, MEDIA-GONE answers 40007), not fetched."""
    engines: list[Engine] = []

    async def make() -> tuple[TestClient[Any, Any], ConsoleWorld, Engine, Settings, int, list[int]]:
        # The app's own fetcher is off: the tests fetch when they choose (PhotoFetcher.run_once).
        settings = console_settings(tmp_path, db_url, media_api[1], photo_fetch_enabled=False)
        upgrade(settings)
        engine = make_engine(settings)
        engines.append(engine)
        cw = build_console_world(engine, settings)
        record_id = cw.pending_a.id
        with Session(engine) as s:
            for media_id in ("MEDIA-OK", "MEDIA-GONE"):
                checkins.add_photo(
                    session=s,
                    settings=settings,
                    openid=World.MEM_A,
                    record_id=record_id,
                    photo=checkins.PhotoIn(media_id=media_id, sha256=sha(media_id)),
                )
        media_api[0].media["MEDIA-OK"] = (png_bytes(12, 34, 56), "image/png")
        app = create_app(settings, answerer=FakeAnswerer(), engine=engine)
        client: TestClient[Any, Any] = await aiohttp_client(app)
        return client, cw, engine, settings, record_id, [r.id for r in photo_rows(engine, record_id)]

    yield make
    for e in engines:
        e.dispose()


async def fetch_now(engine: Engine, settings: Settings) -> None:
    """One round of the photo fetcher (the photos were just added, on the real clock)."""
    async with wechat_api(settings) as api:
        await PhotoFetcher(engine=engine, settings=settings, api=api).run_once()


async def test_before_the_download_the_page_says_so_and_the_route_is_404(photo_console: Callable[..., Any]) -> None:
    client, _, _, _, record_id, (ok_id, _) = await photo_console()
    await sign_in(client, "hongxing")
    page = await (await client.get(f"/console/records/{record_id}")).text()
    assert "照片尚未下载（素材 ID MEDIA-OK）" in page and "照片尚未下载（素材 ID MEDIA-GONE）" in page
    assert "<img" not in page
    resp = await client.get(f"/console/records/{record_id}/photos/{ok_id}")
    assert resp.status == 404


async def test_after_the_download_the_page_shows_the_image_and_its_hash(photo_console: Callable[..., Any]) -> None:
    client, _, engine, settings, record_id, (ok_id, gone_id) = await photo_console()
    await fetch_now(engine, settings)
    image = png_bytes(12, 34, 56)
    await sign_in(client, "hongxing")  # branch A's organizer
    page = await (await client.get(f"/console/records/{record_id}")).text()
    src = f"/console/records/{record_id}/photos/{ok_id}"
    assert f'<img src="{src}"' in page
    assert sha(image) in page  # the content hash, not the MediaId's
    assert "照片尚未下载（素材 ID MEDIA-GONE）" in page and "40007" in page
    resp = await client.get(src)
    assert resp.status == 200
    assert await resp.read() == image
    assert resp.headers["Content-Type"] == "image/png"
    assert resp.headers["Cache-Control"].startswith("private")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert (await client.get(f"/console/records/{record_id}/photos/{gone_id}")).status == 404  # never fetched


async def test_photo_route_keeps_the_record_scope(photo_console: Callable[..., Any]) -> None:
    client, cw, engine, settings, record_id, (ok_id, _) = await photo_console()
    await fetch_now(engine, settings)
    src = f"/console/records/{record_id}/photos/{ok_id}"
    await sign_in(client, "xiangyang")  # organizer of branch B
    assert (await client.get(src)).status == 404
    assert (await client.get(f"/console/records/{record_id}")).status == 404  # same rule as the page
    # A photo id of branch A under a record of branch B (which that organizer sees) is not found either.
    assert (await client.get(f"/console/records/{cw.confirmed_b.id}/photos/{ok_id}")).status == 404
    await sign_in(client, "county")  # county account: the whole subtree
    resp = await client.get(src)
    assert resp.status == 200 and await resp.read() == png_bytes(12, 34, 56)


async def test_photo_route_needs_a_session(photo_console: Callable[..., Any]) -> None:
    client, _, engine, settings, record_id, (ok_id, _) = await photo_console()
    await fetch_now(engine, settings)
    resp = await client.get(f"/console/records/{record_id}/photos/{ok_id}", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/console/login")


async def test_photo_of_a_corrected_record_is_shown_on_both_versions(photo_console: Callable[..., Any]) -> None:
    client, _, engine, settings, record_id, _ = await photo_console()
    await fetch_now(engine, settings)
    with Session(engine) as s:
        v2 = checkins.correct_record(
            session=s, settings=settings, openid=World.SEC_A, record_id=record_id, changes={"present": 9}
        )
    await fetch_now(engine, settings)  # the copies are completed from the first download
    [ok_copy, _] = photo_rows(engine, v2.id)
    await sign_in(client, "county")
    page = await (await client.get(f"/console/records/{v2.id}")).text()
    assert f'src="/console/records/{v2.id}/photos/{ok_copy.id}"' in page
    resp = await client.get(f"/console/records/{v2.id}/photos/{ok_copy.id}")
    assert resp.status == 200 and await resp.read() == png_bytes(12, 34, 56)
