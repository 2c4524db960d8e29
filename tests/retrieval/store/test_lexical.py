from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from retrieval.qa.search import Searcher
from retrieval.store import ArticleDraft, PassageDraft, Store
from retrieval.store.embedder import HashEmbedder
from retrieval.store.lexical import (
    KEEP_CACHED,
    LexicalIndex,
    reciprocal_rank_fusion,
    top_positions,
)


def test_bm25_ranks_shared_rare_terms_first() -> None:
    index = LexicalIndex(
        [10, 20, 30],
        ["the minister met the envoy", "Blinken met Truss in Washington", "weather report"],
    )
    assert [pid for pid, _ in index.search("Where did Truss meet Blinken?", 3)] == [20]
    assert [pid for pid, _ in index.search("Truss met the envoy", 3)] == [10, 20]
    assert index.search("the of and", 3) == []  # stop words only
    assert LexicalIndex([], []).search("anything", 3) == []


def test_scores_follow_the_ids() -> None:
    index = LexicalIndex([7, 3, 5], ["budget vote", "weather", "budget budget vote delayed"])
    scores = index.scores("budget delayed")
    assert scores.shape == (3,) and scores[1] == 0 and scores[2] > scores[0] > 0
    assert not index.scores("zebra").any()  # no known term
    assert index.search("budget delayed", 5) == [(5, float(scores[2])), (7, float(scores[0]))]


@pytest.mark.parametrize(
    ("scores", "k", "mask", "floor", "expected"),
    [
        ([0.5, 2.0, 0.0, 1.0], 10, None, 0.0, [1, 3, 0]),  # no shared term: left out
        ([0.5, 2.0, 0.0, 1.0], 2, None, 0.0, [1, 3]),
        ([0.5, 2.0, 0.0, 1.0], 10, [True, False, True, True], 0.0, [3, 0]),
        ([-0.2, 0.1, -0.5], 10, None, -np.inf, [1, 0, 2]),  # cosines may be negative
        ([1.0, 1.0, 1.0], 2, None, 0.0, [0, 1]),  # ties: the earlier first
        ([1.0], 0, None, 0.0, []),
    ],
)
def test_top_positions(
    scores: list[float], k: int, mask: list[bool] | None, floor: float, expected: list[int]
) -> None:
    array_mask = None if mask is None else np.asarray(mask)
    found = top_positions(np.asarray(scores, dtype=np.float32), k, array_mask, floor)
    assert found.tolist() == expected


@pytest.mark.parametrize(
    ("rankings", "best"),
    [
        ([[1, 2, 3], [2, 3, 1]], 2),  # first and second beats first and third
        ([[1, 2], [1, 3]], 1),
        ([[], [5]], 5),
    ],
)
def test_reciprocal_rank_fusion(rankings: list[list[int]], best: int) -> None:
    fused = reciprocal_rank_fusion(rankings)
    assert fused[0][0] == best
    assert [s for _, s in fused] == sorted((s for _, s in fused), reverse=True)


@pytest.mark.parametrize(
    ("k", "weights", "best"),
    [
        (60, None, 2),  # second twice (2/62) beats first and fourth (1/61 + 1/64)
        (1, None, 1),  # a small k trusts the top of each list: 1/2 + 1/5 beats 2/3
        (60, [3.0, 1.0], 1),  # the first list counts three times
    ],
)
def test_reciprocal_rank_fusion_constant_and_weights(
    k: int, weights: list[float] | None, best: int
) -> None:
    fused = reciprocal_rank_fusion([[1, 2, 8, 9], [7, 2, 8, 1]], k, weights)
    assert fused[0][0] == best


def test_searcher_modes_and_lexical_rebuild(store: Store, hash_embedder: HashEmbedder) -> None:
    def add(key: str, title: str, text: str) -> None:
        vector = hash_embedder.encode_documents([text])[0]
        store.write(
            [
                ArticleDraft(key, key, title, "Ledger", None, datetime(2023, 10, 7, tzinfo=UTC),
                             key, key, [PassageDraft(0, 0, len(text), text, vector)])
            ]
        )  # fmt: skip

    add("a", "Talks in Oslo", "The foreign ministers met for three hours.")
    searcher = Searcher(store, hash_embedder, "lexical")
    # The title and outlet are searchable though the passage does not contain them.
    assert [h.title for h in searcher.search("Oslo Ledger")] == ["Talks in Oslo"]
    add("b", "Rates held", "The central bank held interest rates.")
    assert [h.title for h in searcher.search("central bank")] == ["Rates held"]  # rebuilt
    hybrid = Searcher(store, hash_embedder, "hybrid")
    assert hybrid.search("central bank interest rates")[0].title == "Rates held"
    with pytest.raises(ValueError, match="unknown search mode"):
        Searcher(store, hash_embedder, "fuzzy")


def test_a_cached_build_is_loaded_for_the_same_documents_and_scores_the_same(
    tmp_path: Path,
) -> None:
    docs = ["budget vote in parliament", "weather warning for the coast", "budget delayed again"]
    fresh = LexicalIndex([7, 3, 5], docs)
    first = LexicalIndex([7, 3, 5], docs, cache=tmp_path)
    (entry,) = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    second = LexicalIndex([7, 3, 5], docs, cache=tmp_path)
    assert isinstance(second._bm25.scores["data"], np.memmap)  # type: ignore[union-attr]
    for query in ("budget delayed", "coast weather", "parliament vote", "zebra"):
        assert np.array_equal(fresh.scores(query), second.scores(query))
        assert np.array_equal(first.scores(query), second.scores(query))
    # Other documents, or the same with other ids: another build, never the cached one.
    changed = LexicalIndex([7, 3, 5], [*docs[:2], "budget passed at last"], cache=tmp_path)
    assert changed.search("delayed", 3) == []
    moved = LexicalIndex([7, 3, 6], docs, cache=tmp_path)
    assert [pid for pid, _ in moved.search("delayed", 3)] == [6]
    assert entry.is_dir() and len(list(tmp_path.iterdir())) == 3


def test_a_damaged_cache_entry_is_rebuilt_and_old_entries_pruned(tmp_path: Path) -> None:
    docs = ["budget vote", "weather warning", "budget delayed"]
    LexicalIndex([1, 2, 3], docs, cache=tmp_path)
    (entry,) = list(tmp_path.iterdir())
    for part in entry.iterdir():
        part.write_bytes(b"garbage")
    again = LexicalIndex([1, 2, 3], docs, cache=tmp_path)
    assert [pid for pid, _ in again.search("delayed budget", 3)] == [3, 1]
    for n in range(KEEP_CACHED + 3):
        LexicalIndex([1, 2, 3], [*docs[:2], f"budget number {n}"], cache=tmp_path)
    assert len(list(tmp_path.iterdir())) == KEEP_CACHED


def test_document_frequencies_count_documents_not_occurrences(tmp_path: Path) -> None:
    documents = ["the harbour crane, the harbour", "a harbour ferry", "ferry tickets rise"]
    built = LexicalIndex([1, 2, 3], documents)
    assert built.document_frequencies() == {
        "harbour": 2, "crane": 1, "ferry": 2, "tickets": 1, "rise": 1
    }  # fmt: skip
    # The same counts from a build saved and loaded memory-mapped.
    LexicalIndex([1, 2, 3], documents, cache=tmp_path)
    loaded = LexicalIndex([1, 2, 3], documents, cache=tmp_path)
    assert loaded.document_frequencies() == built.document_frequencies()
    assert LexicalIndex([], []).document_frequencies() == {}
