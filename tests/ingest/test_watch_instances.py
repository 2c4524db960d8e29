"""Feed polling with several processes on one PostgreSQL database: one round at a time polls
the feeds; a round started while another runs polls none, and one after it finds them polled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ingest.fetch import Fetched, Fetcher
from ingest.pipeline import make_fetcher
from ingest.watch import PollResult, poll_feeds
from retrieval.config import Settings
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from tests.support.feeds import FeedServer, serve_feed
from tests.support.settings import make_settings

T0 = datetime(2026, 4, 2, 9, tzinfo=UTC)


class HeldFetcher:
    """A real fetcher whose first feed request waits until the test lets it go: the round
    stays in the middle of its poll for as long as the test needs."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.started = threading.Event()
        self.release = threading.Event()

    def get(self, url: str | httpx.URL, headers: dict[str, str] | None = None) -> Fetched:
        if not self.started.is_set():
            self.started.set()
            assert self.release.wait(60), "the test never let the poll go on"
        return self.fetcher.get(url, headers)

    def close(self) -> None:
        self.fetcher.close()


@pytest.fixture
def feed() -> Iterator[tuple[FeedServer, str]]:
    state = FeedServer()
    with serve_feed(state) as url:
        yield state, url


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_round_while_another_polls_polls_nothing(
    settings: Settings, store: Store, hash_embedder: HashEmbedder, feed: tuple[FeedServer, str]
) -> None:
    server, url = feed
    settings = make_settings(settings.data_dir, settings.db_url, FEEDS=url,
                             FETCH_ALLOW_PRIVATE="true", EXTRACT_EVENTS="false",
                             FEED_INTERVAL="30")  # fmt: skip
    held = HeldFetcher(make_fetcher(settings.ingest.fetch))
    first: list[PollResult] = []

    def poll_first() -> None:
        first.extend(poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=T0,
                                fetcher=held))  # type: ignore[arg-type]  # fmt: skip

    worker = threading.Thread(target=poll_first)
    worker.start()
    try:
        assert held.started.wait(60), "the first round never reached its feed"
        # Another process (its own engine) starts a round meanwhile: the feed is due by its
        # state (never polled), yet it is not fetched.
        other = Store.open(settings.db_url, settings.data_dir / "other-index",
                           hash_embedder.name, hash_embedder.dim)  # fmt: skip
        try:
            second = poll_feeds(settings.feeds, settings.ingest, other, hash_embedder,
                                now=T0 + timedelta(seconds=1))  # fmt: skip
        finally:
            other.close()
        assert second == [] and server.requests == []
    finally:
        held.release.set()
        worker.join(60)
    assert [r.status for r in first] == ["new"] and len(server.requests) == 1
    # A round after it reads the state it recorded: not due, no request.
    (later,) = poll_feeds(settings.feeds, settings.ingest, store, hash_embedder,
                          now=T0 + timedelta(minutes=1))  # fmt: skip
    assert later.status == "skipped" and len(server.requests) == 1
    held.close()
