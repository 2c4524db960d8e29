"""`newsbot ask` end to end: the seed article's three questions with the real model, the JSON
contract line by line from stdin, and `reindex --events`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.settings import ROOT, SEED, make_settings

SEED_QUESTIONS = [
    "Who did Liz Truss meet in Washington?",
    "When did Truss meet Blinken?",
    "Where?",
    "When did Liz Truss meet Vladimir Putin?",
]


@pytest.mark.shared
@pytest.mark.slow
def test_seed_questions_answered_with_citations_by_ask_json(tmp_path: Path, onnx_dir: Path) -> None:
    settings = make_settings(tmp_path / "data", EMBEDDING_MODEL="bundled:all-MiniLM-L6-v2")
    encoder = {"ENCODER_DIR": str(onnx_dir)}  # the session's export, not one per test
    assert run_cli(settings, "ingest", str(SEED), env=encoder).returncode == 0
    done = run_cli(
        settings, "ask", "--json", "-", stdin="\n".join(SEED_QUESTIONS) + "\n", env=encoder
    )
    assert done.returncode == 0, done.stderr
    who, when, where, never = (json.loads(line) for line in done.stdout.splitlines())

    assert who["found"] and who["question"] == SEED_QUESTIONS[0]
    assert {"Antony Blinken", "Jake Sullivan"} <= set(who["values"])
    assert who["citations"][0]["title"] == (
        "UK foreign secretary heads to US for talks on Ukraine crisis"
    )
    assert who["citations"][0]["published"] == "2022-03-08"

    assert when["found"]
    assert when["events"][0]["when"] == "2022-03-09"
    assert when["events"][0]["when_text"] == "Wednesday"
    assert "Wednesday 9 March 2022" in when["answer"]
    assert "announced the meeting in advance" in when["answer"]
    quote = when["citations"][0]["quote"]
    assert "on Wednesday" in quote and quote in " ".join(
        p for p in SEED.read_text().split("\n\n")
    ).replace("\n", " ")

    # "Where?" follows up the question before it.
    assert where["found"] and where["values"] == ["Washington"]
    assert where["citations"]

    assert not never["found"]
    assert never["answer"].startswith("I couldn't find that in the articles")
    assert never["citations"] == []


@pytest.mark.slow
def test_ask_json_contract_and_reindex_events(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    samples = ROOT / "samples" / "articles"
    off = {"EXTRACT_EVENTS": "false"}
    assert run_cli(settings, "ingest", str(samples), env=off).returncode == 0
    question = "When did Arjun Mehra meet Sari Wulandari?"

    # Ingested without events, the best passages are read at question time: the same day.
    before = json.loads(run_cli(settings, "ask", "--json", question).stdout)
    assert before["found"] and before["values"] == ["2025-01-27"]
    assert before["events"][0]["who"] == ["Arjun Mehra", "Sari Wulandari"]
    assert before["events"][0]["with"] == []  # no one else: a title is no one

    backfill = run_cli(settings, "reindex", "--events")
    assert backfill.returncode == 0, backfill.stderr
    assert "in 12 articles" in backfill.stdout

    after = json.loads(run_cli(settings, "ask", "--json", question).stdout)
    assert after["found"]
    assert set(after) >= {"question", "answer", "found", "citations", "events", "passages"}
    assert after["events"][0]["when"] == "2025-01-27"
    citation = after["citations"][0]
    assert citation["n"] == 1 and citation["outlet"] == "Capital Wire"
    assert citation["url"].startswith("https://capitalwire.example/")

    explained = run_cli(settings, "ask", "--explain", question)
    assert "why: question: kind=when" in explained.stdout
