"""One news link a user sent, fetched once with ingest's guards (ingest/fetch.py: http(s),
public addresses only on every hop, one deadline, a size cap), checked to be one article
(ingest/pages.py) and stored through the ingest pipeline from that same answer, never fetched
twice. The outcome says which article it is, or in one line why there is none."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any

from ingest.fetch import Fetcher, make_fetcher
from ingest.pages import read_article
from ingest.pipeline import ingest
from ingest.prepare import prepare
from retrieval.config import IngestSettings
from retrieval.errors import FetchError, NotAnArticle
from retrieval.meetings.extract import EventExtractor
from retrieval.state.links import ADDED, FAILED, KNOWN, REFUSED, Links
from retrieval.store import Store
from retrieval.store.embedder import Embedder

__all__ = ["LinkOutcome", "fetch_reason", "ingest_link"]

logger = logging.getLogger(__name__)

# What a FetchError's message (ingest/fetch.py's own wording) means to a user, first match.
_FETCH_REASONS = (
    ("refusing to fetch from", "That address is private or local: I only fetch public pages."),
    ("only http and https", "I only fetch http and https links."),
    ("bad URL", "That doesn't look like a web address I can fetch."),
    ("no host in URL", "That doesn't look like a web address I can fetch."),
    ("cannot resolve", "I couldn't find that site (its name doesn't resolve)."),
    ("timed out", "The site took too long to answer."),
    ("larger than", "That page is larger than I read."),
    ("redirects", "That link redirects too many times."),
)


@dataclass(frozen=True)
class LinkOutcome:
    """What came of a link: added / known (stored before) with the article's id, or refused
    / failed with a one-line reason for the user."""

    status: str
    reason: str | None = None
    article_id: int | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The outcome for `newsbot link --json`."""
        return asdict(self)


def fetch_reason(error: FetchError) -> str:
    """A fetch failure in one line for a user (an HTTP status named as such)."""
    message = str(error)
    for marker, reason in _FETCH_REASONS:
        if marker in message:
            return reason
    if " HTTP " in message:
        return f"The site answered HTTP {message.rsplit(' HTTP ', 1)[1]}, not the page."
    return "I couldn't fetch that page."


def ingest_link(
    url: str,
    settings: IngestSettings,
    store: Store,
    embedder: Embedder,
    extractor: EventExtractor | None = None,
    fetcher: Fetcher | None = None,
) -> LinkOutcome:
    """Fetch, check and store one link; never raises for the link's own faults."""
    started = time.monotonic()
    own = fetcher or make_fetcher(settings.fetch)
    try:
        try:
            fetched = own.get(url)
            raw = read_article(fetched)
        except FetchError as exc:
            logger.info("link %s refused: %s", url, exc)
            return LinkOutcome(REFUSED, fetch_reason(exc), seconds=_since(started))
        except NotAnArticle as exc:
            logger.info("link %s is not an article: %s", url, exc)
            return LinkOutcome(REFUSED, str(exc), seconds=_since(started))
        summary = ingest([url], settings, store, embedder, extractor=extractor,
                         prefetched={url: fetched}, fetcher=own)  # fmt: skip
    finally:
        if fetcher is None:
            own.close()
    prepared = prepare(raw, settings.passage_min_words, settings.passage_max_words)
    found = Links(store.sessions).find(prepared.key, prepared.content_hash) if prepared else None
    if found is None:
        errors = "; ".join(e["error"] for e in summary.errors) or "nothing stored"
        logger.warning("link %s: not stored: %s", url, errors)
        return LinkOutcome(FAILED, "I couldn't store that article.", seconds=_since(started))
    status = ADDED if summary.new or summary.updated else KNOWN
    return LinkOutcome(status, article_id=found, seconds=_since(started))


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
