"""The events repository: meeting events stored beside their passages, read back as
`StoredEvent`s (the types and the name matching are in retrieval/store/events.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from retrieval.store.events import EventDraft, StoredEvent, name_tokens, names_key
from retrieval.store.models import Article, Event
from retrieval.store.records import from_row

__all__ = ["EventPeople", "Events", "event_row"]


@dataclass(frozen=True)
class EventPeople:
    """Who met whom and where, for example questions about the latest meetings."""

    who: tuple[str, ...]
    with_: tuple[str, ...]
    where: str | None


class Events:
    """Reads and writes the `events` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def involving(self, names: Sequence[str]) -> list[StoredEvent]:
        """Events whose participants share a name token with every one of `names` (matching
        proper is `StoredEvent.involves`); no names means no events."""
        token_sets = [sorted(name_tokens(n), key=len, reverse=True) for n in names]
        token_sets = [t for t in token_sets if t]
        if not token_sets:
            return []
        query = select(Event)
        for tokens in token_sets:
            query = query.where(Event.names.contains(f"|{tokens[0]}|", autoescape=True))
        with self.sessions() as session:
            rows = session.scalars(query.order_by(Event.id)).all()
        return [_stored(row) for row in rows]

    def of_passages(self, passage_ids: Sequence[int]) -> list[StoredEvent]:
        """The events found in these passages."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Event).where(Event.passage_id.in_(list(passage_ids))).order_by(Event.id)
            ).all()
        return [_stored(row) for row in rows]

    def replace(self, article_id: int, events: dict[int, Sequence[EventDraft]]) -> int:
        """Set the events of one article's passages (by passage id); returns how many."""
        with self.sessions.begin() as session:
            session.execute(delete(Event).where(Event.article_id == article_id))
            rows = [
                event_row(e, article_id, passage_id)
                for passage_id, drafts in events.items()
                for e in drafts
            ]
            session.add_all(rows)
        return len(rows)

    def count(self) -> int:
        """How many events are stored."""
        with self.sessions() as session:
            return int(session.scalar(select(func.count(Event.id))) or 0)

    def latest(self, limit: int) -> list[EventPeople]:
        """The people and places of the events of the most recently published articles."""
        with self.sessions() as session:
            rows = session.execute(
                select(Event.who, Event.with_, Event.where)
                .join(Article, Event.article_id == Article.id)
                .order_by(Article.published_at.is_(None), Article.published_at.desc(), Event.id)
                .limit(limit)
            ).all()
        return [EventPeople(tuple(w or ()), tuple(o or ()), where) for w, o, where in rows]


def event_row(draft: EventDraft, article_id: int, passage_id: int | None = None) -> Event:
    """The row of one event (its passage set by the caller's relationship when not given)."""
    row = Event(
        article_id=article_id,
        kind=draft.kind[:40],
        who=list(draft.who),
        with_=list(draft.with_),
        names=names_key(draft.people),
        when=draft.when,
        when_text=draft.when_text[:200] if draft.when_text else None,
        where=draft.where[:300] if draft.where else None,
        status=draft.status,
        sentence=draft.sentence,
        roles={name: role[:200] for name, role in draft.roles},
    )
    if passage_id is not None:
        row.passage_id = passage_id
    return row


def _stored(row: Event) -> StoredEvent:
    return from_row(
        StoredEvent,
        row,
        who=tuple(row.who),
        with_=tuple(row.with_),
        roles=tuple((row.roles or {}).items()),
    )
