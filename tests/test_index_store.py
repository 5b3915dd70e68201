"""The persisted index: incremental updates, deletion, atomic versions, corruption and staleness."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.settings import Settings
from knowledge.index_store import IndexCorruptError, IndexStaleError, IndexStore
from knowledge.ingest import Ingestor
from knowledge.service import KnowledgeService
from tests.fixtures_knowledge import CountingEncoder

# Invented documents (not from the corpus).
DOC_A = """平江县村干部报酬调整办法
发布时间:2024-03-01
平江县规定，村党组织书记每月基本报酬为3456元。
村级服务经费每年保障8万元，由县财政列支。
"""
DOC_B = """浏阳市第一书记管理办法
发布时间:2023-06-15
浏阳市为每名驻村第一书记每年安排工作经费1.5万元。
第一书记每年参加集中培训不少于2次。
"""
DOC_C = """宁乡市党员积分管理试点
发布时间:2022-01-10
宁乡市在全市推行党员积分管理，积分每季度公示一次。
"""


def _write_docs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(DOC_A, encoding="utf-8")
    (folder / "b.txt").write_text(DOC_B, encoding="utf-8")
    (folder / "c.txt").write_text(DOC_C, encoding="utf-8")


def _ingestor(settings: Settings, encoder: CountingEncoder) -> Ingestor:
    store = IndexStore(settings.index_dir, keep_versions=settings.index_keep_versions)
    return Ingestor(store, encoder, chunk_max_chars=settings.chunk_max_chars, include_builtin=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", include_builtin_knowledge=False, _env_file=None)  # type: ignore[call-arg]


def test_reingest_encodes_only_changed_documents(
    tmp_path: Path, settings: Settings, encoder: CountingEncoder
) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    ingestor = _ingestor(settings, encoder)
    first = ingestor.ingest(docs)
    assert sorted(first.added) == ["a.txt", "b.txt", "c.txt"]
    assert encoder.encoded == first.passages > 0

    encoder.encoded = 0
    again = ingestor.ingest(docs)
    assert encoder.encoded == 0
    assert again.version == first.version  # nothing changed: no new version
    assert sorted(again.unchanged) == ["a.txt", "b.txt", "c.txt"]

    (docs / "b.txt").write_text(DOC_B.replace("1.5万元", "2.5万元"), encoding="utf-8")
    changed = ingestor.ingest(docs)
    assert changed.updated == ["b.txt"]
    assert changed.version != first.version
    loaded = IndexStore(settings.index_dir).load(model_fingerprint=encoder.fingerprint)
    b_passages = [p for p in loaded.content.passages if p.doc_id.endswith("/b.txt")]
    assert encoder.encoded == len(b_passages)
    assert any("2.5万元" in p.text for p in b_passages)
    # Unchanged documents kept their vectors exactly.
    a_rows = [i for i, p in enumerate(loaded.content.passages) if p.doc_id.endswith("/a.txt")]
    fresh = encoder.inner.encode(
        ["湖南省平江县 平江县村干部报酬调整办法：" + loaded.content.passages[a_rows[0]].text]
    )
    assert loaded.content.vectors[a_rows].shape[1] == fresh.shape[1]


def test_removed_document_stops_answering_at_once(
    tmp_path: Path, settings: Settings, encoder: CountingEncoder
) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    _ingestor(settings, encoder).ingest(docs)
    service = KnowledgeService.open(settings, encoder=encoder)
    before = service.ask("平江县村党组织书记每月基本报酬是多少？")
    assert before.found and "3456" in before.answer

    # Another process (an operator's ingest) drops the file; the running service sees the new version.
    (docs / "a.txt").unlink()
    report = _ingestor(settings, encoder).ingest(docs)
    assert report.removed == ["a.txt"]
    after = service.ask("平江县村党组织书记每月基本报酬是多少？")
    assert "3456" not in after.answer
    assert all(s.doc != "a.txt" for s in after.sources)


def test_remove_by_file_name(tmp_path: Path, settings: Settings, encoder: CountingEncoder) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    ingestor = _ingestor(settings, encoder)
    ingestor.ingest(docs)
    report, missing = ingestor.remove(["c.txt", "nope.txt"])
    assert report.removed == ["c.txt"]
    assert missing == ["nope.txt"]
    loaded = IndexStore(settings.index_dir).load(model_fingerprint=encoder.fingerprint)
    assert {d.file_name for d in loaded.content.documents.values()} == {"a.txt", "b.txt"}


def test_versions_are_swapped_atomically_and_pruned(
    tmp_path: Path, settings: Settings, encoder: CountingEncoder
) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    ingestor = _ingestor(settings, encoder)
    versions = []
    for amount in ("111", "222", "333"):
        (docs / "c.txt").write_text(DOC_C + f"试点经费{amount}万元。\n", encoding="utf-8")
        versions.append(ingestor.ingest(docs).version)
    store = IndexStore(settings.index_dir)
    assert store.current_version() == versions[-1]
    on_disk = sorted(p.name for p in settings.index_dir.glob("v*") if p.is_dir())
    assert on_disk == versions[-settings.index_keep_versions :]
    assert not list(settings.index_dir.glob(".*tmp*"))


def test_corrupt_index_is_refused_then_rebuilt(
    tmp_path: Path, settings: Settings, encoder: CountingEncoder, caplog: pytest.LogCaptureFixture
) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    ingestor = _ingestor(settings, encoder)
    version = ingestor.ingest(docs).version
    vectors = settings.index_dir / version / "vectors.npy"
    data = bytearray(vectors.read_bytes())
    data[-8:] = b"\x00" * 8
    vectors.write_bytes(bytes(data))

    with pytest.raises(IndexCorruptError, match=r"vectors\.npy does not match its checksum"):
        IndexStore(settings.index_dir).load(model_fingerprint=encoder.fingerprint)
    with pytest.raises(IndexCorruptError, match="python -m bot ingest"):
        KnowledgeService.open(settings, encoder=encoder)

    encoder.encoded = 0
    with caplog.at_level(logging.WARNING):
        report = ingestor.ingest(docs)
    assert report.rebuilt
    assert encoder.encoded == report.passages  # nothing reused from the corrupt version
    assert "corrupt" in caplog.text
    service = KnowledgeService.open(settings, encoder=encoder)
    assert service.ask("浏阳市第一书记每年工作经费多少？").found


def test_missing_file_and_bad_manifest_are_corruption(
    tmp_path: Path, settings: Settings, encoder: CountingEncoder
) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    version = _ingestor(settings, encoder).ingest(docs).version
    store = IndexStore(settings.index_dir)
    (settings.index_dir / version / "vectors.faiss").unlink()
    with pytest.raises(IndexCorruptError, match=r"vectors.faiss is missing"):
        store.load(model_fingerprint=encoder.fingerprint)
    (settings.index_dir / version / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=r"manifest\.json is unreadable"):
        store.load(model_fingerprint=encoder.fingerprint)


def test_index_of_another_model_is_stale(
    tmp_path: Path, settings: Settings, encoder: CountingEncoder
) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    _ingestor(settings, encoder).ingest(docs)
    with pytest.raises(IndexStaleError, match="configured model is different"):
        IndexStore(settings.index_dir).load(model_fingerprint="another-model")


def test_unreadable_document_is_skipped_with_a_warning(
    tmp_path: Path, settings: Settings, encoder: CountingEncoder, caplog: pytest.LogCaptureFixture
) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    (docs / "broken.docx").write_bytes(b"this is not a zip file")
    with caplog.at_level(logging.WARNING):
        report = _ingestor(settings, encoder).ingest(docs)
    assert "broken.docx" in caplog.text
    assert sorted(report.added) == ["a.txt", "b.txt", "c.txt"]


def test_vectors_are_unit_length(tmp_path: Path, settings: Settings, encoder: CountingEncoder) -> None:
    docs = tmp_path / "docs"
    _write_docs(docs)
    _ingestor(settings, encoder).ingest(docs)
    loaded = IndexStore(settings.index_dir).load(model_fingerprint=encoder.fingerprint)
    norms = np.linalg.norm(loaded.content.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)
    assert loaded.manifest.dimension == encoder.dimension == 512
