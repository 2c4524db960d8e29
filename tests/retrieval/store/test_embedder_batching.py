"""Queries asked from several threads at once are encoded together, each getting its own
vector, or the error of the forward pass that encoded it."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from retrieval.store.embedder import HashEmbedder, QueryBatcher

CALLERS = 40


class Gated(HashEmbedder):
    """The fake embedder, held at a gate on its first forward pass, counting passes; with
    `error`, every pass fails with it once through the gate."""

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__(64)
        self.batches: list[int] = []
        self.started = threading.Event()
        self.gate = threading.Event()
        self.error = error

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(len(texts))
        self.started.set()
        assert self.gate.wait(10), "the test never opened the gate"
        if self.error is not None:
            raise self.error
        return super().encode_documents(texts)


def _queued(batcher: QueryBatcher, count: int, timeout: float = 10.0) -> None:
    """Wait until `count` callers wait behind the one encoding (a busy machine is slow to
    start 40 threads: no fixed sleep)."""
    deadline = time.monotonic() + timeout
    waiting = batcher._batcher._waiting  # the queue of retrieval/batching.py's Batcher
    while len(waiting) < count:
        assert time.monotonic() < deadline, f"only {len(waiting)} callers queued"
        time.sleep(0.01)


def test_concurrent_queries_share_forward_passes_and_get_their_own_vectors() -> None:
    inner = Gated()
    batcher = QueryBatcher(inner)
    texts = [f"question number {n} about topic {n * 7}" for n in range(CALLERS)]
    with ThreadPoolExecutor(CALLERS) as pool:
        futures = [pool.submit(batcher.encode_query, t) for t in texts]
        assert inner.started.wait(10)  # the first caller is encoding ...
        _queued(batcher, CALLERS - 1)  # ... and every other one waits behind it
        inner.gate.set()
        vectors = [f.result(timeout=10) for f in futures]
    for text, vector in zip(texts, vectors, strict=True):
        assert np.allclose(vector, HashEmbedder(64).encode_query(text))
    # One pass for the first caller, one for all who waited.
    assert inner.batches == [1, CALLERS - 1]


def test_an_error_reaches_every_waiting_caller() -> None:
    inner = Gated(RuntimeError("model gone"))
    batcher = QueryBatcher(inner)
    with ThreadPoolExecutor(CALLERS) as pool:
        futures = [pool.submit(batcher.encode_query, f"q{n}") for n in range(CALLERS)]
        assert inner.started.wait(10)
        _queued(batcher, CALLERS - 1)
        inner.gate.set()
        for future in futures:
            with pytest.raises(RuntimeError, match="model gone"):
                future.result(timeout=10)  # an error, never a hang
    # The waiters got the error of the pass that encoded them, not one pass each.
    assert inner.batches == [1, CALLERS - 1]
    inner.error = None
    assert batcher.encode_query("again").shape == (64,)  # not left busy


class Counting(HashEmbedder):
    """The fake embedder, counting the texts it encodes."""

    def __init__(self) -> None:
        super().__init__(64)
        self.encoded: list[str] = []

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return super().encode_documents(texts)


def test_a_query_asked_again_is_not_encoded_again() -> None:
    inner = Counting()
    batcher = QueryBatcher(inner, remember=2)
    first = batcher.encode_query("where did Ana Ruiz meet Tomas Elgin")
    again = batcher.encode_query("where did Ana Ruiz meet Tomas Elgin")
    assert inner.encoded == ["where did Ana Ruiz meet Tomas Elgin"]
    assert again is first and np.array_equal(first, inner.encode_query(inner.encoded[0]))
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0  # shared by every caller: nobody may change it
    batcher.encode_query("Lyon")
    batcher.encode_query("Norland")  # the oldest of three is dropped
    batcher.encode_query("where did Ana Ruiz meet Tomas Elgin")
    assert inner.encoded.count("where did Ana Ruiz meet Tomas Elgin") == 2
    batcher.forget()
    batcher.encode_query("Norland")
    assert inner.encoded.count("Norland") == 2
