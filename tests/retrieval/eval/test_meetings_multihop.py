"""Our own meeting questions on the MultiHop-RAG corpus (tests/data/meetings-multihop) are
well-formed: each line loads, each gold answer scores full marks against itself, and (with
../shared present) each evidence URL is a corpus article whose text holds the note's quote."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from typing import Any

import pytest

from retrieval.eval.meeting_set import TYPES, load_questions
from retrieval.eval.meetings import score_answer
from tests.support.settings import CORPUS, ROOT

QUESTIONS = ROOT / "tests" / "data" / "meetings-multihop" / "questions.jsonl"
QUOTE = re.compile(r"\u201c(.+?)\u201d")


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]


def _plain(text: str) -> str:
    """Whitespace squeezed and curly apostrophes made straight, as the notes quote."""
    return " ".join(text.replace("\u2019", "'").split())


@cache
def _corpus() -> dict[str, str]:
    articles = json.loads(CORPUS.read_text(encoding="utf-8"))
    return {a["url"]: _plain(f"{a['title']} {a['body']}") for a in articles}


def test_every_question_loads_with_a_known_type_and_a_unique_id() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) == len(_rows()) >= 80
    assert len({q.qid for q in questions}) == len(questions)
    assert {q.type for q in questions} == set(TYPES)


def test_gold_answers_are_shaped_by_type_and_score_full_marks() -> None:
    for q in load_questions(QUESTIONS):
        if q.type == "none":
            assert q.gold == () and q.evidence == frozenset(), q.qid
            body: dict[str, Any] = {"found": False, "values": []}
        else:
            assert q.gold and q.evidence, q.qid
            assert all(url.startswith(("https://", "http://")) for url in q.evidence), q.qid
            body = {"found": True, "values": list(q.gold)}
        if q.type == "when":
            assert len(q.gold) == 1 and date.fromisoformat(q.gold[0]), q.qid
        assert score_answer(q, body, set(q.evidence)).correct, q.qid


def test_notes_quote_briefly() -> None:
    """A note quotes the supporting sentence; never whole articles."""
    for row in _rows():
        assert len(row["note"]) <= 400, row["qid"]
        if row["type"] != "none":
            assert QUOTE.search(row["note"]), row["qid"]


@pytest.mark.shared
def test_evidence_urls_are_corpus_articles_holding_the_quote() -> None:
    corpus = _corpus()
    for row in _rows():
        missing = [url for url in row["evidence"] if url not in corpus]
        assert not missing, (row["qid"], missing)
        for quote in QUOTE.findall(row["note"]):
            assert any(_plain(quote) in corpus[url] for url in row["evidence"]), row["qid"]
