"""The two encoder implementations give the same vectors, and ``load_encoder`` picks the right one."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from embeddings.encoder import Encoder, SentenceTransformerEncoder, load_encoder, resolve_model_path
from embeddings.transformers_encoder import TransformersEncoder

pytestmark = pytest.mark.model


def _corpus_texts(corpus_dir: Path) -> list[str]:
    """Sentences of every length from the shared corpus, plus whole documents longer than the model's
    token limit, so that truncation is compared too."""
    texts: list[str] = []
    for path in sorted(corpus_dir.glob("*.txt")):
        doc = path.read_text(encoding="utf-8")
        texts += [s for s in re.split(r"(?<=[。！？])", doc) if s.strip()][:60]
        texts.append(doc[:3000])
    return texts


@pytest.fixture(scope="module")
def library_encoder() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder("m3e-small")


def test_the_default_model_loads_without_the_sentence_transformers_package(real_encoder: Encoder) -> None:
    assert isinstance(real_encoder, TransformersEncoder)
    assert real_encoder.dimension == 512
    assert real_encoder.max_tokens == 512


def test_plain_folder_vectors_equal_the_sentence_transformers_ones(
    real_encoder: Encoder, library_encoder: SentenceTransformerEncoder, corpus_dir: Path
) -> None:
    texts = _corpus_texts(corpus_dir)
    assert len(texts) > 150 and max(len(t) for t in texts) > 2000
    ours = real_encoder.encode(texts, batch_size=16)
    theirs = library_encoder.encode(texts, batch_size=16)
    assert ours.shape == theirs.shape == (len(texts), 512)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(np.abs(ours - theirs).max()) < 1e-4
    # Same weights, same vectors: an index built by either implementation is valid for the other.
    assert real_encoder.fingerprint == library_encoder.fingerprint


def test_order_and_batching_do_not_change_a_vector(real_encoder: Encoder) -> None:
    texts = ["支部党员大会多久开一次？", "第一书记每年的工作经费是多少", "好"]
    together = real_encoder.encode(texts, batch_size=2)
    alone = np.vstack([real_encoder.encode([t]) for t in texts])
    assert float(np.abs(together - alone).max()) < 1e-5
    assert real_encoder.encode([]).shape == (0, 512)


def test_a_folder_declaring_its_modules_is_loaded_by_sentence_transformers(
    tmp_path: Path, library_encoder: SentenceTransformerEncoder, real_encoder: Encoder
) -> None:
    from sentence_transformers import SentenceTransformer

    folder = tmp_path / "m3e-with-modules"
    SentenceTransformer(str(resolve_model_path("m3e-small")), device="cpu").save(str(folder))
    assert (folder / "modules.json").is_file()
    loaded = load_encoder(str(folder))
    assert isinstance(loaded, SentenceTransformerEncoder)
    text = ["村主职干部一年工资多少？"]
    assert float(np.abs(loaded.encode(text) - real_encoder.encode(text)).max()) < 1e-4
