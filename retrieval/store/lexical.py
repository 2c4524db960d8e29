"""Lexical retrieval: BM25 (bm25s) over each passage with its article's title, outlet and date.

Kept in memory and rebuilt from the database when the store changes: at 15k passages a build
takes about a second, and it needs no schema of its own, so SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np

__all__ = ["K1", "B", "LexicalIndex", "reciprocal_rank_fusion", "top_positions"]

# BM25 constants, calibrated on the MultiHop-RAG dev set (docs/evaluation.md). A low b barely
# normalises length: passages are already 40..160 words, and a long one that states a fact
# with its context should not lose to a short one that repeats a name. Results were flat for
# k1 0.5..1.2 and b 0.0..0.4; the bm25s defaults (1.5, 0.75) were clearly worse.
K1 = 0.9
B = 0.2


class LexicalIndex:
    """BM25 over documents keyed by passage id."""

    def __init__(
        self, ids: Sequence[int], documents: Sequence[str], k1: float = K1, b: float = B
    ) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self._bm25: bm25s.BM25 | None = None
        if len(documents):
            tokens = bm25s.tokenize(list(documents), stopwords="en", show_progress=False)
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            self._bm25.index(tokens, show_progress=False)

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

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The k best passage ids by BM25, with scores; passages sharing no term are left out."""
        if k <= 0:
            return []
        scores = self.scores(query)
        return [(int(self.ids[i]), float(scores[i])) for i in top_positions(scores, k)]


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
