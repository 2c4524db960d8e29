"""URLs and feeds end to end, against an HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.store import Store
from retrieval.store.embedder import HashEmbedder
from tests.support.http import QuietHandler, loopback
from tests.support.settings import make_settings

PAGE = """<!DOCTYPE html><html><head><title>{title}</title>
<meta property="og:site_name" content="Loopback Herald"></head><body>
<nav>Home | World | Sport</nav><article><h1>{title}</h1>
<p>{lead} The two delegations spent most of the afternoon on trade and energy questions.</p>
<p>Officials said a further round of talks would follow next month in the same city.</p>
</article><footer>Sign up for our newsletter</footer></body></html>"""

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Herald</title>
<item><title>Ministers meet in Lisbon</title><link>{base}/lisbon</link>
<pubDate>Mon, 10 Mar 2025 09:00:00 GMT</pubDate><description>Short teaser.</description></item>
<item><title>Envoys meet in Quito</title><link>{base}/missing</link>
<pubDate>Mon, 10 Mar 2025 10:00:00 GMT</pubDate><description>Another teaser.</description></item>
</channel></rss>"""


@pytest.fixture
def site() -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            pages = {
                "/feed.xml": ("application/rss+xml", FEED.format(base=base)),
                "/lisbon": (
                    "text/html; charset=utf-8",
                    PAGE.format(
                        title="Ministers meet in Lisbon", lead="The ministers met in Lisbon."
                    ),
                ),
                "/redirect": ("", ""),
            }
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/lisbon")
                self.end_headers()
                return
            if self.path not in pages:
                self.send_error(404)
                return
            kind, body = pages[self.path]
            self.reply(200, body.encode(), kind)

    with loopback(Handler) as base:
        yield base


def _store(settings: Settings, embedder: HashEmbedder) -> Store:
    return Store.open(settings.db_url, settings.index_dir, embedder.name, embedder.dim)


def test_feed_items_with_summaries_get_their_pages(
    site: str, settings: Settings, hash_embedder: HashEmbedder
) -> None:
    local = settings.model_copy(update={"fetch_allow_private": True})
    store = _store(local, hash_embedder)
    summary = ingest([f"{site}/feed.xml"], local.ingest, store, hash_embedder)
    assert summary.new == 2  # the page that 404s keeps its summary rather than nothing
    rows = store.passages_with_articles(store.index.ids().tolist())
    lisbon = [(p, a) for p, a in rows.values() if a.title == "Ministers meet in Lisbon"]
    assert lisbon and "afternoon on trade" in lisbon[0][0].text
    assert lisbon[0][1].outlet == "Loopback Herald" and lisbon[0][1].url == f"{site}/lisbon"
    assert "newsletter" not in " ".join(p.text for p, _ in rows.values())
    store.close()


def test_page_url_with_redirect(site: str, settings: Settings, hash_embedder: HashEmbedder) -> None:
    local = settings.model_copy(update={"fetch_allow_private": True})
    store = _store(local, hash_embedder)
    summary = ingest([f"{site}/redirect"], local.ingest, store, hash_embedder)
    assert (summary.new, summary.failed) == (1, 0)
    again = ingest([f"{site}/lisbon"], local.ingest, store, hash_embedder)
    assert again.unchanged == 1  # the same page under its final URL
    store.close()


def test_loopback_refused_without_opt_in(
    site: str, tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    settings = make_settings(tmp_path / "data")
    store = _store(settings, hash_embedder)
    summary = ingest(
        [f"{site}/feed.xml", "ftp://example.com/x"], settings.ingest, store, hash_embedder
    )
    assert summary.failed == 2 and summary.new == 0
    assert "refusing to fetch from 127.0.0.1" in summary.errors[0]["error"]
    assert "only http and https" in summary.errors[1]["error"]
    store.close()
