from __future__ import annotations

import ast
import dataclasses
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from retrieval.config import Settings
from retrieval.errors import IndexError_
from retrieval.store import ArticleDraft, PassageDraft, Store
from retrieval.store.embedder import HashEmbedder
from retrieval.store.index_files import INDEX_FILE
from retrieval.store.index_files import lock as index_lock
from retrieval.store.models import Passage


def _draft(embedder: HashEmbedder, key: str, texts: list[str], digest: str) -> ArticleDraft:
    vectors = embedder.encode_documents(texts)
    return ArticleDraft(
        key=key,
        url=key,
        title=f"Title {key}",
        outlet="Outlet",
        author=None,
        published_at=datetime(2024, 1, 2, tzinfo=UTC),
        content_hash=digest,
        source=key,
        passages=[PassageDraft(i, 0, len(t), t, vectors[i]) for i, t in enumerate(texts)],
    )


def _open(settings: Settings, embedder: HashEmbedder) -> Store:
    return Store.open(settings.db_url, settings.index_dir, embedder.name, embedder.dim)


def test_write_dedups_and_updates(store: Store, hash_embedder: HashEmbedder) -> None:
    first = store.write([_draft(hash_embedder, "u1", ["alpha beta", "gamma"], "h1")])
    assert (first.new, first.passages_added, len(store.index)) == (1, 2, 2)
    again = store.write([_draft(hash_embedder, "u1", ["alpha beta", "gamma"], "h1")])
    assert (again.new, again.unchanged, len(store.index)) == (0, 1, 2)
    same_text_other_url = store.write([_draft(hash_embedder, "u2", ["x"], "h1")])
    assert same_text_other_url.unchanged == 1
    changed = store.write([_draft(hash_embedder, "u1", ["delta epsilon"], "h2")])
    assert (changed.updated, changed.passages_added) == (1, 1)
    assert store.db_state()[0] == 1 and len(store.index) == 1
    [(pid, _)] = store.index.search(hash_embedder.encode_query("delta epsilon"), 1)
    passage, article = store.passages_with_articles([pid])[pid]
    assert passage.text == "delta epsilon" and article.published_at is not None
    assert article.published_at.tzinfo is not None


def test_index_behind_db_is_repaired_on_open(
    settings: Settings, hash_embedder: HashEmbedder
) -> None:
    store = _open(settings, hash_embedder)
    store.write([_draft(hash_embedder, "u1", ["one", "two"], "h1")])
    store.save_index()
    store.write([_draft(hash_embedder, "u2", ["three"], "h2")])  # killed before saving
    store.close()
    reopened = _open(settings, hash_embedder)
    assert len(reopened.index) == 3
    assert sorted(reopened.index.ids().tolist()) == sorted(
        pid for pid in reopened.passages_with_articles(list(range(1, 10)))
    )
    assert reopened.manifest is not None and reopened.manifest.count == 3
    reopened.close()


def test_missing_or_torn_index_is_rebuilt(settings: Settings, hash_embedder: HashEmbedder) -> None:
    store = _open(settings, hash_embedder)
    store.write([_draft(hash_embedder, "u1", ["one", "two"], "h1")])
    store.save_index()
    store.close()
    (settings.index_dir / INDEX_FILE).write_bytes(b"half written")
    reopened = _open(settings, hash_embedder)
    assert len(reopened.index) == 2
    reopened.close()


def test_other_model_is_refused(settings: Settings, hash_embedder: HashEmbedder) -> None:
    store = _open(settings, hash_embedder)
    store.write([_draft(hash_embedder, "u1", ["one"], "h1")])
    store.save_index()
    store.close()
    with pytest.raises(IndexError_, match="reindex --reencode"):
        Store.open(settings.db_url, settings.index_dir, "other-model", 384)


def test_reload_if_changed(settings: Settings, hash_embedder: HashEmbedder) -> None:
    reader = _open(settings, hash_embedder)
    writer = _open(settings, hash_embedder)
    assert not reader.reload_if_changed()
    writer.write([_draft(hash_embedder, "u1", ["one"], "h1")])
    writer.save_index()
    assert reader.reload_if_changed() and len(reader.index) == 1
    assert np.array_equal(reader.index.ids(), writer.index.ids())
    reader.close()
    writer.close()


def test_interleaved_writers_are_caught_by_ids_not_counts(
    settings: Settings, hash_embedder: HashEmbedder
) -> None:
    first = _open(settings, hash_embedder)
    first.write([_draft(hash_embedder, "x", ["x1", "x2", "x3"], "hx1")])
    first.save_index()
    a, b = _open(settings, hash_embedder), _open(settings, hash_embedder)
    b.write([_draft(hash_embedder, "x", ["x4", "x5", "x6"], "hx2")])  # X updated by B
    b.save_index()
    a.write([_draft(hash_embedder, "y", ["y1", "y2"], "hy")])  # A adds Y, from its stale index
    a.save_index()  # A saves last: count and watermark now match the DB, the ids do not
    reopened = _open(settings, hash_embedder)
    with reopened.sessions() as session:
        db_ids = set(session.scalars(select(Passage.id)))
    assert set(reopened.index.ids().tolist()) == db_ids
    for store in (first, a, b, reopened):
        store.close()


def test_one_writer_at_a_time(store: Store) -> None:
    with store.writing(), index_lock(store.index_dir, blocking=False) as taken:
        assert not taken
    with index_lock(store.index_dir, blocking=False) as taken:
        assert taken


def test_vectors_of_another_model_are_refused_even_without_an_index(
    settings: Settings, hash_embedder: HashEmbedder
) -> None:
    store = _open(settings, hash_embedder)
    store.write([_draft(hash_embedder, "u1", ["one"], "h1")])
    store.close()
    shutil.rmtree(settings.index_dir)  # the manifest is gone; the database still knows
    with pytest.raises(IndexError_, match="made by hash:384/384"):
        Store.open(settings.db_url, settings.index_dir, "other-model", 384)
    stale = Store(store.engine, settings.index_dir, "other-model", 384)
    with pytest.raises(IndexError_, match="reindex --reencode"):
        stale.rebuild_index()  # plain reindex would stamp the new name on old vectors


def test_reads_return_records_in_the_order_asked(store: Store, hash_embedder: HashEmbedder) -> None:
    store.write([_draft(hash_embedder, "u1", ["first part", "second part"], "h1")])
    store.write([_draft(hash_embedder, "u2", ["other story"], "h2")])
    ids = sorted(int(i) for i in store.index.ids())
    asked = [ids[2], 999_999, ids[0]]  # one never stored
    hits = store.hits(asked)
    assert list(hits) == [ids[2], ids[0]]
    assert (hits[ids[0]].text, hits[ids[0]].title, hits[ids[0]].score) == (
        "first part",
        "Title u1",
        0.0,
    )
    passage, article = store.passages_with_articles([ids[1]])[ids[1]]
    [(listed, passages)] = store.article_passages(after_id=0, limit=1)
    store.close()  # records are read whole: nothing lazy is left to load
    assert dataclasses.is_dataclass(passage) and dataclasses.is_dataclass(article)
    assert (passage.position, article.key, listed.key) == (1, "u1", "u1")
    assert [p.text for p in passages] == ["first part", "second part"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        passage.text = "changed"  # type: ignore[misc]


SESSION_FREE = ["bot", "retrieval/digest/stories.py", "retrieval/store/browse.py"]


@pytest.mark.parametrize("where", SESSION_FREE)
def test_no_sessions_handed_out_for_sql(where: str) -> None:
    """SQL stays in the store's repositories: these read through `Store`'s methods."""
    root = Path(__file__).resolve().parents[3]
    paths = [root / where] if where.endswith(".py") else sorted((root / where).rglob("*.py"))
    for path in paths:
        tree = ast.parse(path.read_text())
        used = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "sessions"]
        assert not used, f"{path.relative_to(root)} uses a session factory"
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
        }
        assert not {m for m in imported if m and m.split(".")[0] == "sqlalchemy"}, path


def test_article_texts_are_read_once_within_remembering_texts(
    store: Store, hash_embedder: HashEmbedder
) -> None:
    store.write([_draft(hash_embedder, "u1", ["Ana Ruiz met Tomas Elgin.", "In Lyon."], "h1")])
    [(pid, _)] = store.index.search(hash_embedder.encode_query("Ana Ruiz met Tomas Elgin."), 1)
    article = store.hits([pid])[pid].article_id
    with store.remembering_texts():
        _, texts = store.article_text(article)
        texts.append("changed by the caller")  # the caller's own copy
        # Another version written meanwhile: this block still reads the one it read ...
        store.write([_draft(hash_embedder, "u1", ["Mira Holt met Teo Varga."], "h2")])
        kept = ("Title u1", ["Ana Ruiz met Tomas Elgin.", "In Lyon."])
        assert store.article_text(article) == kept
    # ... and the next block (the next answer) the new one.
    assert store.article_text(article) == ("Title u1", ["Mira Holt met Teo Varga."])
    with store.remembering_texts():
        assert store.article_text(article) == ("Title u1", ["Mira Holt met Teo Varga."])
