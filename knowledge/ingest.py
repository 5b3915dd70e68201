"""Building and updating the knowledge index from folders of documents, incrementally.

Each ingest of a folder makes the index mirror that folder: new and changed documents are read, cut
and encoded; unchanged ones keep their passages and vectors (no re-encoding); documents gone from the
folder are dropped. Documents from other folders (and the built-in ones) are kept as they are. The
result is written as a new index version and swapped in atomically (see ``index_store``).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import bm25s
import numpy as np

from embeddings.encoder import Encoder, Vectors
from knowledge.chunking import chunk_document
from knowledge.documents import Document, Passage
from knowledge.index_store import (
    CHUNKER_VERSION,
    FORMAT_VERSION,
    DocumentRecord,
    IndexContent,
    IndexStore,
    KnowledgeIndexError,
    Manifest,
    corpus_hash,
)
from knowledge.lexicon import Lexicon, base_terms, quoted_terms
from knowledge.loaders import iter_documents

log = logging.getLogger(__name__)

BUILTIN_DIR = Path(__file__).with_name("builtin")
BUILTIN_SOURCE = "builtin"


@dataclass(slots=True)
class IngestReport:
    """What an ingest did (printed by ``python -m bot ingest``)."""

    version: str = ""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    documents: int = 0
    passages: int = 0
    encoded_passages: int = 0
    seconds: float = 0.0
    rebuilt: bool = False  # the previous index could not be reused (model/chunker changed, corrupt)


def source_tag(source: str) -> str:
    """Short stable tag of a source folder, used to keep document keys unique across folders."""
    if source == BUILTIN_SOURCE:
        return BUILTIN_SOURCE
    return hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()[:8]


def embedding_text(doc: Document, passage: Passage) -> str:
    """What the dense encoder sees: place and title give a short passage its context."""
    place = doc.meta.place.label
    head = f"{place} {doc.meta.title}".strip()
    return f"{head}：{passage.text}" if head else passage.text


def bm25_from_tokens(tokens: list[list[str]]) -> bm25s.BM25:
    """A BM25 index (Lucene idf, always positive even on tiny corpora) over pre-cut tokens."""
    retriever = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    # bm25s needs at least one token per document; an empty passage gets a placeholder.
    retriever.index([t or ["\u2205"] for t in tokens], show_progress=False)
    return retriever


def _read_folder(folder: Path, source: str, *, builtin: bool) -> dict[str, Document]:
    tag = source_tag(source)
    docs: dict[str, Document] = {}
    for doc in iter_documents(folder):
        if builtin:
            doc = replace(doc, builtin=True)
        key = f"{tag}/{doc.doc_id}"
        docs[key] = replace(doc, doc_id=key)
    return docs


class Ingestor:
    """Applies changes to the index: ingest a folder, remove documents."""

    def __init__(
        self,
        store: IndexStore,
        encoder: Encoder,
        *,
        chunk_max_chars: int,
        batch_size: int = 32,
        include_builtin: bool = True,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.encoder = encoder
        self.chunk_max_chars = chunk_max_chars
        self.batch_size = batch_size
        self.include_builtin = include_builtin
        self.progress = progress or (lambda _msg: None)

    # ---- public operations ----------------------------------------------------------------------------
    def ingest(self, folder: Path | None) -> IngestReport:
        """Make the index mirror ``folder`` (None: only refresh the built-in documents)."""
        with self.store.write_lock():
            previous, report = self._previous()
            wanted: dict[str, Document] = {}
            replaced_sources: set[str] = set()
            if self.include_builtin:
                wanted.update(_read_folder(BUILTIN_DIR, BUILTIN_SOURCE, builtin=True))
                replaced_sources.add(BUILTIN_SOURCE)
            if folder is not None:
                source = str(folder.resolve())
                if not folder.is_dir():
                    raise FileNotFoundError(f"{folder} is not a folder")
                wanted.update(_read_folder(folder, source, builtin=False))
                replaced_sources.add(source)
            sources = {
                k: (BUILTIN_SOURCE if d.builtin else str(folder.resolve()) if folder else "")
                for k, d in wanted.items()
            }
            if previous is not None:
                # Documents of folders not ingested now stay as they are.
                for key, doc in previous.documents.items():
                    src = previous.sources.get(key, "")
                    if src not in replaced_sources and not (
                        src == BUILTIN_SOURCE and not self.include_builtin
                    ):
                        wanted.setdefault(key, doc)
                        sources.setdefault(key, src)
            return self._write(previous, wanted, sources, report)

    def remove(self, names: Iterable[str]) -> tuple[IngestReport, list[str]]:
        """Drop documents by file name or key; returns the report and the names not found."""
        names = list(names)
        with self.store.write_lock():
            previous, report = self._previous()
            if previous is None:
                return report, names
            wanted = dict(previous.documents)
            missing = []
            for name in names:
                hits = [k for k, d in wanted.items() if name in (k, d.file_name, d.doc_id)]
                if not hits:
                    missing.append(name)
                for k in hits:
                    del wanted[k]
            return self._write(previous, wanted, dict(previous.sources), report), missing

    # ---- internals ------------------------------------------------------------------------------------
    def _previous(self) -> tuple[IndexContent | None, IngestReport]:
        report = IngestReport()
        version = self.store.current_version()
        if version is None:
            return None, report
        try:
            manifest = self.store.read_manifest(version)
            if (
                manifest.model_fingerprint != self.encoder.fingerprint
                or manifest.chunker_version != CHUNKER_VERSION
                or manifest.chunk_max_chars != self.chunk_max_chars
            ):
                log.warning("index %s was built differently (model/chunker); rebuilding everything", version)
                report.rebuilt = True
                return None, report
            self.store.verify(version, manifest)
            return self.store.load_content(version, manifest), report
        except KnowledgeIndexError as exc:
            log.warning("%s — rebuilding from the documents", exc)
            report.rebuilt = True
            return None, report

    def _write(
        self,
        previous: IndexContent | None,
        wanted: dict[str, Document],
        sources: dict[str, str],
        report: IngestReport,
    ) -> IngestReport:
        started = time.perf_counter()
        prev_docs = previous.documents if previous else {}
        prev_rows: dict[str, list[int]] = {}
        if previous is not None:
            for i, p in enumerate(previous.passages):
                prev_rows.setdefault(p.doc_id, []).append(i)

        lexicon = Lexicon(quoted_terms(par for d in wanted.values() for par in (d.meta.title, *d.paragraphs)))
        prev_terms = set(previous_terms(previous)) if previous else set()
        # Terms learned or forgotten since the previous version change how some passages are cut.
        changed_terms = set(lexicon.extra_terms) ^ prev_terms

        passages: list[Passage] = []
        tokens: list[list[str]] = []
        to_encode: list[tuple[int, str]] = []  # (row in passages, text)
        for key in sorted(wanted):
            doc = wanted[key]
            old = prev_docs.get(key)
            if old is not None and old.content_hash == doc.content_hash and previous is not None:
                report.unchanged.append(doc.file_name)
                rows = prev_rows.get(key, [])
                for i in rows:
                    p = previous.passages[i]
                    passages.append(p)
                    # Re-cut only passages touched by a newly learned term; the rest keep their tokens.
                    needs_recut = any(t in p.text for t in changed_terms)
                    tokens.append(lexicon.index_tokens(p.text) if needs_recut else previous.tokens[i])
                continue
            (report.updated if old is not None else report.added).append(doc.file_name)
            for p in chunk_document(doc, max_chars=self.chunk_max_chars):
                to_encode.append((len(passages), embedding_text(doc, p)))
                passages.append(p)
                tokens.append(lexicon.index_tokens(p.text))
        report.removed = sorted(d.file_name for k, d in prev_docs.items() if k not in wanted)
        if (
            previous is not None
            and not to_encode
            and not report.removed
            and not changed_terms
            and len(wanted) == len(prev_docs)
        ):
            # Nothing changed: keep the current version rather than writing an identical one.
            report.version = self.store.current_version() or ""
            report.documents, report.passages = len(wanted), len(passages)
            report.seconds = time.perf_counter() - started
            return report

        vectors = self._assemble_vectors(passages, wanted, prev_docs, previous, to_encode)
        bm25 = bm25_from_tokens(tokens)
        records = tuple(
            DocumentRecord(
                key=k,
                source=sources.get(k, ""),
                file_name=d.file_name,
                content_hash=d.content_hash,
                title=d.meta.title,
                date=d.meta.date,
                publisher=d.meta.publisher,
                place=d.meta.place.label,
                passages=sum(1 for p in passages if p.doc_id == k),
                builtin=d.builtin,
            )
            for k, d in sorted(wanted.items())
        )
        manifest = Manifest(
            format=FORMAT_VERSION,
            version="",
            created_at=0.0,
            model=self.encoder.name,
            model_fingerprint=self.encoder.fingerprint,
            dimension=self.encoder.dimension,
            chunker_version=CHUNKER_VERSION,
            chunk_max_chars=self.chunk_max_chars,
            corpus_hash=corpus_hash({k: d.content_hash for k, d in wanted.items()}),
            extra_terms=lexicon.extra_terms,
            documents=records,
        )
        content = IndexContent(wanted, passages, tokens, vectors, sources)
        final = self.store.write(manifest, content, bm25)
        report.version = final.version
        report.documents = len(wanted)
        report.passages = len(passages)
        report.encoded_passages = len(to_encode)
        report.seconds = time.perf_counter() - started
        return report

    def _assemble_vectors(
        self,
        passages: list[Passage],
        wanted: dict[str, Document],
        prev_docs: dict[str, Document],
        previous: IndexContent | None,
        to_encode: list[tuple[int, str]],
    ) -> Vectors:
        dim = self.encoder.dimension
        vectors = np.zeros((len(passages), dim), dtype=np.float32)
        if previous is not None:
            row_of = {p.passage_id: i for i, p in enumerate(previous.passages)}
            for i, p in enumerate(passages):
                j = row_of.get(p.passage_id)
                if (
                    j is not None
                    and prev_docs.get(p.doc_id) is not None
                    and prev_docs[p.doc_id].content_hash == wanted[p.doc_id].content_hash
                ):
                    vectors[i] = previous.vectors[j]
        total = len(to_encode)
        for start in range(0, total, 256):
            batch = to_encode[start : start + 256]
            encoded = self.encoder.encode([t for _, t in batch], batch_size=self.batch_size)
            for (row, _), vec in zip(batch, encoded, strict=True):
                vectors[row] = vec
            self.progress(f"encoded {min(start + 256, total)}/{total} passages")
        return vectors


def previous_terms(content: IndexContent) -> list[str]:
    """Quoted terms the previous version's tokens were cut with."""
    texts = (par for d in content.documents.values() for par in (d.meta.title, *d.paragraphs))
    return sorted(quoted_terms(texts) - set(base_terms()))
