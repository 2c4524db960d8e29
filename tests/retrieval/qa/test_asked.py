"""The part a name plays in what a verb says (`role_of`), on invented sentences."""

from __future__ import annotations

import pytest

from retrieval.nlp import load_nlp
from retrieval.qa.asked import Role, role_of


@pytest.mark.parametrize(
    ("sentence", "verb", "noun", "role"),
    [
        ("Who started Harbour Line?", "started", "Line", "patient"),
        ("Harbour Line started a night crossing on Sunday.", "started", "Line", "agent"),
        ("Harbour Line was bought by the Tamberg family.", "bought", "Line", "patient"),
        ("Harbour Line was bought by the Tamberg family.", "bought", "Tamberg", "agent"),
        ("When was the Brightwater Mill founded?", "founded", "Mill", "patient"),
        ("The Brightwater Mill, founded in 1887, reopened.", "founded", "Mill", "patient"),
        ("The Otters have signed the goalkeeper Lena Brask.", "signed", "Brask", "patient"),
        ("The Otters have signed the goalkeeper Lena Brask.", "signed", "Otters", "agent"),
        ("A crew from Ardley, which won the regatta, raced.", "won", "Ardley", "agent"),
        # No part the parse can tell: a preposition's object, a possessive.
        ("Lena Brask signed for the Harwick Otters.", "signed", "Otters", None),
        ("Kestrel's founder started a drone firm.", "started", "Kestrel", None),
    ],
)
def test_role_of(sentence: str, verb: str, noun: str, role: Role | None) -> None:
    doc = load_nlp()(sentence)
    (v,) = [t for t in doc if t.text == verb]
    (n,) = [t for t in doc if t.text == noun]
    assert role_of(v, n) == role
