"""The knowledge index on disk: immutable versions, a manifest with checksums, an atomic CURRENT pointer.

Layout under ``<data_dir>/index``::

    CURRENT               name of the version in use ("v000007"), replaced atomically
    .lock                 held while an ingest writes (one writer at a time)
    v000007/
        manifest.json     format, model, dimension, chunker version, corpus hash, documents, checksums
        documents.jsonl   one document per line: metadata and cleaned paragraphs
        passages.jsonl    one passage per line: ids, offsets, text and its lexical tokens
        vectors.npy       float32 (n_passages, dimension), unit vectors
        vectors.faiss     the FAISS index over vectors.npy
        bm25/             the BM25 index over the tokens (bm25s format)

A version is never modified after it is written; an update writes a new version and then swaps CURRENT,
so a reader (or another process) sees either the old or the new index, never a mix. Every file's
sha256 is in the manifest: a corrupt version is refused with a clear message, never used.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from embeddings.encoder import Vectors
from embeddings.vector_index import VectorIndex
from knowledge.documents import Document, DocumentMeta, Passage, Place

log = logging.getLogger(__name__)


def _tokeniser_digest() -> str:
    """Short digest of the word lists that decide how passages are tokenised."""
    lexicon_dir = Path(__file__).with_name("lexicon")
    digest = hashlib.sha256()
    for name in ("terms.txt", "places.tsv"):
        digest.update((lexicon_dir / name).read_bytes())
    return digest.hexdigest()[:12]


FORMAT_VERSION = 1
# Bump when cleaning, metadata, chunking or tokenisation code change: older indexes are then stale and rebuilt.
# The words that cut passages (knowledge/lexicon/terms.txt, places.tsv) are part of the version, so an
# index cut with an older word list is stale too and never matched against questions cut the new way.
CHUNKER_VERSION = f"2026-12-07.1+{_tokeniser_digest()}"
_VERSION_PREFIX = "v"


class KnowledgeIndexError(RuntimeError):
    """Base class of index problems; the message tells the operator what to do."""


class IndexMissingError(KnowledgeIndexError):
    """No index has been built yet."""


class IndexCorruptError(KnowledgeIndexError):
    """A file of the index is missing, unreadable or does not match its checksum."""


class IndexStaleError(KnowledgeIndexError):
    """The index was built with another model or chunker than the one configured."""


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document as the manifest lists it (what ``python -m bot docs`` shows)."""

    key: str  # unique in the index: "<source tag>/<path relative to its folder>"
    source: str  # absolute folder it was ingested from, or "builtin"
    file_name: str
    content_hash: str
    title: str
    date: str | None
    publisher: str | None
    place: str
    passages: int
    builtin: bool


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a version holds and how it was built."""

    format: int
    version: str
    created_at: float
    model: str
    model_fingerprint: str
    dimension: int
    chunker_version: str
    chunk_max_chars: int
    corpus_hash: str
    extra_terms: tuple[str, ...]
    documents: tuple[DocumentRecord, ...]
    checksums: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data: dict[str, Any] = json.loads(text)
        data["extra_terms"] = tuple(data["extra_terms"])
        data["documents"] = tuple(DocumentRecord(**d) for d in data["documents"])
        return cls(**data)


@dataclass(slots=True)
class IndexContent:
    """Everything a version holds, in memory."""

    documents: dict[str, Document]  # by key
    passages: list[Passage]
    tokens: list[list[str]]
    vectors: Vectors
    sources: dict[str, str] = field(default_factory=dict)  # document key -> source folder / "builtin"


@dataclass(slots=True)
class LoadedIndex:
    """A verified version ready for search."""

    manifest: Manifest
    content: IndexContent
    vector_index: VectorIndex
    bm25: bm25s.BM25


def corpus_hash(content_hashes: dict[str, str]) -> str:
    """Identity of a set of documents: hash of their keys and content hashes."""
    h = hashlib.sha256()
    for key in sorted(content_hashes):
        h.update(f"{key}\x00{content_hashes[key]}\n".encode())
    return h.hexdigest()[:16]


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _document_to_json(key: str, source: str, doc: Document) -> str:
    meta = doc.meta
    return json.dumps(
        {
            "key": key,
            "source": source,
            "doc_id": doc.doc_id,
            "file_name": doc.file_name,
            "content_hash": doc.content_hash,
            "builtin": doc.builtin,
            "title": meta.title,
            "date": meta.date,
            "publisher": meta.publisher,
            "author": meta.author,
            "credits": list(meta.credits),
            "place": asdict(meta.place),
            "paragraphs": list(doc.paragraphs),
        },
        ensure_ascii=False,
    )


def _document_from_json(line: str) -> tuple[str, str, Document]:
    d = json.loads(line)
    meta = DocumentMeta(
        title=d["title"],
        date=d["date"],
        publisher=d["publisher"],
        author=d["author"],
        place=Place(**d["place"]),
        credits=tuple(d["credits"]),
    )
    doc = Document(
        doc_id=d["doc_id"],
        file_name=d["file_name"],
        content_hash=d["content_hash"],
        meta=meta,
        paragraphs=tuple(d["paragraphs"]),
        builtin=d["builtin"],
    )
    return d["key"], d["source"], doc


class IndexStore:
    """Reads and writes index versions under one folder."""

    def __init__(self, root: Path, *, keep_versions: int = 2) -> None:
        self.root = root
        self.keep_versions = max(1, keep_versions)

    # ---- pointers -------------------------------------------------------------------------------------
    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current_version(self) -> str | None:
        """The version named by CURRENT, or None when no index was ever built."""
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def current_stamp(self) -> tuple[str | None, int]:
        """Cheap change detector for readers: (version, CURRENT's mtime in ns)."""
        try:
            st = self.current_file.stat()
        except FileNotFoundError:
            return None, 0
        return self.current_version(), st.st_mtime_ns

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Exclusive lock for writers (ingest, remove): two writers never interleave."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    # ---- reading --------------------------------------------------------------------------------------
    def read_manifest(self, version: str) -> Manifest:
        path = self.root / version / "manifest.json"
        try:
            manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise IndexCorruptError(self._corrupt_msg(version, "manifest.json is missing")) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexCorruptError(
                self._corrupt_msg(version, f"manifest.json is unreadable ({exc})")
            ) from exc
        if manifest.format != FORMAT_VERSION:
            raise IndexStaleError(
                f"index {version} has format {manifest.format}, this program reads {FORMAT_VERSION}; "
                "rebuild it with `python -m bot ingest DIR`"
            )
        return manifest

    def _corrupt_msg(self, version: str, what: str) -> str:
        return (
            f"knowledge index {self.root / version} is corrupt: {what}. It will not be used; "
            "rebuild it with `python -m bot ingest DIR` (the documents are re-read from their folders)."
        )

    def verify(self, version: str, manifest: Manifest) -> None:
        """Check every file of ``version`` against the manifest's checksums."""
        for rel, expected in manifest.checksums.items():
            path = self.root / version / rel
            if not path.is_file():
                raise IndexCorruptError(self._corrupt_msg(version, f"{rel} is missing"))
            if _sha256_file(path) != expected:
                raise IndexCorruptError(self._corrupt_msg(version, f"{rel} does not match its checksum"))

    def load_content(self, version: str, manifest: Manifest) -> IndexContent:
        """Read documents, passages, tokens and vectors of a verified version."""
        base = self.root / version
        documents: dict[str, Document] = {}
        sources: dict[str, str] = {}
        with (base / "documents.jsonl").open(encoding="utf-8") as f:
            for line in f:
                key, source, doc = _document_from_json(line)
                documents[key] = doc
                sources[key] = source
        passages: list[Passage] = []
        tokens: list[list[str]] = []
        with (base / "passages.jsonl").open(encoding="utf-8") as f:
            for line in f:
                p = json.loads(line)
                passages.append(Passage(p["id"], p["doc"], p["paragraph"], p["start"], p["end"], p["text"]))
                tokens.append(p["tokens"])
        # Memory-mapped: FAISS holds its own copy for search; this one is only read row by row (the dense
        # score of lexical candidates, incremental re-ingest), so it need not occupy resident memory.
        vectors = np.load(base / "vectors.npy", allow_pickle=False, mmap_mode="r")
        if vectors.shape != (len(passages), manifest.dimension):
            raise IndexCorruptError(
                self._corrupt_msg(
                    version,
                    f"vectors.npy has shape {vectors.shape}, expected "
                    f"({len(passages)}, {manifest.dimension})",
                )
            )
        return IndexContent(documents, passages, tokens, vectors, sources)

    def load(self, *, model_fingerprint: str, version: str | None = None) -> LoadedIndex:
        """Load and verify a version (default: CURRENT) for a given model.

        Raises IndexMissingError, IndexCorruptError or IndexStaleError with an operator-facing message.
        """
        version = version or self.current_version()
        if version is None:
            raise IndexMissingError(f"no knowledge index under {self.root}; run `python -m bot ingest DIR`")
        manifest = self.read_manifest(version)
        if manifest.model_fingerprint != model_fingerprint:
            raise IndexStaleError(
                f"knowledge index {version} was built with embedding model {manifest.model!r} "
                f"({manifest.model_fingerprint}), but the configured model is different "
                f"({model_fingerprint}); rebuild it with `python -m bot ingest DIR`"
            )
        if manifest.chunker_version != CHUNKER_VERSION:
            raise IndexStaleError(
                f"knowledge index {version} was cut by chunker {manifest.chunker_version}, this program "
                f"uses {CHUNKER_VERSION}; rebuild it with `python -m bot ingest DIR`"
            )
        self.verify(version, manifest)
        content = self.load_content(version, manifest)
        try:
            vector_index = VectorIndex.load(
                self.root / version / "vectors.faiss", dimension=manifest.dimension
            )
            bm25 = bm25s.BM25.load(str(self.root / version / "bm25"), show_progress=False, verbosity=0)
        except (ValueError, OSError) as exc:
            raise IndexCorruptError(self._corrupt_msg(version, str(exc))) from exc
        if len(vector_index) != len(content.passages):
            raise IndexCorruptError(self._corrupt_msg(version, "vectors.faiss does not match passages"))
        return LoadedIndex(manifest, content, vector_index, bm25)

    # ---- writing --------------------------------------------------------------------------------------
    def _next_version(self) -> str:
        numbers = [
            int(p.name[len(_VERSION_PREFIX) :])
            for p in self.root.glob(f"{_VERSION_PREFIX}[0-9]*")
            if p.is_dir() and p.name[len(_VERSION_PREFIX) :].isdigit()
        ]
        return f"{_VERSION_PREFIX}{max(numbers, default=0) + 1:06d}"

    def write(self, manifest: Manifest, content: IndexContent, bm25: bm25s.BM25) -> Manifest:
        """Write ``content`` as a new version and make it CURRENT atomically; returns the final manifest.

        The caller holds :meth:`write_lock`.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        version = self._next_version()
        tmp = self.root / f".{version}.tmp-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        try:
            with (tmp / "documents.jsonl").open("w", encoding="utf-8") as f:
                for key, doc in content.documents.items():
                    f.write(_document_to_json(key, content.sources.get(key, ""), doc) + "\n")
            with (tmp / "passages.jsonl").open("w", encoding="utf-8") as f:
                for passage, toks in zip(content.passages, content.tokens, strict=True):
                    row = {
                        "id": passage.passage_id,
                        "doc": passage.doc_id,
                        "paragraph": passage.paragraph,
                        "start": passage.start,
                        "end": passage.end,
                        "text": passage.text,
                        "tokens": toks,
                    }
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
            np.save(tmp / "vectors.npy", content.vectors, allow_pickle=False)
            VectorIndex.build(content.vectors).save(tmp / "vectors.faiss")
            bm25.save(str(tmp / "bm25"), show_progress=False)
            files = sorted(p for p in tmp.rglob("*") if p.is_file())
            checksums = {str(p.relative_to(tmp)): _sha256_file(p) for p in files}
            final = Manifest(
                **{
                    **asdict(manifest),
                    "version": version,
                    "checksums": checksums,
                    "documents": manifest.documents,
                    "extra_terms": manifest.extra_terms,
                    "created_at": time.time(),
                }
            )
            (tmp / "manifest.json").write_text(final.to_json(), encoding="utf-8")
            for p in [*files, tmp / "manifest.json"]:
                with p.open("rb") as fh:
                    os.fsync(fh.fileno())
            _fsync_dir(tmp)
            tmp.rename(self.root / version)
            pointer = self.root / f".CURRENT.tmp-{os.getpid()}"
            pointer.write_text(version + "\n", encoding="utf-8")
            with pointer.open("rb") as fh:
                os.fsync(fh.fileno())
            pointer.replace(self.current_file)  # the atomic swap readers rely on
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._prune(keep=version)
        log.info(
            "knowledge index %s written: %d documents, %d passages",
            version,
            len(content.documents),
            len(content.passages),
        )
        return final

    def _prune(self, *, keep: str) -> None:
        versions = sorted(p.name for p in self.root.glob(f"{_VERSION_PREFIX}[0-9]*") if p.is_dir())
        for name in versions[: -self.keep_versions]:
            if name != keep:
                shutil.rmtree(self.root / name, ignore_errors=True)
        for stale_tmp in self.root.glob(".v*.tmp-*"):
            # Left by a writer that died; the lock guarantees no live writer owns it.
            shutil.rmtree(stale_tmp, ignore_errors=True)
