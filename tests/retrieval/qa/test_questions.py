"""The question reader: the names a question asks about, whatever the small tagger calls them."""

from __future__ import annotations

import functools

import pytest
from spacy.tokens import Doc, Span

from retrieval.nlp import load_nlp
from retrieval.qa.meeting_choice import companion_asked, first_asked, says_first
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


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("When did Ana Ruiz and Teo Varga first meet?", True),
        ("Where was their first-ever face-to-face summit?", True),
        ("When did Ruiz meet Varga for the first time?", True),
        ("Who did the first lady meet in Lyon?", False),
        ("When did Ana Ruiz last meet Teo Varga?", False),
    ],
)
def test_a_question_for_the_first_meeting(question: str, first: bool) -> None:
    assert first_asked(question) is first


@pytest.mark.parametrize(
    ("sentence", "first"),
    [
        ("It was their first meeting since the election.", True),
        ("The two first met in Lyon in 2019.", True),
        ("Ruiz met Varga for the first time on Monday.", True),
        ("It was their second meeting; the first was in Porto.", True),
        ("Ruiz met the first minister of Norland on Monday.", False),
        ("Ruiz met Varga after the first round of voting.", False),
    ],
)
def test_a_sentence_that_tells_of_a_first_meeting(sentence: str, first: bool) -> None:
    assert says_first(sentence) is first
