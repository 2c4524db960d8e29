"""The answerability evaluation's counts and threshold trade-off, on answers made up here."""

from __future__ import annotations

import json
from pathlib import Path

from retrieval.eval.answerability import Asked, evaluate_answerability, tallies, tradeoff
from retrieval.qa.results import Answer


def _asked(answerable: bool, found: bool, rule: str | None, score: float | None) -> Asked:
    return Asked("multihop", "k", answerable, found, rule, score)


def test_tallies_count_refusals_by_rule() -> None:
    asked = [
        _asked(False, False, "outlet", None),
        _asked(False, False, "score", 0.2),
        _asked(False, True, None, 0.9),
        _asked(False, False, "score", 0.4),
    ]
    tally = tallies(asked)[("multihop", "k")]
    assert (tally.asked, tally.answered, tally.refused) == (4, 1, 3)
    assert tally.rules == {"score": 2, "outlet": 1}


def test_tradeoff_moves_only_the_score_rule() -> None:
    asked = [
        _asked(False, False, "names", 0.95),  # refused by another rule at any threshold
        _asked(False, True, None, 0.75),
        _asked(True, True, None, 0.8),
        _asked(True, False, "score", 0.6),
    ]
    rows = {t: (r, a) for t, r, a in tradeoff(asked, (0.5, 0.78, 0.9))}
    assert rows[0.5] == (0.5, 1.0)
    assert rows[0.78] == (1.0, 0.5)
    assert rows[0.9] == (1.0, 0.0)


def test_evaluate_reads_both_sets(tmp_path: Path) -> None:
    offtopic = tmp_path / "off.jsonl"
    offtopic.write_text(json.dumps({"kind": "far", "question": "Q1"}) + "\n")
    queries = tmp_path / "q.json"
    queries.write_text(
        json.dumps(
            [
                {"question_type": "null_query", "query": "Q2"},
                {"question_type": "inference_query", "query": "Q3"},
                {"question_type": "inference_query", "query": "Q4"},
            ]
        )
    )

    def ask(text: str) -> Answer:
        return Answer(question=text, text="", found=text == "Q3", kind="passage")

    asked = evaluate_answerability(offtopic, queries, ask, limit=1)
    assert [(a.group, a.kind, a.answerable, a.found) for a in asked] == [
        ("offtopic", "far", False, False),
        ("multihop", "null_query", False, False),
        ("multihop", "inference_query", True, True),
    ]
