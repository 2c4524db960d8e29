"""The HTML the bot sends, piece by piece: article text escaped, the cited sentence in bold."""

from __future__ import annotations

import pytest

from bot.render import full_sources_html
from bot.telegram.loopback import html_error, visible_text
from retrieval.qa.search import Hit


def _hit(text: str) -> Hit:
    return Hit(1, 1, 0.5, text, "A title", "An Outlet", "https://x.example/a", None)


@pytest.mark.parametrize(
    ("text", "cited", "bold"),
    [
        ("A < is odd.", "lt; is odd.", None),  # "lt;" is in the escaped text, not the raw one
        ("A & B < C.", "& B <", "&amp; B &lt;"),
        ("Tom & Jerry met. They talked.", "They talked.", "They talked."),
        ("One\n two  three.", "two three.", "two three."),
        ("No quote here.", "", None),
        ("No quote here.", "elsewhere", None),
    ],
)
def test_full_sources_bolds_the_quote_found_in_the_raw_text(
    text: str, cited: str, bold: str | None
) -> None:
    sent = full_sources_html([(1, _hit(text), cited)])
    assert html_error(sent) is None, sent
    body = sent.split("<blockquote expandable>", 1)[1]
    assert body.count("<b>") == (1 if bold else 0), sent
    if bold:
        assert f"<b>{bold}</b>" in body
    assert " ".join(text.split()) in visible_text(sent)
