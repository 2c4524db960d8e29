"""Properties of the HTML the bot sends, for any text and any title (hypothesis): Telegram's
strict parser accepts every part of every message, no part is over 4,096 UTF-16 code units,
and what a user sees of the parts is the text that went in."""

from __future__ import annotations

from datetime import datetime
from html import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import (
    answer_as_html,
    full_sources_html,
    headlines_html,
    hits_as_html,
    more_html,
    outlets_html,
    quote,
    source_line,
)
from bot.telegram.loopback import html_error, utf16_len, visible_text
from bot.telegram.split import TELEGRAM_LIMIT, split_html
from retrieval.qa.answer import Answer, Citation
from retrieval.qa.search import Hit
from retrieval.store.browse import Headline, OutletCount

# Any text: every code point hypothesis draws (but lone surrogates, which no str that came
# from UTF-8 or from Telegram's JSON holds), markup-like text and entities more often.
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300) | st.text(
    st.sampled_from(list("<>&;\"' \n\tab/=lt#x1é😀\u200d")), max_size=300
)
_URL = st.none() | st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80)
_DAY = st.none() | st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1))

_hits = st.builds(
    Hit,
    passage_id=st.integers(1, 10**6),
    article_id=st.integers(1, 10**6),
    score=st.floats(0, 1),
    text=_TEXT,
    title=_TEXT,
    outlet=st.none() | _TEXT,
    url=_URL,
    published_at=_DAY,
)
_PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def squeezed(text: str) -> str:
    return "".join(text.split())


def checked_parts(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """split_html's parts, each checked as the strict fake Bot API checks a message; what a
    user sees of them together is what they see of the whole."""
    assert html_error(html) is None, (html_error(html), html)
    parts = split_html(html, limit)
    for part in parts:
        assert html_error(part) is None, (html_error(part), part)
        assert utf16_len(part) <= limit
        # Telegram refuses a message with nothing to see; only a whole with nothing is one.
        assert visible_text(part) or not visible_text(html)
    assert squeezed("".join(visible_text(p) for p in parts)) == squeezed(visible_text(html))
    return parts


@_PROPERTY
@given(st.lists(_hits, max_size=4), st.lists(_TEXT, min_size=4, max_size=4))
def test_full_sources_show_each_passage_whole(hits: list[Hit], cited: list[str]) -> None:
    sources = [(n, hit, cited[n - 1]) for n, hit in enumerate(hits, 1)]
    html = full_sources_html(sources)
    checked_parts(html)
    expected = "Sources" + "".join(f"[{n}] {source_line(h)}{h.text}" for n, h, _ in sources)
    assert squeezed(visible_text(html)) == squeezed(expected)


@_PROPERTY
@given(
    _TEXT, st.lists(st.tuples(_hits, _TEXT), max_size=4), st.lists(_hits, max_size=3), st.booleans()
)
def test_answers_show_their_text_sources_and_quotes(
    text: str, cited: list[tuple[Hit, str]], passages: list[Hit], found: bool
) -> None:
    citations = tuple(Citation(n, hit, q) for n, (hit, q) in enumerate(cited, 1))
    answer = Answer("q", text, found, "passage", citations=citations, passages=tuple(passages))
    html = answer_as_html(answer)
    checked_parts(html)
    expected = text + "".join(f"[{c.n}] {source_line(c.hit)}{quote(c.quote)}" for c in citations)
    assert squeezed(visible_text(html)).startswith(squeezed(expected))


@_PROPERTY
@given(st.lists(_hits, max_size=5), st.integers(1, 50))
def test_hits_and_more_show_titles_and_passages(hits: list[Hit], first: int) -> None:
    for html in (hits_as_html(hits), more_html(hits, first)):
        checked_parts(html)
        for hit in hits:
            assert squeezed(source_line(hit)) in squeezed(visible_text(html))
            assert squeezed(quote(hit.text)) in squeezed(visible_text(html))


@_PROPERTY
@given(
    st.lists(st.builds(Headline, st.integers(1, 9), _TEXT, st.none() | _TEXT, _URL, _DAY),
             max_size=5),
    st.lists(st.builds(OutletCount, _TEXT, st.integers(0, 10**6), _DAY), max_size=5),
)  # fmt: skip
def test_headlines_and_outlets(headlines: list[Headline], outlets: list[OutletCount]) -> None:
    for html in (headlines_html(headlines), outlets_html(outlets)):
        checked_parts(html)
    for row in headlines:
        assert squeezed(row.title) in squeezed(visible_text(headlines_html(headlines)))


@_PROPERTY
@given(st.lists(_hits, min_size=1, max_size=30), st.integers(200, TELEGRAM_LIMIT))
def test_long_messages_split_into_valid_parts_at_any_limit(hits: list[Hit], limit: int) -> None:
    sources = [(n, hit, hit.text[: len(hit.text) // 2]) for n, hit in enumerate(hits, 1)]
    for html in (full_sources_html(sources), hits_as_html(hits)):
        checked_parts(html, limit)


@_PROPERTY
@given(st.lists(_TEXT, min_size=1, max_size=40))
def test_any_escaped_text_splits_into_valid_parts(paragraphs: list[str]) -> None:
    text = "\n\n".join(f"<b>{escape(p)}</b> {escape(p)}" for p in paragraphs)
    parts = checked_parts(text, 300)
    assert squeezed("".join(visible_text(p) for p in parts)) == squeezed(
        "".join(p + p for p in paragraphs)
    )
