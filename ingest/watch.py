"""Scheduled ingest of FEEDS: each feed polled every FEED_INTERVAL minutes with a conditional
GET (ETag / Last-Modified), its new items through the normal ingest path, and a feed that
fails waiting twice as long after each failure (at most a day). Used by the bot's JobQueue (in
a child process) and by `newsbot ingest --watch`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from ingest.events import EventExtractor
from ingest.fetch import Fetcher
from ingest.pipeline import Summary, ingest
from retrieval.config import Settings
from retrieval.embedder import Embedder
from retrieval.errors import SourceError
from retrieval.feeds import FeedStates, FeedStatus
from retrieval.store import Store

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)


@dataclass(frozen=True)
class PollResult:
    """What one poll of one feed did."""

    url: str
    status: str  # new / not-modified / error / skipped
    next_poll_at: datetime
    summary: Summary | None = None
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        """One feed of `newsbot ingest --watch --once --json`."""
        s = self.summary
        return {
            "url": self.url,
            "status": self.status,
            "new": s.new if s else 0,
            "updated": s.updated if s else 0,
            "unchanged": s.unchanged if s else 0,
            "failed": s.failed if s else 0,
            "error": self.error,
            "next_poll_at": self.next_poll_at.isoformat(),
        }


def backoff(interval: timedelta, failures: int) -> timedelta:
    """How long to wait after `failures` failures in a row."""
    return min(interval * 2**failures, MAX_BACKOFF) if failures else interval


def poll_feeds(
    settings: Settings,
    store: Store,
    embedder: Embedder,
    now: datetime | None = None,
    extractor: EventExtractor | None = None,
) -> list[PollResult]:
    """Poll every feed of `settings.feeds` that is due; the others are skipped."""
    now = now or datetime.now(UTC)
    interval = timedelta(minutes=settings.feed_interval)
    states = FeedStates(store.sessions)
    fetcher = Fetcher(settings.user_agent, timeout=settings.fetch_timeout,
                      max_bytes=settings.fetch_max_bytes,
                      allow_private=settings.fetch_allow_private)  # fmt: skip
    results = []
    try:
        for url in settings.feeds:
            state = states.get(url) or FeedStatus(url, None, None, 0, None, None, None)
            if state.next_poll_at is not None and state.next_poll_at > now:
                results.append(PollResult(url, "skipped", state.next_poll_at))
                continue
            result, state = _poll(url, state, now, interval, fetcher, settings, store, embedder,
                                  extractor)  # fmt: skip
            states.record(state)
            results.append(result)
            logger.info("feed %s: %s%s", url, result.status,
                        f" ({result.summary.line()})" if result.summary else "")  # fmt: skip
    finally:
        fetcher.close()
    return results


def _poll(
    url: str,
    state: FeedStatus,
    now: datetime,
    interval: timedelta,
    fetcher: Fetcher,
    settings: Settings,
    store: Store,
    embedder: Embedder,
    extractor: EventExtractor | None,
) -> tuple[PollResult, FeedStatus]:
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    polled = replace(state, last_polled_at=now)
    try:
        fetched = fetcher.get(url, headers)
        if fetched.not_modified:
            nxt = now + interval
            return PollResult(url, "not-modified", nxt), replace(
                polled, failures=0, next_poll_at=nxt, last_status="304 not modified"
            )
        summary = ingest([url], settings, store, embedder, extractor=extractor,
                         prefetched={url: fetched})  # fmt: skip
        if summary.failed and not (summary.new or summary.updated or summary.unchanged):
            raise SourceError(summary.errors[0]["error"] if summary.errors else "unreadable")
    except SourceError as exc:
        failures = state.failures + 1
        nxt = now + backoff(interval, failures)
        return PollResult(url, "error", nxt, error=str(exc)), replace(
            polled, failures=failures, next_poll_at=nxt, last_status=f"error: {exc}"
        )
    nxt = now + interval
    status = replace(polled, etag=fetched.etag, last_modified=fetched.last_modified, failures=0,
                     next_poll_at=nxt, last_status=summary.line())  # fmt: skip
    return PollResult(url, "new", nxt, summary=summary), status


def watch(
    settings: Settings,
    store: Store,
    embedder: Embedder,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Poll the feeds until `stop` is set, sleeping until the next one is due (at most a
    minute at a time, so that a stop is noticed)."""
    stop = stop or threading.Event()
    extractor = EventExtractor() if settings.extract_events else None
    while not stop.is_set():
        results = poll_feeds(settings, store, embedder, clock(), extractor)
        due = min((r.next_poll_at for r in results), default=clock() + timedelta(minutes=1))
        stop.wait(max(1.0, min(60.0, (due - clock()).total_seconds())))
