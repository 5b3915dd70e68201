"""An encoder for a plain Hugging Face model folder, pooled exactly as sentence-transformers pools one.

sentence-transformers reads a folder without ``modules.json`` (m3e-small, the default model, is one) as
two modules: the transformer, then mean pooling over the non-padding tokens; with
``normalize_embeddings`` the result is L2-normalised. This class does those same steps with
``transformers`` directly. The reason is start-up time: importing the ``sentence_transformers``
package pulls in its trainers, scikit-learn and SciPy, about 2.5 s of a cold start that must stay
under 10 s (README "Speed"), while the vectors are the same (``tests/test_encoders.py`` checks this on
the corpus against the library itself). Folders that declare their own modules go to
:class:`embeddings.encoder.SentenceTransformerEncoder`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embeddings.encoder import LocalModel, ModelNotFoundError, Vectors


class TransformersEncoder(LocalModel):
    """Mean-pooled, L2-normalised sentence vectors from a plain transformer model folder (CPU, offline)."""

    def __init__(self, spec: str, *, threads: int = 0) -> None:
        super().__init__(spec, threads=threads)
        import torch
        from transformers import AutoModel, AutoTokenizer

        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(str(self._path), local_files_only=True)
        self._model = AutoModel.from_pretrained(str(self._path), local_files_only=True, dtype=torch.float32)
        self._model.eval()
        config = self._model.config
        dim = getattr(config, "hidden_size", None)
        if not isinstance(dim, int):
            raise ModelNotFoundError(f"model at {self._path} does not declare its hidden size")
        self._dimension = dim
        # The same limit sentence-transformers derives for a folder without its own config.
        limits = [
            int(n)
            for n in (getattr(config, "max_position_embeddings", None), self._tokenizer.model_max_length)
            if isinstance(n, int)
        ]
        self._max_tokens = min(limits) if limits else 512

    @property
    def max_tokens(self) -> int:
        """Texts are cut to this many tokens, as sentence-transformers cuts them."""
        return self._max_tokens

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        """Encode ``texts``; returns an ``(n, dimension)`` float32 array of unit vectors."""
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        if not texts:
            return out
        torch = self._torch
        # Longest first, so each batch pads to similar lengths (sentence-transformers does the same).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                batch = self._tokenizer(
                    [texts[i] for i in rows],
                    padding=True,
                    truncation=True,
                    max_length=self._max_tokens,
                    return_tensors="pt",
                )
                tokens = self._model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                unit = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[rows] = unit.numpy()
        return out
