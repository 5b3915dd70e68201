"""A FAISS inner-product index over unit vectors, saved to and loaded from a file."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from embeddings.encoder import Vectors


class VectorIndex:
    """Exact inner-product search (cosine on unit vectors).

    Exact search is deliberate: at the scale of a county's documents (≤ ~100k passages) a flat index
    answers in milliseconds, needs no training and cannot lose recall.
    """

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: Vectors) -> VectorIndex:
        """Create an index holding ``vectors`` (row i has id i)."""
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-D, got shape {vectors.shape}")
        index = faiss.IndexFlatIP(int(vectors.shape[1]))
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: Vectors, k: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """Top-``k`` rows for each query row: (scores, ids); ids are -1 where fewer than k exist."""
        k = max(1, min(k, len(self))) if len(self) else 1
        if not len(self):
            n = query.shape[0]
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(query, dtype=np.float32), k)
        return scores, ids

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (the caller makes the swap atomic)."""
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, *, dimension: int) -> VectorIndex:
        """Read an index from ``path``; raises ValueError if it is unreadable or of another dimension."""
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:  # faiss reports unreadable files as RuntimeError
            raise ValueError(f"cannot read vector index {path}: {exc}") from exc
        if int(index.d) != dimension:
            raise ValueError(f"vector index {path} has dimension {index.d}, expected {dimension}")
        return cls(index)
