from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.search import Searcher, search_json
from retrieval.store import Store
from tests.conftest import ROOT, SEED, make_settings
from tests.ingest.test_pipeline import run_cli

pytestmark = pytest.mark.shared

SAMPLES = ROOT / "samples" / "articles"


@pytest.fixture
def seeded(tmp_path: Path, minilm: SentenceTransformerEmbedder) -> Searcher:
    settings = make_settings(tmp_path / "data", EMBEDDING_MODEL=minilm.name)
    store = Store.open(settings.db_url, settings.index_dir, minilm.name, minilm.dim)
    ingest([str(SEED), str(SAMPLES)], settings, store, minilm)
    return Searcher(store, minilm)


@pytest.mark.slow
def test_truss_question_ranks_the_blinken_sullivan_paragraph_first(seeded: Searcher) -> None:
    [best, *_] = seeded.search("Who will Truss meet in Washington?", k=5)
    assert "Blinken" in best.text and "Sullivan" in best.text
    assert best.published == "2022-03-08"


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


def test_json_contract_shape(seeded: Searcher) -> None:
    payload = search_json("Oslo talks", seeded.search("Oslo talks", k=3))
    assert set(payload) == {"query", "results"} and len(payload["results"]) == 3
    for result in payload["results"]:
        assert set(result) == set(CONTRACT)
        for key, kind in CONTRACT.items():
            assert isinstance(result[key], kind), key
    scores = [r["score"] for r in payload["results"]]
    assert scores == sorted(scores, reverse=True)


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
