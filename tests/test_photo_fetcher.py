"""The photo fetcher (issue 4/6): check-in photos keep their real bytes and content hash.

Real edges: a fake WeChat API server over HTTP (tests/photo_support.py), the real ``WeChatAPI`` client,
the database on SQLite (and PostgreSQL when DJ_TEST_POSTGRES_URL is set), files on disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.app import MAINTENANCE, create_app
from bot.maintenance import maintenance_runtime
from bot.maintenance.photo_fetcher import PhotoFetcher
from bot.settings import Settings
from bot.store import checkins, photos
from bot.store.models import utcnow
from bot.wechat.api import MEDIA_TOO_LARGE, NETWORK_ERROR, NOT_MEDIA, WeChatAPIError
from tests.broadcast_support import wechat_api
from tests.fake_wechat_api import FakeAnswerer
from tests.photo_support import (
    MEDIA_GET,
    PHOTO,
    Clock,
    FakeMediaAPI,
    api_settings,
    eventually,
    jpeg_bytes,
    photo_rows,
    png_bytes,
    set_added_at,
    sha,
    submit_with_photos,
)
from tests.store_world import NOW, World


@pytest.fixture
def photo_settings(
    make_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        return api_settings(make_settings(), media_api[1], **overrides)

    return make


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- the API client ---------------------------------------------------------------------------------------


async def test_download_media_bytes_errors_token_refresh_timeout_and_cap(
    media_api: tuple[FakeMediaAPI, str], tmp_path: Path
) -> None:
    fake, url = media_api
    settings = api_settings(Settings(data_dir=tmp_path, _env_file=None), url)  # type: ignore[call-arg]
    image = png_bytes(200)
    fake.media["M-OK"] = (image, "image/png")
    async with wechat_api(settings) as api:
        assert await api.download_media("M-OK") == (image, "image/png")

        with pytest.raises(WeChatAPIError) as invalid:
            await api.download_media("M-UNKNOWN")
        assert invalid.value.code == 40007 and invalid.value.permanent

        # access_token expired: refreshed once, the download retried with the new token.
        fake.fail(MEDIA_GET, 42001)
        assert await api.download_media("M-OK") == (image, "image/png")
        tokens = [c.query["access_token"] for c in fake.media_calls()[-2:]]
        assert tokens == ["TOKEN-1", "TOKEN-2"] and fake.token_serial == 2

        fake.media_delay_s = 0.5
        with pytest.raises(WeChatAPIError) as slow:
            await api.download_media("M-OK", timeout_s=0.1)
        assert slow.value.code == NETWORK_ERROR and not slow.value.permanent
        fake.media_delay_s = 0.0

        with pytest.raises(WeChatAPIError) as big:
            await api.download_media("M-OK", max_bytes=len(image) - 1)
        assert big.value.code == MEDIA_TOO_LARGE and big.value.permanent

        fake.media["M-VIDEO"] = (b'{"video_url": "http://example.invalid/v.mp4"}', "application/json")
        with pytest.raises(WeChatAPIError) as video:
            await api.download_media("M-VIDEO")
        assert video.value.code == NOT_MEDIA and video.value.permanent


# --- the fetcher ------------------------------------------------------------------------------------------


async def test_fetcher_stores_bytes_hash_file_and_row(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    fake, _ = media_api
    settings = photo_settings()
    image = png_bytes(10, 20, 30)
    fake.media["MEDIA1"] = (image, "image/png")
    record_id = submit_with_photos(engine, settings, ["MEDIA1"])
    clock = Clock(NOW + timedelta(minutes=5))
    async with wechat_api(settings) as api:
        handled = await PhotoFetcher(engine=engine, settings=settings, api=api, clock=clock).run_once()
    assert handled == 1
    [row] = photo_rows(engine, record_id)
    digest = sha(image)
    assert row.content_sha256 == digest and row.sha256 == sha("MEDIA1")  # the delivery key is unchanged
    assert row.content_type == "image/png" and row.size_bytes == len(image)
    assert row.stored_path == f"photos/{digest[:2]}/{digest}.png"
    assert row.fetched_at == clock.now and row.fetch_attempts == 1 and row.fetch_error is None
    assert (settings.data_dir / row.stored_path).read_bytes() == image
    assert [p.name for p in files_under(settings.data_dir / "photos")] == [f"{digest}.png"]  # no temp file left


async def test_same_image_twice_is_one_file_and_a_corrected_copy_is_not_downloaded_again(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    fake, _ = media_api
    settings = photo_settings()
    image = jpeg_bytes(b"same")
    fake.media["MEDIA-A"] = (image, "image/jpeg")
    fake.media["MEDIA-B"] = (image, "image/jpeg")  # the same picture sent twice: two MediaIds
    record_id = submit_with_photos(engine, settings, ["MEDIA-A", "MEDIA-B"])
    clock = Clock(NOW + timedelta(minutes=1))
    async with wechat_api(settings) as api:
        fetcher = PhotoFetcher(engine=engine, settings=settings, api=api, clock=clock)
        assert await fetcher.run_once() == 2
        rows = photo_rows(engine, record_id)
        assert {r.content_sha256 for r in rows} == {sha(image)}
        assert len({r.stored_path for r in rows}) == 1
        assert len(files_under(settings.data_dir / "photos")) == 1

        # A correction copies the photos into version 2: the copies take the content already fetched.
        with Session(engine) as s:
            v2 = checkins.correct_record(
                session=s, settings=settings, openid=World.SEC_A, record_id=record_id, changes={"present": 9}
            )
        calls = len(fake.media_calls())
        assert await fetcher.run_once() == 2
    assert len(fake.media_calls()) == calls  # nothing downloaded again
    copies = photo_rows(engine, v2.id)
    assert [r.content_sha256 for r in copies] == [sha(image)] * 2
    assert all(r.fetch_attempts == 0 and r.stored_path == rows[0].stored_path for r in copies)


async def test_permanent_error_is_recorded_and_not_retried(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    fake, _ = media_api
    settings = photo_settings()
    fake.media["NOT-AN-IMAGE"] = (b"<html><script>alert(1)</script></html>", "image/jpeg")
    record_id = submit_with_photos(engine, settings, ["EXPIRED-MEDIA", "NOT-AN-IMAGE"])
    clock = Clock(NOW + timedelta(minutes=1))
    async with wechat_api(settings) as api:
        fetcher = PhotoFetcher(engine=engine, settings=settings, api=api, clock=clock)
        assert await fetcher.run_once() == 2
        expired, not_image = photo_rows(engine, record_id)
        assert expired.content_sha256 is None and "40007" in expired.fetch_error
        assert not_image.content_sha256 is None and "not an image" in not_image.fetch_error
        assert expired.fetch_attempts == 1 and expired.fetch_next_at is None
        clock.advance(days=1)
        assert await fetcher.run_once() == 0
    assert len(fake.media_calls()) == 2
    assert files_under(settings.data_dir / "photos") == []


async def test_transient_errors_are_retried_with_backoff_up_to_the_limit(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    fake, _ = media_api
    settings = photo_settings(photo_fetch_max_attempts=3, photo_fetch_timeout_s=0.1)
    fake.media["SLOW"] = (png_bytes(1), "image/png")
    fake.media_delay_s = 0.5  # every download times out
    record_id = submit_with_photos(engine, settings, ["SLOW"])
    clock = Clock(NOW + timedelta(minutes=1))
    async with wechat_api(settings) as api:
        fetcher = PhotoFetcher(engine=engine, settings=settings, api=api, clock=clock)
        assert await fetcher.run_once() == 1
        [row] = photo_rows(engine, record_id)
        assert row.fetch_attempts == 1 and row.fetch_error is None and row.content_sha256 is None
        wait = row.fetch_next_at - clock.now
        assert timedelta(seconds=48) <= wait <= timedelta(seconds=72)  # base 60 s ± 20 %
        assert await fetcher.run_once() == 0  # not before the backoff
        clock.advance(seconds=73)
        assert await fetcher.run_once() == 1
        [row] = photo_rows(engine, record_id)
        assert row.fetch_attempts == 2 and row.fetch_next_at - clock.now >= timedelta(seconds=96)  # doubled
        clock.advance(seconds=145)
        assert await fetcher.run_once() == 1
        [row] = photo_rows(engine, record_id)
        assert row.fetch_attempts == 3 and row.fetch_error.startswith("gave up after 3 attempts")
        clock.advance(days=1)
        assert await fetcher.run_once() == 0
    assert len(fake.media_calls()) == 3


async def test_transient_error_then_success(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    fake, _ = media_api
    settings = photo_settings()
    fake.media["BUSY"] = (png_bytes(7), "image/png")
    fake.fail(MEDIA_GET, -1)  # system busy
    record_id = submit_with_photos(engine, settings, ["BUSY"])
    clock = Clock(NOW + timedelta(minutes=1))
    async with wechat_api(settings) as api:
        fetcher = PhotoFetcher(engine=engine, settings=settings, api=api, clock=clock)
        await fetcher.run_once()
        clock.advance(minutes=2)
        await fetcher.run_once()
    [row] = photo_rows(engine, record_id)
    assert row.content_sha256 == sha(png_bytes(7)) and row.fetch_attempts == 2 and row.fetch_error is None


async def test_no_access_token_leaves_the_photos_uncounted_for_the_next_round(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    """The account's problem (IP whitelist, wrong secret) is not the photo's: nothing is condemned."""
    fake, _ = media_api
    settings = photo_settings()
    fake.media["T1"] = (png_bytes(1), "image/png")
    fake.media["T2"] = (png_bytes(2), "image/png")
    record_id = submit_with_photos(engine, settings, ["T1", "T2"])
    fake.fail("cgi-bin/stable_token", 40164)  # caller IP not whitelisted: "permanent" for that call
    clock = Clock(NOW + timedelta(minutes=1))
    async with wechat_api(settings) as api:
        fetcher = PhotoFetcher(engine=engine, settings=settings, api=api, clock=clock)
        assert await fetcher.run_once() == 0  # nothing handled: the loop waits its interval
        rows = photo_rows(engine, record_id)
        assert all(r.fetch_attempts == 0 and r.fetch_error is None and r.fetch_next_at is None for r in rows)
        assert fake.media_calls() == []
        assert await fetcher.run_once() == 2  # the whitelist was fixed
    assert all(r.content_sha256 for r in photo_rows(engine, record_id))


async def test_old_photos_and_photos_without_media_id_are_not_downloaded(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    fake, _ = media_api
    settings = photo_settings()
    fake.media["OLD"] = (png_bytes(3), "image/png")
    record_id = submit_with_photos(engine, settings, ["OLD", "http://mmbiz.qpic.cn/some/pic"])
    clock = Clock(NOW + timedelta(days=3, minutes=1))  # past WeChat's 3 days
    async with wechat_api(settings) as api:
        fetcher = PhotoFetcher(engine=engine, settings=settings, api=api, clock=clock)
        assert await fetcher.run_once() == 0
        clock.now = NOW + timedelta(hours=1)
        assert await fetcher.run_once() == 2
    old, pic_url = photo_rows(engine, record_id)
    assert old.content_sha256 == sha(png_bytes(3))
    assert pic_url.content_sha256 is None and "no MediaId" in pic_url.fetch_error and pic_url.fetch_attempts == 0
    assert [c.query["media_id"] for c in fake.media_calls()] == ["OLD"]


async def test_two_fetchers_never_download_the_same_photo(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    """Two processes' fetchers at once: the claim is a lease, each photo is downloaded once."""
    fake, _ = media_api
    settings = photo_settings()
    ids = [f"M{i}" for i in range(6)]
    for i, m in enumerate(ids):
        fake.media[m] = (png_bytes(i), "image/png")
    submit_with_photos(engine, settings, ids)
    clock = Clock(NOW + timedelta(minutes=1))
    async with wechat_api(settings) as api1, wechat_api(settings) as api2:
        f1 = PhotoFetcher(engine=engine, settings=settings, api=api1, clock=clock)
        f2 = PhotoFetcher(engine=engine, settings=settings, api=api2, clock=clock)
        results = await asyncio.gather(f1.run_once(), f2.run_once())
    assert sum(results) == 6
    assert sorted(c.query["media_id"] for c in fake.media_calls()) == sorted(ids)
    assert all(r.fetch_attempts == 1 and r.content_sha256 for r in photo_rows(engine))


async def test_stop_mid_batch_releases_the_photos_not_started(
    engine: Engine, world: World, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    fake, _ = media_api
    settings = photo_settings()
    submit_with_photos(engine, settings, ["S1", "S2"])
    fake.media["S1"] = (png_bytes(1), "image/png")
    fake.media["S2"] = (png_bytes(2), "image/png")
    stop = asyncio.Event()
    stop.set()
    async with wechat_api(settings) as api:
        fetcher = PhotoFetcher(engine=engine, settings=settings, api=api, clock=Clock(NOW + timedelta(minutes=1)))
        assert await fetcher.run_once(stop) == 0
        assert fake.media_calls() == []
        assert all(r.fetch_attempts == 0 and r.fetch_next_at is None for r in photo_rows(engine))
        assert await fetcher.run_once() == 2  # due again at once


# --- the app: started with it, or not at all --------------------------------------------------------------


async def test_fetcher_is_off_without_api_credentials(
    engine: Engine, photo_settings: Callable[..., Settings], media_api: tuple[FakeMediaAPI, str]
) -> None:
    for missing in ({"wechat_app_id": ""}, {"wechat_app_secret": ""}):
        settings = photo_settings(**missing)
        assert not settings.wechat_api_configured
        async with wechat_api(settings) as api, maintenance_runtime(settings, engine=engine, api=api) as runtime:
            assert runtime.fetcher is None
    async with wechat_api(photo_settings()) as api:
        async with maintenance_runtime(photo_settings(photo_fetch_enabled=False), engine=engine, api=api) as rt:
            assert rt.fetcher is None
        async with maintenance_runtime(photo_settings(), engine=engine, api=api) as rt:
            assert rt.fetcher is not None and len(rt.tasks) == 2  # fetcher + conversation purge
        assert len(rt.tasks) == 0  # stopped and drained


async def test_app_without_credentials_starts_no_fetcher(
    aiohttp_client: Any, engine: Engine, photo_settings: Callable[..., Settings]
) -> None:
    settings = photo_settings(wechat_app_id="", wechat_app_secret="", wechat_token="t", include_builtin_knowledge=False)
    app = create_app(settings, answerer=FakeAnswerer(), engine=engine)
    await aiohttp_client(app)
    assert app[MAINTENANCE].fetcher is None


async def test_app_fetches_photos_in_the_background_and_stops_cleanly(
    aiohttp_client: Any,
    engine: Engine,
    world: World,
    photo_settings: Callable[..., Settings],
    media_api: tuple[FakeMediaAPI, str],
) -> None:
    fake, _ = media_api
    settings = photo_settings(photo_fetch_interval_s=0.05, wechat_token="t", include_builtin_knowledge=False)
    image = png_bytes(99)
    fake.media["LIVE"] = (image, "image/png")
    record_id = submit_with_photos(engine, settings, ["LIVE"])
    set_added_at(engine, utcnow())  # just sent: the app's fetcher runs on the real clock
    app = create_app(settings, answerer=FakeAnswerer(), engine=engine)
    client = await aiohttp_client(app)
    runtime = app[MAINTENANCE]
    assert runtime.fetcher is not None
    await eventually(lambda: photo_rows(engine, record_id)[0].content_sha256 is not None)
    assert photo_rows(engine, record_id)[0].content_sha256 == sha(image)
    await client.close()
    assert len(runtime.tasks) == 0 and runtime.stop.is_set()


def test_claim_skips_rows_leased_by_another_process(
    engine: Engine, world: World, photo_settings: Callable[..., Settings]
) -> None:
    settings = photo_settings()
    submit_with_photos(engine, settings, ["L1"])
    with Session(engine) as s:
        first = photos.claim_photos(session=s, settings=settings, limit=10, now=NOW)
    with Session(engine) as s:
        second = photos.claim_photos(session=s, settings=settings, limit=10, now=NOW + timedelta(seconds=10))
    with Session(engine) as s:  # the lease (photo_fetch_lease_s) ran out: the process that held it died
        third = photos.claim_photos(session=s, settings=settings, limit=10, now=NOW + timedelta(minutes=6))
    assert [j.media_id for j in first.jobs] == ["L1"] and second.jobs == []
    assert [j.attempts for j in third.jobs] == [2]
    with engine.connect() as conn:
        assert conn.execute(sa.select(PHOTO.c.fetch_attempts)).scalar_one() == 2
