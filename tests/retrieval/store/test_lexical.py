"""The lexical index: BM25 over segments on disk, equal to bm25s over the same passages."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import bm25s
import numpy as np
import pytest

from retrieval.qa.search import Searcher
from retrieval.store import ArticleDraft, PassageDraft, Store
from retrieval.store import lexical as lexical_module
from retrieval.store.embedder import HashEmbedder
from retrieval.store.lexical import (
    K1,
    B,
    LexicalIndex,
    query_terms,
    reciprocal_rank_fusion,
    top_positions,
)
from retrieval.store.lexical_sync import MERGE_FACTOR, merges_due
from retrieval.store.segments import merge_segments
from tests.support.lexical import index_of

# Invented vocabulary: words of a city paper, some stop words, a few that repeat.
_WORDS = (
    "budget vote minister envoy harbour storm river council tariff senate court ruling strike "
    "union wages bridge rail port election poll ferry crane lighthouse quarry orchard mayor"
).split()
_FILLER = ["the", "of", "and", "a", "in", "was", "to"]


def _documents(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        words = [rng.choice(_WORDS + _FILLER) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.3:
            words += [rng.choice(_WORDS)] * rng.randint(2, 6)  # a word the passage repeats
        docs.append(" ".join(words).capitalize())
    return docs


def _bm25s_scores(documents: list[str], query: str) -> np.ndarray:
    """What the store searched with before: bm25s built over exactly these documents."""
    reference = bm25s.BM25(k1=K1, b=B)
    reference.index(
        bm25s.tokenize(documents, stopwords="en", show_progress=False), show_progress=False
    )
    known = [w for w in query_terms(query) if w in reference.vocab_dict]
    if not known:
        return np.zeros(len(documents), dtype=np.float32)
    return np.asarray(reference.get_scores(known), dtype=np.float32)


_QUERIES = [
    "budget vote",
    "Storm storm over the river",
    "senate court ruling on the strike",
    "Which mayor opened the lighthouse and the quarry?",
    "zebra",
    "the of and",
    "ferry",
]


@pytest.mark.parametrize(
    ("cuts", "deleted"),
    [
        ((), ()),  # one segment
        ((60, 61, 200), ()),  # several, one of a single passage
        ((100, 250), (3, 4, 150, 299, 300)),  # with tombstones in two segments
        ((250,), tuple(range(251, 301))),  # a segment wholly tombstoned
    ],
)
def test_scores_equal_bm25s_over_the_live_passages(
    tmp_path: Path, cuts: tuple[int, ...], deleted: tuple[int, ...]
) -> None:
    documents = _documents(300, seed=len(cuts))
    ids = list(range(1, 301))
    index = index_of(tmp_path, ids, documents, cuts, deleted)
    live = [(pid, doc) for pid, doc in zip(ids, documents, strict=True) if pid not in deleted]
    assert index.ids.tolist() == [pid for pid, _ in live]
    for query in _QUERIES:
        expected = _bm25s_scores([doc for _, doc in live], query)
        found = index.scores(query)
        # The same float32 values, bit for bit: the same rankings, ties included.
        np.testing.assert_array_equal(found, expected)
        assert top_positions(found, 10).tolist() == top_positions(expected, 10).tolist()
        np.testing.assert_array_equal(index.scores(query), expected)  # from the cache


def test_the_cache_of_contributions_evicts_and_scores_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical_module, "CACHE_POSTINGS", 40)  # a few words' worth
    documents = _documents(300, seed=11)
    index = index_of(tmp_path, list(range(1, 301)), documents, cuts=(100,))
    for _ in range(2):
        for query in _QUERIES:
            np.testing.assert_array_equal(index.scores(query), _bm25s_scores(documents, query))
            assert index._cached <= 40


def test_a_merged_segment_scores_as_its_parts(tmp_path: Path) -> None:
    documents = _documents(200, seed=7)
    ids = list(range(10, 210))
    parts = index_of(tmp_path / "parts", ids, documents, (50, 120), deleted=(12, 130))
    merged_dir = tmp_path / "merged"
    merged_dir.mkdir()
    live = [~np.isin(s.ids, parts.tombstones) for s in parts.segments()]
    assert merge_segments(merged_dir / "seg-00000009.lex", parts.segments(), live) == 198
    (merged_dir / "manifest.json").write_bytes(
        b'{"generation": 9, "segments": ["seg-00000009.lex"], "tombstones": "", "watermark": 209}'
    )
    merged = LexicalIndex(merged_dir)
    assert merged.refresh()
    assert np.array_equal(merged.ids, parts.ids)
    for query in _QUERIES:
        np.testing.assert_array_equal(merged.scores(query), parts.scores(query))
        np.testing.assert_array_equal(merged.scores(query, "text"), parts.scores(query, "text"))
    assert merged.document_frequencies() == parts.document_frequencies()


def test_bm25_ranks_shared_rare_terms_first(tmp_path: Path) -> None:
    index = index_of(
        tmp_path,
        [10, 20, 30],
        ["the minister met the envoy", "Blinken met Truss in Washington", "weather report"],
    )
    assert [pid for pid, _ in index.search("Where did Truss meet Blinken?", 3)] == [20]
    assert [pid for pid, _ in index.search("Truss met the envoy", 3)] == [10, 20]
    assert index.search("the of and", 3) == []  # stop words only
    assert LexicalIndex(tmp_path / "none").search("anything", 3) == []


def test_scores_follow_the_ids(tmp_path: Path) -> None:
    index = index_of(tmp_path, [3, 5, 7], ["weather", "budget budget vote delayed", "budget vote"])
    scores = index.scores("budget delayed")
    assert scores.shape == (3,) and scores[0] == 0 and scores[1] > scores[2] > 0
    assert not index.scores("zebra").any()  # no known term
    assert index.search("budget delayed", 5) == [(5, float(scores[1])), (7, float(scores[2]))]


def test_document_frequencies_count_live_documents_not_occurrences(tmp_path: Path) -> None:
    documents = ["the harbour crane, the harbour", "a harbour ferry", "ferry tickets rise"]
    index = index_of(tmp_path, [1, 2, 3], documents, cuts=(1,))
    assert index.document_frequencies() == {
        "harbour": 2, "crane": 1, "ferry": 2, "tickets": 1, "rise": 1
    }  # fmt: skip
    gone = index_of(tmp_path / "deleted", [1, 2, 3], documents, cuts=(1,), deleted=(2,))
    assert gone.document_frequencies() == {
        "harbour": 1, "crane": 1, "ferry": 1, "tickets": 1, "rise": 1
    }  # fmt: skip
    assert LexicalIndex(tmp_path / "none").document_frequencies() == {}


@pytest.mark.parametrize(
    ("sizes", "dead", "expected"),
    [
        ([1000] * (MERGE_FACTOR - 1), [0] * (MERGE_FACTOR - 1), []),
        ([1000] * MERGE_FACTOR, [0] * MERGE_FACTOR, list(range(MERGE_FACTOR))),
        # The big segment is not rewritten with the small ones.
        (
            [500_000] + [1000] * MERGE_FACTOR,
            [0] * (MERGE_FACTOR + 1),
            list(range(1, MERGE_FACTOR + 1)),
        ),
        ([500_000, 1000], [200_000, 0], [0]),  # many tombstones: rewritten alone
        ([5, 3, 7, 6, 2, 4, 7, 1], [0] * 8, list(range(8))),  # 1..7: one size class
        ([], [], []),
    ],
)
def test_merges_due(sizes: list[int], dead: list[int], expected: list[int]) -> None:
    assert merges_due(sizes, dead) == expected


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


@pytest.mark.parametrize("mask", [None, "half"])
@pytest.mark.parametrize("k", [1, 10, 300, 5000])
def test_top_positions_among_the_scored_finds_the_same(mask: str | None, k: int) -> None:
    # A sparse ranking (the dense retriever's thousand of a million): reading only the
    # positions it scored finds what a scan of every score finds, ties at the cut included.
    rng = np.random.default_rng(k)
    scores = np.full(20_000, -np.inf, dtype=np.float32)
    scored = np.unique(rng.integers(0, len(scores), 1000))
    scores[scored] = np.round(rng.random(len(scored)), 2)  # rounded: many ties
    array_mask = None if mask is None else rng.random(len(scores)) < 0.5
    scanned = top_positions(scores, k, array_mask, -np.inf)
    found = top_positions(scores, k, array_mask, -np.inf, among=scored)
    assert found.tolist() == scanned.tolist() and len(found) == min(
        k, len(scored) if mask is None else int(array_mask[scored].sum())
    )


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


def _draft(hash_embedder: HashEmbedder, key: str, title: str, texts: list[str]) -> ArticleDraft:
    vectors = hash_embedder.encode_documents(texts)
    passages = [
        PassageDraft(n, 0, len(t), t, v)
        for n, (t, v) in enumerate(zip(texts, vectors, strict=True))
    ]
    return ArticleDraft(
        key, key, title, "Ledger", None, datetime(2023, 10, 7, tzinfo=UTC), key, key, passages
    )


def _reference(store: Store, query: str, name: str = "titled") -> np.ndarray:
    from retrieval.store.lexical_sync import field_texts

    return _bm25s_scores(field_texts(store.catalogue())[name], query)


def test_writes_add_segments_that_another_process_reads_without_a_rebuild(
    store: Store, hash_embedder: HashEmbedder
) -> None:
    store.write([_draft(hash_embedder, "a", "Harbour news", ["The ferry strike ended."])])
    other = LexicalIndex(store.index_dir / "lexical")  # a second process's reader
    assert other.refresh() and len(other) == 1
    first, first_id = other.segments()[0], int(other.ids[0])
    store.write([_draft(hash_embedder, "b", "Court news", ["The court heard the ferry union."])])
    assert other.changed() and other.refresh() and len(other) == 2
    assert other.segments()[0] is first  # mapped once, kept
    assert other.search("ferry union", 5)[0][0] == other.ids[1]
    # A replaced article: its old passage tombstoned, the new one added.
    replaced = _draft(hash_embedder, "a", "Harbour news", ["The ferry strike went on."])
    store.write([ArticleDraft(**{**replaced.__dict__, "content_hash": "other"})])
    other.refresh()
    assert len(other) == 2 and first_id not in other.ids.tolist()
    assert store.hits(other.ids.tolist()).keys() == set(other.ids.tolist())
    for query in ("ferry strike", "court union", "Ledger harbour"):
        np.testing.assert_array_equal(other.scores(query), _reference(store, query))


def test_many_small_writes_are_merged_and_score_the_same(
    store: Store, hash_embedder: HashEmbedder
) -> None:
    documents = _documents(3 * MERGE_FACTOR, seed=3)
    early = LexicalIndex(store.index_dir / "lexical")  # a reader that stays behind
    for n, text in enumerate(documents):
        store.write([_draft(hash_embedder, f"k{n}", f"Item {n}", [text or "empty"])])
        if n == 2:
            early.refresh()
    # Its segments were merged and deleted since: it still reads the pages it mapped.
    assert len(early) == 3 and early.scores("budget vote ferry").shape == (3,)
    assert early.refresh() and len(early) == len(documents)
    index = store.lexical_index
    index.refresh()
    assert len(index) == len(documents)
    assert len(index.segment_sizes()) < MERGE_FACTOR  # merged as they piled up
    files = {p.name for p in (store.index_dir / "lexical").iterdir() if p.name.startswith("seg-")}
    assert files == {s.name for s in index.segments()}  # merged-away files deleted
    for query in _QUERIES:
        np.testing.assert_array_equal(index.scores(query), _reference(store, query))
        np.testing.assert_array_equal(index.scores(query, "text"), _reference(store, query, "text"))


def test_open_repairs_an_index_that_lags_the_database(
    store: Store, hash_embedder: HashEmbedder
) -> None:
    store.write(
        [_draft(hash_embedder, "a", "Harbour news", ["The ferry strike ended.", "Rail too."])]
    )
    directory = store.index_dir / "lexical"
    for path in directory.iterdir():
        path.unlink()  # as if the writer had died before its segment
    added, removed = store.lexical.load()
    assert (added, removed) == (2, 0)
    assert store.lexical_index.search("ferry", 3)[0][0] == store.lexical_index.ids[0]
    assert store.lexical.load() == (0, 0)


def test_a_damaged_segment_is_built_again_from_the_database(
    store: Store, hash_embedder: HashEmbedder
) -> None:
    store.write([_draft(hash_embedder, "a", "Harbour news", ["The ferry strike ended."])])
    store.lexical_index.refresh()
    (segment,) = store.lexical_index.segments()
    segment.path.unlink()  # a new file: this process keeps the mapped one
    segment.path.write_bytes(b"not a segment at all")
    again = Store.open(
        store.engine.url.render_as_string(False), store.index_dir, store.model, store.dim
    )
    try:
        assert again.lexical_index.search("ferry", 3)[0][0] == store.lexical_index.ids[0]
    finally:
        again.close()


def test_searcher_modes_and_lexical_updates(store: Store, hash_embedder: HashEmbedder) -> None:
    def add(key: str, title: str, text: str) -> None:
        store.write([_draft(hash_embedder, key, title, [text])])

    add("a", "Talks in Oslo", "The foreign ministers met for three hours.")
    searcher = Searcher(store, hash_embedder, "lexical")
    # The title and outlet are searchable though the passage does not contain them.
    assert [h.title for h in searcher.search("Oslo Ledger")] == ["Talks in Oslo"]
    add("b", "Rates held", "The central bank held interest rates.")
    assert [h.title for h in searcher.search("central bank")] == ["Rates held"]  # picked up
    hybrid = Searcher(store, hash_embedder, "hybrid")
    assert hybrid.search("central bank interest rates")[0].title == "Rates held"
    with pytest.raises(ValueError, match="unknown search mode"):
        Searcher(store, hash_embedder, "fuzzy")
