"""Source formats, detected from the content: the plain-text archive format, JSON/JSONL,
HTML pages (trafilatura) and RSS/Atom feeds (feedparser). Each parser returns RawArticles.

To add a format: write `parse_x(text, origin) -> list[RawArticle]`, teach `detect` to recognise
it, and add it to `PARSERS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from retrieval.errors import SourceError
from retrieval.safety import web_url

__all__ = [
    "MIN_FEED_BODY_WORDS",
    "PARSERS",
    "Parsed",
    "RawArticle",
    "detect",
    "parse_archive",
    "parse_date",
    "parse_feed",
    "parse_html",
    "parse_json",
]

_ARCHIVE_FIRST_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+(.*\S)\s*$")
_ARCHIVE_HEADER = re.compile(r"(?i)(outlet|url|author):[ \t]*([^\n]*\S)[ \t]*(\n|$)")


@dataclass(frozen=True)
class RawArticle:
    """An article as parsed, before cleaning: `body` keeps blank-line paragraph breaks."""

    title: str
    body: str
    origin: str  # file path or URL it came from (with #N for one of many)
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    needs_fetch: bool = field(default=False, compare=False)  # feed item with only a summary
    # Whether `origin` names this article alone (a file of one article). Items of a JSON file
    # or feed without a URL are known by their content instead: positions shift.
    origin_is_key: bool = True
    # Where in its source the article sits, for messages: "line 4" of JSONL, "item 2" of a
    # JSON list or a feed; None for a source of one article.
    place: str | None = field(default=None, compare=False)


# What a parser returns: the articles it read, and one line per item it had to skip.
Parsed = tuple[list[RawArticle], list[str]]


_PROLOG = r"(<\?[^>]*\?>\s*|<!--.*?-->\s*)*"  # xml declaration, stylesheets, comments
_FEED_ROOT = r"<(rss|feed|rdf:rdf)\b"
# A DOCTYPE with an internal subset `[...]`: where entities are declared (billion laughs,
# XXE). Group 1 is the root element it names.
_INTERNAL_SUBSET = re.compile(_PROLOG + r"<!doctype\s+([^\s\[>]+)[^\[>]*\[", re.I | re.S)
_AFTER_SUBSET = re.compile(r"\]\s*>\s*" + _PROLOG + _FEED_ROOT, re.I | re.S)


def detect(text: str) -> str:
    """The format of a source from its first characters: archive, json, feed or html."""
    stripped = text.lstrip("\ufeff \t\r\n")
    head = stripped[:2000]
    if head.startswith(("[", "{")):
        return "json"
    lowered = head.lower()
    if re.match(_PROLOG + r"(<!doctype[^\[>]*>\s*)?" + _PROLOG + _FEED_ROOT, lowered, re.S):
        return "feed"
    subset = _INTERNAL_SUBSET.match(stripped)
    if subset and (
        subset.group(2).lower() in ("rss", "feed", "rdf:rdf")
        or _AFTER_SUBSET.search(stripped, subset.end())
    ):
        return "feed"  # however long its subset is; parse_feed refuses it
    if lowered.startswith("<"):
        return "html"
    if _ARCHIVE_FIRST_LINE.match(head.split("\n", 1)[0]):
        return "archive"
    raise SourceError("unrecognised format (not the archive format, JSON, HTML or a feed)")


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware datetime from an ISO string or date; naive times are taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_archive(text: str, origin: str) -> Parsed:
    """`date YYYY-MM-DD headline`, optional `outlet:`/`url:`/`author:` lines, then the body
    with blank-line paragraphs."""
    first, _, body = text.lstrip("\ufeff").partition("\n")
    match = _ARCHIVE_FIRST_LINE.match(first)
    if not match:
        raise SourceError("first line is not `date YYYY-MM-DD headline`")
    meta: dict[str, str] = {}
    while header := _ARCHIVE_HEADER.match(body):
        meta[header.group(1).lower()] = header.group(2).strip()
        body = body[header.end() :]
    if not body.strip():
        raise SourceError("the article has no body")
    return [
        RawArticle(
            title=match.group(2),
            body=body,
            origin=origin,
            url=meta.get("url"),
            outlet=meta.get("outlet"),
            author=meta.get("author"),
            published_at=parse_date(match.group(1)),
        )
    ], []


def _first(item: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = item.get(name)
        if value not in (None, ""):
            return value
    return None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        return ", ".join(v for v in value if isinstance(v, str)) or None
    return _text(value)


def _text(value: Any) -> str | None:
    """A string field; `{"name": ...}` objects (as NewsAPI's `source`) give their name."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title")
    return (value.strip() or None) if isinstance(value, str) else None


def _json_lines(text: str, first_line: int) -> tuple[list[tuple[str, Any]], list[str]]:
    """JSONL: ([(place, value)] of the lines that parse, [one problem per line that does
    not]); lines are split at newlines only (JSON strings may hold U+2028 and the like)."""
    values: list[tuple[str, Any]] = []
    bad: list[str] = []
    for number, line in enumerate(text.split("\n"), first_line):
        if not line.strip():
            continue
        try:
            values.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            bad.append(f"line {number}: invalid JSON ({exc.msg})")
        except RecursionError:
            bad.append(f"line {number}: nested too deeply to parse")
    return values, bad


def parse_json(text: str, origin: str) -> Parsed:
    """A JSON array (or object, or `{"articles": [...]}`) or JSONL of article objects. In
    JSONL, each line that is not valid JSON is reported with its number; the others are read."""
    stripped = text.lstrip("\ufeff \t\r\n")
    problems: list[str] = []
    try:
        data: Any = json.loads(stripped)
        if isinstance(data, dict):
            data = data.get("articles", data.get("items", [data]))
        if not isinstance(data, list):
            raise SourceError("JSON is neither an article object nor a list of them")
        items = [(f"item {i}", item) for i, item in enumerate(data)]
    except json.JSONDecodeError as first_error:
        lead = text[: len(text) - len(stripped)].count("\n")
        items, problems = _json_lines(stripped, 1 + lead)
        if not any(isinstance(item, dict) for _, item in items):
            # Not JSONL with some bad lines but no JSON at all (or one broken document).
            where = first_error.lineno + lead
            raise SourceError(f"invalid JSON (line {where}: {first_error.msg})") from None
    articles = []
    for i, (place, item) in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"{place} is not an object")
            continue
        title = _first(item, "title", "headline")
        body = _first(item, "body", "text", "content")
        if not isinstance(title, str) or not isinstance(body, str) or not body.strip():
            problems.append(f"{place} lacks a `title` and a `body` (or `text`)")
            continue
        articles.append(
            RawArticle(
                title=title.strip(),
                body=body,
                origin=f"{origin}#{i}" if len(items) > 1 else origin,
                origin_is_key=len(items) == 1,
                url=_text(_first(item, "url", "link")),
                outlet=_text(_first(item, "source", "outlet", "site", "publisher")),
                author=_author(_first(item, "author", "authors")),
                published_at=parse_date(_first(item, "published_at", "date", "published")),
                place=place if len(items) > 1 else None,
            )
        )
    return articles, problems


def parse_html(text: str, origin: str, url: str | None = None) -> Parsed:
    """Main text and metadata of one article page, with trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        text,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    lines = [line.strip() for line in (getattr(doc, "text", None) or "").split("\n")]
    title = (getattr(doc, "title", None) or "").strip()
    lines = [line for line in lines if line]
    if lines and title and lines[0] == title:
        lines = lines[1:]  # the headline, repeated as the first block
    if not lines:
        raise SourceError("no article text found in the page")
    return [
        RawArticle(
            title=title or "(untitled)",
            body="\n\n".join(lines),
            origin=origin,
            url=url or getattr(doc, "url", None) or None,
            outlet=getattr(doc, "sitename", None) or getattr(doc, "hostname", None) or None,
            author=getattr(doc, "author", None) or None,
            published_at=parse_date(getattr(doc, "date", None)),
        )
    ], []


def _html_to_text(fragment: str) -> str:
    """Paragraph text of an HTML fragment (feed content or summary)."""
    fragment = re.sub(r"(?i)</p\s*>|<br\s*/?>|</div\s*>|</h\d\s*>|</li\s*>", "\n\n", fragment)
    plain = re.sub(r"<[^>]+>", "", fragment)
    import html

    return html.unescape(plain).strip()


MIN_FEED_BODY_WORDS = 120  # below this a feed item carries a summary, not the article


def parse_feed(text: str, origin: str) -> Parsed:
    """RSS or Atom items; an item with only a summary is marked to have its page fetched."""
    import feedparser

    if _INTERNAL_SUBSET.match(text.lstrip("\ufeff \t\r\n")):
        # Entities of an internal subset can expand exponentially (billion laughs) or name
        # files and URLs (XXE); no news feed needs them, so none is expanded or fetched.
        raise SourceError("refused: the feed's DOCTYPE declares entities (an internal subset)")
    feed = feedparser.parse(text)
    if feed.bozo and not feed.entries:
        raise SourceError(f"malformed feed: {feed.get('bozo_exception')}")
    outlet = feed.feed.get("title") or None
    articles = []
    for i, entry in enumerate(feed.entries):
        content = entry.get("content") or []
        fragment = max((c.get("value", "") for c in content), key=len, default="")
        body = _html_to_text(fragment or entry.get("summary", ""))
        parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*parsed_time[:6]).replace(tzinfo=UTC) if parsed_time else None
        # A link that is not http(s) is no page to fetch nor a key: the item is kept by
        # position, without a link (see retrieval.safety).
        link = web_url(entry.get("link"))
        articles.append(
            RawArticle(
                title=(entry.get("title") or "(untitled)").strip(),
                body=body,
                origin=link or f"{origin}#{i}",
                origin_is_key=bool(link),
                url=link,
                outlet=outlet,
                author=entry.get("author") or None,
                published_at=published,
                needs_fetch=bool(link) and len(body.split()) < MIN_FEED_BODY_WORDS,
                place=f"item {i}" if len(feed.entries) > 1 else None,
            )
        )
    return articles, []


PARSERS: dict[str, Callable[[str, str], Parsed]] = {
    "archive": parse_archive,
    "json": parse_json,
    "feed": parse_feed,
    "html": parse_html,
}
