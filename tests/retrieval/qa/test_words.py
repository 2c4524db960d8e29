"""A question's names against a text's words: a numbered name keeps its numeral."""

from __future__ import annotations

import pytest

from retrieval.nlp import load_nlp
from retrieval.qa.words import question_names, words_of

TEXT = (
    "King Osric III opened the new harbour wall on Monday. The Tarn Regatta XLII was won by "
    "a crew from Ardley. When I asked, the mayor said Pope Urban VI had blessed the first one."
)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("When was King Osric III crowned?", True),
        ("Who was King Osric II's father?", False),
        ("Who was the father of King Osric IV?", False),
        ("Who is King Osric?", True),  # no numeral asked: any Osric
        ("Who won the Tarn Regatta XLII?", True),
        ("Who won the Tarn Regatta XLIII?", False),
        ("What did Pope Urban VI bless?", True),
        ("What did Pope Urban V bless?", False),
        # "I" after a name is a numeral; after another word it is the pronoun.
        ("Who succeeded King Osric I?", False),
        ("Can I meet King Osric III?", True),
    ],
)
def test_a_numbered_name_is_found_only_with_its_numeral(question: str, named: bool) -> None:
    names = question_names(load_nlp()(question), set())
    assert names
    words = words_of(TEXT)
    assert any(words.has_name(name) for name in names) is named, names
