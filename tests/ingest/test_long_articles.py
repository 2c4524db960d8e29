"""A long article is encoded and committed in parts, with progress after each; an ingest
that fails in the middle of a part keeps the parts before it, and the next one resumes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from ingest import pipeline
from ingest.formats import parse_archive
from ingest.pipeline import Summary, ingest
from ingest.prepare import prepare
from retrieval.config import Settings
from retrieval.store import ArticleDraft, PassageDraft, Store
from retrieval.store.embedder import HashEmbedder
from retrieval.store.models import Article, Passage
from retrieval.store.store import partial_hash

PART = 50
PARAGRAPHS = 500  # one passage each: ten parts


class CountingEmbedder(HashEmbedder):
    """The hash embedder, recording each call's size; it fails in call number `fail_on`."""

    def __init__(self, fail_on: int | None = None) -> None:
        super().__init__(384)
        self.calls: list[int] = []
        self.fail_on = fail_on

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        if len(self.calls) == self.fail_on:
            raise RuntimeError("the encoder died in the middle of a part")
        return super().encode_documents(texts)


def _long_file(folder: Path) -> Path:
    paragraphs = [
        f"Paragraph {i} of the long harbour report says that the ferry number {i} "
        + " ".join(f"word{i}x{j}" for j in range(40))
        + "."
        for i in range(PARAGRAPHS)
    ]
    path = folder / "long.txt"
    path.write_text("date 2024-01-01 The long report\n\n" + "\n\n".join(paragraphs) + "\n")
    return path


def _stored(store: Store) -> tuple[list[int], list[str]]:
    with store.sessions() as session:
        positions = list(session.scalars(select(Passage.position).order_by(Passage.position)))
        hashes = list(session.scalars(select(Article.content_hash)))
    return positions, hashes


@pytest.fixture(autouse=True)
def _small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "PART_PASSAGES", PART)


def test_a_long_article_is_committed_part_by_part_with_progress(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    path = _long_file(tmp_path)
    embedder = CountingEmbedder()
    seen: list[tuple[str, int, int]] = []

    def progress(summary: Summary, where: str) -> None:
        seen.append((where, summary.passages_added, store.db_state()[0]))  # committed already

    summary = ingest([str(path)], settings.ingest, store, embedder, progress)
    assert (summary.new, summary.passages_added) == (1, PARAGRAPHS)
    assert embedder.calls == [PART] * (PARAGRAPHS // PART)
    parts = [s for s in seen if s[0].endswith("passages)")]
    assert parts == [
        (f"{path} ({n}/{PARAGRAPHS} passages)", n, n) for n in range(PART, PARAGRAPHS + 1, PART)
    ]
    positions, [digest] = _stored(store)
    assert positions == list(range(PARAGRAPHS)) and len(digest) == 64
    again = ingest([str(path)], settings.ingest, store, embedder)
    assert (again.unchanged, again.passages_added, len(embedder.calls)) == (1, 0, 10)


def test_a_failure_in_part_k_keeps_the_parts_before_and_the_next_run_resumes(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    path = _long_file(tmp_path)
    with pytest.raises(RuntimeError, match="in the middle of a part"):
        ingest([str(path)], settings.ingest, store, CountingEmbedder(fail_on=4))
    store.close()

    reopened = Store.open(settings.db_url, settings.index_dir, "hash:384", 384)
    positions, [digest] = _stored(reopened)
    assert positions == list(range(3 * PART))  # parts 1-3, not a passage of part 4
    with reopened.sessions() as session:
        db_ids = set(session.scalars(select(Passage.id)))
    assert set(reopened.index.ids().tolist()) == db_ids  # consistent on reopen
    [raw], _ = parse_archive(path.read_text(), str(path))
    prepared = prepare(raw, settings.passage_min_words, settings.passage_max_words)
    assert prepared is not None and digest == partial_hash(prepared.content_hash)

    embedder = CountingEmbedder()
    summary = ingest([str(path)], settings.ingest, reopened, embedder)
    assert (summary.new, summary.updated, summary.passages_added) == (0, 1, PARAGRAPHS - 3 * PART)
    assert embedder.calls == [PART] * 7  # only what was missing is encoded
    positions, [digest] = _stored(reopened)
    assert positions == list(range(PARAGRAPHS)) and digest == prepared.content_hash
    rows = reopened.passages_with_articles(reopened.index.ids().tolist())
    assert len(rows) == PARAGRAPHS
    for passage, _ in rows.values():
        assert prepared.body[passage.char_start : passage.char_end] == passage.text
    assert ingest([str(path)], settings.ingest, reopened, embedder).unchanged == 1
    reopened.close()


def test_a_changed_long_article_replaces_a_partly_stored_one(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    path = _long_file(tmp_path)
    with pytest.raises(RuntimeError):
        ingest([str(path)], settings.ingest, store, CountingEmbedder(fail_on=2))
    path.write_text(path.read_text().replace("long harbour report", "long river report"))
    summary = ingest([str(path)], settings.ingest, store, CountingEmbedder())
    assert (summary.new, summary.updated, summary.passages_added) == (0, 1, PARAGRAPHS)
    positions, _ = _stored(store)
    assert positions == list(range(PARAGRAPHS))
    assert set(store.index.ids().tolist()) == set(store.passages_with_articles(range(1, 2000)))


def test_a_part_continues_only_a_partly_stored_article(store: Store) -> None:
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    draft = ArticleDraft("k", None, "T", None, None, None, "h" * 64, "s",
                         [PassageDraft(5, 0, 1, "x", vector)])  # fmt: skip
    with pytest.raises(ValueError, match="no partly stored article 'k'"):
        store.write_part(draft, complete=True)
