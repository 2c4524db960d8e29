"""The store: the database (source of truth) and the FAISS index derived from it.

Writers commit articles with their passages and vectors in one transaction, then update the index
and save it. A process killed in between leaves the index behind the database; the next open
notices (manifest watermark and count, or the ids themselves) and repairs the index from the
vectors kept in the database, so no work is lost and nothing is encoded twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from retrieval.errors import ConfigError, IndexError_
from retrieval.store import index as vector_index
from retrieval.store.db import make_engine, migrate, session_factory, shown_url
from retrieval.store.embedder import Embedder
from retrieval.store.events import EventDraft, StoredEvent, name_tokens, names_key
from retrieval.store.index import FaissIndex
from retrieval.store.models import Article, Event, Meta, Passage

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

logger = logging.getLogger(__name__)

VECTORS_MODEL_KEY = "vectors_model"
ENCODER_KEY = "encoder:"


@dataclass(frozen=True)
class PassageDraft:
    """A passage ready to store: its text, where it sits in the article, and its vector."""

    position: int
    char_start: int
    char_end: int
    text: str
    vector: np.ndarray
    events: Sequence[EventDraft] = ()


@dataclass(frozen=True)
class ArticleDraft:
    """An article ready to store."""

    key: str
    url: str | None
    title: str
    outlet: str | None
    author: str | None
    published_at: datetime | None
    content_hash: str
    source: str
    passages: Sequence[PassageDraft]


@dataclass(frozen=True)
class CatalogueRow:
    """A passage with the article metadata retrieval filters on."""

    passage_id: int
    text: str
    title: str
    outlet: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class WriteResult:
    """What one `Store.write` did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    passages_added: int = 0


class Store:
    """Database plus index, opened once per process and shared."""

    def __init__(
        self,
        engine: Engine,
        index_dir: Path,
        model: str,
        dim: int,
        lock_timeout: float | None = None,
    ) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = session_factory(engine)
        self.index_dir = index_dir
        self.model = model
        self.dim = dim
        self.index = FaissIndex(dim, model)
        self.manifest: vector_index.Manifest | None = None
        self._writing = False  # this process holds the index directory's writer lock
        # How long a writer waits for another's writer lock (None: as long as it takes).
        self.lock_timeout = lock_timeout

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
        store._check_vectors_model()
        try:
            store.load_index()
        except OSError as exc:
            raise ConfigError(f"cannot use the index directory {index_dir}: {exc}") from exc
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
        maybe repairing) first would waste, or re-encoding with another model, which opening
        refuses."""
        engine = make_engine(db_url, create)  # a bad URL or a missing driver: ConfigError
        try:
            migrate(engine)
        except (ArgumentError, DBAPIError, OSError) as exc:
            # DBAPIError: the server unreachable, a login refused, an option the driver
            # refuses (?connect_timeout=abc) ...
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            engine.dispose()
            raise ConfigError(f"cannot open the database {shown_url(db_url)}: {reason}") from exc
        return cls(engine, index_dir, model, dim, lock_timeout)

    # -- the index -------------------------------------------------------------------------

    def db_state(self) -> tuple[int, int]:
        """(passage count, highest passage id) in the database."""
        with self.sessions() as session:
            count, top = session.execute(select(func.count(Passage.id), func.max(Passage.id))).one()
        return int(count), int(top or 0)

    def vectors_model(self) -> str | None:
        """`model/dim` of the vectors stored in the database, or None before the first one."""
        with self.sessions() as session:
            row = session.get(Meta, VECTORS_MODEL_KEY)
        return row.value if row else None

    def encoders(self) -> dict[str, str]:
        """The encoders recorded as making this store's vector space: runtime -> the space
        and the evidence (`encoder:onnx-fp32` -> "bundled:all-MiniLM-L6-v2/384: same vectors
        as torch ...")."""
        with self.sessions() as session:
            rows = session.scalars(select(Meta).where(Meta.key.startswith(ENCODER_KEY))).all()
        return {row.key[len(ENCODER_KEY) :]: row.value for row in rows}

    def record_encoder(self, runtime: str, note: str) -> None:
        """Record in meta that `runtime` computes this store's vector space (`note`: which
        space, and the evidence), once: a second runtime of the same space needs no
        re-encode, and the meta table says why."""
        key = f"{ENCODER_KEY}{runtime}"
        try:
            with self.sessions.begin() as session:
                row = session.get(Meta, key)
                if row is None:
                    session.add(Meta(key=key, value=note))
                elif row.value != note:
                    row.value = note
        except IntegrityError:
            pass  # another process recorded it at the same moment

    def _check_vectors_model(self) -> None:
        recorded = self.vectors_model()
        if recorded is not None and recorded != f"{self.model}/{self.dim}":
            raise IndexError_(
                f"the stored vectors were made by {recorded}, the settings name "
                f"{self.model}/{self.dim}: run `newsbot reindex --reencode`"
            )

    def load_index(self) -> None:
        """Load the index from disk; rebuild or repair it when it is missing or disagrees."""
        try:
            index, manifest = FaissIndex.load(self.index_dir)
        except IndexError_ as exc:
            count, _ = self.db_state()
            if count:
                logger.warning("%s; rebuilding the index from the database", exc)
            self.index = FaissIndex(self.dim, self.model)
            self.manifest = None
            self.sync_index()
            return
        if manifest.model != self.model or manifest.dim != self.dim:
            raise IndexError_(
                f"the index was built with {manifest.model} ({manifest.dim} dims), the settings "
                f"name {self.model} ({self.dim} dims): run `newsbot reindex --reencode`"
            )
        self.index, self.manifest = index, manifest
        # Compare the ids themselves: a count and a watermark can agree by accident when two
        # writers interleave.
        added, removed = self.sync_index()
        if added or removed:
            logger.warning(
                "index and database disagreed (%d missing, %d extra); repaired", added, removed
            )

    def sync_index(self) -> tuple[int, int]:
        """Make the index hold exactly the database's passages; returns (added, removed)."""
        with self.sessions() as session:
            db_ids = np.array(session.scalars(select(Passage.id)).all(), dtype=np.int64)
        index_ids = self.index.ids()
        extra = np.setdiff1d(index_ids, db_ids)
        missing = np.setdiff1d(db_ids, index_ids)
        removed = self.index.remove(extra)
        for start in range(0, len(missing), 5000):
            chunk = [int(i) for i in missing[start : start + 5000]]
            with self.sessions() as session:
                rows = session.execute(
                    select(Passage.id, Passage.embedding).where(Passage.id.in_(chunk))
                ).all()
            ids = np.array([row[0] for row in rows], dtype=np.int64)
            vectors = np.stack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
            self.index.add(ids, vectors)
        if len(missing) or removed or self.manifest is None or not self._manifest_current():
            self.save_index(wait=False)
        return len(missing), removed

    def _manifest_current(self) -> bool:
        return self.manifest is not None and (self.manifest.count, self.manifest.watermark) == (
            self.db_state()
        )

    def save_index(self, wait: bool = True) -> None:
        """Write the index atomically, stamped with the database watermark. Without `wait`, a
        reader that repaired its index in memory saves it only if no writer is at work."""
        _, watermark = self.db_state()
        if self._writing:
            self.manifest = self.index.save(self.index_dir, watermark)
            return
        timeout = self.lock_timeout if wait else None
        with vector_index.lock(self.index_dir, blocking=wait, timeout=timeout) as taken:
            if taken:
                self.manifest = self.index.save(self.index_dir, watermark)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Be the one writer of this index directory (ingest, reindex) for a while. Taking the
        lock brings the index up to date first: another writer may have run meanwhile. Waits
        `lock_timeout` at most for another writer, then raises IndexError_ naming its pid."""
        with vector_index.lock(self.index_dir, timeout=self.lock_timeout):
            self._writing = True
            try:
                self.sync_index()
                yield
            finally:
                self._writing = False

    def index_changed(self) -> bool:
        """Whether another process wrote a newer index than the one loaded (cheap: reads the
        manifest)."""
        on_disk = vector_index.read_manifest(self.index_dir)
        return on_disk is not None and on_disk != self.manifest

    def reload_if_changed(self) -> bool:
        """Reload when another process wrote a newer index; returns whether it did. Not safe
        while another thread searches this store (see retrieval/service.py)."""
        if not self.index_changed():
            return False
        self.load_index()
        return True

    def rebuild_index(self, reencode_with: Embedder | None = None) -> int:
        """Build a fresh index from the stored vectors; with an embedder, encode every passage
        again first (after a model change) and store the new vectors."""
        with vector_index.lock(self.index_dir, timeout=self.lock_timeout):
            self._writing = True
            try:
                if reencode_with is not None:
                    self._reencode(reencode_with)
                else:
                    self._check_vectors_model()
                self.index = FaissIndex(self.dim, self.model)
                self.manifest = None
                self.sync_index()
            finally:
                self._writing = False
        return len(self.index)

    def _reencode(self, embedder: Embedder, chunk: int = 512) -> None:
        with self.sessions() as session:
            ids = list(session.scalars(select(Passage.id).order_by(Passage.id)))
        for start in range(0, len(ids), chunk):
            with self.sessions.begin() as session:
                rows = session.execute(
                    select(Passage.id, Passage.text).where(
                        Passage.id.in_(ids[start : start + chunk])
                    )
                ).all()
                vectors = embedder.encode_documents([text for _, text in rows])
                for (pid, _), vector in zip(rows, vectors, strict=True):
                    session.execute(
                        update(Passage)
                        .where(Passage.id == pid)
                        .values(embedding=np.asarray(vector, dtype=np.float32).tobytes())
                    )
        with self.sessions.begin() as session:
            session.merge(Meta(key=VECTORS_MODEL_KEY, value=f"{embedder.name}/{embedder.dim}"))

    # -- articles --------------------------------------------------------------------------

    def existing(
        self, keys: Sequence[str], hashes: Sequence[str]
    ) -> tuple[dict[str, str], set[str]]:
        """({key: content hash} of stored articles with these keys, stored hashes among these)."""
        with self.sessions() as session:
            by_key = dict(
                session.execute(
                    select(Article.key, Article.content_hash).where(Article.key.in_(list(keys)))
                ).all()
            )
            known = set(
                session.scalars(
                    select(Article.content_hash).where(Article.content_hash.in_(list(hashes)))
                ).all()
            )
        return {str(k): str(v) for k, v in by_key.items()}, {str(h) for h in known}

    def write(self, drafts: Sequence[ArticleDraft]) -> WriteResult:
        """Store new articles, replace changed ones (same key, new hash) in one transaction,
        then bring the index up to date. Unchanged articles are skipped."""
        new = updated = unchanged = added = 0
        removed_ids: list[int] = []
        new_passages: list[Passage] = []
        vectors: list[np.ndarray] = []
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            if drafts and session.get(Meta, VECTORS_MODEL_KEY) is None:
                session.add(Meta(key=VECTORS_MODEL_KEY, value=f"{self.model}/{self.dim}"))
            for draft in drafts:
                current = session.scalars(select(Article).where(Article.key == draft.key)).first()
                if (
                    current is None
                    and session.scalars(
                        select(Article.id).where(Article.content_hash == draft.content_hash)
                    ).first()
                ):
                    unchanged += 1
                    continue
                if current is not None:
                    if current.content_hash == draft.content_hash:
                        unchanged += 1
                        continue
                    removed_ids.extend(_drop_passages(session, current))
                    article = current
                    updated += 1
                else:
                    article = Article(key=draft.key)
                    session.add(article)
                    new += 1
                _set_fields(article, draft, now)
                session.flush()
                new_passages.extend(_add_passages(session, article, draft.passages))
                vectors.extend(p.vector for p in draft.passages)
            session.flush()
        added = self._index_along(removed_ids, new_passages, vectors)
        return WriteResult(new=new, updated=updated, unchanged=unchanged, passages_added=added)

    def _index_along(
        self, removed_ids: list[int], new_passages: list[Passage], vectors: list[np.ndarray]
    ) -> int:
        """After a commit, bring the in-memory index along (`save_index` persists it)."""
        self.index.remove(np.array(removed_ids, dtype=np.int64))
        if new_passages:
            self.index.add(
                np.array([p.id for p in new_passages], dtype=np.int64), np.stack(vectors)
            )
        return len(new_passages)

    def stored_passages(self, key: str) -> int:
        """How many passages the article with this key has stored (where a partly written
        one resumes: its parts are committed in order)."""
        with self.sessions() as session:
            return int(
                session.scalar(
                    select(func.count(Passage.id))
                    .join(Article, Passage.article_id == Article.id)
                    .where(Article.key == key)
                )
                or 0
            )

    def write_part(self, draft: ArticleDraft, complete: bool) -> WriteResult:
        """One part of a long article in one transaction: its passages continue the stored
        ones (see `stored_passages`). The first part (position 0) stores the article as
        `write` does, new or replacing an old version; until the part that completes it, the
        article's content_hash is `partial_hash(...)`, so an interrupted article is never
        taken for complete and the next ingest of the same text resumes it."""
        first = not draft.passages or draft.passages[0].position == 0
        new = updated = unchanged = 0
        removed_ids: list[int] = []
        new_passages: list[Passage] = []
        with self.sessions.begin() as session:
            if session.get(Meta, VECTORS_MODEL_KEY) is None:
                session.add(Meta(key=VECTORS_MODEL_KEY, value=f"{self.model}/{self.dim}"))
            current = session.scalars(select(Article).where(Article.key == draft.key)).first()
            if first:
                if current is not None and current.content_hash == draft.content_hash:
                    return WriteResult(unchanged=1)
                if current is None:
                    article = Article(key=draft.key)
                    session.add(article)
                    new = 1
                else:
                    removed_ids = _drop_passages(session, current)
                    article, updated = current, 1
                _set_fields(article, draft, datetime.now(UTC))
            elif current is None or current.content_hash != partial_hash(draft.content_hash):
                # Writers take turns (the index lock), so this is a caller's mistake.
                raise ValueError(f"no partly stored article {draft.key!r} to continue")
            else:
                article = current
            article.content_hash = (
                draft.content_hash if complete else partial_hash(draft.content_hash)
            )
            session.flush()
            new_passages = _add_passages(session, article, draft.passages)
            session.flush()
        added = self._index_along(removed_ids, new_passages, [p.vector for p in draft.passages])
        return WriteResult(new=new, updated=updated, unchanged=unchanged, passages_added=added)

    def passages_with_articles(self, ids: Sequence[int]) -> dict[int, tuple[Passage, Article]]:
        """Passages by id, with their articles, in one query."""
        with self.sessions() as session:
            rows = session.execute(
                select(Passage, Article)
                .join(Article, Passage.article_id == Article.id)
                .where(Passage.id.in_(list(ids)))
            ).all()
        return {p.id: (p, a) for p, a in rows}

    # -- events ----------------------------------------------------------------------------

    def events_involving(self, names: Sequence[str]) -> list[StoredEvent]:
        """Events whose participants share a name token with every one of `names` (matching
        proper is `StoredEvent.involves`); all events when no name is given is never wanted,
        so no names means no events."""
        token_sets = [sorted(name_tokens(n), key=len, reverse=True) for n in names]
        token_sets = [t for t in token_sets if t]
        if not token_sets:
            return []
        query = select(Event)
        for tokens in token_sets:
            query = query.where(Event.names.contains(f"|{tokens[0]}|", autoescape=True))
        with self.sessions() as session:
            rows = session.scalars(query.order_by(Event.id)).all()
        return [_stored(row) for row in rows]

    def events_of_passages(self, passage_ids: Sequence[int]) -> list[StoredEvent]:
        """The events found in these passages."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Event).where(Event.passage_id.in_(list(passage_ids))).order_by(Event.id)
            ).all()
        return [_stored(row) for row in rows]

    def article_passages(
        self, after_id: int = 0, limit: int = 100
    ) -> list[tuple[Article, list[Passage]]]:
        """Articles (id > after_id, in id order) with their passages: the events backfill's
        input, read a page at a time."""
        with self.sessions() as session:
            articles = session.scalars(
                select(Article).where(Article.id > after_id).order_by(Article.id).limit(limit)
            ).all()
            pages = []
            for article in articles:
                passages = list(
                    session.scalars(
                        select(Passage)
                        .where(Passage.article_id == article.id)
                        .order_by(Passage.position)
                    )
                )
                session.expunge_all()
                pages.append((article, passages))
        return pages

    def article_text(self, article_id: int) -> tuple[str, list[str]]:
        """An article's title and its passages' texts in order ("", [] when it is gone)."""
        with self.sessions() as session:
            title = session.scalar(select(Article.title).where(Article.id == article_id))
            texts = session.scalars(
                select(Passage.text)
                .where(Passage.article_id == article_id)
                .order_by(Passage.position)
            ).all()
        return title or "", list(texts)

    def passage_ids_by_article(self, article_ids: Iterable[int]) -> dict[int, list[int]]:
        """The passage ids of each of these articles."""
        with self.sessions() as session:
            rows = session.execute(
                select(Passage.article_id, Passage.id).where(
                    Passage.article_id.in_(list(article_ids))
                )
            ).all()
        out: dict[int, list[int]] = {}
        for article_id, passage_id in rows:
            out.setdefault(int(article_id), []).append(int(passage_id))
        return out

    def replace_events(self, article_id: int, events: dict[int, Sequence[EventDraft]]) -> int:
        """Set the events of one article's passages (by passage id); returns how many."""
        with self.sessions.begin() as session:
            session.execute(delete(Event).where(Event.article_id == article_id))
            rows = [
                _event_row(e, article_id, passage_id)
                for passage_id, drafts in events.items()
                for e in drafts
            ]
            session.add_all(rows)
        return len(rows)

    def catalogue(self) -> list[CatalogueRow]:
        """Every passage with its article's title, outlet and date, in id order: what the
        lexical index and the question filters work from."""
        with self.sessions() as session:
            rows = session.execute(
                select(
                    Passage.id, Passage.text, Article.title, Article.outlet, Article.published_at
                )
                .join(Article, Passage.article_id == Article.id)
                .order_by(Passage.id)
            ).all()
        return [CatalogueRow(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def outlets(self) -> list[str]:
        """The outlets of the stored articles."""
        with self.sessions() as session:
            rows = session.scalars(
                select(Article.outlet).where(Article.outlet.is_not(None)).distinct()
            ).all()
        return sorted(o for o in rows if o)

    def stats(self) -> dict[str, object]:
        """Counts and date range for /start, /stats and `newsbot status`."""
        with self.sessions() as session:
            articles, first, last = session.execute(
                select(
                    func.count(Article.id),
                    func.min(Article.published_at),
                    func.max(Article.published_at),
                )
            ).one()
            outlets = session.scalars(
                select(Article.outlet).where(Article.outlet.is_not(None)).distinct()
            ).all()
            events = session.scalar(select(func.count(Event.id)))
        passages, _ = self.db_state()
        return {
            "articles": int(articles),
            "passages": passages,
            "events": int(events or 0),
            "indexed": len(self.index),
            "first_published": first,
            "last_published": last,
            "outlets": sorted(o for o in outlets if o),
        }

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def partial_hash(content_hash: str) -> str:
    """The content_hash an article carries while only some of its parts are stored: never a
    real article's hash, and the same for the same text (so a later ingest resumes it)."""
    return hashlib.sha256(f"partial:{content_hash}".encode()).hexdigest()


def _set_fields(article: Article, draft: ArticleDraft, now: datetime) -> None:
    article.url = draft.url
    article.title = draft.title
    article.outlet = draft.outlet
    article.author = draft.author
    article.published_at = draft.published_at
    article.ingested_at = now
    article.content_hash = draft.content_hash
    article.source = draft.source


def _drop_passages(session: Session, article: Article) -> list[int]:
    """Delete an article's passages and events (a new version replaces them); their ids."""
    ids = list(session.scalars(select(Passage.id).where(Passage.article_id == article.id)))
    session.execute(delete(Event).where(Event.article_id == article.id))
    session.execute(delete(Passage).where(Passage.article_id == article.id))
    return ids


def _add_passages(
    session: Session, article: Article, passages: Sequence[PassageDraft]
) -> list[Passage]:
    rows = []
    for p in passages:
        passage = Passage(
            article_id=article.id,
            position=p.position,
            char_start=p.char_start,
            char_end=p.char_end,
            text=p.text,
            embedding=np.asarray(p.vector, dtype=np.float32).tobytes(),
        )
        session.add(passage)
        rows.append(passage)
        passage.events = [_event_row(e, article.id) for e in p.events]
    return rows


def _event_row(draft: EventDraft, article_id: int, passage_id: int | None = None) -> Event:
    row = Event(
        article_id=article_id,
        kind=draft.kind[:40],
        who=list(draft.who),
        with_=list(draft.with_),
        names=names_key(draft.people),
        when=draft.when,
        when_text=draft.when_text[:200] if draft.when_text else None,
        where=draft.where[:300] if draft.where else None,
        status=draft.status,
        sentence=draft.sentence,
        roles={name: role[:200] for name, role in draft.roles},
    )
    if passage_id is not None:
        row.passage_id = passage_id
    return row


def _stored(row: Event) -> StoredEvent:
    return StoredEvent(
        id=row.id,
        passage_id=row.passage_id,
        article_id=row.article_id,
        kind=row.kind,
        who=tuple(row.who),
        with_=tuple(row.with_),
        when=row.when,
        when_text=row.when_text,
        where=row.where,
        status=row.status,
        sentence=row.sentence,
        roles=tuple((row.roles or {}).items()),
    )
