"""Dense passage search: a question in, passages with their article metadata out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retrieval.embedder import Embedder
from retrieval.filters import QueryFilters, parse_filters
from retrieval.lexical import LexicalIndex, reciprocal_rank_fusion
from retrieval.store import CatalogueRow, Store


@dataclass(frozen=True)
class Hit:
    """One retrieved passage and the article it belongs to."""

    passage_id: int
    article_id: int
    score: float
    text: str
    title: str
    outlet: str | None
    url: str | None
    published_at: datetime | None

    @property
    def published(self) -> str | None:
        """The publication date as YYYY-MM-DD, or None."""
        return self.published_at.date().isoformat() if self.published_at else None

    def to_json(self) -> dict[str, Any]:
        """The search JSON contract for one result."""
        return {
            "passage_id": self.passage_id,
            "article_id": self.article_id,
            "score": round(self.score, 6),
            "text": self.text,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published,
        }


MODES = ("hybrid", "dense", "lexical")
CANDIDATES = 50  # per retriever, before fusion
FILTERED_DEPTH = 1000  # how deep to look for passages that fit a query's outlets and dates


def _lexical_text(row: CatalogueRow) -> str:
    date = row.published_at.strftime("%B %-d, %Y") if row.published_at else ""
    return f"{row.title}\n{row.outlet or ''} {date}\n{row.text}"


class Searcher:
    """Passage retrieval over the store: dense (FAISS), lexical (BM25) or both fused by
    reciprocal rank fusion (the default)."""

    def __init__(self, store: Store, embedder: Embedder, mode: str = "hybrid") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; expected one of {MODES}")
        self.store = store
        self.embedder = embedder
        self.mode = mode
        self._lexical: LexicalIndex | None = None
        self._catalogue: dict[int, CatalogueRow] = {}
        self._outlets: set[str] = set()
        self._state: tuple[int, int] | None = None

    def _refresh(self) -> None:
        """Rebuild BM25 and the filter catalogue when the database changed."""
        state = self.store.db_state()
        if self._lexical is not None and state == self._state:
            return
        rows = self.store.catalogue()
        self._catalogue = {row.passage_id: row for row in rows}
        self._outlets = {row.outlet for row in rows if row.outlet}
        self._lexical = LexicalIndex(
            [row.passage_id for row in rows],
            [_lexical_text(row) for row in rows],
        )
        self._state = state

    def lexical(self) -> LexicalIndex:
        """The BM25 index, rebuilt when the database changed since it was built."""
        self._refresh()
        assert self._lexical is not None
        return self._lexical

    def filters(self, query: str) -> QueryFilters:
        """Outlets and dates the query names."""
        self._refresh()
        return parse_filters(query, self._outlets)

    def rank(self, query: str, k: int) -> list[tuple[int, float]]:
        """Passage ids with scores, best first, by the searcher's mode. Passages of the outlets
        and dates the query names are boosted by a second, filtered ranking in the fusion."""
        wanted = self.filters(query)
        depth = FILTERED_DEPTH if wanted else max(k, CANDIDATES)
        scored: list[list[tuple[int, float]]] = []
        if self.mode in ("dense", "hybrid"):
            scored.append(self.store.index.search(self.embedder.encode_query(query), depth))
        if self.mode in ("lexical", "hybrid"):
            scored.append(self.lexical().search(query, depth))
        if len(scored) == 1 and not wanted:
            return scored[0][:k]  # one retriever: keep its own scores (cosine or BM25)
        rankings = [[p for p, _ in ranking] for ranking in scored]
        if wanted:
            rankings += [[p for p in r if self._fits(p, wanted)] for r in rankings]
        return reciprocal_rank_fusion(rankings)[:k]

    def _fits(self, passage_id: int, wanted: QueryFilters) -> bool:
        row = self._catalogue.get(passage_id)
        return row is not None and wanted.matches(row.outlet, row.published_at)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        """The k best passages for the query, best first."""
        query = query.strip()
        if not query:
            return []
        ranked = self.rank(query, k)
        rows = self.store.passages_with_articles([pid for pid, _ in ranked])
        hits = []
        for pid, score in ranked:
            if pid not in rows:  # deleted by another process since the index was loaded
                continue
            passage, article = rows[pid]
            hits.append(
                Hit(
                    passage_id=pid,
                    article_id=article.id,
                    score=score,
                    text=passage.text,
                    title=article.title,
                    outlet=article.outlet,
                    url=article.url,
                    published_at=article.published_at,
                )
            )
        return hits


def search_json(query: str, hits: list[Hit]) -> dict[str, Any]:
    """The JSON contract of `newsbot search --json`."""
    return {"query": query, "results": [hit.to_json() for hit in hits]}
