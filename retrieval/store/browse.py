"""What the store holds, for people browsing it: outlets with their counts, the latest
headlines, and example questions the store can answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from retrieval.qa.answer import Answer
from retrieval.store import Store
from retrieval.store.models import Article, Event

__all__ = ["Headline", "OutletCount", "example_questions", "latest", "outlet_counts"]


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


def outlet_counts(store: Store) -> list[OutletCount]:
    """Every outlet, most articles first (articles without an outlet count as "unknown")."""
    with store.sessions() as session:
        rows = session.execute(
            select(Article.outlet, func.count(Article.id), func.max(Article.published_at))
            .group_by(Article.outlet)
            .order_by(func.count(Article.id).desc(), Article.outlet)
        ).all()
    return [OutletCount(outlet or "unknown", int(count), newest) for outlet, count, newest in rows]


def latest(store: Store, limit: int = 10) -> list[Headline]:
    """The most recently published articles (undated ones last, by ingest time)."""
    with store.sessions() as session:
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


def _candidates(store: Store, limit: int) -> list[str]:
    """Questions about the most recent meetings in the store, then about the latest
    headlines."""
    with store.sessions() as session:
        events = session.execute(
            select(Event.who, Event.with_, Event.where)
            .join(Article, Event.article_id == Article.id)
            .order_by(Article.published_at.is_(None), Article.published_at.desc(), Event.id)
            .limit(limit * 4)
        ).all()
    varied: list[str] = []  # one question per meeting, the kind taking turns
    spare: list[str] = []
    usable = [(who, with_, where) for who, with_, where in events if who and with_]
    for n, (who, with_, where) in enumerate(usable):
        first, other = who[0], with_[0]
        kinds = [f"Who did {first} meet?", f"When did {first} meet {other}?"]
        if where:
            kinds.append(f"Where did {first} meet {other}?")
        turn = n % len(kinds)
        varied.append(kinds[turn])
        spare.extend(kinds[:turn] + kinds[turn + 1 :])
    spare.extend(f"What happened: {h.title}?" for h in latest(store, limit))
    return list(dict.fromkeys(varied + spare))


def example_questions(
    store: Store,
    ask: Callable[[str], Answer],
    count: int = 3,
    max_chars: int = 56,
    tries: int = 12,
) -> list[str]:
    """Up to `count` short questions that the store does answer (each is asked, and kept only
    if an answer was found); a variety of kinds is preferred."""
    chosen: list[str] = []
    kinds: set[str] = set()
    spare: list[str] = []
    for question in [q for q in _candidates(store, count * 3) if len(q) <= max_chars][:tries]:
        answer = ask(question)
        if not answer.found:
            continue
        if answer.kind in kinds or any(_names(question) & _names(c) for c in chosen):
            spare.append(question)
            continue
        kinds.add(answer.kind)
        chosen.append(question)
        if len(chosen) == count:
            break
    return (chosen + spare)[:count]


def _names(question: str) -> set[str]:
    """The capitalised words of a question after its first word: who it is about."""
    return {word.strip("?,") for word in question.split()[1:] if word[:1].isupper()}
