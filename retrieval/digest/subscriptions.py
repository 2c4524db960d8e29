"""Subscriptions to the daily digest, chats' time zones, and the delivery log that makes sure a
digest goes out at most once per chat and day, whatever restarts or how many bot processes
share the database: a delivery is claimed before it is sent, so a process killed during the
send leaves a claim that stays "sending" (`unfinished`), and that digest is not sent again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from retrieval.digest.topics import merge as merge_topics
from retrieval.digest.topics import split as split_topics
from retrieval.store.db import Tables
from retrieval.store.models import ChatSettings, Delivery, Subscription

__all__ = ["EMPTY", "FAILED", "SENDING", "SENT", "Subscribed", "Subscriptions"]

SENDING, SENT, EMPTY, FAILED = "sending", "sent", "empty", "failed"


@dataclass(frozen=True)
class Subscribed:
    """A chat's digest subscription with the chat's settings."""

    chat_id: int
    at: time
    topics: tuple[str, ...]
    timezone: str | None
    quiet: bool


class Subscriptions(Tables):
    """Reads and writes subscriptions, chat settings and deliveries."""

    # -- settings ----------------------------------------------------------------------------

    def timezone(self, chat_id: int) -> str | None:
        """The chat's time zone, if it gave one."""
        with self.sessions() as session:
            row = session.get(ChatSettings, chat_id)
            return row.timezone if row else None

    def set_timezone(self, chat_id: int, timezone: str) -> None:
        """Record the chat's time zone."""
        self._settings(chat_id, timezone=timezone)

    def set_quiet(self, chat_id: int, quiet: bool) -> None:
        """Whether a digest with nothing new sends nothing (True) or a one-line note."""
        self._settings(chat_id, quiet=quiet)

    def _settings(self, chat_id: int, **values: object) -> None:
        with self.sessions() as session:
            row = session.get(ChatSettings, chat_id)
            if row is None:
                row = ChatSettings(chat_id=chat_id, timezone=None, quiet=False)
                session.add(row)
            for key, value in values.items():
                setattr(row, key, value)
            session.commit()

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe(self, chat_id: int, at: time, topics: list[str]) -> Subscribed:
        """Subscribe the chat (or change its time); topics are added to those it has (a topic
        and its exclusion, "-football", cancel out: retrieval/digest/topics.py), and no topics
        means all news."""
        with self.sessions() as session:
            row = session.get(Subscription, chat_id)
            if row is None:
                row = Subscription(chat_id=chat_id, at=at, topics=[], created_at=self.now())
                session.add(row)
            row.at = at
            row.topics = merge_topics(row.topics, topics) if topics else []
            session.commit()
        found = self.get(chat_id)
        assert found is not None
        return found

    def unsubscribe(self, chat_id: int, topic: str | None = None) -> Subscribed | None:
        """Drop a topic (the subscription goes when its last topic goes, or its last wanted
        one: exclusions alone would turn it into all news), or everything. Returns what is
        left, or None."""
        with self.sessions() as session:
            row = session.get(Subscription, chat_id)
            if row is None:
                return None
            if topic is None:
                session.delete(row)
            else:
                left = [t for t in row.topics if t.lower() != topic.lower()]
                wanted_before, wanted_left = split_topics(row.topics)[0], split_topics(left)[0]
                if left and (wanted_left or not wanted_before):
                    row.topics = left
                else:
                    session.delete(row)
            session.commit()
        return self.get(chat_id)

    def get(self, chat_id: int) -> Subscribed | None:
        """The chat's subscription, if any."""
        with self.sessions() as session:
            row = session.execute(
                select(Subscription, ChatSettings)
                .outerjoin(ChatSettings, ChatSettings.chat_id == Subscription.chat_id)
                .where(Subscription.chat_id == chat_id)
            ).first()
        return _subscribed(row[0], row[1]) if row else None

    def all(self) -> list[Subscribed]:
        """Every subscription, for scheduling at start-up."""
        with self.sessions() as session:
            rows = session.execute(
                select(Subscription, ChatSettings)
                .outerjoin(ChatSettings, ChatSettings.chat_id == Subscription.chat_id)
                .order_by(Subscription.chat_id)
            ).all()
        return [_subscribed(sub, settings) for sub, settings in rows]

    # -- the delivery log --------------------------------------------------------------------

    def claim(self, chat_id: int, digest_date: date) -> bool:
        """Claim the chat's digest of that date for sending; False if it was claimed before
        (sent, being sent, or lost in a crash mid-send: never sent twice)."""
        with self.sessions() as session:
            session.add(
                Delivery(
                    chat_id=chat_id,
                    digest_date=digest_date,
                    status=SENDING,
                    claimed_at=self.now(),
                    stories=0,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True

    def finish(self, chat_id: int, digest_date: date, status: str, stories: int = 0) -> None:
        """Record how a claimed delivery ended."""
        with self.sessions() as session:
            row = session.scalars(
                select(Delivery).where(
                    Delivery.chat_id == chat_id, Delivery.digest_date == digest_date
                )
            ).one()
            row.status, row.stories, row.finished_at = status, stories, self.now()
            session.commit()

    def last_delivery(self, chat_id: int) -> tuple[date, datetime] | None:
        """The date and claim time of the chat's latest digest, if any."""
        with self.sessions() as session:
            row = session.execute(
                select(Delivery.digest_date, Delivery.claimed_at)
                .where(Delivery.chat_id == chat_id)
                .order_by(Delivery.digest_date.desc())
                .limit(1)
            ).first()
        return (row[0], row[1]) if row else None

    def unfinished(self) -> list[tuple[int, date, datetime]]:
        """Claims never recorded as ended (chat, digest date, claim time): being sent now, or
        lost with a process killed mid-send (those digests may not have arrived)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Delivery.chat_id, Delivery.digest_date, Delivery.claimed_at)
                .where(Delivery.status == SENDING)
                .order_by(Delivery.claimed_at)
            ).all()
        return [(row[0], row[1], row[2]) for row in rows]

    def forget_chat(self, chat_id: int) -> None:
        """A chat that blocked the bot: its subscription goes (its log stays)."""
        with self.sessions() as session:
            session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
            session.commit()


def _subscribed(row: Subscription, settings: ChatSettings | None) -> Subscribed:
    return Subscribed(
        chat_id=row.chat_id,
        at=row.at,
        topics=tuple(row.topics),
        timezone=settings.timezone if settings else None,
        quiet=bool(settings.quiet) if settings else False,
    )
