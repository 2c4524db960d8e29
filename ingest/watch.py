"""Scheduled ingest of FEEDS: each feed polled every FEED_INTERVAL minutes with a conditional
GET (ETag / Last-Modified), its new items through the normal ingest path, and a feed that
fails waiting twice as long after each failure (at most a day). Used by the bot's JobQueue (in
a child process, `newsbot ingest --watch --once`) and by `newsbot ingest --watch`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from ingest.fetch import Fetcher
from ingest.pipeline import Summary, ingest, make_fetcher
from retrieval.config import FeedSettings, IngestSettings
from retrieval.errors import NewsbotError, SourceError
from retrieval.meetings.extract import EventExtractor
from retrieval.nlp import load_nlp
from retrieval.state.feeds import FeedStates, FeedStatus
from retrieval.state.rounds import FEED_POLL, one_at_a_time
from retrieval.store import Store
from retrieval.store.db import utc_now
from retrieval.store.embedder import Embedder

__all__ = [
    "MAX_BACKOFF",
    "MAX_SLEEP",
    "MIN_SLEEP",
    "PollResult",
    "backoff",
    "poll_feeds",
    "seconds_to_sleep",
    "watch",
]

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=24)
MAX_SLEEP = 60.0  # seconds: `watch` wakes at least this often, so that a stop is noticed
MIN_SLEEP = 1.0  # seconds: a feed overdue already must not make `watch` spin


@dataclass(frozen=True)
class PollResult:
    """What one poll of one feed did."""

    url: str
    status: str  # new / not-modified / error / skipped
    summary: Summary | None  # the ingest of its items, when it was fetched and parsed
    error: str | None
    next_poll_at: datetime

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

    def line(self) -> str:
        """The log line of this poll."""
        if self.error:
            detail = f": {self.error}"
        else:
            detail = f" ({self.summary.line()})" if self.summary else ""
        return f"feed {self.url}: {self.status}{detail}; next poll {self.next_poll_at.isoformat()}"


def backoff(interval: timedelta, failures: int) -> timedelta:
    """How long to wait after `failures` failures in a row: the interval doubled each time,
    at most a day (and never less than the interval)."""
    if failures <= 0:
        return interval
    return max(interval, min(interval * 2**failures, MAX_BACKOFF))


def poll_feeds(
    feeds: FeedSettings,
    settings: IngestSettings,
    store: Store,
    embedder: Embedder,
    now: datetime | None = None,
    extractor: EventExtractor | None = None,
    fetcher: Fetcher | None = None,
) -> list[PollResult]:
    """Poll every feed of `feeds` that is due at `now`, ingesting by `settings`; the others
    are skipped without a request. A feed's failure is its own: the others are still
    polled. `fetcher` (left open) fetches the feeds and their items' pages instead of a new
    one. One process at a time polls the feeds of a PostgreSQL database: while another holds
    the round, this one polls none and returns no results."""
    now = now or utc_now()
    with one_at_a_time(store.sessions, FEED_POLL) as ours:
        if not ours:
            logger.info("another process is polling the feeds: this round is left to it")
            return []
        # Who is due is read under the lock: a round that starts just after another's sees the
        # states that round recorded.
        return _poll_due(feeds, settings, store, embedder, now, extractor, fetcher)


def _poll_due(
    feeds: FeedSettings,
    settings: IngestSettings,
    store: Store,
    embedder: Embedder,
    now: datetime,
    extractor: EventExtractor | None,
    fetcher: Fetcher | None,
) -> list[PollResult]:
    interval = timedelta(minutes=feeds.interval)
    states = FeedStates(store.sessions, now=lambda: now)
    own = fetcher or make_fetcher(settings.fetch)
    loaded = [extractor] if extractor else []

    def events() -> EventExtractor | None:
        # Loaded on the first feed with something to ingest (loading spaCy takes seconds, and
        # most polls are 304s), then shared by the others.
        if not loaded and settings.extract_events:
            loaded.append(EventExtractor(load_nlp()))
        return loaded[0] if loaded else None

    results = []
    try:
        for url in dict.fromkeys(feeds.urls):  # a feed listed twice is polled once
            state = states.get(url)
            if state is not None and not state.due(now):
                assert state.next_poll_at is not None
                results.append(PollResult(url, "skipped", None, None, state.next_poll_at))
                logger.debug("feed %s: not due before %s", url, state.next_poll_at)
                continue
            result = _poll(url, state, now, interval, own, states, settings, store, embedder,
                           events)  # fmt: skip
            results.append(result)
            log = logger.warning if result.status == "error" else logger.info
            log("%s", result.line())
    finally:
        if fetcher is None:
            own.close()
    return results


def _poll(
    url: str,
    state: FeedStatus | None,
    now: datetime,
    interval: timedelta,
    fetcher: Fetcher,
    states: FeedStates,
    settings: IngestSettings,
    store: Store,
    embedder: Embedder,
    events: Callable[[], EventExtractor | None],
) -> PollResult:
    """One feed: a conditional GET with its stored validators, then its items ingested."""
    etag = state.etag if state else None
    last_modified = state.last_modified if state else None
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    summary = None
    try:
        fetched = fetcher.get(url, headers)
        if fetched.not_modified:
            nxt = now + interval
            # A 304 may carry fresher validators; without them the stored ones still hold.
            states.record(url, etag=fetched.etag or etag,
                          last_modified=fetched.last_modified or last_modified,
                          failures=0, next_poll_at=nxt, status="not modified")  # fmt: skip
            return PollResult(url, "not-modified", None, None, nxt)
        summary = ingest([url], settings, store, embedder, extractor=events(),
                         prefetched={url: fetched}, fetcher=fetcher)  # fmt: skip
        if summary.failed and not (summary.new or summary.updated or summary.unchanged):
            # Nothing of it could be read (a malformed feed, an HTML error page): a failure,
            # and its validators are not kept, so that the next poll reads it in full.
            raise SourceError(summary.errors[0]["error"] if summary.errors else "unreadable")
    except SourceError as exc:  # FetchError included: refused, unreachable, HTTP 4xx/5xx
        failures = (state.failures if state else 0) + 1
        nxt = now + backoff(interval, failures)
        states.record(url, etag=etag, last_modified=last_modified, failures=failures,
                      next_poll_at=nxt, status=f"error: {exc}")  # fmt: skip
        return PollResult(url, "error", summary, str(exc), nxt)
    nxt = now + interval
    states.record(url, etag=fetched.etag, last_modified=fetched.last_modified, failures=0,
                  next_poll_at=nxt, status=summary.line())  # fmt: skip
    return PollResult(url, "new", summary, None, nxt)


def seconds_to_sleep(results: list[PollResult], now: datetime) -> float:
    """Until the earliest next poll, between MIN_SLEEP and MAX_SLEEP seconds."""
    due = min((r.next_poll_at for r in results), default=now + timedelta(seconds=MAX_SLEEP))
    return max(MIN_SLEEP, min(MAX_SLEEP, (due - now).total_seconds()))


def watch(
    feeds: FeedSettings,
    settings: IngestSettings,
    store: Store,
    embedder: Embedder,
    stop: threading.Event | None = None,
    once: bool = False,
    clock: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], object] | None = None,
) -> list[PollResult]:
    """Poll the feeds until `stop` is set, sleeping until the next one is due (at most a
    minute at a time, so that a stop is noticed); the last poll's results. `once`: poll what
    is due now, once. `sleep` defaults to waiting on `stop`, which a stop cuts short."""
    stop = stop or threading.Event()
    wait = sleep or stop.wait
    # One extractor for the whole watch (poll_feeds would load one per round); a single
    # round loads it only if a feed has something to ingest.
    extractor = EventExtractor(load_nlp()) if settings.extract_events and not once else None
    results: list[PollResult] = []
    while once or not stop.is_set():
        try:
            results = poll_feeds(feeds, settings, store, embedder, clock(), extractor)
        except (NewsbotError, SQLAlchemyError, OSError) as exc:
            if once:
                raise
            # The database or the index failed, not a feed: try again in a while, as a
            # service would, rather than end the watch.
            logger.error("polling the feeds failed, trying again in a minute: %s", exc)
            results = []
        if once:
            break
        wait(seconds_to_sleep(results, clock()))
    return results
