"""The state of polled feeds: conditional-GET validators and back-off, one row per URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from retrieval.models import FeedState


@dataclass(frozen=True)
class FeedStatus:
    """What is known of a feed between polls."""

    url: str
    etag: str | None
    last_modified: str | None
    failures: int
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_status: str | None


class FeedStates:
    """Reads and writes feed states through the store's session factory."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def get(self, url: str) -> FeedStatus | None:
        """A feed's state, or None before its first poll."""
        with self.sessions() as session:
            row = session.get(FeedState, url)
            return _status(row) if row else None

    def all(self) -> list[FeedStatus]:
        """Every feed polled so far."""
        with self.sessions() as session:
            return [_status(r) for r in session.scalars(select(FeedState).order_by(FeedState.url))]

    def record(self, status: FeedStatus) -> None:
        """Save a feed's state after a poll."""
        with self.sessions() as session:
            row = session.get(FeedState, status.url) or FeedState(url=status.url)
            row.etag, row.last_modified = status.etag, status.last_modified
            row.failures, row.next_poll_at = status.failures, status.next_poll_at
            row.last_polled_at = status.last_polled_at
            row.last_status = (status.last_status or "")[:300] or None
            session.merge(row)
            session.commit()


def _status(row: FeedState) -> FeedStatus:
    return FeedStatus(row.url, row.etag, row.last_modified, row.failures, row.next_poll_at,
                      row.last_polled_at, row.last_status)  # fmt: skip
