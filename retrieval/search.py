"""Dense passage search: a question in, passages with their article metadata out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from retrieval.embedder import Embedder
from retrieval.store import Store


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


class Searcher:
    """Dense retrieval over the store's index, with one embedder loaded once."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def search(self, query: str, k: int = 10) -> list[Hit]:
        """The k passages nearest to the query, best first."""
        query = query.strip()
        if not query:
            return []
        ranked = self.store.index.search(self.embedder.encode_query(query), k)
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
