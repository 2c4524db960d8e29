"""The rules for text from outside that every layer applies alike."""

from __future__ import annotations

import pytest

from retrieval.safety import replace_surrogates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("caf\udce9 au lait", "caf\ufffd au lait"),  # the byte 0xe9, kept by surrogateescape
        ("\ud83d alone", "\ufffd alone"),  # half a pair, as JSON can carry it
        ("\udcff\udcfe", "\ufffd\ufffd"),
        ("😀 and é stay", "😀 and é stay"),
        ("", ""),
    ],
)
def test_lone_surrogates_become_the_replacement_character(text: str, expected: str) -> None:
    replaced = replace_surrogates(text)
    assert replaced == expected
    replaced.encode("utf-8")  # what spaCy, the tokenizer and every UTF-8 writer need
