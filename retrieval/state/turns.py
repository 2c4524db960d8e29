"""Each chat's last question as understood, the context of its next follow-up ("And where?"),
in the database (table `chat_turns`): any bot process on the same database answers a chat's
follow-up the same way, whichever process took the question before it.

A turn is the `Question` the answerer read, as JSON: what a follow-up borrows (names, place,
period, kind) and nothing else. A turn older than `TTL` is no context (a follow-up the next
day is a new question) and is deleted now and then. Writes are single upserts, so several
processes may write the same chat's turn at once: the last one wins, as in a conversation.
A row this version cannot read (written by another version of the code) counts as no turn.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, get_args

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, sessionmaker

from retrieval.qa.questions import Kind, Period, Question
from retrieval.store.db import Tables, utc_now
from retrieval.store.models import ChatTurn

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql

__all__ = ["PRUNE_EVERY", "TTL", "ChatTurns", "question_from_json", "question_to_json"]

logger = logging.getLogger(__name__)

TTL = timedelta(hours=6)
PRUNE_EVERY = 600.0  # seconds between two deletions of expired turns by one process

_KINDS: tuple[str, ...] = get_args(Kind)


def question_to_json(question: Question) -> dict[str, Any]:
    """The stored form of a question (sets sorted, so that equal questions store alike)."""
    period = question.period
    return {
        "text": question.text,
        "kind": question.kind,
        "meeting": question.meeting,
        "names": list(question.names),
        "persons": sorted(question.persons),
        "entities": sorted(question.entities),
        "topics": sorted(question.topics),
        "place": question.place,
        "period": [period.start.isoformat(), period.end.isoformat()] if period else None,
        "sources": list(question.sources),
        "follow_up": question.follow_up,
        "future": question.future,
    }


def question_from_json(data: dict[str, Any]) -> Question:
    """A question from its stored form; a key missing (an older writer) takes the default.
    ValueError, KeyError or TypeError when it is not a question."""
    kind = data["kind"]
    if kind not in _KINDS:
        raise ValueError(f"not a question kind: {kind!r}")
    period = data.get("period")
    return Question(
        text=str(data["text"]),
        kind=kind,
        meeting=bool(data["meeting"]),
        names=tuple(map(str, data.get("names", ()))),
        persons=frozenset(map(str, data.get("persons", ()))),
        entities=frozenset(map(str, data.get("entities", ()))),
        topics=frozenset(map(str, data.get("topics", ()))),
        place=data.get("place"),
        period=Period(date.fromisoformat(period[0]), date.fromisoformat(period[1]))
        if period
        else None,
        sources=tuple(map(str, data.get("sources", ()))),
        follow_up=bool(data.get("follow_up", False)),
        future=bool(data.get("future", False)),
    )


@functools.cache
def _upsert(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT (chat_id) DO UPDATE in the dialect, built once (its values are
    parameters: SQLAlchemy's compiled cache then serves every later call)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert  # as in activity

        insert: postgresql.Insert | sqlite.Insert = postgresql_insert(ChatTurn)
    elif dialect == "sqlite":
        insert = sqlite.insert(ChatTurn)
    else:
        raise NotImplementedError(f"chat turns support PostgreSQL and SQLite, not {dialect}")
    return insert.on_conflict_do_update(
        index_elements=[ChatTurn.chat_id],
        set_={"question": insert.excluded.question, "at": insert.excluded.at},
    )


class ChatTurns(Tables):
    """Reads and writes chats' last questions through the store's session factory; `now`
    stamps them (tests give their own clock), `ttl` is how long one is a context."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = utc_now,
        ttl: timedelta = TTL,
    ) -> None:
        super().__init__(sessions, now)
        self.ttl = ttl
        self._pruned_at: float | None = None  # monotonic; None: not yet in this process
        self._prune_lock = threading.Lock()

    def get(self, chat_id: int) -> Question | None:
        """The chat's last question, if it is recent and readable."""
        with self.sessions() as session:
            row = session.execute(
                select(ChatTurn.question, ChatTurn.at).where(ChatTurn.chat_id == chat_id)
            ).one_or_none()
        if row is None or self.now() - row.at > self.ttl:
            return None
        try:
            return question_from_json(row.question)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            logger.warning("chat %s: its stored turn is unreadable (%s): no context", chat_id, exc)
            return None

    def put(self, chat_id: int, question: Question) -> None:
        """Remember the chat's latest question (replacing the one before)."""
        now = self.now()
        data = question_to_json(question)
        with self.sessions() as session:
            upsert = _upsert(session.get_bind().dialect.name)
            session.execute(upsert, {"chat_id": chat_id, "question": data, "at": now})
            session.commit()
        self._prune_now_and_then()

    def forget(self, chat_id: int) -> bool:
        """Drop the chat's turn (/reset); whether there was a current one."""
        with self.sessions() as session:
            at = session.execute(
                delete(ChatTurn).where(ChatTurn.chat_id == chat_id).returning(ChatTurn.at)
            ).scalar_one_or_none()
            session.commit()
        return at is not None and self.now() - at <= self.ttl

    def prune(self) -> int:
        """Delete the turns older than the TTL; how many."""
        with self.sessions() as session:
            expired = delete(ChatTurn).where(ChatTurn.at < self.now() - self.ttl)
            deleted = session.scalars(expired.returning(ChatTurn.chat_id)).all()
            session.commit()
        return len(deleted)

    def count(self) -> int:
        """How many turns are stored (expired ones not yet pruned included)."""
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(ChatTurn)) or 0)

    def _prune_now_and_then(self) -> None:
        # In its own transaction, after the upsert: a range delete in the same transaction as
        # the upsert could deadlock against another process doing the same in another order.
        with self._prune_lock:
            clock = time.monotonic()
            if self._pruned_at is not None and clock - self._pruned_at < PRUNE_EVERY:
                return
            self._pruned_at = clock
        pruned = self.prune()
        if pruned:
            logger.debug("%d expired chat turns deleted", pruned)
