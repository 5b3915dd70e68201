"""Documents of the knowledge base, managed from the console (county accounts only).

* The list comes from the current index version's manifest (``knowledge.index_store``).
* Uploads go to ``<data_dir>/<console_docs_dirname>`` (extension whitelist and size cap from settings);
  that folder is ingested as one source, so the index mirrors it (``Ingestor.ingest(folder)``):
  unchanged documents keep their vectors, removed files leave the index.
* Reindexing and removals run one at a time in a dedicated thread (a tracked task), never on the event
  loop; the page polls :meth:`DocumentJobs.progress`. The running Q&A service notices the new index
  version by itself on its next question (``KnowledgeService._refresh_if_changed``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from bot.settings import Settings
from embeddings.encoder import Encoder
from handlers.policy_qa import KnowledgeAnswerer
from knowledge.index_store import DocumentRecord, IndexStore
from knowledge.ingest import Ingestor, IngestReport

log = logging.getLogger(__name__)

_PROGRESS_RE = re.compile(r"(\d+)/(\d+)")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\\/:*?\"<>|]")


class DocumentsBackend(Protocol):
    """What the console needs of the knowledge base (all blocking: called in a worker thread)."""

    def documents(self) -> list[DocumentRecord]: ...

    def reindex(self, folder: Path, progress: Callable[[str], None]) -> IngestReport: ...

    def remove(self, key: str) -> IngestReport: ...


class IndexDocuments:
    """:class:`DocumentsBackend` over the on-disk index and the running service's encoder."""

    def __init__(self, settings: Settings, encoder: Callable[[], Encoder | None]) -> None:
        self.settings = settings
        self._encoder = encoder
        self.store = IndexStore(settings.index_dir, keep_versions=settings.index_keep_versions)

    def documents(self) -> list[DocumentRecord]:
        version = self.store.current_version()
        if version is None:
            return []
        return list(self.store.read_manifest(version).documents)

    def _ingestor(self, progress: Callable[[str], None] | None = None) -> Ingestor:
        encoder = self._encoder()
        if encoder is None:
            raise RuntimeError("the knowledge service is not loaded: documents cannot be indexed")
        return Ingestor(
            self.store,
            encoder,
            chunk_max_chars=self.settings.chunk_max_chars,
            batch_size=self.settings.embedding_batch_size,
            include_builtin=self.settings.include_builtin_knowledge,
            progress=progress,
        )

    def reindex(self, folder: Path, progress: Callable[[str], None]) -> IngestReport:
        return self._ingestor(progress).ingest(folder)

    def remove(self, key: str) -> IngestReport:
        report, missing = self._ingestor().remove([key])
        if missing:
            raise FileNotFoundError(key)
        return report


def encoder_of(answerer: object) -> Encoder | None:
    """The encoder of the app's knowledge service when the answerer is the real one
    (``KnowledgeAnswerer.encoder``); None for a stub answerer, which has no model."""
    return answerer.encoder if isinstance(answerer, KnowledgeAnswerer) else None


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file, NFC, without path parts or control characters ('' if none)."""
    if _PERCENT.search(name):  # aiohttp's client (and some tools) percent-encode multipart file names
        name = unquote(name)
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE_NAME.sub("_", base).strip().lstrip(".")
    return base[:120]


@dataclass(slots=True)
class JobProgress:
    """What the documents page shows (polled as JSON)."""

    state: str = "idle"  # idle | queued | running | done | failed
    action: str = ""  # 重建索引 / 删除 <name>
    stage: str = ""
    done: int = 0
    total: int = 0
    started_at: float = 0.0
    finished_at: float = 0.0
    message: str = ""
    serial: int = 0
    queued: int = 0
    log: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["percent"] = round(100 * self.done / self.total) if self.total else (100 if self.state == "done" else 0)
        return data


@dataclass(frozen=True, slots=True)
class _Op:
    kind: str  # "reindex" | "remove"
    key: str = ""
    label: str = ""


class DocumentJobs:
    """Runs reindex / remove operations one at a time in one thread, as a tracked task."""

    def __init__(self, backend: DocumentsBackend, folder: Path, executor: ThreadPoolExecutor) -> None:
        self.backend = backend
        self.folder = folder
        self._executor = executor
        self._queue: list[_Op] = []
        self._task: asyncio.Task[None] | None = None
        self.progress = JobProgress()

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def submit(self, kind: str, key: str = "", label: str = "") -> None:
        """Queue an operation (a reindex already waiting is not queued twice) and start the worker."""
        op = _Op(kind, key, label)
        if op.kind == "reindex" and op in self._queue:
            return
        self._queue.append(op)
        self.progress.queued = len(self._queue)
        if not self.busy:
            self.progress.state = "queued"
            self._task = asyncio.get_running_loop().create_task(self._run(), name="console-documents")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            op = self._queue.pop(0)
            p = self.progress
            p.serial += 1
            p.queued = len(self._queue)
            p.state, p.stage, p.done, p.total, p.message = "running", "准备", 0, 0, ""
            p.action = "重建索引" if op.kind == "reindex" else f"删除 {op.label or op.key}"
            p.started_at, p.finished_at = time.time(), 0.0

            def note(msg: str, p: JobProgress = p) -> None:  # called from the worker thread
                m = _PROGRESS_RE.search(msg)
                if m:
                    p.done, p.total = int(m.group(1)), int(m.group(2))
                    p.stage = "编码段落"
                else:
                    p.stage = msg

            try:
                if op.kind == "reindex":
                    self.folder.mkdir(parents=True, exist_ok=True)
                    report = await loop.run_in_executor(self._executor, self.backend.reindex, self.folder, note)
                else:
                    report = await loop.run_in_executor(self._executor, self.backend.remove, op.key)
            except Exception as exc:
                log.exception("console document job failed: %s", p.action)
                p.state, p.message = "failed", f"{type(exc).__name__}: {exc}"
            else:
                p.state = "done"
                p.stage = "完成"
                p.message = (
                    f"索引版本 {report.version}：新增 {len(report.added)}，更新 {len(report.updated)}，"
                    f"删除 {len(report.removed)}，共 {report.documents} 篇、{report.passages} 段，"
                    f"用时 {report.seconds:.1f} 秒"
                )
            p.finished_at = time.time()
            p.log = [f"{p.action}：{p.message}", *p.log][:5]

    async def drain(self, grace_s: float) -> None:
        """Shutdown: wait for the running operation up to ``grace_s`` (an index version is written
        atomically, so abandoning it is safe), dropping what is still queued."""
        self._queue.clear()
        if self._task is not None and not self._task.done():
            done, _ = await asyncio.wait({self._task}, timeout=grace_s)
            if not done:
                self._task.cancel()
