"""The articles repository's listings: what the store holds as a whole (outlets, the latest
headlines, the articles of a period, the catalogue the question filters work from)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from retrieval.store.articles import article_record
from retrieval.store.models import Article, Passage
from retrieval.store.records import (
    ArticleRecord,
    CatalogueRow,
    Headline,
    OutletCount,
    Placements,
)

__all__ = ["Listings"]


class Listings:
    """Reads over all articles (writes are `Articles`')."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def catalogue(self, after_id: int = 0) -> list[CatalogueRow]:
        """Every passage (id > after_id) with its article's title, outlet and date, in id
        order: what the lexical index and the question filters work from."""
        return self._catalogue(Passage.id > after_id)

    def catalogue_between(self, first: int, last: int) -> list[CatalogueRow]:
        """The catalogue rows of the passages with first <= id <= last, in id order."""
        return self._catalogue(Passage.id.between(first, last))

    def catalogue_of(self, ids: Sequence[int]) -> list[CatalogueRow]:
        """The catalogue rows of these passages (the ones deleted since are missing)."""
        return self._catalogue(Passage.id.in_([int(i) for i in ids])) if len(ids) else []

    def _catalogue(self, condition: ColumnElement[bool]) -> list[CatalogueRow]:
        with self.sessions() as session:
            rows = session.execute(
                select(
                    Passage.id, Passage.text, Article.title, Article.outlet, Article.published_at
                )
                .join(Article, Passage.article_id == Article.id)
                .where(condition)
                .order_by(Passage.id)
            ).all()
        return [CatalogueRow(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def placements(self, from_id: int) -> Placements:
        """Outlet and publication time of every passage with id >= from_id, in id order:
        what the question filters work from (no text: a million of them fit in memory)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Passage.id, Article.outlet, Article.published_at)
                .join(Article, Passage.article_id == Article.id)
                .where(Passage.id >= from_id)
                .order_by(Passage.id)
            ).all()
        return Placements(
            np.array([r[0] for r in rows], dtype=np.int64),
            [r[1] for r in rows],
            [r[2] for r in rows],
        )

    def outlets(self) -> list[str]:
        """The outlets of the stored articles."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Article.outlet).where(Article.outlet.is_not(None)).distinct()
            ).all()
        return sorted(o for o in rows if o)

    def span(self) -> tuple[int, datetime | None, datetime | None]:
        """(article count, first and last publication time)."""
        with self.sessions() as session:
            articles, first, last = session.execute(
                select(
                    func.count(Article.id),
                    func.min(Article.published_at),
                    func.max(Article.published_at),
                )
            ).one()
        return int(articles), first, last

    def outlet_counts(self) -> list[OutletCount]:
        """Every outlet, most articles first (articles without an outlet count as "unknown")."""
        with self.sessions() as session:
            rows = session.execute(
                select(Article.outlet, func.count(Article.id), func.max(Article.published_at))
                .group_by(Article.outlet)
                .order_by(func.count(Article.id).desc(), Article.outlet)
            ).all()
        return [OutletCount(outlet or "unknown", int(n), newest) for outlet, n, newest in rows]

    def latest(self, limit: int = 10) -> list[Headline]:
        """The most recently published articles (undated ones last, by ingest time)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Article.id, Article.title, Article.outlet, Article.url, Article.published_at)
                .order_by(
                    Article.published_at.is_(None),
                    Article.published_at.desc(),
                    Article.ingested_at.desc(),
                    Article.id.desc(),
                )
                .limit(limit)
            ).all()
        return [Headline(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def ingested_between(self, since: datetime, until: datetime) -> list[tuple[ArticleRecord, str]]:
        """The articles ingested in [since, until), newest first, each with its lead (the
        text of its first passage, "" if it has none)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Article)
                .where(Article.ingested_at >= since, Article.ingested_at < until)
                .order_by(Article.ingested_at.desc(), Article.id.desc())
            ).all()
            ids = [row.id for row in rows]
            first = (
                select(Passage.article_id, func.min(Passage.position).label("position"))
                .where(Passage.article_id.in_(ids))
                .group_by(Passage.article_id)
                .subquery()
            )
            leads = dict(
                session.execute(
                    select(Passage.article_id, Passage.text).join(
                        first,
                        (Passage.article_id == first.c.article_id)
                        & (Passage.position == first.c.position),
                    )
                ).all()
            )
            return [(article_record(row), leads.get(row.id, "")) for row in rows]
