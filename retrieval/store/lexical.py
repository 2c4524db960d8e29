"""Lexical retrieval: BM25 (bm25s) over each passage with its article's title, outlet and date.

Kept in memory and rebuilt from the database when the store changes: at 15k passages a build
takes about a second, and it needs no schema of its own, so SQLite and PostgreSQL behave alike.
With a cache directory, a build is saved there under the digest of exactly what it indexes
(ids, texts, constants) and a later process indexing the same loads it memory-mapped instead:
a one-shot `newsbot ask` does not rebuild BM25, and worker processes share its pages.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

__all__ = ["K1", "KEEP_CACHED", "B", "LexicalIndex", "reciprocal_rank_fusion", "top_positions"]

logger = logging.getLogger(__name__)

KEEP_CACHED = 4  # builds kept in a cache directory (a writer and readers of older states)

# BM25 constants, calibrated on the MultiHop-RAG dev set (docs/evaluation.md). A low b barely
# normalises length: passages are already 40..160 words, and a long one that states a fact
# with its context should not lose to a short one that repeats a name. Results were flat for
# k1 0.5..1.2 and b 0.0..0.4; the bm25s defaults (1.5, 0.75) were clearly worse.
K1 = 0.9
B = 0.2


class LexicalIndex:
    """BM25 over documents keyed by passage id."""

    def __init__(
        self,
        ids: Sequence[int],
        documents: Sequence[str],
        k1: float = K1,
        b: float = B,
        cache: Path | None = None,
    ) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self._bm25: bm25s.BM25 | None = None
        self._frequencies: dict[str, int] | None = None
        if len(documents):
            if cache is None:
                self._bm25 = _build(documents, k1, b)
            else:
                self._bm25 = _cached(cache, self.ids, documents, k1, b)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every document for the query, in the order of `ids` (0 where
        the document shares no term with it)."""
        if self._bm25 is None:
            return np.zeros(len(self.ids), dtype=np.float32)
        words = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)
        known = [w for w in words[0] if w in self._bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def document_frequencies(self) -> dict[str, int]:
        """How many documents hold each indexed word (lower-cased, as BM25 tokenizes them);
        computed once per index from the index's own postings."""
        if self._frequencies is None:
            if self._bm25 is None:
                self._frequencies = {}
            else:
                indptr = np.asarray(self._bm25.scores["indptr"])
                counts = np.diff(indptr)
                # bm25s keeps an empty token past the postings: no word, no count.
                self._frequencies = {
                    word: int(counts[i])
                    for word, i in self._bm25.vocab_dict.items()
                    if word and i < len(counts)
                }
        return self._frequencies

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The k best passage ids by BM25, with scores; passages sharing no term are left out."""
        if k <= 0:
            return []
        scores = self.scores(query)
        return [(int(self.ids[i]), float(scores[i])) for i in top_positions(scores, k)]


def _build(documents: Sequence[str], k1: float, b: float) -> bm25s.BM25:
    tokens = bm25s.tokenize(list(documents), stopwords="en", show_progress=False)
    bm25 = bm25s.BM25(k1=k1, b=b)
    bm25.index(tokens, show_progress=False)
    return bm25


def _digest(ids: np.ndarray, documents: Sequence[str], k1: float, b: float) -> str:
    """What a build depends on, hashed: the same digest is the same index."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"bm25s {bm25s.__version__} k1={k1} b={b} n={len(ids)}\n".encode())
    h.update(np.ascontiguousarray(ids, dtype=np.int64).tobytes())
    for document in documents:
        h.update(document.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def _cached(
    cache: Path, ids: np.ndarray, documents: Sequence[str], k1: float, b: float
) -> bm25s.BM25:
    """The build for exactly these documents: loaded (memory-mapped) from `cache` if a process
    saved it there, else built and saved. A cache that cannot be read or written is only a
    missed shortcut."""
    entry = cache / _digest(ids, documents, k1, b)
    if entry.is_dir():
        try:
            bm25 = bm25s.BM25.load(entry, mmap=True, show_progress=False)
            os.utime(entry)  # recently used: kept by the pruning below
            return bm25
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("BM25 cache %s unreadable (%s); rebuilding", entry, exc)
            shutil.rmtree(entry, ignore_errors=True)
    bm25 = _build(documents, k1, b)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=cache, prefix=".build-"))
        bm25.save(scratch, show_progress=False)
        try:
            scratch.rename(entry)  # whole, or not at all; another process may have won
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)
        _prune(cache)
    except OSError as exc:
        logger.warning("cannot save BM25 to %s: %s", cache, exc)
    return bm25


def _prune(cache: Path) -> None:
    """Keep the most recently used builds (a reader still holding an older one keeps its
    memory-mapped pages: Linux frees them only when it lets go)."""
    entries = sorted(
        (p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[KEEP_CACHED:]:
        shutil.rmtree(old, ignore_errors=True)
    for scratch in cache.glob(".build-*"):  # left by a process killed while saving
        if time.time() - scratch.stat().st_mtime > 3600:
            shutil.rmtree(scratch, ignore_errors=True)


def top_positions(
    scores: np.ndarray, k: int, mask: np.ndarray | None = None, floor: float = 0.0
) -> np.ndarray:
    """Positions of the k highest scores above `floor` (BM25: 0, no shared term), best first,
    among those where `mask` is true when one is given."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    candidates = np.flatnonzero(scores > floor)
    if len(candidates) > k:
        # argpartition on the negated scores keeps the k best; the stable sort orders them.
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    order = np.argsort(-scores[candidates], kind="stable")
    return candidates[order]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum of weight / (k + rank); best first. A small k
    trusts the top of each list; a large one lets agreement deep down count."""
    scores: dict[int, float] = {}
    for number, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[number]
        for rank, pid in enumerate(ranking, 1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)
