"""Callback data and keyboards."""

from __future__ import annotations

import pytest

from bot.telegram import buttons


@pytest.mark.parametrize(
    ("data", "press"),
    [
        ("ask:Who met whom?", buttons.Press("ask", text="Who met whom?")),
        ("src:12", buttons.Press("src", 12)),
        ("more:12:3", buttons.Press("more", 12, 3)),
        ("fb:12:1", buttons.Press("fb", 12, 1)),
        ("fb:12:-1", buttons.Press("fb", 12, -1)),
        ("fb:12:5", None),
        ("src:x", None),
        ("more:1", None),
        ("ask:  ", None),
        ("other:1", None),
        ("", None),
        (None, None),
    ],
)
def test_parse(data: str | None, press: buttons.Press | None) -> None:
    assert buttons.parse(data) == press


def test_every_button_fits_telegrams_64_bytes() -> None:
    big = 2**62
    markup = buttons.answer_keyboard(big, sources=True, shown=10_000, vote=-1)
    datas = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert all(isinstance(d, str) and buttons.fits(d) for d in datas)
    assert buttons.vote_of(markup) == -1
    assert buttons.ask_data("é" * 60) is None  # 120 bytes: left out, not truncated
    keyboard = buttons.examples_keyboard(["Who met?", "é" * 60])
    assert keyboard is not None and len(keyboard.inline_keyboard) == 1


def test_answer_without_sources_has_no_sources_button() -> None:
    markup = buttons.answer_keyboard(1, sources=False, shown=0)
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "🔎 More like this",
        "👍",
        "👎",
    ]
