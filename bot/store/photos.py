"""Photos of records: what the photo fetcher claims and records, the content-addressed files, the
console's reads (docs/checkins.md, "Photos").

Store functions are synchronous, keyword-only and take a ``Session`` (run them with
``CheckinStore.call``). File functions do blocking I/O: call them through ``asyncio.to_thread``.

A ``record_photo`` row is *due* when it has no content yet, the fetcher has not given up on it
(``fetch_error`` NULL), fewer than ``photo_fetch_max_attempts`` downloads were started, it was added
within ``photo_fetch_max_age_s`` (WeChat keeps temporary media 3 days) and ``fetch_next_at`` (backoff
or another process's lease) has passed.
"""

from __future__ import annotations

import hashlib
import os
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.settings import Settings
from bot.store.models import RecordPhoto, utcnow

_PHOTO: sa.Table = RecordPhoto.__table__  # type: ignore[attr-defined]

# Image types we keep, by their leading bytes. The type stored (and served back) is the one the bytes
# show, never the sender's Content-Type: the console serves these files from its own origin.
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "image/bmp": "bmp"}


def sniff_image_type(data: bytes) -> str | None:
    """The image type of ``data`` from its magic bytes (JPEG, PNG, GIF, WebP, BMP), None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:2] == b"BM" and len(data) > 26:
        return "image/bmp"
    return None


def has_media_id(media_id: str) -> bool:
    """False for a row that kept the PicUrl because the message had no MediaId: nothing to download."""
    return not media_id.startswith(("http://", "https://"))


# --- files ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    """Where and what the downloaded bytes are."""

    content_sha256: str
    content_type: str
    size_bytes: int
    stored_path: str  # relative to data_dir, "/" separated


def store_photo_file(data_dir: Path, dirname: str, data: bytes, content_type: str) -> StoredPhoto:
    """Write ``data`` to ``<data_dir>/<dirname>/<sha[:2]>/<sha>.<ext>`` atomically (temporary file in the
    same folder, fsync, rename) and return its description. The same bytes always map to the same file;
    when it already exists it is not written again."""
    sha = hashlib.sha256(data).hexdigest()
    ext = _EXTENSIONS.get(content_type, "bin")
    relative = f"{dirname}/{sha[:2]}/{sha}.{ext}"
    target = data_dir / relative
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-", suffix=f".{ext}")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            # A concurrent writer of the same bytes renames an identical file over ours: harmless.
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return StoredPhoto(sha, content_type, len(data), relative)


def photo_path(data_dir: Path, dirname: str, stored_path: str) -> Path | None:
    """The absolute path of a stored photo, or None when ``stored_path`` would leave the photos folder
    (it comes from our own database, but a file path is never trusted blindly)."""
    root = (data_dir / dirname).resolve()
    path = (data_dir / stored_path).resolve()
    return path if path.is_relative_to(root) else None


# --- the fetcher's claims and results --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoJob:
    """One download: every claimed row with this MediaId (a correction copies a record's photos)."""

    media_id: str
    photo_ids: tuple[int, ...]
    attempts: int  # downloads started for these rows, this one included


@dataclass(frozen=True, slots=True)
class Claimed:
    jobs: list[PhotoJob]
    reused: int = 0  # rows completed from an already-downloaded row with the same MediaId
    skipped: int = 0  # rows without a MediaId (PicUrl only): marked as not downloadable


def _due(settings: Settings, moment: datetime) -> sa.ColumnElement[bool]:
    t = _PHOTO
    return sa.and_(
        t.c.content_sha256.is_(None),
        t.c.fetch_error.is_(None),
        t.c.fetch_attempts < settings.photo_fetch_max_attempts,
        t.c.added_at >= moment - timedelta(seconds=settings.photo_fetch_max_age_s),
        sa.or_(t.c.fetch_next_at.is_(None), t.c.fetch_next_at <= moment),
    )


def claim_photos(*, session: Session, settings: Settings, limit: int, now: datetime | None = None) -> Claimed:
    """Claim up to ``limit`` due photos, oldest first (they expire first). Commits.

    Rows whose MediaId was already downloaded for another row are completed from it (no download); rows
    without a MediaId are marked. The rest get ``fetch_attempts + 1`` and a lease (``fetch_next_at`` =
    now + ``photo_fetch_lease_s``) and are returned grouped by MediaId. PostgreSQL: ``FOR UPDATE SKIP
    LOCKED``; on both databases the UPDATE repeats the "due" condition, so two processes never claim
    the same row."""
    t = _PHOTO
    moment = now or utcnow()
    due = _due(settings, moment)
    candidates = sa.select(t.c.id, t.c.media_id).where(due).order_by(t.c.added_at, t.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    conn = session.connection()
    rows = conn.execute(candidates).all()
    if not rows:
        session.rollback()
        return Claimed([])
    no_media = [int(r.id) for r in rows if not has_media_id(r.media_id)]
    if no_media:
        conn.execute(
            sa.update(t)
            .where(t.c.id.in_(no_media), t.c.content_sha256.is_(None))
            .values(fetch_error="no MediaId (the message had only a PicUrl): nothing to download")
        )
    wanted = {int(r.id): str(r.media_id) for r in rows if has_media_id(r.media_id)}
    twins = _fetched_twins(conn, set(wanted.values()))
    reused = [i for i, m in wanted.items() if m in twins]
    for photo_id in reused:
        twin = twins[wanted[photo_id]]
        conn.execute(
            sa.update(t)
            .where(t.c.id == photo_id, t.c.content_sha256.is_(None))
            .values(
                content_sha256=twin.content_sha256,
                content_type=twin.content_type,
                size_bytes=twin.size_bytes,
                stored_path=twin.stored_path,
                fetched_at=twin.fetched_at,
                fetch_next_at=None,
            )
        )
    done = set(reused)
    to_fetch = [i for i in wanted if i not in done]
    claimed: list[sa.Row[Any]] = []
    if to_fetch:
        claimed = list(
            conn.execute(
                sa.update(t)
                .where(t.c.id.in_(to_fetch), due)
                .values(
                    fetch_attempts=t.c.fetch_attempts + 1,
                    fetch_next_at=moment + timedelta(seconds=settings.photo_fetch_lease_s),
                )
                .returning(t.c.id, t.c.media_id, t.c.fetch_attempts)
            ).all()
        )
    session.commit()
    groups: dict[str, list[tuple[int, int]]] = {}
    for row in claimed:
        groups.setdefault(str(row.media_id), []).append((int(row.id), int(row.fetch_attempts)))
    jobs = [
        PhotoJob(media_id, tuple(sorted(i for i, _ in items)), max(a for _, a in items))
        for media_id, items in groups.items()
    ]
    return Claimed(jobs, reused=len(reused), skipped=len(no_media))


@dataclass(frozen=True, slots=True)
class _Twin:
    content_sha256: str
    content_type: str
    size_bytes: int
    stored_path: str
    fetched_at: datetime


def _fetched_twins(conn: sa.Connection, media_ids: set[str]) -> dict[str, _Twin]:
    if not media_ids:
        return {}
    t = _PHOTO
    rows = conn.execute(
        sa.select(t.c.media_id, t.c.content_sha256, t.c.content_type, t.c.size_bytes, t.c.stored_path, t.c.fetched_at)
        .where(t.c.media_id.in_(sorted(media_ids)), t.c.content_sha256.is_not(None))
        .order_by(t.c.id)
    ).all()
    twins: dict[str, _Twin] = {}
    for r in rows:
        twins.setdefault(
            str(r.media_id), _Twin(r.content_sha256, r.content_type, r.size_bytes, r.stored_path, r.fetched_at)
        )
    return twins


def record_fetched(
    *, session: Session, photo_ids: Sequence[int], stored: StoredPhoto, now: datetime | None = None
) -> int:
    """The bytes of ``photo_ids`` are stored: fill their content columns. Returns rows updated. Commits."""
    t = _PHOTO
    result = session.connection().execute(
        sa.update(t)
        .where(t.c.id.in_(list(photo_ids)))
        .values(
            content_sha256=stored.content_sha256,
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
            stored_path=stored.stored_path,
            fetched_at=now or utcnow(),
            fetch_error=None,
            fetch_next_at=None,
        )
    )
    session.commit()
    return int(result.rowcount or 0)


def release_photos(*, session: Session, photo_ids: Sequence[int]) -> int:
    """Give back claimed photos that were not tried (shutdown mid-batch): the attempt is not counted and
    they are due again at once. Commits."""
    t = _PHOTO
    result = session.connection().execute(
        sa.update(t)
        .where(t.c.id.in_(list(photo_ids)), t.c.content_sha256.is_(None), t.c.fetch_attempts > 0)
        .values(fetch_attempts=t.c.fetch_attempts - 1, fetch_next_at=None)
    )
    session.commit()
    return int(result.rowcount or 0)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: doubling from the base, capped, ±20 %
    jitter (processes that failed together do not retry together)."""
    base = settings.photo_fetch_backoff_base_s * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(settings.photo_fetch_backoff_max_s, base) * random.uniform(0.8, 1.2))


def record_failure(
    *,
    session: Session,
    settings: Settings,
    photo_ids: Sequence[int],
    error: str,
    permanent: bool,
    now: datetime | None = None,
) -> bool:
    """A download of ``photo_ids`` failed. Permanent (or the last allowed attempt): ``fetch_error`` is
    set and the fetcher stops; transient: the next try waits for the backoff. Returns True when the
    fetcher gave up. Commits."""
    t = _PHOTO
    moment = now or utcnow()
    conn = session.connection()
    rows = conn.execute(sa.select(t.c.id, t.c.fetch_attempts).where(t.c.id.in_(list(photo_ids)))).all()
    gave_up = False
    for photo_id, attempts in rows:
        if permanent or attempts >= settings.photo_fetch_max_attempts:
            gave_up = True
            text = error if permanent else f"gave up after {attempts} attempts: {error}"
            values: dict[str, object] = {"fetch_error": text[:200], "fetch_next_at": None}
        else:
            values = {"fetch_next_at": moment + backoff(settings, int(attempts))}
        conn.execute(sa.update(t).where(t.c.id == photo_id, t.c.content_sha256.is_(None)).values(**values))
    session.commit()
    return gave_up


# --- reads for the console --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhotoInfo:
    """One photo as the console shows it."""

    id: int
    record_id: int
    media_id: str
    sha256: str  # the delivery key (SHA-256 of the MediaId)
    added_at: datetime
    content_sha256: str | None
    content_type: str | None
    size_bytes: int | None
    stored_path: str | None
    fetched_at: datetime | None
    fetch_attempts: int
    fetch_error: str | None

    @property
    def fetched(self) -> bool:
        """The bytes are on disk (their route serves them)."""
        return self.stored_path is not None and self.content_sha256 is not None


_INFO_COLUMNS = [
    _PHOTO.c[k]
    for k in (
        "id",
        "record_id",
        "media_id",
        "sha256",
        "added_at",
        "content_sha256",
        "content_type",
        "size_bytes",
        "stored_path",
        "fetched_at",
        "fetch_attempts",
        "fetch_error",
    )
]


def _info(r: sa.Row[Any]) -> PhotoInfo:
    return PhotoInfo(
        id=int(r.id),
        record_id=int(r.record_id),
        media_id=str(r.media_id),
        sha256=str(r.sha256),
        added_at=r.added_at,
        content_sha256=r.content_sha256,
        content_type=r.content_type,
        size_bytes=r.size_bytes,
        stored_path=r.stored_path,
        fetched_at=r.fetched_at,
        fetch_attempts=int(r.fetch_attempts or 0),
        fetch_error=r.fetch_error,
    )


def record_photos(*, session: Session, record_id: int) -> list[PhotoInfo]:
    """The photos of one record version, in the order they were added."""
    t = _PHOTO
    rows = session.connection().execute(
        sa.select(*_INFO_COLUMNS).where(t.c.record_id == record_id).order_by(t.c.id)
    ).all()
    return [_info(r) for r in rows]


def record_photo(*, session: Session, record_id: int, photo_id: int) -> PhotoInfo | None:
    """Photo ``photo_id`` when it belongs to record ``record_id`` (None otherwise)."""
    t = _PHOTO
    row = session.connection().execute(
        sa.select(*_INFO_COLUMNS).where(t.c.id == photo_id, t.c.record_id == record_id)
    ).first()
    return _info(row) if row is not None else None
