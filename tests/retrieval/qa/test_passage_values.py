"""The place or day a passage answer gives for a where / when question. Invented sentences."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.nlp import load_nlp
from retrieval.qa.passage_values import cited_value
from retrieval.qa.questions import QuestionReader
from retrieval.qa.results import Citation
from retrieval.qa.search import Hit


@pytest.fixture(scope="module")
def reader() -> QuestionReader:
    return QuestionReader(load_nlp())


def _value(reader: QuestionReader, question: str, *quotes: str) -> tuple[str, int] | None:
    published = datetime(2024, 5, 15, tzinfo=UTC)  # a Wednesday
    citations = [
        Citation(n, Hit(n, n, 0.0, q, "News", "The Ledger", None, published), q)
        for n, q in enumerate(quotes, 1)
    ]
    return cited_value(reader.read(question), citations, reader.nlp)


def test_the_place_the_sentence_ties_to_what_is_asked(reader: QuestionReader) -> None:
    question = "At which venue was the Coastal Mayors Gathering that Ana Ruiz attended?"
    quote = "Ana Ruiz is attending the Coastal Mayors Gathering at the Lumo Grand Hotel."
    assert _value(reader, question, quote) == ("Lumo Grand Hotel", 1)
    # the second citation when the first says nothing of it
    assert _value(reader, question, "The weather was fine in the north.", quote) == (
        "Lumo Grand Hotel",
        2,
    )


def test_no_place_unless_tied_to_the_question(reader: QuestionReader) -> None:
    question = "Where was the river festival held?"
    # a place in the sentence, but of something else
    assert _value(reader, question, "Ana Ruiz, who lives in Lyon, praised the festival.") is None
    assert _value(reader, question, "The river festival was held at Norland Park.") == (
        "Norland Park",
        1,
    )


def test_a_place_inside_the_one_asked(reader: QuestionReader) -> None:
    question = "Where in Lyon was the harbour forum held?"
    assert _value(reader, question, "The harbour forum was held in Lyon.") is None
    assert _value(reader, question, "The harbour forum was held at the Old Exchange in Lyon.") == (
        "Old Exchange, Lyon",
        1,
    )


def test_the_day_against_the_publication_date(reader: QuestionReader) -> None:
    question = "When will the harbour forum open?"
    assert _value(reader, question, "The harbour forum will open on Friday.") == ("2024-05-17", 1)
    assert _value(reader, "When did the harbour forum open?", "The forum opened on Monday.") == (
        "2024-05-13",
        1,
    )
    # other questions give no value
    assert _value(reader, "Who opened the harbour forum?", "Ana Ruiz opened the forum.") is None
