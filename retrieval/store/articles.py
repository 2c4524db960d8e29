"""The articles repository: articles and their passages (with vectors) written in one
transaction per batch, and read back as records (retrieval/store/records.py).

Writes return what the vector index must do to follow (`IndexChange`); the store's facade
hands that to the index keeper after the commit.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from retrieval.store.event_repo import event_row
from retrieval.store.meta import ensure_vectors_model
from retrieval.store.models import Article, Event, Passage
from retrieval.store.records import (
    ArticleDraft,
    ArticleRecord,
    Hit,
    PassageDraft,
    PassageRecord,
    WriteResult,
    from_row,
)

__all__ = ["Articles", "IndexChange", "article_record", "partial_hash"]

# The articles read in the current `Articles.remembering_texts` block (per thread).
_REMEMBERED: ContextVar[dict[int, tuple[str, tuple[str, ...]]] | None] = ContextVar(
    "remembered_articles", default=None
)


@dataclass
class IndexChange:
    """What a committed write asks of the vector index: ids to drop, ids and vectors to add."""

    removed: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)


class Articles:
    """Reads and writes `articles` and `passages`; `space` ("model/dim") is recorded in meta
    with the first vectors written."""

    def __init__(self, sessions: sessionmaker[Session], space: str) -> None:
        self.sessions = sessions
        self.space = space

    # -- writing ---------------------------------------------------------------------------

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

    def write(self, drafts: Sequence[ArticleDraft]) -> tuple[WriteResult, IndexChange]:
        """Store new articles, replace changed ones (same key, new hash) in one transaction.
        Unchanged articles (same key and hash, or a known hash under a new key) are skipped."""
        new = updated = unchanged = 0
        change = IndexChange()
        now = datetime.now(UTC)
        with self.sessions.begin() as session:
            if drafts:
                ensure_vectors_model(session, self.space)
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
                    change.removed.extend(_drop_passages(session, current))
                    article = current
                    updated += 1
                else:
                    article = Article(key=draft.key)
                    session.add(article)
                    new += 1
                _set_fields(article, draft, now)
                session.flush()
                _add_passages(session, article, draft.passages, change)
            session.flush()
        return WriteResult(new, updated, unchanged, len(change.added)), change

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

    def write_part(self, draft: ArticleDraft, complete: bool) -> tuple[WriteResult, IndexChange]:
        """One part of a long article in one transaction (see `Store.write_part`)."""
        first = not draft.passages or draft.passages[0].position == 0
        new = updated = 0
        change = IndexChange()
        with self.sessions.begin() as session:
            ensure_vectors_model(session, self.space)
            current = session.scalars(select(Article).where(Article.key == draft.key)).first()
            if first:
                if current is not None and current.content_hash == draft.content_hash:
                    return WriteResult(unchanged=1), change
                if current is None:
                    article = Article(key=draft.key)
                    session.add(article)
                    new = 1
                else:
                    change.removed = _drop_passages(session, current)
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
            _add_passages(session, article, draft.passages, change)
            session.flush()
        return WriteResult(new, updated, 0, len(change.added)), change

    def set_vectors(self, vectors: dict[int, np.ndarray]) -> None:
        """Replace stored passages' vectors (a re-encode), in one transaction."""
        with self.sessions.begin() as session:
            for pid, vector in vectors.items():
                session.execute(
                    update(Passage)
                    .where(Passage.id == pid)
                    .values(embedding=np.asarray(vector, dtype=np.float32).tobytes())
                )

    # -- the index's view: ids and vectors -------------------------------------------------

    def db_state(self) -> tuple[int, int]:
        """(passage count, highest passage id) in the database."""
        with self.sessions() as session:
            count, top = session.execute(select(func.count(Passage.id), func.max(Passage.id))).one()
        return int(count), int(top or 0)

    def passage_ids(self) -> np.ndarray:
        """Every stored passage id, ascending."""
        with self.sessions() as session:
            ids = session.scalars(select(Passage.id).order_by(Passage.id)).all()
        return np.array(ids, dtype=np.int64)

    def vectors(self, ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids found, their stored vectors as rows)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Passage.id, Passage.embedding).where(Passage.id.in_(list(ids)))
            ).all()
        found = np.array([row[0] for row in rows], dtype=np.int64)
        if not rows:
            return found, np.zeros((0, 0), dtype=np.float32)
        return found, np.stack([np.frombuffer(row[1], dtype=np.float32) for row in rows])

    def texts(self, ids: Sequence[int]) -> list[tuple[int, str]]:
        """(passage id, text) of these passages."""
        with self.sessions() as session:
            rows = session.execute(
                select(Passage.id, Passage.text).where(Passage.id.in_(list(ids)))
            ).all()
        return [(int(pid), text) for pid, text in rows]

    # -- reading ---------------------------------------------------------------------------

    def passages_with_articles(
        self, ids: Iterable[int]
    ) -> dict[int, tuple[PassageRecord, ArticleRecord]]:
        """Passages by id, with their articles, in one query (missing ids are left out)."""
        with self.sessions() as session:
            rows = session.execute(
                select(Passage, Article)
                .join(Article, Passage.article_id == Article.id)
                .where(Passage.id.in_(list(ids)))
            ).all()
            return {p.id: (_passage(p), article_record(a)) for p, a in rows}

    def hits(self, passage_ids: Iterable[int]) -> dict[int, Hit]:
        """Stored passages by id as hits with score 0 (the ones deleted since are missing)."""
        ids = list(passage_ids)
        with self.sessions() as session:
            rows = session.execute(
                select(
                    Passage.id,
                    Passage.article_id,
                    Passage.text,
                    Article.title,
                    Article.outlet,
                    Article.url,
                    Article.published_at,
                )
                .join(Article, Passage.article_id == Article.id)
                .where(Passage.id.in_(ids))
            ).all()
        found = {
            int(r[0]): Hit(int(r[0]), int(r[1]), 0.0, r[2], r[3], r[4], r[5], r[6]) for r in rows
        }
        return {pid: found[pid] for pid in ids if pid in found}

    def article_passages(
        self, after_id: int = 0, limit: int = 100
    ) -> list[tuple[ArticleRecord, list[PassageRecord]]]:
        """Articles (id > after_id, in id order) with their passages, a page at a time."""
        with self.sessions() as session:
            articles = session.scalars(
                select(Article).where(Article.id > after_id).order_by(Article.id).limit(limit)
            ).all()
            by_article: dict[int, list[PassageRecord]] = {a.id: [] for a in articles}
            for passage in session.scalars(
                select(Passage)
                .where(Passage.article_id.in_(list(by_article)))
                .order_by(Passage.article_id, Passage.position)
            ):
                by_article[passage.article_id].append(_passage(passage))
            return [(article_record(a), by_article[a.id]) for a in articles]

    @contextlib.contextmanager
    def remembering_texts(self) -> Iterator[None]:
        """Within it (in this thread), `article_text` reads each article once: one answer
        reads the same few articles many times over (the meeting reader, the completion of
        each meeting, the names a question requires). Nothing is kept past it, so a later
        answer reads what another process wrote since."""
        token = _REMEMBERED.set({})
        try:
            yield
        finally:
            _REMEMBERED.reset(token)

    def article_text(self, article_id: int) -> tuple[str, list[str]]:
        """An article's title and its passages' texts in order ("", [] when it is gone)."""
        remembered = _REMEMBERED.get()
        if remembered is not None and article_id in remembered:
            kept_title, kept_texts = remembered[article_id]
            return kept_title, list(kept_texts)
        with self.sessions() as session:
            title = session.scalar(select(Article.title).where(Article.id == article_id))
            texts = session.scalars(
                select(Passage.text)
                .where(Passage.article_id == article_id)
                .order_by(Passage.position)
            ).all()
        if remembered is not None:
            remembered[article_id] = (title or "", tuple(texts))
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


def partial_hash(content_hash: str) -> str:
    """The content_hash an article carries while only some of its parts are stored: never a
    real article's hash, and the same for the same text (so a later ingest resumes it)."""
    return hashlib.sha256(f"partial:{content_hash}".encode()).hexdigest()


def article_record(row: Article) -> ArticleRecord:
    """An article row as a record (read inside the session that loaded it)."""
    return from_row(ArticleRecord, row)


def _passage(row: Passage) -> PassageRecord:
    return from_row(PassageRecord, row)


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
    session: Session, article: Article, passages: Sequence[PassageDraft], change: IndexChange
) -> None:
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
        passage.events = [event_row(e, article.id) for e in p.events]
    session.flush()
    change.added.extend(p.id for p in rows)
    change.vectors.extend(p.vector for p in passages)
