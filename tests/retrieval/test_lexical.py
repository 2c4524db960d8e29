from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.embedder import HashEmbedder
from retrieval.lexical import LexicalIndex, reciprocal_rank_fusion
from retrieval.search import Searcher
from retrieval.store import ArticleDraft, PassageDraft, Store


def test_bm25_ranks_shared_rare_terms_first() -> None:
    index = LexicalIndex(
        [10, 20, 30],
        ["the minister met the envoy", "Blinken met Truss in Washington", "weather report"],
    )
    assert [pid for pid, _ in index.search("Where did Truss meet Blinken?", 3)] == [20]
    assert [pid for pid, _ in index.search("Truss met the envoy", 3)] == [10, 20]
    assert index.search("the of and", 3) == []  # stop words only
    assert LexicalIndex([], []).search("anything", 3) == []


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
