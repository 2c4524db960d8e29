from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean_paragraphs, content_hash
from ingest.formats import parse_archive
from tests.support.seed import seed_paragraphs, seed_text, seed_title
from tests.support.settings import SEED

CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0 (newline and tab too), DEL, C1


@pytest.mark.shared
def test_seed_keeps_exactly_its_paragraphs_in_order_once_each() -> None:
    [article], _ = parse_archive(seed_text(), str(SEED))
    assert article.title == seed_title()
    assert clean_paragraphs(article.body) == seed_paragraphs()


@pytest.mark.parametrize(
    "furniture",
    [
        "READ MORE\nPutin isn't alone in rethinking the past – so is the West",
        "Read more: Why the summit matters",
        "Updated: March 08, 2022, 11:26 PM",
        "Published on 3 May 2023",
        "EDITOR'S PICKS",
        "NEWSLETTERS",
        "MORE FROM THE NATIONAL",
        "More from the Herald",
        "An image that illustrates this article Far-right groups emergeStory gallery icon",
        "A soldier stands on a barricade in central Odessa, Ukraine. Reuters",
        "The leaders shake hands at the summit. Getty Images",
        "LONDON, ENGLAND - MARCH 08: The minister arrives at Downing Street. Getty",
        "Live updates: follow the latest news on the summit",
        "Jane Smith\nMar 08, 2022",
        "(Photo by John Doe/AFP)",
    ],
)
def test_furniture_is_removed(furniture: str) -> None:
    body = f"The talks began on Monday.\n\n{furniture}\n\nThey ended on Tuesday."
    assert clean_paragraphs(body) == ["The talks began on Monday.", "They ended on Tuesday."]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Mr Blinken said the talks were productive.",
        "US SANCTIONS on Russia will stay, the minister said.",
        "The meeting, in Washington, lasted two hours",
        "Putin and Xi met in Moscow.",
    ],
)
def test_real_paragraphs_are_kept(paragraph: str) -> None:
    assert clean_paragraphs(f"Intro line here.\n\n{paragraph}") == ["Intro line here.", paragraph]


def test_a_repeated_paragraph_goes_entirely() -> None:
    body = "One.\n\nCaption of a photo\n\nTwo.\n\nCaption of a photo"
    assert clean_paragraphs(body) == ["One.", "Two."]


def test_hard_wrapped_paragraph_is_joined() -> None:
    body = "The minister said the talks\nwould resume next week in\nGeneva.\n\nNext one."
    assert clean_paragraphs(body) == [
        "The minister said the talks would resume next week in Geneva.",
        "Next one.",
    ]


def test_content_hash_ignores_case_and_spacing_only() -> None:
    base = content_hash("Title", ["Para one.", "Para two."])
    assert content_hash("title ", ["para  one.", "Para two."]) == base
    assert content_hash("Title", ["Para one.", "Para three."]) != base


@pytest.mark.parametrize(
    "paragraph",
    [
        "Live-fire exercises continued near the border on Tuesday.",
        "Related-party transactions rose 40% in the quarter.",
        "Published on Monday, the report found that talks had stalled.",
        "Posted on a wall outside the station, the notice listed the names.",
        "More from the minister's interview: she said talks would continue.",
        "Watch-makers in Geneva said exports fell.",
    ],
)
def test_sentences_that_start_like_furniture_are_kept(paragraph: str) -> None:
    assert clean_paragraphs(f"First.\n\n{paragraph}") == ["First.", paragraph]


def test_wrapped_paragraph_with_a_line_that_looks_like_a_stamp() -> None:
    body = "The statement was\nupdated on Monday to include\nthe new figures."
    assert clean_paragraphs(body) == [
        "The statement was updated on Monday to include the new figures."
    ]


# Article-like lines (furniture among them) and any character at all, controls included.
CLEAN_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            ["READ MORE", "Read more: elsewhere", "EDITOR'S PICKS", "Mar 08, 2022", "Ann Lee",
             "The talks ended.", "A photo of the port. Reuters", "\n", "\n\n", "\r\n", " "]
        ),
        st.text(max_size=30),
    ),
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(text=CLEAN_TEXT)
def test_cleaning_leaves_no_control_characters_and_is_idempotent(text: str) -> None:
    paragraphs = clean_paragraphs(text)
    for paragraph in paragraphs:
        assert paragraph and paragraph == paragraph.strip()
        assert not CONTROLS.search(paragraph), repr(paragraph)
        assert "\n" not in paragraph and "\t" not in paragraph
    assert clean_paragraphs("\n\n".join(paragraphs)) == paragraphs


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Others believed the idea would work. Loading Ana Ruiz had seen it before.",
            "Others believed the idea would work. Ana Ruiz had seen it before.",
        ),
        (
            "The talks ended late. Advertisement The two sides meet again in May.",
            "The talks ended late. The two sides meet again in May.",
        ),
        # the words in a sentence of their own stay
        (
            "Loading the ships took a week. The advertisement ran twice.",
            "Loading the ships took a week. The advertisement ran twice.",
        ),
    ],
)
def test_a_widget_placeholder_between_sentences_goes(paragraph: str, expected: str) -> None:
    assert clean_paragraphs(f"First.\n\n{paragraph}") == ["First.", expected]
