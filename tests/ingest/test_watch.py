"""Polling FEEDS: conditional GET, new items through the normal ingest path, back-off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ingest.watch import backoff, poll_feeds
from retrieval.config import Settings
from retrieval.embedder import HashEmbedder
from retrieval.feeds import FeedStates
from retrieval.store import Store
from tests.conftest import ROOT, make_settings

ITEM = """<item><title>{title}</title><link>https://loop.example/{n}</link>
<pubDate>Mon, 10 Mar 2025 0{n}:00:00 GMT</pubDate>
<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>"""
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


class FeedServer:
    """An RSS feed on loopback with ETag / Last-Modified and 304s; items can be added, and
    the feed can be made to fail."""

    def __init__(self) -> None:
        self.titles = ["Harbour toll scrapped", "Ferry strike ends"]
        self.fail = False
        self.requests: list[dict[str, str]] = []

    def body(self) -> str:
        items = "".join(
            ITEM.format(title=t, n=n, body=f"{t}: " + " ".join(["detail"] * 60))
            for n, t in enumerate(self.titles)
        )
        head = '<?xml version="1.0"?><rss version="2.0"><channel><title>Loop News</title>'
        return f"{head}{items}</channel></rss>"

    def etag(self) -> str:
        return f'"v{len(self.titles)}"'


@contextmanager
def serve_feed(state: FeedServer) -> Iterator[str]:
    """Serve the feed on loopback; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(dict(self.headers))
            if state.fail:
                self.send_error(500)
                return
            if self.headers.get("If-None-Match") == state.etag():
                self.send_response(304)
                self.send_header("ETag", state.etag())
                self.end_headers()
                return
            data = state.body().encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", state.etag())
            self.send_header("Last-Modified", "Mon, 10 Mar 2025 09:00:00 GMT")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()


@pytest.fixture
def feed() -> Iterator[tuple[FeedServer, str]]:
    state = FeedServer()
    with serve_feed(state) as url:
        yield state, url


def _settings(tmp_path: Path, db_url: str, url: str) -> Settings:
    return make_settings(tmp_path / "data", db_url, FEEDS=url, FETCH_ALLOW_PRIVATE="true",
                         EXTRACT_EVENTS="false", FEED_INTERVAL="30")  # fmt: skip


def test_new_items_then_304_then_one_more(
    tmp_path: Path, db_url: str, feed: tuple[FeedServer, str]
) -> None:
    server, url = feed
    settings = _settings(tmp_path, db_url, url)
    store = Store.open(settings.db_url, settings.index_dir, "hash:384", 384)
    embedder = HashEmbedder(384)
    first = poll_feeds(settings, store, embedder, now=T0)
    assert [(r.status, r.summary.new if r.summary else None) for r in first] == [("new", 2)]
    assert store.stats()["articles"] == 2
    # Not due yet: no request at all.
    assert poll_feeds(settings, store, embedder, now=T0 + timedelta(minutes=10))[0].status == (
        "skipped"
    )
    assert len(server.requests) == 1
    again = poll_feeds(settings, store, embedder, now=T0 + timedelta(minutes=30))
    assert again[0].status == "not-modified", again[0].error
    assert store.stats()["articles"] == 2
    assert server.requests[-1].get("If-None-Match") == '"v2"'
    assert server.requests[-1].get("If-Modified-Since") == "Mon, 10 Mar 2025 09:00:00 GMT"
    server.titles.append("Bridge reopens")
    third = poll_feeds(settings, store, embedder, now=T0 + timedelta(minutes=60))
    assert third[0].summary is not None
    assert (third[0].summary.new, third[0].summary.unchanged) == (1, 2)
    assert store.stats()["articles"] == 3
    store.close()


def test_a_failing_feed_backs_off_and_recovers(
    tmp_path: Path, db_url: str, feed: tuple[FeedServer, str]
) -> None:
    server, url = feed
    settings = _settings(tmp_path, db_url, url)
    store = Store.open(settings.db_url, settings.index_dir, "hash:384", 384)
    embedder = HashEmbedder(384)
    states = FeedStates(store.sessions)
    server.fail = True
    now = T0
    for failures, wait in ((1, 60), (2, 120), (3, 240)):
        (result,) = poll_feeds(settings, store, embedder, now=now)
        assert result.status == "error" and "HTTP 500" in (result.error or "")
        state = states.get(url)
        assert state is not None and state.failures == failures
        assert state.next_poll_at == now + timedelta(minutes=wait)
        now = now + timedelta(minutes=wait)
    server.fail = False
    (result,) = poll_feeds(settings, store, embedder, now=now)
    assert result.status == "new"
    state = states.get(url)
    assert state is not None and state.failures == 0
    store.close()
    assert backoff(timedelta(minutes=30), 10) == timedelta(hours=24)


def test_watch_once_from_the_command_line(tmp_path: Path, feed: tuple[FeedServer, str]) -> None:
    _, url = feed
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(tmp_path / "data"), "EMBEDDING_MODEL": "hash:384",
           "FEEDS": url, "FETCH_ALLOW_PRIVATE": "true", "EXTRACT_EVENTS": "false"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "bot", "ingest", "--watch", "--once", "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout.splitlines()[-1])["feeds"]
    assert (report["url"], report["status"], report["new"]) == (url, "new", 2)
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert json.loads(done.stdout.splitlines()[-1])["feeds"][0]["status"] == "skipped"
    env["FEEDS"] = ""
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "no FEEDS are set" in done.stderr
