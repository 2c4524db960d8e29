"""Whether a fetched link is one news article, before it is stored: a PDF, a video, an image,
a feed, a page with no main text or one behind a login wall is not, and each gets a one-line
reason a user can read (retrieval.errors.NotAnArticle). Pure functions over the fetched bytes
and headers.

What counts: the Content-Type, or the first bytes when the type is missing or generic (a
server that calls a PDF `application/octet-stream`); for HTML, the main text trafilatura
extracts (ingest/formats.py). A page with a password field or a "subscribe to read" line is
a login wall only when little text comes out of it: article pages often carry a login form
in their header."""

from __future__ import annotations

import re

from ingest.fetch import Fetched
from ingest.formats import RawArticle, parse_html
from ingest.sources import decode
from retrieval.errors import NotAnArticle, SourceError

__all__ = [
    "MIN_ARTICLE_WORDS",
    "WALL_WORDS",
    "content_kind",
    "read_article",
]

# Fewer words of main text than this is no article (a teaser, a gallery, a list of links).
MIN_ARTICLE_WORDS = 60
# Below this, a page with login or subscription markers is taken for a login wall.
WALL_WORDS = 150

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x1a\x45\xdf\xa3", "video"),  # WebM / Matroska
    (b"ID3", "audio"),
    (b"OggS", "audio"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
)
_REASONS = {
    "pdf": "That link is a PDF, not an article page.",
    "video": "That link is a video, not an article page.",
    "audio": "That link is an audio file, not an article page.",
    "image": "That link is an image, not an article page.",
    "feed": "That link is a news feed, not one article.",
    "video page": "That page is a video with no article text to read.",
    "wall": "That page asks to sign in or subscribe before the article, so I can't read it.",
    "no text": "I found no article text on that page (a home page, a list or a search page?).",
}
_PASSWORD = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password", re.I)
_WALL_WORDS = re.compile(
    r"\b(?:(?:sign|log)\s?in|subscribe|register|create (?:a free |an )?account)\s+"
    r"(?:now\s+)?to\s+(?:continue|read|keep reading|view|access)\b"
    r"|\bsubscribers? only\b|\bfor subscribers\b|\balready a subscriber\b",
    re.I,
)
_OG_VIDEO = re.compile(
    r"<meta\b[^>]*\bproperty\s*=\s*[\"']og:type[\"'][^>]*\bcontent\s*=\s*[\"']video", re.I
)
_FEED_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S)


def content_kind(fetched: Fetched) -> str:
    """html, feed, pdf, video, audio, image or other: from the Content-Type, else (missing,
    or `application/octet-stream`) from the first bytes."""
    declared = fetched.content_type.split(";")[0].strip().lower()
    head = fetched.content[:16]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if fetched.content[4:8] == b"ftyp":  # MP4 / QuickTime
        return "video"
    if declared == "application/pdf":
        return "pdf"
    for prefix in ("video", "audio", "image"):
        if declared.startswith(prefix + "/"):
            return prefix
    if declared in ("application/rss+xml", "application/atom+xml"):
        return "feed"
    start = fetched.content[:2048].decode("utf-8", "replace")
    if declared in ("", "application/octet-stream", "text/xml", "application/xml", "text/plain"):
        if _FEED_ROOT.match(start):
            return "feed"
        if re.match(r"\s*(?:<!doctype html|<html)", start, re.I):
            return "html"
        return "other"
    if declared in ("text/html", "application/xhtml+xml"):
        return "feed" if _FEED_ROOT.match(start) else "html"
    return "other"


def read_article(fetched: Fetched) -> RawArticle:
    """The one article of a fetched page, or NotAnArticle with the reason."""
    kind = content_kind(fetched)
    if kind == "other":
        declared = fetched.content_type.split(";")[0].strip() or "no content type"
        raise NotAnArticle(f"That link is not a web page ({declared}).")
    if kind != "html":
        raise NotAnArticle(_REASONS[kind])
    text = decode(fetched.content, fetched.encoding)
    try:
        articles, _ = parse_html(text, fetched.url, fetched.url)
        article = articles[0]
        words = len(article.body.split())
    except SourceError:
        article, words = None, 0
    if words < WALL_WORDS and (_PASSWORD.search(text) or _WALL_WORDS.search(text)):
        raise NotAnArticle(_REASONS["wall"])
    if words < WALL_WORDS and _OG_VIDEO.search(text):
        raise NotAnArticle(_REASONS["video page"])
    if article is None or words < MIN_ARTICLE_WORDS:
        raise NotAnArticle(_REASONS["no text"])
    return article
