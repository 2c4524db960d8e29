"""An RSS feed on loopback, with ETag / Last-Modified and 304s, for the tests of feed polling
(ingest) and of the bot's digests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.http import QuietHandler, loopback

__all__ = ["FeedServer", "paragraphs", "serve_feed"]

NS = 'xmlns:content="http://purl.org/rss/1.0/modules/content/"'
FULL_ITEM = """<item><title>{title}</title><link>{link}</link>
<pubDate>Mon, 10 Mar 2025 {n:02d}:00:00 GMT</pubDate>
<description>{summary}</description>
<content:encoded><![CDATA[{html}]]></content:encoded></item>"""
SUMMARY_ITEM = """<item><title>{title}</title><link>{link}</link>
<pubDate>Mon, 10 Mar 2025 {n:02d}:00:00 GMT</pubDate>
<description>{summary}</description></item>"""
# A broken feed: a parse error, not an HTTP one.
MALFORMED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Loop</ch"


def paragraphs(title: str) -> list[str]:
    """An article about `title`, long enough (over 120 words) to count as a full feed item."""
    topic = title.lower()
    return [
        f"Officials confirmed on Monday that the {topic} decision was taken after months of "
        "talks between the harbour board, the unions and the city council, which had all "
        "asked for a settlement before the spring season.",
        f"Local traders said the {topic} news came as a relief. Several shop owners on the "
        "quay told reporters that takings had fallen sharply over the winter and that visitors "
        "had stayed away while the dispute dragged on.",
        f"The council will publish a full report on the {topic} matter next week, and a public "
        "meeting is planned at the town hall so that residents can put their questions to the "
        "board members directly.",
        f"Opposition members welcomed the {topic} outcome but warned that the underlying "
        "questions of funding and staffing had not gone away and would return next year.",
    ]


class FeedServer:
    """An RSS feed on loopback with ETag / Last-Modified and 304s. Its items can be added
    (`titles`), made summary-only (their pages are then served too), and the feed can be made
    to fail with a 500 (`fail`) or to be malformed (`malformed`)."""

    def __init__(self, etag: bool = True, last_modified: bool = True) -> None:
        self.titles = ["Harbour toll scrapped", "Ferry strike ends"]
        self.summary_only: set[str] = set()
        self.fail = False
        self.malformed = False
        self.use_etag, self.use_last_modified = etag, last_modified
        self.requests: list[dict[str, str]] = []  # the feed's requests' headers
        self.pages: list[str] = []  # the article pages' requested paths
        self.base = ""  # http://127.0.0.1:port, set by serve_feed

    def etag(self) -> str:
        return f'"v{len(self.titles)}"'

    def last_modified(self) -> str:
        return f"Mon, 10 Mar 2025 {len(self.titles):02d}:00:00 GMT"

    def body(self) -> str:
        items = []
        for n, title in enumerate(self.titles):
            template = SUMMARY_ITEM if title in self.summary_only else FULL_ITEM
            html = "".join(f"<p>{p}</p>" for p in paragraphs(title))
            link, summary = f"{self.base}/articles/{n}", f"{title}: the short version."
            items.append(template.format(title=title, n=n, link=link, summary=summary, html=html))
        head = f'<?xml version="1.0"?><rss version="2.0" {NS}><channel><title>Loop News</title>'
        return f"{head}{''.join(items)}</channel></rss>"

    def page(self, n: int) -> str:
        title = self.titles[n]
        text = "".join(f"<p>{p}</p>" for p in paragraphs(title))
        return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                f"{text}</article></body></html>")  # fmt: skip

    def not_modified(self, headers: Any) -> bool:
        """RFC 9110: If-None-Match decides when sent; If-Modified-Since only without it."""
        if headers.get("If-None-Match") is not None:
            return self.use_etag and headers["If-None-Match"] == self.etag()
        since = headers.get("If-Modified-Since")
        return self.use_last_modified and since == self.last_modified()


@contextmanager
def serve_feed(state: FeedServer) -> Iterator[str]:
    """Serve the feed (and its items' pages) on loopback; yields the feed's URL."""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/articles/"):
                state.pages.append(self.path)
                self._send(200, state.page(int(self.path.rsplit("/", 1)[1])).encode(),
                           "text/html; charset=utf-8")  # fmt: skip
                return
            state.requests.append(dict(self.headers))
            if state.fail:
                self.send_error(500)
                return
            if state.not_modified(self.headers):
                self._send(304, b"", None)
                return
            data = MALFORMED if state.malformed else state.body().encode()
            self._send(200, data, "application/rss+xml")

        def _send(self, code: int, data: bytes, content_type: str | None) -> None:
            self.send_response(code)
            if state.use_etag:
                self.send_header("ETag", state.etag())
            if state.use_last_modified:
                self.send_header("Last-Modified", state.last_modified())
            if content_type:
                self.send_header("Content-Type", content_type)
            if code != 304:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with loopback(Handler) as base:
        state.base = base
        yield f"{base}/feed.xml"
