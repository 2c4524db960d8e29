"""Which fetched links are one article, and the one-line reason for those that are not."""

from __future__ import annotations

import pytest

from ingest.fetch import Fetched
from ingest.link import fetch_reason
from ingest.pages import content_kind, read_article
from retrieval.errors import FetchError, NotAnArticle
from tests.support.pages import ARTICLE, NOT_ARTICLES, article_page

TITLE, PARAGRAPHS = ARTICLE
PAGE = article_page(TITLE, PARAGRAPHS, "Harbour Wire", "2025-04-03")
SHORT = (b"<!doctype html><html><head><title>Clip</title>"
         b'<meta property="og:type" content="video.other"></head><body><article><h1>Clip</h1>'
         b"<p>Watch the two ministers arrive at the harbour for their talks this week.</p>"
         b"<video src='/clip.mp4'></video></article></body></html>")  # fmt: skip
FEED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title></channel></rss>"


def _fetched(content_type: str, content: bytes) -> Fetched:
    return Fetched("https://wire.example/x", content, content_type, None)


@pytest.mark.parametrize(
    ("content_type", "content", "kind"),
    [("text/html; charset=utf-8", PAGE, "html"),
     ("application/octet-stream", b"%PDF-1.4 ...", "pdf"),  # the bytes, not the label
     ("", b"<!DOCTYPE html><html></html>", "html"),
     ("text/html", b"\x89PNG\r\n\x1a\n....", "image"),  # a server that lies about an image
     ("application/rss+xml", FEED, "feed"),
     ("text/xml", FEED, "feed"),
     ("audio/mpeg", b"\xff\xfb\x90", "audio"),
     ("application/zip", b"PK\x03\x04", "other")],
)  # fmt: skip
def test_content_kind(content_type: str, content: bytes, kind: str) -> None:
    assert content_kind(_fetched(content_type, content)) == kind


def test_an_article_page_is_read() -> None:
    article = read_article(_fetched("text/html", PAGE))
    assert article.title == TITLE
    assert article.outlet == "Harbour Wire"
    assert article.body.startswith("Norwegian Foreign Minister Ingrid Solvang met")
    # The page's header has a "Sign in" link: with the article's text it is no login wall.
    assert "Sign in" in PAGE.decode()


@pytest.mark.parametrize(
    ("content_type", "content", "reason"),
    [*((kind, body, reason) for kind, body, reason in NOT_ARTICLES.values()),
     ("text/html", SHORT, "That page is a video with no article text to read."),
     ("application/rss+xml", FEED, "That link is a news feed, not one article."),
     ("application/zip", b"PK\x03\x04", "That link is not a web page (application/zip).")],
)  # fmt: skip
def test_what_is_not_an_article_says_why_in_one_line(
    content_type: str, content: bytes, reason: str
) -> None:
    with pytest.raises(NotAnArticle) as refused:
        read_article(_fetched(content_type, content))
    assert str(refused.value) == reason
    assert "\n" not in reason


@pytest.mark.parametrize(
    ("message", "reason"),
    [("http://127.0.0.1/x: refusing to fetch from 127.0.0.1 (a loopback, private, ...)",
      "That address is private or local: I only fetch public pages."),
     ("https://wire.example/x: HTTP 404", "The site answered HTTP 404, not the page."),
     ("https://wire.example/x: timed out", "The site took too long to answer."),
     ("https://wire.example/x: ConnectError: [Errno 111]", "I couldn't fetch that page.")],
)  # fmt: skip
def test_fetch_reasons(message: str, reason: str) -> None:
    assert fetch_reason(FetchError(message)) == reason
