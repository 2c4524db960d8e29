"""The state of polled feeds: conditional-GET validators and back-off, one row per URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from retrieval.store.db import Tables
from retrieval.store.models import FeedState

__all__ = ["FeedStates", "FeedStatus"]

# Column widths of the `feeds` table (retrieval/store/models.py).
_MAX_ETAG, _MAX_LAST_MODIFIED, _MAX_STATUS = 500, 100, 300


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

    def due(self, now: datetime) -> bool:
        """Whether the feed is to be polled at `now`."""
        return self.next_poll_at is None or self.next_poll_at <= now


class FeedStates(Tables):
    """Reads and writes feed states through the store's session factory; `now` stamps
    `last_polled_at` (injected by tests and by a poll that has its own clock)."""

    def get(self, url: str) -> FeedStatus | None:
        """A feed's state, or None before its first poll."""
        with self.sessions() as session:
            row = session.get(FeedState, url)
            return _status(row) if row else None

    def all(self) -> list[FeedStatus]:
        """Every feed polled so far."""
        with self.sessions() as session:
            return [_status(r) for r in session.scalars(select(FeedState).order_by(FeedState.url))]

    def record(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        failures: int,
        next_poll_at: datetime | None,
        status: str | None,
    ) -> FeedStatus:
        """Save a feed's state after a poll (inserted or updated), polled now; returns it."""
        # A validator too long for its column is dropped, not cut: a cut one would never match,
        # and without one the next poll is simply a full GET.
        values = {
            "etag": etag if etag is None or len(etag) <= _MAX_ETAG else None,
            "last_modified": (
                last_modified
                if last_modified is None or len(last_modified) <= _MAX_LAST_MODIFIED
                else None
            ),
            "failures": failures,
            "next_poll_at": next_poll_at,
            "last_polled_at": self.now(),
            "last_status": (status or "")[:_MAX_STATUS] or None,
        }
        # Two pollers (the bot's job and a `newsbot ingest --watch`) may insert the same new
        # feed at once: the loser of that race updates the winner's row instead.
        for attempt in range(2):
            with self.sessions() as session:
                row = session.get(FeedState, url)
                if row is None:
                    row = FeedState(url=url)
                    session.add(row)
                for name, value in values.items():
                    setattr(row, name, value)
                try:
                    session.commit()
                except IntegrityError:
                    if attempt:
                        raise
                    continue
                return _status(row)
        raise AssertionError("unreachable")


def _status(row: FeedState) -> FeedStatus:
    return FeedStatus(row.url, row.etag, row.last_modified, row.failures, row.next_poll_at,
                      row.last_polled_at, row.last_status)  # fmt: skip
