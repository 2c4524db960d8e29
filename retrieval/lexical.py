"""Lexical retrieval: BM25 (bm25s) over each passage with its article's title, outlet and date.

Kept in memory and rebuilt from the database when the store changes: at 15k passages a build
takes about a second, and it needs no schema of its own, so SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np


class LexicalIndex:
    """BM25 over documents keyed by passage id."""

    def __init__(self, ids: Sequence[int], documents: Sequence[str]) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self._bm25: bm25s.BM25 | None = None
        if len(documents):
            tokens = bm25s.tokenize(list(documents), stopwords="en", show_progress=False)
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokens, show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The k best passage ids by BM25, with scores; passages sharing no term are left out."""
        if self._bm25 is None or k <= 0:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
        if not tokens.vocab:
            return []
        docs, scores = self._bm25.retrieve(tokens, k=min(k, len(self.ids)), show_progress=False)
        return [
            (int(self.ids[d]), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60
) -> list[tuple[int, float]]:
    """Fuse ranked id lists: score(id) = sum of 1 / (k + rank); best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, 1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)
