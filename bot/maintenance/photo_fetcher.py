"""The photo fetcher: downloads check-in photos (WeChat temporary media) and keeps their real bytes.

Every ``photo_fetch_interval_s`` it claims a small batch of due photos (bot/store/photos.py), downloads
each MediaId once through the media API, checks the bytes are an image, writes them content-addressed
under ``<data_dir>/<photos_dirname>/`` and fills the row (content SHA-256, type, size, path). Transient
failures are retried with backoff up to ``photo_fetch_max_attempts``; permanent ones (40007: invalid or
expired media_id, too large, not an image) are recorded in ``fetch_error`` and never retried.

Database work runs through ``CheckinStore.call`` and file writes through ``asyncio.to_thread``: nothing
blocks the event loop. Any number of processes may run it (claims are leases).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.store import photos
from bot.store.models import utcnow
from bot.store.service import CheckinStore
from bot.wechat.api import MEDIA_GET, WeChatAPIError

log = logging.getLogger(__name__)


class MediaAPI(Protocol):
    """What the fetcher needs of :class:`bot.wechat.api.WeChatAPI`."""

    async def download_media(
        self, media_id: str, *, max_bytes: int = ..., timeout_s: float | None = None
    ) -> tuple[bytes, str]: ...


class _NoTokenError(Exception):
    """The access_token could not be had: the account's problem (secret, IP whitelist), not the photo's."""

    def __init__(self, error: WeChatAPIError) -> None:
        super().__init__(str(error))
        self.error = error


class PhotoFetcher:
    """Downloads due photos; ``run_once`` is one round (tests drive it directly), ``run`` the loop."""

    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        api: MediaAPI,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.store = CheckinStore(engine, settings)
        self.api = api
        self.clock = clock

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim one batch and handle it; returns how many rows were handled (downloaded, completed from a
        twin, or failed). When ``stop`` is set mid-batch, or the access_token cannot be had, the photos not
        tried yet are released (not counted, due again) and the round ends."""
        claimed = await self.store.call(photos.claim_photos, limit=self.settings.photo_fetch_batch, now=self.clock())
        if claimed.reused or claimed.skipped:
            log.info(
                "photos: %d completed from an earlier download of the same media, %d without a MediaId",
                claimed.reused,
                claimed.skipped,
            )
        released = 0
        for n, job in enumerate(claimed.jobs):
            rest = [i for j in claimed.jobs[n:] for i in j.photo_ids]
            if stop is not None and stop.is_set():
                await self.store.call(photos.release_photos, photo_ids=rest)
                released = len(rest)
                break
            try:
                await self._fetch(job)
            except _NoTokenError as exc:
                # Every download of the round would fail the same way: give the photos back uncounted and
                # try again next round (they must not be condemned for the account's configuration).
                log.warning("photo fetcher: no access_token (%s); %d photo(s) left for the next round", exc, len(rest))
                await self.store.call(photos.release_photos, photo_ids=rest)
                released = len(rest)
                break
            except Exception:  # one photo must not stop the batch; its lease expires and it is tried again
                log.exception("photo fetch of media %s (rows %s) failed unexpectedly", job.media_id, job.photo_ids)
        # A round that released photos reports fewer than a full batch: the loop then waits its interval
        # instead of claiming them again at once.
        return sum(len(j.photo_ids) for j in claimed.jobs) - released + claimed.reused + claimed.skipped

    async def _fetch(self, job: photos.PhotoJob) -> None:
        settings = self.settings
        try:
            data, declared = await self.api.download_media(
                job.media_id, max_bytes=settings.photo_max_bytes, timeout_s=settings.photo_fetch_timeout_s
            )
        except WeChatAPIError as exc:
            if exc.endpoint != MEDIA_GET:
                raise _NoTokenError(exc) from exc
            await self._failed(job, str(exc), permanent=exc.permanent)
            return
        content_type = photos.sniff_image_type(data)
        if content_type is None:
            await self._failed(job, f"not an image (Content-Type {declared or 'none'})", permanent=True)
            return
        try:
            stored = await asyncio.to_thread(
                photos.store_photo_file, settings.data_dir, settings.photos_dirname, data, content_type
            )
        except OSError as exc:  # a full disk or a permission problem may pass: retried like a network error
            await self._failed(job, f"writing the file failed: {exc}", permanent=False)
            return
        await self.store.call(photos.record_fetched, photo_ids=job.photo_ids, stored=stored, now=self.clock())
        log.info(
            "photo fetched: media %s -> %s (%s, %d bytes, sha256 %s), rows %s",
            job.media_id,
            stored.stored_path,
            stored.content_type,
            stored.size_bytes,
            stored.content_sha256,
            list(job.photo_ids),
        )

    async def _failed(self, job: photos.PhotoJob, error: str, *, permanent: bool) -> None:
        gave_up = await self.store.call(
            photos.record_failure, photo_ids=job.photo_ids, error=error, permanent=permanent, now=self.clock()
        )
        if gave_up:
            log.warning("photo not fetched, giving up: media %s (attempt %d): %s", job.media_id, job.attempts, error)
        else:
            log.info("photo fetch will be retried: media %s (attempt %d): %s", job.media_id, job.attempts, error)

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch until ``stop`` is set; a full batch is followed at once by the next (a backlog drains)."""
        log.info("photo fetcher started (every %.0f s)", self.settings.photo_fetch_interval_s)
        while not stop.is_set():
            try:
                handled = await self.run_once(stop)
            except Exception:
                log.exception("photo fetcher: a round failed; retrying after the interval")
                handled = 0
            if handled >= self.settings.photo_fetch_batch:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.photo_fetch_interval_s)
        log.info("photo fetcher stopped")
