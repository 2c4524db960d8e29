"""The store's facade: one object per process that the rest of newsbot reads and writes
through. It owns nothing itself; each part is a module of its own:

- retrieval/store/db.py            the engine and the migrations
- retrieval/store/articles.py      articles and passages (`Articles`), and listings.py
                                   (`Listings`: outlets, headlines, the catalogue)
- retrieval/store/event_repo.py    meeting events (`Events`)
- retrieval/store/meta.py          which model made the stored vectors (`MetaRecords`)
- retrieval/store/index_sync.py    the FAISS index kept in step, and the writer's lock
                                   (`IndexKeeper`; the index itself is index.py)
- retrieval/store/lexical_sync.py  the lexical index kept in step (`LexicalKeeper`: a segment
                                   per write, merges, repair; the reader is lexical.py, the
                                   segment files segments.py)

Everything it returns is a dataclass (retrieval/store/records.py), never a session or a row.
The database is the source of truth; the indexes are derived from it.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from retrieval.errors import ConfigError
from retrieval.store import index_files
from retrieval.store.articles import Articles, IndexChange, partial_hash
from retrieval.store.db import open_database, session_factory
from retrieval.store.embedder import Embedder
from retrieval.store.event_repo import EventPeople, Events
from retrieval.store.events import EventDraft, StoredEvent
from retrieval.store.index import FaissIndex
from retrieval.store.index_sync import IndexKeeper
from retrieval.store.lexical import LexicalIndex
from retrieval.store.lexical_sync import LexicalKeeper
from retrieval.store.listings import Listings
from retrieval.store.meta import ENCODER_KEY, VECTORS_MODEL_KEY, MetaRecords
from retrieval.store.records import (
    ArticleDraft,
    ArticleRecord,
    CatalogueRow,
    Headline,
    Hit,
    OutletCount,
    PassageDraft,
    PassageRecord,
    Placements,
    WriteResult,
)

__all__ = [
    "ENCODER_KEY",
    "VECTORS_MODEL_KEY",
    "ArticleDraft",
    "CatalogueRow",
    "PassageDraft",
    "Store",
    "WriteResult",
    "partial_hash",
]


class Store:
    """Database plus indexes, opened once per process and shared."""

    def __init__(
        self,
        engine: Engine,
        index_dir: Path,
        model: str,
        dim: int,
        lock_timeout: float | None = None,
    ) -> None:
        self.engine = engine
        # For the repositories of the bot's own tables (retrieval/state, digest/subscriptions),
        # which take the session factory; nothing else outside retrieval/store/ uses it.
        self.sessions: sessionmaker[Session] = session_factory(engine)
        self.index_dir = index_dir
        self.model = model
        self.dim = dim
        self.meta = MetaRecords(self.sessions)
        self.articles = Articles(self.sessions, f"{model}/{dim}")
        self.listings = Listings(self.sessions)
        self.events = Events(self.sessions)
        self.vectors = IndexKeeper(self.articles, self.meta, index_dir, model, dim, lock_timeout)
        # Beside the FAISS files, in a directory (and under a lock) of its own.
        self.lexical = LexicalKeeper(self.articles, self.listings, index_dir / "lexical")

    @classmethod
    def open(
        cls,
        db_url: str,
        index_dir: Path,
        model: str,
        dim: int,
        lock_timeout: float | None = None,
        create: bool = True,
    ) -> Store:
        """Open (and migrate) the database and load the index, repairing it if it lags the DB.
        `lock_timeout`: how long a writer waits for another writer (None: for ever); without
        `create`, a SQLite file that does not exist is a ConfigError."""
        store = cls.connect(db_url, index_dir, model, dim, lock_timeout, create)
        store.open_index()
        return store

    @classmethod
    def connect(
        cls,
        db_url: str,
        index_dir: Path,
        model: str,
        dim: int,
        lock_timeout: float | None = None,
        create: bool = True,
    ) -> Store:
        """Open (and migrate) the database only: for rebuilding the index, which loading (and
        maybe repairing) first would waste, re-encoding with another model, which opening
        refuses, or a process that does not search (`open_index` later if it does)."""
        return cls(open_database(db_url, create), index_dir, model, dim, lock_timeout)

    def open_index(self) -> None:
        """Check that the stored vectors are of this store's model, then `load_index`; an
        index directory that cannot be used is a ConfigError."""
        self.meta.check_vectors_model(f"{self.model}/{self.dim}")
        try:
            self.load_index()
        except OSError as exc:
            raise ConfigError(f"cannot use the index directory {self.index_dir}: {exc}") from exc

    # -- the vector index (retrieval/store/index_sync.py) ----------------------------------

    @property
    def index(self) -> FaissIndex:
        """The FAISS index this process searches."""
        return self.vectors.index

    @property
    def manifest(self) -> index_files.Manifest | None:
        """The manifest of the index as loaded or last saved by this process."""
        return self.vectors.manifest

    @property
    def lock_timeout(self) -> float | None:
        """How long a writer waits for another writer's lock (None: as long as it takes)."""
        return self.vectors.lock_timeout

    @lock_timeout.setter
    def lock_timeout(self, seconds: float | None) -> None:
        self.vectors.lock_timeout = seconds

    def db_state(self) -> tuple[int, int]:
        """(passage count, highest passage id) in the database."""
        return self.articles.db_state()

    def vectors_model(self) -> str | None:
        """`model/dim` of the vectors stored in the database, or None before the first one."""
        return self.meta.vectors_model()

    def encoders(self) -> dict[str, str]:
        """The encoders recorded as making this store's vector space (runtime -> note)."""
        return self.meta.encoders()

    def record_encoder(self, runtime: str, note: str) -> None:
        """Record in meta that `runtime` computes this store's vector space, once."""
        self.meta.record_encoder(runtime, note)

    def load_index(self) -> None:
        """Load the indexes (vectors, lexical) from disk; rebuild or repair them when they are
        missing or disagree with the database."""
        self.vectors.load()
        self.lexical.load()
        # Whole bm25s builds saved by earlier versions, by the digest of what they indexed:
        # nothing reads them now (a process of an older version keeps its mapped pages).
        shutil.rmtree(self.index_dir / "bm25", ignore_errors=True)

    @property
    def lexical_index(self) -> LexicalIndex:
        """The lexical index this process searches, as of its last `refresh`."""
        return self.lexical.index

    def sync_index(self) -> tuple[int, int]:
        """Make the index hold exactly the database's passages; returns (added, removed)."""
        return self.vectors.sync()

    def save_index(self, wait: bool = True) -> None:
        """Write the index atomically, stamped with the database watermark. Without `wait`, a
        reader that repaired its index in memory saves it only if no writer is at work."""
        self.vectors.save(wait)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Be the one writer of this index directory (ingest, reindex) for a while. Taking the
        lock brings the index up to date first: another writer may have run meanwhile. Waits
        `lock_timeout` at most for another writer, then raises IndexError_ naming its pid."""
        with self.vectors.writing():
            yield

    def index_changed(self) -> bool:
        """Whether another process wrote a newer index than the one loaded."""
        return self.vectors.changed()

    def reload_if_changed(self) -> bool:
        """Reload when another process wrote a newer index; returns whether it did. Not safe
        while another thread searches this store (see retrieval/service.py)."""
        return self.vectors.reload_if_changed()

    def rebuild_index(self, reencode_with: Embedder | None = None) -> int:
        """Build a fresh index from the stored vectors; with an embedder, encode every passage
        again first (after a model change) and store the new vectors."""
        return self.vectors.rebuild(reencode_with)

    # -- articles and passages (retrieval/store/articles.py) -------------------------------

    def existing(
        self, keys: Sequence[str], hashes: Sequence[str]
    ) -> tuple[dict[str, str], set[str]]:
        """({key: content hash} of stored articles with these keys, stored hashes among these)."""
        return self.articles.existing(keys, hashes)

    def write(self, drafts: Sequence[ArticleDraft]) -> WriteResult:
        """Store new articles, replace changed ones (same key, new hash) in one transaction,
        then bring the index up to date. Unchanged articles are skipped."""
        result, change = self.articles.write(drafts)
        return self._follow(result, change)

    def stored_passages(self, key: str) -> int:
        """How many passages the article with this key has stored (where a partly written
        one resumes: its parts are committed in order)."""
        return self.articles.stored_passages(key)

    def write_part(self, draft: ArticleDraft, complete: bool) -> WriteResult:
        """One part of a long article in one transaction: its passages continue the stored
        ones (see `stored_passages`). The first part (position 0) stores the article as
        `write` does, new or replacing an old version; until the part that completes it, the
        article's content_hash is `partial_hash(...)`, so an interrupted article is never
        taken for complete and the next ingest of the same text resumes it."""
        result, change = self.articles.write_part(draft, complete)
        return self._follow(result, change)

    def _follow(self, result: WriteResult, change: IndexChange) -> WriteResult:
        self.vectors.follow(change)
        # The lexical side is saved now (a small segment): readers find the passages at once.
        self.lexical.follow(change.added, change.removed)
        return result

    def passages_with_articles(
        self, ids: Iterable[int]
    ) -> dict[int, tuple[PassageRecord, ArticleRecord]]:
        """Passages by id, with their articles, in one query."""
        return self.articles.passages_with_articles(ids)

    def hits(self, passage_ids: Iterable[int]) -> dict[int, Hit]:
        """Stored passages by id as hits with score 0, in the order asked (the ones deleted
        since are missing): the one place a `Hit` is read from the database."""
        return self.articles.hits(passage_ids)

    def article_passages(
        self, after_id: int = 0, limit: int = 100
    ) -> list[tuple[ArticleRecord, list[PassageRecord]]]:
        """Articles (id > after_id, in id order) with their passages: the events backfill's
        input, read a page at a time."""
        return self.articles.article_passages(after_id, limit)

    def article_text(self, article_id: int) -> tuple[str, list[str]]:
        """An article's title and its passages' texts in order ("", [] when it is gone)."""
        return self.articles.article_text(article_id)

    def remembering_texts(self) -> contextlib.AbstractContextManager[None]:
        """Within it (in this thread), `article_text` reads each article from the database
        once (one answer reads the same few articles many times over)."""
        return self.articles.remembering_texts()

    def passage_ids_by_article(self, article_ids: Iterable[int]) -> dict[int, list[int]]:
        """The passage ids of each of these articles."""
        return self.articles.passage_ids_by_article(article_ids)

    def catalogue(self) -> list[CatalogueRow]:
        """Every passage with its article's title, outlet and date, in id order: what the
        lexical index and the question filters work from."""
        return self.listings.catalogue()

    def placements(self, from_id: int) -> Placements:
        """Outlet and publication time of the passages with id >= from_id (no text)."""
        return self.listings.placements(from_id)

    def outlets(self) -> list[str]:
        """The outlets of the stored articles."""
        return self.listings.outlets()

    def outlet_counts(self) -> list[OutletCount]:
        """Every outlet, most articles first (articles without an outlet count as "unknown")."""
        return self.listings.outlet_counts()

    def latest(self, limit: int = 10) -> list[Headline]:
        """The most recently published articles (undated ones last, by ingest time)."""
        return self.listings.latest(limit)

    def ingested_between(self, since: datetime, until: datetime) -> list[tuple[ArticleRecord, str]]:
        """The articles ingested in [since, until), newest first, each with its lead."""
        return self.listings.ingested_between(since, until)

    # -- events (retrieval/store/event_repo.py) --------------------------------------------

    def events_involving(self, names: Sequence[str]) -> list[StoredEvent]:
        """Events whose participants share a name token with every one of `names` (matching
        proper is `StoredEvent.involves`); all events when no name is given is never wanted,
        so no names means no events."""
        return self.events.involving(names)

    def events_of_passages(self, passage_ids: Sequence[int]) -> list[StoredEvent]:
        """The events found in these passages."""
        return self.events.of_passages(passage_ids)

    def replace_events(self, article_id: int, events: dict[int, Sequence[EventDraft]]) -> int:
        """Set the events of one article's passages (by passage id); returns how many."""
        return self.events.replace(article_id, events)

    def latest_events(self, limit: int) -> list[EventPeople]:
        """Who met whom and where, in the most recently published articles."""
        return self.events.latest(limit)

    # -- the whole -------------------------------------------------------------------------

    def stats(self) -> dict[str, object]:
        """Counts and date range for /start, /stats and `newsbot status`."""
        articles, first, last = self.listings.span()
        passages, _ = self.db_state()
        return {
            "articles": articles,
            "passages": passages,
            "events": self.events.count(),
            "indexed": self.vectors.count(),
            "first_published": first,
            "last_published": last,
            "outlets": self.outlets(),
        }

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
