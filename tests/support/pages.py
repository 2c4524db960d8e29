"""Web pages on loopback for the tests of links sent to the bot: an invented news article,
and pages that are not one (a PDF, a video, a login wall, a home page of links), each with
the Content-Type a real site would send."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.http import QuietHandler, loopback

__all__ = ["ARTICLE", "NOT_ARTICLES", "PageServer", "article_page", "serve_pages"]

# An invented report: a meeting in Reykjavik, published on Thursday 3 April 2025.
ARTICLE = (
    "Solvang and Delorme meet again in Reykjavik on fisheries",
    [
        "Norwegian Foreign Minister Ingrid Solvang met her Canadian counterpart Marc Delorme "
        "in Reykjavik on Wednesday for a second round of talks, this time on fisheries "
        "quotas in the North Atlantic.",
        "The two ministers spent most of the day with officials from the Icelandic coast "
        "guard, who briefed them on the movement of mackerel stocks towards colder waters "
        "and on the patrols that count the catch.",
        "Delorme said after the meeting that Canada would share its survey data with both "
        "Nordic governments from the summer, and Solvang said a working group would report "
        "back before the end of the year on a common approach to quotas.",
        "Fishing associations in the three countries welcomed the talks but asked to be "
        "heard before any quota is changed, saying that their members had already lost "
        "two seasons to the shifting stocks and to rising fuel costs.",
    ],
)


def article_page(title: str, paragraphs: list[str], outlet: str, day: str) -> bytes:
    """An article page as news sites write them: metadata in the head, the text in <article>."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<meta property="og:site_name" content="{outlet}">'
        f'<meta property="article:published_time" content="{day}T09:00:00Z">'
        f"</head><body><nav><a href='/'>Home</a> <a href='/login'>Sign in</a></nav>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


_LINKS = "".join(f"<li><a href='/story/{n}'>Story number {n}</a></li>" for n in range(30))
# path -> (Content-Type, body), and the reason the bot gives for each.
NOT_ARTICLES: dict[str, tuple[str, bytes, str]] = {
    "/report.pdf": (
        "application/pdf",
        b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n%%EOF\n",
        "That link is a PDF, not an article page.",
    ),
    "/clip": (
        "video/mp4",
        b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 64,
        "That link is a video, not an article page.",
    ),
    "/members/story": (
        "text/html; charset=utf-8",
        b"<!doctype html><html><head><title>Quota talks</title></head><body><article>"
        b"<h1>Quota talks</h1><p>Ministers met on Wednesday.</p><p>Subscribe to continue "
        b"reading this article.</p><form><input type='email'><input type='password'></form>"
        b"</article></body></html>",
        "That page asks to sign in or subscribe before the article, so I can't read it.",
    ),
    "/": (
        "text/html",
        f"<!doctype html><html><head><title>Harbour Wire</title></head><body><ul>{_LINKS}"
        "</ul></body></html>".encode(),
        "I found no article text on that page (a home page, a list or a search page?).",
    ),
}


class PageServer:
    """Serves `pages` (path -> (Content-Type, body)) and records every path requested."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.requested: list[str] = []
        self.base = ""  # http://127.0.0.1:port, set by serve_pages


@contextmanager
def serve_pages() -> Iterator[PageServer]:
    """A PageServer on 127.0.0.1 with the invented article at /world/reykjavik-talks and the
    NOT_ARTICLES pages."""
    state = PageServer()
    title, paragraphs = ARTICLE
    state.pages["/world/reykjavik-talks"] = (
        "text/html; charset=utf-8",
        article_page(title, paragraphs, "Harbour Wire", "2025-04-03"),
    )
    state.pages.update({path: (kind, body) for path, (kind, body, _) in NOT_ARTICLES.items()})

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            state.requested.append(self.path)
            found = state.pages.get(self.path)
            if found is None:
                self.send_error(404)
                return
            kind, body = found
            self.reply(200, body, kind)

    with loopback(Handler) as base:
        state.base = base
        yield state
