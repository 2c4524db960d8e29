"""Queries asked from several threads at once are encoded together, each getting its own
vector."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from retrieval.store.embedder import HashEmbedder, QueryBatcher


class SlowCounting(HashEmbedder):
    """The fake embedder, slowed down, counting forward passes."""

    def __init__(self) -> None:
        super().__init__(64)
        self.batches: list[int] = []
        self.gate = threading.Event()

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(len(texts))
        self.gate.wait(5)
        return super().encode_documents(texts)


def test_concurrent_queries_share_forward_passes_and_get_their_own_vectors() -> None:
    inner = SlowCounting()
    batcher = QueryBatcher(inner)
    texts = [f"question number {n} about topic {n * 7}" for n in range(40)]
    with ThreadPoolExecutor(40) as pool:
        futures = [pool.submit(batcher.encode_query, t) for t in texts]
        while sum(inner.batches) == 0:
            pass  # the first caller is encoding; the others queue up behind it
        threading.Timer(0.2, inner.gate.set).start()
        vectors = [f.result(timeout=10) for f in futures]
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, HashEmbedder(64).encode_query(text))
    assert sum(inner.batches) == 40 and len(inner.batches) < 40


def test_an_error_reaches_every_waiting_caller() -> None:
    class Broken(HashEmbedder):
        def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
            raise RuntimeError("model gone")

    batcher = QueryBatcher(Broken(8))
    with pytest.raises(RuntimeError, match="model gone"):
        batcher.encode_query("anything")
    with pytest.raises(RuntimeError, match="model gone"):
        batcher.encode_query("again")  # not left busy
