"""The ingest pipeline: sources -> articles -> cleaned paragraphs -> passages -> vectors -> store.

Reading and parsing run in a thread ahead of the encoder, so the encoder (the slow part) is
never waiting for I/O. Articles are written in batches, each batch one transaction, and an
article longer than PART_PASSAGES in parts, each one transaction; the index is saved every few
seconds and at the end. A run killed at any point is completed by the next.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

# make_fetcher is ingest/fetch.py's, named here too for ingest/watch.py.
from ingest.fetch import Fetched, Fetcher, make_fetcher
from ingest.prepare import Prepared, prepare
from ingest.sources import read_ahead
from retrieval.config import IngestSettings
from retrieval.meetings.extract import EventExtractor
from retrieval.nlp import load_nlp
from retrieval.store import ArticleDraft, PassageDraft, Store, WriteResult
from retrieval.store.embedder import Embedder
from retrieval.store.events import EventDraft
from retrieval.store.store import partial_hash

__all__ = [
    "BATCH_PASSAGES",
    "PART_PASSAGES",
    "SAVE_EVERY_SECONDS",
    "Summary",
    "backfill_events",
    "ingest",
    "make_fetcher",
]

logger = logging.getLogger(__name__)

SAVE_EVERY_SECONDS = 10.0
BATCH_PASSAGES = 256  # passages encoded together: big enough to keep the encoder busy
# The most passages of one article encoded and committed at once: a longer article (a 50 MB
# text is ~130k passages) is stored in parts of this size, with progress after each, and a
# run killed in the middle loses one part at most; the next run resumes after the last.
PART_PASSAGES = 2048


@dataclass
class Summary:
    """What one ingest run did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    passages_added: int = 0
    seconds: float = 0.0
    errors: list[dict[str, str]] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed when not on a terminal."""
        return (
            f"articles: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.failed} failed; {self.passages_added} passages added in {self.seconds:.1f} s"
        )

    def to_json(self) -> dict[str, Any]:
        """The summary for `--json`."""
        return asdict(self)

    def add_failure(self, source: str, error: str) -> None:
        """Count one failure and say where and why."""
        self.failed += 1
        self.errors.append({"source": source, "error": error})


def ingest(
    sources: list[str],
    settings: IngestSettings,
    store: Store,
    embedder: Embedder,
    on_progress: Callable[[Summary, str], None] | None = None,
    extractor: EventExtractor | None = None,
    prefetched: Mapping[str, Fetched] | None = None,
    fetcher: Fetcher | None = None,
) -> Summary:
    """Ingest every source; bad ones are reported in the summary and the rest go on. The
    store's writer lock is held throughout: two ingests on one index take turns. Meeting
    events are extracted unless `settings.extract_events` is off (with `extractor`, or one on
    the process's spaCy pipeline). `prefetched`: URL sources
    fetched already (a feed polled with a conditional GET), parsed from that answer instead
    of being fetched twice. `fetcher`: fetch with this one (left open) instead of a new one."""
    if extractor is None and settings.extract_events:
        extractor = EventExtractor(load_nlp())
    with store.writing():
        return _ingest(
            sources, settings, store, embedder, on_progress, extractor, prefetched, fetcher
        )


def _ingest(
    sources: list[str],
    settings: IngestSettings,
    store: Store,
    embedder: Embedder,
    on_progress: Callable[[Summary, str], None] | None,
    extractor: EventExtractor | None,
    prefetched: Mapping[str, Fetched] | None = None,
    fetcher: Fetcher | None = None,
) -> Summary:
    started = time.monotonic()
    summary = Summary()
    pending: list[Prepared] = []
    pending_passages = 0
    last_save = time.monotonic()

    def save_if_due() -> None:
        nonlocal last_save
        if time.monotonic() - last_save > SAVE_EVERY_SECONDS:
            store.save_index()
            last_save = time.monotonic()

    def part_done(where: str) -> None:
        """After each part of a long article: the index saved when due, progress told."""
        save_if_due()
        if on_progress:
            on_progress(summary, where)

    def flush() -> None:
        nonlocal pending, pending_passages
        if pending:
            _write(pending, store, embedder, summary, extractor, part_done)
            pending, pending_passages = [], 0
        save_if_due()

    for result in read_ahead(sources, settings, prefetched, fetcher):
        for problem in ([result.error] if result.error else []) + result.problems:
            summary.add_failure(result.source, problem)
            logger.warning("%s: %s", result.source, problem)
        ready = []
        for raw in result.articles:
            prepared = prepare(raw, settings.passage_min_words, settings.passage_max_words)
            if prepared is None:
                summary.add_failure(raw.origin, "no text left after cleaning")
                continue
            ready.append(prepared)
        for prepared in _last_per_url(ready, result.source, summary):
            pending.append(prepared)
            pending_passages += len(prepared.spans)
            if pending_passages >= BATCH_PASSAGES or len(pending) >= settings.batch_articles:
                flush()
        if on_progress:
            on_progress(summary, result.source)
    flush()
    store.save_index()
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _last_per_url(ready: list[Prepared], source: str, summary: Summary) -> list[Prepared]:
    """The articles of one source, the last one kept of several with the same URL: the
    others are reported (an identical copy is only counted unchanged), never lost silently."""
    last = {p.key: p for p in ready}
    kept = []
    for p in ready:
        winner = last[p.key]
        if winner is p:
            kept.append(p)
        elif winner.content_hash == p.content_hash:
            summary.unchanged += 1
        else:
            error = f"{p.raw.place}: same URL as {winner.raw.place}: kept the last"
            summary.add_failure(source, error)
            logger.warning("%s: %s", source, error)
    return kept


def _write(
    batch: list[Prepared],
    store: Store,
    embedder: Embedder,
    summary: Summary,
    extractor: EventExtractor | None = None,
    part_done: Callable[[str], None] | None = None,
) -> None:
    """Skip what is stored already, encode the rest in one call, write it in one transaction;
    an article longer than PART_PASSAGES (or one a killed run left partly stored) is written
    on its own, in parts."""
    latest = {p.key: p for p in batch}  # the same key twice in a batch: the last one wins
    if len(latest) < len(batch):
        summary.unchanged += len(batch) - len(latest)
        batch = list(latest.values())
    stored, known_hashes = store.existing([p.key for p in batch], [p.content_hash for p in batch])
    todo: list[Prepared] = []
    long: list[tuple[Prepared, bool]] = []
    seen: set[str] = set()
    for p in batch:
        if (
            stored.get(p.key) == p.content_hash
            or (p.key not in stored and p.content_hash in known_hashes)
            or p.content_hash in seen
        ):
            summary.unchanged += 1
            continue
        seen.add(p.content_hash)
        resumed = stored.get(p.key) == partial_hash(p.content_hash)  # a killed run's
        if resumed or len(p.spans) > PART_PASSAGES:
            long.append((p, resumed))
        else:
            todo.append(p)
    for p, resumed in long:
        start = store.stored_passages(p.key) if resumed else 0
        _write_in_parts(p, start, store, embedder, summary, extractor, part_done)
    if not todo:
        return
    drafts = [
        _draft(p, 0, len(p.spans), vectors, events)
        for p, vectors, events in _encoded(todo, embedder, extractor)
    ]
    try:
        results = [store.write(drafts)]
    except SQLAlchemyError:
        # One bad article must not cost the batch: write them one by one, report the bad.
        results = []
        for draft in drafts:
            try:
                results.append(store.write([draft]))
            except SQLAlchemyError as exc:
                summary.add_failure(draft.source, _not_stored(exc))
    for written in results:
        _count(summary, written)


def _encoded(
    articles: list[Prepared],
    embedder: Embedder,
    extractor: EventExtractor | None,
    start: int = 0,
    end: int | None = None,
) -> list[tuple[Prepared, np.ndarray, list[list[EventDraft]]]]:
    """The vectors and events of the passages [start:end] of each article, encoded in one call."""
    texts = [[t for _, _, t in p.spans[start:end]] for p in articles]
    vectors = np.asarray(embedder.encode_documents([t for ts in texts for t in ts]))
    events: list[list[list[EventDraft]]] = (
        extractor.extract_many(
            [(p.title, _day(p.raw.published_at), ts) for p, ts in zip(articles, texts, strict=True)]
        )
        if extractor is not None
        else [[[] for _ in ts] for ts in texts]
    )
    out, row = [], 0
    for p, ts, article_events in zip(articles, texts, events, strict=True):
        out.append((p, vectors[row : row + len(ts)], article_events))
        row += len(ts)
    return out


def _draft(
    p: Prepared, start: int, end: int, vectors: np.ndarray, events: list[list[EventDraft]]
) -> ArticleDraft:
    """The article with its passages [start:end] (positions kept), given their vectors."""
    passages = [
        PassageDraft(position, s, e, text, np.asarray(vectors[i]), events[i])
        for i, (position, (s, e, text)) in enumerate(
            zip(range(start, end), p.spans[start:end], strict=True)
        )
    ]
    return ArticleDraft(
        key=p.key,
        url=p.raw.url,
        title=p.title,
        outlet=p.raw.outlet,
        author=p.raw.author,
        published_at=p.raw.published_at,
        content_hash=p.content_hash,
        source=p.raw.origin,
        passages=passages,
    )


def _write_in_parts(
    p: Prepared,
    start: int,
    store: Store,
    embedder: Embedder,
    summary: Summary,
    extractor: EventExtractor | None,
    part_done: Callable[[str], None] | None,
) -> None:
    """A long article, PART_PASSAGES passages at a time, each part encoded and committed on
    its own, from passage `start` (where a killed run stopped, or 0). (Meeting events
    are read part by part: names from other parts are not in view.)"""
    total, resumed = len(p.spans), start > 0
    if resumed:
        logger.info("%s: resuming after %d of %d passages", p.raw.origin, start, total)
    while start < total:
        end = min(start + PART_PASSAGES, total)
        [(_, vectors, events)] = _encoded([p], embedder, extractor, start, end)
        try:
            written = store.write_part(_draft(p, start, end, vectors, events), end == total)
        except SQLAlchemyError as exc:
            summary.add_failure(p.raw.origin, _not_stored(exc))
            return
        if written.unchanged:
            summary.unchanged += 1
            return
        # An article a killed run began counts as updated when this run completes it.
        _count(summary, replace(written, updated=int(resumed and end == total) or written.updated))
        logger.info("%s: %d of %d passages stored", p.raw.origin, end, total)
        if part_done:
            part_done(f"{p.raw.origin} ({end}/{total} passages)")
        start = end


def _not_stored(exc: SQLAlchemyError) -> str:
    """A write the database refused, in one line: the driver's message, not SQLAlchemy's."""
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return f"not stored: {reason}"


def _day(published: datetime | None) -> date | None:
    return published.date() if published else None


def backfill_events(store: Store, extractor: EventExtractor, page: int = 50) -> tuple[int, int]:
    """Extract the events of every stored article again (after an upgrade, or for articles
    ingested before events existed); returns (articles, events)."""
    articles = events = 0
    after = 0
    while batch := store.article_passages(after_id=after, limit=page):
        found = extractor.extract_many(
            [(a.title, _day(a.published_at), [p.text for p in ps]) for a, ps in batch]
        )
        for (article, passages), per_passage in zip(batch, found, strict=True):
            events += store.replace_events(
                article.id, {p.id: e for p, e in zip(passages, per_passage, strict=True)}
            )
            articles += 1
        after = batch[-1][0].id
    return articles, events


def _count(summary: Summary, written: WriteResult) -> None:
    summary.new += written.new
    summary.updated += written.updated
    summary.unchanged += written.unchanged
    summary.passages_added += written.passages_added
