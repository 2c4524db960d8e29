"""Polling FEEDS: conditional GET, new items through the normal ingest path, back-off; the
`newsbot ingest --watch` command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.fetch import Fetched
from ingest.pipeline import ingest
from ingest.watch import PollResult, backoff, poll_feeds, seconds_to_sleep, watch
from retrieval.config import Settings
from retrieval.state.feeds import FeedStates
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from tests.support.feeds import FeedServer, serve_feed
from tests.support.settings import ROOT, make_settings

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def feed() -> Iterator[tuple[FeedServer, str]]:
    state = FeedServer()
    with serve_feed(state) as url:
        yield state, url


def _settings(settings: Settings, *feeds: str) -> Settings:
    """The `settings` fixture's data dir and database, polling `feeds`."""
    return make_settings(settings.data_dir, settings.db_url, FEEDS=" ".join(feeds),
                         FETCH_ALLOW_PRIVATE="true", EXTRACT_EVENTS="false",
                         FEED_INTERVAL="30")  # fmt: skip


def _bodies(store: Store) -> dict[str, str]:
    """Each stored article's URL and text."""
    return {
        article.url or "": " ".join(p.text for p in passages)
        for article, passages in store.article_passages(after_id=0, limit=100)
    }


def test_new_items_then_304_then_one_more(
    settings: Settings, store: Store, hash_embedder: HashEmbedder, feed: tuple[FeedServer, str]
) -> None:
    server, url = feed
    server.summary_only = {"Ferry strike ends"}  # its page is fetched, as in a normal ingest
    settings = _settings(settings, url)
    first = poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=T0)
    assert [(r.status, r.summary.new if r.summary else None) for r in first] == [("new", 2)]
    assert first[0].next_poll_at == T0 + timedelta(minutes=30)
    assert server.pages == ["/articles/1"] and len(server.requests) == 1
    assert "If-None-Match" not in server.requests[0]
    bodies = _bodies(store)
    assert "takings had fallen sharply" in bodies[f"{server.base}/articles/1"]
    state = FeedStates(store.sessions).get(url)
    assert state is not None
    assert (state.etag, state.last_modified, state.failures) == ('"v2"', server.last_modified(), 0)
    assert state.last_polled_at == T0

    # Not due yet: skipped without a request.
    (skipped,) = poll_feeds(
        settings.feeds, settings.ingest, store, hash_embedder, now=T0 + timedelta(minutes=10)
    )
    assert (skipped.status, skipped.next_poll_at) == ("skipped", T0 + timedelta(minutes=30))
    assert len(server.requests) == 1

    # Due, unchanged: a conditional GET answered 304, nothing fetched or added.
    (again,) = poll_feeds(
        settings.feeds, settings.ingest, store, hash_embedder, now=T0 + timedelta(minutes=30)
    )
    assert (again.status, again.summary, again.error) == ("not-modified", None, None)
    assert again.next_poll_at == T0 + timedelta(minutes=60)
    assert server.requests[-1].get("If-None-Match") == '"v2"'
    assert server.requests[-1].get("If-Modified-Since") == server.last_modified()
    assert store.stats()["articles"] == 2 and server.pages == ["/articles/1"]

    # One new item: exactly one article added, the others come back unchanged.
    server.titles.append("Bridge reopens")
    (third,) = poll_feeds(
        settings.feeds, settings.ingest, store, hash_embedder, now=T0 + timedelta(minutes=60)
    )
    assert third.status == "new" and third.summary is not None
    assert (third.summary.new, third.summary.updated, third.summary.unchanged) == (1, 0, 2)
    assert server.requests[-1].get("If-None-Match") == '"v2"'
    assert store.stats()["articles"] == 3
    state = FeedStates(store.sessions).get(url)
    assert state is not None and state.etag == '"v3"'


def test_last_modified_alone_gives_a_304(
    settings: Settings, store: Store, hash_embedder: HashEmbedder
) -> None:
    server = FeedServer(etag=False)
    with serve_feed(server) as url:
        settings = _settings(settings, url)
        assert (
            poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=T0)[0].status
            == "new"
        )
        (again,) = poll_feeds(
            settings.feeds, settings.ingest, store, hash_embedder, now=T0 + timedelta(minutes=30)
        )
    assert again.status == "not-modified"
    assert "If-None-Match" not in server.requests[-1]
    assert server.requests[-1]["If-Modified-Since"] == "Mon, 10 Mar 2025 02:00:00 GMT"
    assert store.stats()["articles"] == 2


def test_a_failing_feed_backs_off_and_recovers(
    settings: Settings, store: Store, hash_embedder: HashEmbedder, feed: tuple[FeedServer, str]
) -> None:
    server, url = feed
    settings = _settings(settings, url)
    states = FeedStates(store.sessions)
    server.fail = True
    now = T0
    for failures, wait in ((1, 60), (2, 120)):  # the interval (30) times 2, then times 4
        (result,) = poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=now)
        assert result.status == "error" and "HTTP 500" in (result.error or "")
        assert result.next_poll_at == now + timedelta(minutes=wait)
        state = states.get(url)
        assert state is not None and state.failures == failures
        assert state.next_poll_at == now + timedelta(minutes=wait)
        assert (state.last_status or "").startswith("error: http://127.0.0.1:")
        assert "HTTP 500" in (state.last_status or "")
        # Not due again before then: no request at all.
        requests = len(server.requests)
        (skipped,) = poll_feeds(
            settings.feeds, settings.ingest, store, hash_embedder, now=now + timedelta(minutes=59)
        )
        assert skipped.status == "skipped" and len(server.requests) == requests
        now += timedelta(minutes=wait)
    server.fail = False
    (result,) = poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=now)
    assert result.status == "new" and result.next_poll_at == now + timedelta(minutes=30)
    state = states.get(url)
    assert state is not None and (state.failures, state.next_poll_at) == (0, result.next_poll_at)
    assert store.stats()["articles"] == 2


def test_validators_survive_failures_and_a_304_resets_them(
    settings: Settings, store: Store, hash_embedder: HashEmbedder, feed: tuple[FeedServer, str]
) -> None:
    server, url = feed
    settings = _settings(settings, url)
    states = FeedStates(store.sessions)
    assert (
        poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=T0)[0].status == "new"
    )
    server.malformed = True  # a parse error counts as a failure like an HTTP one
    server.titles.append("Bridge reopens")  # (a new ETag: no 304 for the malformed answer)
    now = T0 + timedelta(minutes=30)
    (result,) = poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=now)
    assert result.status == "error" and "malformed feed" in (result.error or "")
    assert result.next_poll_at == now + timedelta(minutes=60)
    state = states.get(url)
    # The failed answer's validators are not kept: the next poll must read the feed in full.
    assert state is not None and (state.failures, state.etag) == (1, '"v2"')
    server.malformed = False
    server.titles.pop()  # back to what was stored: the server answers 304
    (result,) = poll_feeds(
        settings.feeds, settings.ingest, store, hash_embedder, now=now + timedelta(minutes=60)
    )
    assert result.status == "not-modified" and server.requests[-1]["If-None-Match"] == '"v2"'
    state = states.get(url)
    assert state is not None and (state.failures, state.etag) == (0, '"v2"')


def test_one_failing_feed_does_not_stop_the_others(
    settings: Settings, store: Store, hash_embedder: HashEmbedder, feed: tuple[FeedServer, str]
) -> None:
    _, good_url = feed
    bad = FeedServer()
    bad.fail = True
    with serve_feed(bad) as bad_url:
        settings = _settings(settings, bad_url, good_url, bad_url)  # listed twice: polled once
        results = poll_feeds(settings.feeds, settings.ingest, store, hash_embedder, now=T0)
    assert [(r.url, r.status) for r in results] == [(bad_url, "error"), (good_url, "new")]
    assert len(bad.requests) == 1 and store.stats()["articles"] == 2
    assert [s.url for s in FeedStates(store.sessions).all()] == sorted([bad_url, good_url])


def test_ingest_from_prefetched_content_fetches_nothing(
    settings: Settings, store: Store, hash_embedder: HashEmbedder
) -> None:
    server = FeedServer()
    server.base = "http://127.0.0.1:9"  # nothing listens there: a fetch would fail
    url = f"{server.base}/feed.xml"
    settings = _settings(settings)
    answer = Fetched(url, server.body().encode(), "application/rss+xml", "utf-8", '"v2"')
    summary = ingest([url], settings.ingest, store, hash_embedder, prefetched={url: answer})
    assert (summary.new, summary.failed) == (2, 0), summary.errors
    assert sorted(_bodies(store)) == [f"{server.base}/articles/0", f"{server.base}/articles/1"]


def test_feed_states_upsert(settings: Settings, store: Store) -> None:
    clock = [T0]
    states = FeedStates(store.sessions, now=lambda: clock[0])
    url = "https://news.example/feed.xml"
    assert states.get(url) is None and states.all() == []
    first = states.record(url, etag='"a"', last_modified=None, failures=0,
                          next_poll_at=T0 + timedelta(minutes=30), status="fine")  # fmt: skip
    assert states.get(url) == first and first.last_polled_at == T0
    clock[0] = T0 + timedelta(minutes=30)
    states.record(url, etag="x" * 501, last_modified="Mon, 10 Mar 2025 09:00:00 GMT",
                  failures=2, next_poll_at=None, status="error: " + "y" * 400)  # fmt: skip
    (state,) = states.all()
    # An ETag too long for its column is dropped (a cut one would never match).
    assert (state.etag, state.last_modified, state.failures) == (
        None, "Mon, 10 Mar 2025 09:00:00 GMT", 2
    )  # fmt: skip
    assert state.last_polled_at == clock[0] and state.next_poll_at is None
    assert state.last_status is not None and len(state.last_status) == 300
    assert state.due(T0)


def test_watch_once_and_the_loop(
    settings: Settings, store: Store, hash_embedder: HashEmbedder, feed: tuple[FeedServer, str]
) -> None:
    server, url = feed
    settings = _settings(settings, url)
    (result,) = watch(
        settings.feeds, settings.ingest, store, hash_embedder, once=True, clock=lambda: T0
    )
    assert result.status == "new"
    # The loop: due in 30 minutes, so it sleeps a minute at most (a stop is noticed), and
    # polls again after each sleep; a stop ends it.
    stop = threading.Event()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 2:
            stop.set()

    # Each round reads the clock twice: for the poll, then for the sleep.
    clock = iter([T0 + timedelta(minutes=1)] * 2 + [T0 + timedelta(minutes=29, seconds=50)] * 2)
    last = watch(
        settings.feeds,
        settings.ingest,
        store,
        hash_embedder,
        stop,
        clock=lambda: next(clock),
        sleep=sleep,
    )
    assert slept == [60.0, 10.0] and [r.status for r in last] == ["skipped"]
    assert len(server.requests) == 1
    assert (
        watch(settings.feeds, settings.ingest, store, hash_embedder, stop, sleep=sleep) == []
    )  # stopped already


def test_backoff_and_sleep() -> None:
    interval = timedelta(minutes=30)
    assert [backoff(interval, f) for f in (0, 1, 2, 3)] == [interval * m for m in (1, 2, 4, 8)]
    assert backoff(interval, 10) == timedelta(hours=24)
    assert backoff(timedelta(hours=48), 1) == timedelta(hours=48)  # never below the interval
    due = [PollResult("u", "skipped", None, None, T0 + timedelta(seconds=5))]
    assert seconds_to_sleep(due, T0) == 5.0
    assert seconds_to_sleep(due, T0 + timedelta(hours=1)) == 1.0  # overdue: no spinning
    assert seconds_to_sleep([], T0) == 60.0


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", "ingest", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_watch_once_from_the_command_line(tmp_path: Path, feed: tuple[FeedServer, str]) -> None:
    server, url = feed
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(tmp_path / "data"), "EMBEDDING_MODEL": "hash:384",
           "FEEDS": url, "FETCH_ALLOW_PRIVATE": "true", "EXTRACT_EVENTS": "false",
           "FEED_INTERVAL": "0.001"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    done = _run(env, "--watch", "--once", "--json")
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout.splitlines()[-1])["feeds"]
    assert report["next_poll_at"] and report["error"] is None
    del report["next_poll_at"]
    assert report == {"url": url, "status": "new", "new": 2, "updated": 0, "unchanged": 0,
                      "failed": 0, "error": None}  # fmt: skip
    threading.Event().wait(0.2)  # FEED_INTERVAL is 0.06 s here
    done = _run(env, "--watch", "--once", "--json")
    assert json.loads(done.stdout.splitlines()[-1])["feeds"][0]["status"] == "not-modified"
    server.fail = True
    threading.Event().wait(0.2)
    done = _run(env, "--watch", "--once")
    assert done.returncode == 1 and f"feed {url}: error: " in done.stdout
    env["FEEDS"] = ""
    done = _run(env, "--watch", "--once", "--json")
    assert done.returncode == 2 and "no FEEDS are set" in done.stderr
    # SOURCES may be left out only with --watch.
    done = _run(env)
    assert done.returncode == 2 and "Missing argument" in done.stderr
    done = _run(env, "--once", "x.txt")
    assert done.returncode == 2 and "--once goes with --watch" in done.stderr
