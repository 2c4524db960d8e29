"""One parsed article made ready to encode: sanitised (`retrieval/safety.py`), cleaned, split
into passages with their offsets, and given its key and content hash."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ingest.clean import clean_paragraphs, content_hash
from ingest.formats import RawArticle
from ingest.split import split_passages
from retrieval.safety import strip_controls, web_url

__all__ = ["Prepared", "prepare", "sanitise"]


@dataclass(frozen=True)
class Prepared:
    """An article cleaned and split, ready to encode."""

    raw: RawArticle
    key: str
    title: str
    body: str
    content_hash: str
    spans: list[tuple[int, int, str]]


def sanitise(raw: RawArticle) -> RawArticle:
    """The article with control characters stripped from every text field, and its URL
    dropped unless it is http(s): whatever the format, nothing else is stored as a link."""

    def line(value: str | None) -> str | None:
        return " ".join(strip_controls(value).split()) or None if value else None

    return replace(
        raw,
        title=line(raw.title) or "(untitled)",
        body=strip_controls(raw.body),
        origin=strip_controls(raw.origin),
        url=web_url(raw.url),
        outlet=line(raw.outlet),
        author=line(raw.author),
    )


def prepare(raw: RawArticle, min_words: int, max_words: int) -> Prepared | None:
    """Sanitise, clean and split one article; None when nothing of it is left."""
    raw = sanitise(raw)
    paragraphs = clean_paragraphs(raw.body)
    if not paragraphs:
        return None
    body = "\n\n".join(paragraphs)
    spans = [(s.start, s.end, s.text) for s in split_passages(body, min_words, max_words)]
    digest = content_hash(raw.title, paragraphs)
    origin = raw.origin if raw.origin_is_key else f"{raw.origin.rsplit('#', 1)[0]}@{digest[:16]}"
    return Prepared(
        raw=raw,
        key=raw.url or origin,
        title=" ".join(raw.title.split()),
        body=body,
        content_hash=digest,
        spans=spans,
    )
