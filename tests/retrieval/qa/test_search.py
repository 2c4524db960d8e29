from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from retrieval.qa.filters import SubQuery
from retrieval.qa.search import Hit, Searcher, _interleave, search_json
from retrieval.store import ArticleDraft, PassageDraft, Store
from retrieval.store.embedder import HashEmbedder, SentenceTransformerEmbedder
from tests.support.cli import run_cli
from tests.support.settings import ROOT, SEED, make_settings

SAMPLES = ROOT / "samples" / "articles"


@pytest.fixture
def seeded(tmp_path: Path, minilm: SentenceTransformerEmbedder) -> Searcher:
    settings = make_settings(tmp_path / "data", EMBEDDING_MODEL=minilm.name)
    store = Store.open(settings.db_url, settings.index_dir, minilm.name, minilm.dim)
    ingest([str(SEED), str(SAMPLES)], settings.ingest, store, minilm)
    return Searcher(store, minilm)


@pytest.mark.shared
@pytest.mark.slow
def test_truss_question_ranks_the_blinken_sullivan_paragraph_first(seeded: Searcher) -> None:
    [best, *_] = seeded.search("Who will Truss meet in Washington?", k=5)
    assert "Blinken" in best.text and "Sullivan" in best.text
    assert best.published == "2022-03-08"


@pytest.mark.shared
@pytest.mark.slow
def test_sample_meeting_question(seeded: Searcher) -> None:
    hits = seeded.search("Where did the Norwegian and Canadian foreign ministers meet?", k=3)
    assert any("Oslo" in hit.text for hit in hits)


CONTRACT = {
    "passage_id": int,
    "article_id": int,
    "score": float,
    "text": str,
    "title": str,
    "outlet": (str, type(None)),
    "url": (str, type(None)),
    "published": (str, type(None)),
}


@pytest.mark.shared
def test_json_contract_shape(seeded: Searcher) -> None:
    payload = search_json("Oslo talks", seeded.search("Oslo talks", k=3))
    assert set(payload) == {"query", "results"} and len(payload["results"]) == 3
    for result in payload["results"]:
        assert set(result) == set(CONTRACT)
        for key, kind in CONTRACT.items():
            assert isinstance(result[key], kind), key
    scores = [r["score"] for r in payload["results"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.shared
@pytest.mark.slow
def test_cli_search_json_from_stdin(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")  # hash embedder: the CLI path, not ranking
    assert run_cli(settings, "ingest", str(SEED), str(SAMPLES)).returncode == 0
    result = run_cli(
        settings, "search", "--json", "--k", "2", "-", stdin="Truss Blinken Washington\n\nOslo\n"
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["Truss Blinken Washington", "Oslo"]
    assert all(len(line["results"]) == 2 for line in lines)
    assert lines[0]["results"][0]["published"] == "2022-03-08"


def _sub(name: str) -> SubQuery:
    return SubQuery(frozenset({name}), name, frozenset())


@pytest.mark.parametrize(
    ("rankings", "fallback", "k", "expected"),
    [
        ([[1, 2, 3], [4, 5]], [9], 10, [1, 4, 2, 5, 3, 9]),  # in turn, then the fallback
        ([[1, 2, 3], [4, 5]], [9], 3, [1, 4, 2]),
        ([[1, 2], [1, 3]], [], 10, [1, 3, 2]),  # a passage taken once
        ([[], [4]], [4, 8], 10, [4, 8]),
        ([], [7, 8, 9], 2, [7, 8]),  # no sub-query: the global ranking
    ],
)
def test_interleave(
    rankings: list[list[int]], fallback: list[int], k: int, expected: list[int]
) -> None:
    per_sub = [(_sub(f"s{n}"), [(pid, 1.0 / (1 + r)) for r, pid in enumerate(ranking)])
               for n, ranking in enumerate(rankings)]  # fmt: skip
    taken = _interleave(per_sub, [(pid, 0.5) for pid in fallback], k)
    assert [t.passage_id for t in taken] == expected
    scores = [t.score for t in taken]
    assert scores == sorted(scores, reverse=True)  # rank order though scales differ
    assert all(t.source is None for t in taken if t.passage_id in set(fallback) - {4})


ARTICLES = [
    (
        "a1",
        "Chipmaker raises prices",
        "TechCrunch",
        3,
        "The chipmaker raised wafer prices by ten percent for next year.",
    ),
    (
        "a2",
        "Chipmaker outlook",
        "TechCrunch",
        4,
        "Analysts expect the chipmaker to keep its margins.",
    ),
    (
        "b1",
        "Airline cuts routes",
        "Fortune",
        5,
        "The airline cut twelve routes after fuel costs rose sharply.",
    ),
    ("b2", "Airline strike", "Fortune", 6, "Pilots at the airline voted to strike over pay."),
    (
        "c1",
        "Chipmaker and airline",
        "The Verge",
        7,
        "The chipmaker and the airline both reported results.",
    ),
]


@pytest.fixture
def two_outlets(store: Store, hash_embedder: HashEmbedder) -> Store:
    drafts = []
    for key, title, outlet, day, text in ARTICLES:
        vector = hash_embedder.encode_documents([text])[0]
        drafts.append(
            ArticleDraft(key, key, title, outlet, None, datetime(2023, 10, day, tzinfo=UTC), key,
                         key, [PassageDraft(0, 0, len(text), text, vector)])
        )  # fmt: skip
    store.write(drafts)
    return store


QUESTION = (
    "Does the TechCrunch article say the chipmaker raised wafer prices, while the Fortune "
    "report says the airline cut routes after fuel costs rose?"
)


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_each_named_outlet_reaches_the_top(
    two_outlets: Store, hash_embedder: HashEmbedder, mode: str
) -> None:
    searcher = Searcher(two_outlets, hash_embedder, mode)
    hits = searcher.search(QUESTION, k=2)
    assert {h.outlet for h in hits} == {"TechCrunch", "Fortune"}
    assert {h.title for h in hits} == {"Chipmaker raises prices", "Airline cuts routes"}
    assert [s.outlets for s in searcher.sub_queries(QUESTION)] == [
        {"TechCrunch"},
        {"Fortune"},
    ]
    assert [pid for pid, _ in searcher.rank(QUESTION, 2)] == [h.passage_id for h in hits]


def test_explain_says_why(two_outlets: Store, hash_embedder: HashEmbedder) -> None:
    searcher = Searcher(two_outlets, hash_embedder, "hybrid")
    question = QUESTION + " The Verge on October 7, 2023?"
    plain = searcher.search(question, k=5)
    explained = searcher.search(question, k=5, explain=True)
    assert [h.passage_id for h in plain] == [h.passage_id for h in explained]
    assert all(h.why is None and "why" not in h.to_json() for h in plain)
    first = explained[0]
    assert first.why is not None and first.to_json()["why"] == first.why
    assert set(first.why) == {"dense", "lexical", "filters", "sub_query", "from_rank", "fused"}
    assert set(first.why["dense"]) == {"rank", "cosine"}
    assert set(first.why["lexical"]) == {"rank", "bm25"} and first.why["lexical"]["bm25"] > 0
    assert first.why["sub_query"]["outlets"] == [first.outlet]
    assert first.why["filters"]["outlet"] == first.outlet
    verge = next(h for h in explained if h.outlet == "The Verge")
    assert verge.why is not None and verge.why["filters"]["date"] is True
    assert json.dumps([h.to_json() for h in explained])  # JSON all the way down


def test_single_retriever_without_filters_keeps_its_scores(
    two_outlets: Store, hash_embedder: HashEmbedder
) -> None:
    [hit] = Searcher(two_outlets, hash_embedder, "lexical").search(
        "wafer prices", k=1, explain=True
    )
    assert hit.why is not None and hit.score == pytest.approx(hit.why["lexical"]["bm25"], abs=1e-5)
    assert hit.why["sub_query"] is None and hit.why["from_rank"] == 1


def test_hit_stays_frozen_and_why_is_optional() -> None:
    hit = Hit(1, 1, 0.1, "text", "Title", None, None, None)
    assert hit.why is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 2.0  # type: ignore[misc]


class CountingLexical:
    """The store's lexical index, counting the scorings asked of it."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.scored: list[tuple[str, str]] = []

    def scores(self, query: str, name: str = "titled") -> object:
        self.scored.append((name, query))
        return self.inner.scores(query, name)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)  # type: ignore[arg-type]


def test_one_answer_scores_a_query_once(two_outlets: Store, hash_embedder: HashEmbedder) -> None:
    lexical = CountingLexical(two_outlets.lexical_index)
    searcher = Searcher(two_outlets, hash_embedder, "hybrid", lexical=lexical)  # type: ignore[arg-type]
    plain = (searcher.search(QUESTION, 3), searcher.rank(QUESTION, 200))
    once = len(lexical.scored) // 2  # the question by its titled field, each outlet's clause
    assert once == 3 and len(set(lexical.scored)) == 3
    with searcher.remembering_scores():
        remembered = (searcher.search(QUESTION, 3), searcher.rank(QUESTION, 200))
        assert len(lexical.scored) == 3 * once  # scored for the search, not for the ranking
    assert remembered == plain
    with searcher.remembering_scores():
        searcher.search(QUESTION, 3)  # a new answer scores again
        text = "Pilots at the airline voted to strike again."
        vector = hash_embedder.encode_documents([text])[0]
        two_outlets.write(
            [ArticleDraft("b3", "b3", "Airline strike again", "Fortune", None,
                          datetime(2023, 10, 8, tzinfo=UTC), "b3", "b3",
                          [PassageDraft(0, 0, len(text), text, vector)])]
        )  # fmt: skip
        searcher.refresh()
        # The catalogue changed: its scores are made again, over the passages it holds now.
        hits = searcher.search("airline strike", 5)
        assert "Airline strike again" in {h.title for h in hits}
    assert len(lexical.scored) == 4 * once + 1
