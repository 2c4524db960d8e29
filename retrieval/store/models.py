"""SQLAlchemy 2 models: articles, their passages and the meeting events found in them. The
database is the source of truth; the FAISS index is derived from `Passage.embedding` and can
always be rebuilt from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Article",
    "Base",
    "BotUser",
    "ChatSettings",
    "ChatTurn",
    "Delivery",
    "Event",
    "FeedState",
    "Feedback",
    "LinkSubmission",
    "Meta",
    "Passage",
    "QuestionLog",
    "Subscription",
    "UTCDateTime",
]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime on every backend: SQLite forgets the zone, so values are
    stored in UTC and come back marked as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: newsbot stores timezone-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of all newsbot tables."""


class Meta(Base):
    """Facts about the store itself, such as the model that made the stored vectors."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Article(Base):
    """One news article. `key` identifies it across ingests: its URL, else where it came from."""

    __tablename__ = "articles"
    # Ids are never reused (SQLite would reuse the highest after a delete): a passage id seen by
    # an index in another process must never come to mean another passage.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(2048), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(300))
    author: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(Text)

    passages: Mapped[list[Passage]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Passage.position"
    )


class Passage(Base):
    """A retrievable span of an article: one or more paragraphs, or part of a long one."""

    __tablename__ = "passages"
    __table_args__ = (
        Index("ix_passages_article_position", "article_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # float32 little-endian vector, normalised; lets the index be rebuilt without re-encoding.
    embedding: Mapped[bytes] = mapped_column(LargeBinary)

    article: Mapped[Article] = relationship(back_populates="passages")
    events: Mapped[list[Event]] = relationship(
        back_populates="passage", cascade="all, delete-orphan", passive_deletes=True
    )


class Event(Base):
    """A meeting-like event in a passage: who met whom, when (resolved against the article's
    publication date), where, and whether the article announced it or reported it."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_passage", "passage_id"),
        Index("ix_events_article", "article_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passages.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    who: Mapped[list[str]] = mapped_column(JSON)
    with_: Mapped[list[str]] = mapped_column(JSON)
    # Every participant's name tokens, `|`-delimited, so a name is found with one LIKE.
    names: Mapped[str] = mapped_column(Text)
    when: Mapped[date | None] = mapped_column(Date)
    when_text: Mapped[str | None] = mapped_column(String(200))
    where: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    sentence: Mapped[str] = mapped_column(Text)
    # Participants' titles, kept as roles: {"Antony Blinken": "US Secretary of State"}.
    roles: Mapped[dict[str, str]] = mapped_column(JSON)

    passage: Mapped[Passage] = relationship(back_populates="events")


class BotUser(Base):
    """A Telegram user who has used the bot; `id` is their Telegram user id."""

    __tablename__ = "bot_users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class QuestionLog(Base):
    """A question asked of the bot and what it answered: the answer kind, the passages it
    cited (`[[passage_id, quote], ...]`) and those it offered as related reading."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_chat", "chat_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    found: Mapped[bool] = mapped_column(Boolean)
    cited: Mapped[list[list[Any]]] = mapped_column(JSON)
    related: Mapped[list[int]] = mapped_column(JSON)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Feedback(Base):
    """One user's vote on one answer: +1 helpful, -1 not; voting again replaces the vote."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("question_id", "user_id", name="uq_feedback_question_user"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[int] = mapped_column(SmallInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChatSettings(Base):
    """A chat's preferences: its time zone (a canonical name, bot/telegram/schedule.py) and
    whether a digest with nothing new sends a one-line note (`quiet` False) or nothing."""

    __tablename__ = "chat_settings"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    timezone: Mapped[str | None] = mapped_column(String(64))
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)


class Subscription(Base):
    """A chat's daily digest: the local time it arrives (in the chat's time zone) and the
    topics it is limited to (none: all news)."""

    __tablename__ = "subscriptions"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[time] = mapped_column(Time)
    topics: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """The delivery log: one row per chat and digest date, claimed before sending, so that a
    digest is never sent twice (a restart mid-send, two bot processes on one database)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("chat_id", "digest_date", name="uq_deliveries_chat_date"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    digest_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # sending / sent / empty / failed
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stories: Mapped[int] = mapped_column(Integer, default=0)


class FeedState(Base):
    """A polled RSS/Atom feed: its validators for conditional GET and its back-off state."""

    __tablename__ = "feeds"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(300))


class ChatTurn(Base):
    """A chat's last question as understood (`retrieval/state/turns.py` writes and reads the
    JSON), the context of its next follow-up: in the database, so that any bot process on it
    answers the follow-up."""

    __tablename__ = "chat_turns"
    __table_args__ = (Index("ix_chat_turns_at", "at"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    question: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class LinkSubmission(Base):
    """A link a user sent the bot to add as an article (`retrieval/state/links.py`): counted
    for the per-user hourly limit, and what came of it."""

    __tablename__ = "link_submissions"
    __table_args__ = (
        Index("ix_link_submissions_user_at", "user_id", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(String(2048))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # pending / added / known / refused / failed
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(500))
    article_id: Mapped[int | None] = mapped_column(Integer)
