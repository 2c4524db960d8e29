"""The bot's activity log: who uses it, what they ask, what it answered and how they rated it.

Writes are single statements, so several bot processes may share one database: user and vote
upserts use the dialect's `INSERT ... ON CONFLICT DO UPDATE` (PostgreSQL and SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, SmallInteger, func, literal, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from retrieval.store.db import Tables
from retrieval.store.models import Base, BotUser, Feedback, QuestionLog, UTCDateTime
from retrieval.store.records import from_row

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql

__all__ = [
    "MAX_KIND_CHARS",
    "MAX_QUESTION_CHARS",
    "Activity",
    "ActivityCounts",
    "AskedQuestion",
]

MAX_QUESTION_CHARS = 4096
MAX_KIND_CHARS = 20


@dataclass(frozen=True)
class AskedQuestion:
    """A logged question with the answer it got."""

    id: int
    chat_id: int
    user_id: int | None
    text: str
    kind: str
    found: bool
    cited: tuple[tuple[int, str], ...]
    related: tuple[int, ...]
    asked_at: datetime


@dataclass(frozen=True)
class ActivityCounts:
    """Totals over the whole log."""

    users: int
    questions: int
    answered: int
    helpful: int
    unhelpful: int


def _insert(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `model`'s table in the session's dialect, so it can say ON CONFLICT."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Imported here: a process on SQLite never needs it (45 ms of a one-shot ask).
        from sqlalchemy.dialects.postgresql import insert

        return insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"the activity log supports PostgreSQL and SQLite, not {dialect}")


class Activity(Tables):
    """Records and reads the bot's activity through the store's session factory."""

    def seen(self, user_id: int) -> None:
        """Note that a user used the bot now: first sight records them, later ones move
        `last_seen` on."""
        now = self.now()
        with self.sessions() as session:
            insert = _insert(session, BotUser).values(id=user_id, first_seen=now, last_seen=now)
            session.execute(
                insert.on_conflict_do_update(
                    index_elements=[BotUser.id], set_={"last_seen": insert.excluded.last_seen}
                )
            )
            session.commit()

    def record_question(
        self,
        chat_id: int,
        user_id: int | None,
        text: str,
        kind: str,
        found: bool,
        cited: Sequence[tuple[int, str]],
        related: Sequence[int],
    ) -> int:
        """Log a question (its text cut to 4096 characters) and its answer; returns its id."""
        if len(kind) > MAX_KIND_CHARS:
            raise ValueError(f"answer kind longer than {MAX_KIND_CHARS} characters: {kind!r}")
        row = QuestionLog(
            chat_id=chat_id,
            user_id=user_id,
            text=text[:MAX_QUESTION_CHARS],
            kind=kind,
            found=found,
            cited=[[int(pid), str(quote)] for pid, quote in cited],
            related=[int(pid) for pid in related],
            asked_at=self.now(),
        )
        with self.sessions() as session:
            session.add(row)
            session.commit()
            return row.id

    def question(self, question_id: int) -> AskedQuestion | None:
        """A logged question, or None if there is none with this id."""
        with self.sessions() as session:
            row = session.get(QuestionLog, question_id)
        if row is None:
            return None
        return from_row(
            AskedQuestion,
            row,
            cited=tuple((int(pid), str(quote)) for pid, quote in row.cited),
            related=tuple(int(pid) for pid in row.related),
        )

    def record_feedback(self, question_id: int, user_id: int, value: int) -> bool:
        """Record a user's vote (+1 or -1) on an answer, replacing their earlier one; False
        (and nothing written) if the question does not exist."""
        if value not in (1, -1):
            raise ValueError(f"feedback must be +1 or -1, not {value!r}")
        now = self.now()
        # One statement, INSERT ... SELECT FROM questions: no row when the question is missing,
        # so there is no window between checking for it and voting on it.
        source = select(
            QuestionLog.id,
            literal(user_id, BigInteger),
            literal(value, SmallInteger),
            literal(now, UTCDateTime()),
        ).where(QuestionLog.id == question_id)
        with self.sessions() as session:
            insert = _insert(session, Feedback).from_select(
                ["question_id", "user_id", "value", "at"], source
            )
            written = session.execute(
                insert.on_conflict_do_update(
                    index_elements=[Feedback.question_id, Feedback.user_id],
                    set_={"value": insert.excluded.value, "at": insert.excluded.at},
                ).returning(Feedback.id)
            ).first()
            session.commit()
        return written is not None

    def counts(self) -> ActivityCounts:
        """How many users, questions, answered questions and helpful/unhelpful votes."""
        with self.sessions() as session:
            users, questions, answered, helpful, unhelpful = session.execute(
                select(
                    select(func.count()).select_from(BotUser).scalar_subquery(),
                    select(func.count()).select_from(QuestionLog).scalar_subquery(),
                    select(func.count())
                    .select_from(QuestionLog)
                    .where(QuestionLog.found.is_(True))
                    .scalar_subquery(),
                    select(func.count())
                    .select_from(Feedback)
                    .where(Feedback.value == 1)
                    .scalar_subquery(),
                    select(func.count())
                    .select_from(Feedback)
                    .where(Feedback.value == -1)
                    .scalar_subquery(),
                )
            ).one()
        return ActivityCounts(
            users=int(users),
            questions=int(questions),
            answered=int(answered),
            helpful=int(helpful),
            unhelpful=int(unhelpful),
        )
