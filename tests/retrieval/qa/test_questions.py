"""The question reader: the names a question asks about, whatever the small tagger calls them."""

from __future__ import annotations

import functools

import pytest
from spacy.tokens import Doc, Span

from retrieval.nlp import load_nlp
from retrieval.qa.meeting_choice import companion_asked
from retrieval.qa.questions import QuestionReader


@functools.cache
def _nlp():  # type: ignore[no-untyped-def]
    return load_nlp()


def _tagged_a_date(word: str):  # type: ignore[no-untyped-def]
    """The pipeline, with one word of every question re-tagged a DATE, as the small model
    does now and then with a surname."""

    def parse(text: str) -> Doc:
        doc = _nlp()(text)
        spans = [e for e in doc.ents if word not in e.text]
        at = next(t.i for t in doc if t.text == word)
        doc.ents = [*spans, Span(doc, at, at + 1, label="DATE")]
        return doc

    return parse


@pytest.mark.parametrize(
    ("question", "word", "names"),
    [
        ("At which hotel in Lyon did Varga and Ana Ruiz hold their talks?", "Varga", ["Varga"]),
        ("When did Varga meet Ana Ruiz?", "Varga", ["Varga"]),
        ("Who did Ana Ruiz meet on Sunday?", "Sunday", []),
        ("Where did Ana Ruiz meet Tomas Elgin at Easter?", "Easter", []),
        ("When did Ana Ruiz and Tomas Elgin meet in Sept?", "Sept", []),
    ],
)
def test_a_surname_tagged_a_date_is_still_a_name(
    question: str, word: str, names: list[str]
) -> None:
    read = QuestionReader(_tagged_a_date(word)).read(question)
    assert [n for n in read.names if word in n] == names
    assert "Ana Ruiz" in read.names


@pytest.mark.parametrize(
    ("question", "whom"),
    [
        ("Who came along with Tomas Elgin to his meeting with the queen?", "Tomas Elgin"),
        ("Who was with President Elgin when the queen welcomed him?", "President Elgin"),
        ("Who accompanied Ana Ruiz on her visit to Lyon?", "Ana Ruiz"),
        ("Who travelled with Teo Varga?", "Teo Varga"),
        ("Who did Ana Ruiz meet?", None),
        ("Who met with Ana Ruiz in Lyon?", None),
    ],
)
def test_a_question_for_someone_s_companions(question: str, whom: str | None) -> None:
    assert companion_asked(question) == whom
