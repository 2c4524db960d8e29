"""What the store's repositories take and give: frozen dataclasses, never sessions or rows.

Drafts go in (`ArticleDraft` with its `PassageDraft`s); records come out (`ArticleRecord`,
`PassageRecord`, `Hit`, `CatalogueRow`, ...), read whole inside the repository's session so
that nothing outside `retrieval/store/` needs one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

import numpy as np

from retrieval.store.events import EventDraft

__all__ = [
    "ArticleDraft",
    "ArticleRecord",
    "CatalogueRow",
    "Headline",
    "Hit",
    "OutletCount",
    "PassageDraft",
    "PassageRecord",
    "Placements",
    "WriteResult",
    "from_row",
]

_R = TypeVar("_R")


def from_row(record: type[_R], row: object, **converted: Any) -> _R:
    """A record built from a row read inside its session: each field without a default from
    the row's attribute of the same name, or from `converted` where the row's value needs
    converting (a JSON list to a tuple). A row without such an attribute is an error, not a
    field left empty."""
    values = {
        f.name: converted[f.name] if f.name in converted else getattr(row, f.name)
        for f in fields(record)  # type: ignore[arg-type]
        if f.name in converted or (f.default is MISSING and f.default_factory is MISSING)
    }
    return record(**values)


@dataclass(frozen=True)
class PassageDraft:
    """A passage ready to store: its text, where it sits in the article, and its vector."""

    position: int
    char_start: int
    char_end: int
    text: str
    vector: np.ndarray
    events: Sequence[EventDraft] = ()


@dataclass(frozen=True)
class ArticleDraft:
    """An article ready to store."""

    key: str
    url: str | None
    title: str
    outlet: str | None
    author: str | None
    published_at: datetime | None
    content_hash: str
    source: str
    passages: Sequence[PassageDraft]


@dataclass(frozen=True)
class WriteResult:
    """What one `Store.write` did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    passages_added: int = 0


@dataclass(frozen=True)
class ArticleRecord:
    """A stored article."""

    id: int
    key: str
    url: str | None
    title: str
    outlet: str | None
    author: str | None
    published_at: datetime | None
    ingested_at: datetime
    content_hash: str
    source: str


@dataclass(frozen=True)
class PassageRecord:
    """A stored passage (its vector stays in the database and the index)."""

    id: int
    article_id: int
    position: int
    char_start: int
    char_end: int
    text: str


@dataclass(frozen=True)
class CatalogueRow:
    """A passage with the article metadata retrieval filters on."""

    passage_id: int
    text: str
    title: str
    outlet: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class Placements:
    """Where passages stand, as columns: ids ascending, each one's outlet and publication
    time (what the question filters use)."""

    ids: np.ndarray
    outlets: list[str | None]
    published: list[datetime | None]


@dataclass(frozen=True)
class OutletCount:
    """One outlet: how many articles, and the newest one's date."""

    outlet: str
    articles: int
    newest: datetime | None


@dataclass(frozen=True)
class Headline:
    """An article as a link."""

    article_id: int
    title: str
    outlet: str | None
    url: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class Hit:
    """One retrieved passage and the article it belongs to; `why` says how it ranked when
    the search was asked to explain."""

    passage_id: int
    article_id: int
    score: float
    text: str
    title: str
    outlet: str | None
    url: str | None
    published_at: datetime | None
    why: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def published(self) -> str | None:
        """The publication date as YYYY-MM-DD, or None."""
        return self.published_at.date().isoformat() if self.published_at else None

    def to_json(self) -> dict[str, Any]:
        """The search JSON contract for one result (`why` only when explained)."""
        payload = {
            "passage_id": self.passage_id,
            "article_id": self.article_id,
            "score": round(self.score, 6),
            "text": self.text,
            "title": self.title,
            "outlet": self.outlet,
            "url": self.url,
            "published": self.published,
        }
        if self.why is not None:
            payload["why"] = self.why
        return payload
