"""Dates resolved against the publication date and the tense of the sentence."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.meetings.dates import month_of, resolve_date, weekday_date
from retrieval.meetings.timing import date_of
from retrieval.nlp import load_nlp

TUESDAY = date(2022, 3, 8)  # the seed article's publication day


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        # The seed: "will hold talks ... on Wednesday" in a Tuesday article.
        ("Wednesday", "future", date(2022, 3, 9)),
        ("on Wednesday afternoon", "future", date(2022, 3, 9)),
        ("Monday", "past", date(2022, 3, 7)),
        ("Monday", "future", date(2022, 3, 14)),
        ("Wednesday", "past", date(2022, 3, 2)),
        # A weekday equal to the publication day is that day, whatever the tense.
        ("Tuesday", "future", TUESDAY),
        ("Tuesday", "past", TUESDAY),
        ("late Tuesday", "past", TUESDAY),
        # ... unless "next" or "last" says otherwise.
        ("next Tuesday", "future", date(2022, 3, 15)),
        ("last Tuesday", "past", date(2022, 3, 1)),
        ("yesterday", "past", date(2022, 3, 7)),
        ("today", "past", TUESDAY),
        ("tomorrow", "future", date(2022, 3, 9)),
        ("last night", "past", date(2022, 3, 7)),
        # Explicit days: the year comes from the publication date, moved by the tense.
        ("9 March", "future", date(2022, 3, 9)),
        ("March 9", "past", date(2021, 3, 9)),
        ("December 10", "past", date(2021, 12, 10)),
        ("10 December 2021", "future", date(2021, 12, 10)),
        ("Mar. 9, 2022", "past", date(2022, 3, 9)),
        ("2022-03-09", "past", date(2022, 3, 9)),
        # days ago count back from the publication day
        ("two days ago", "past", date(2022, 3, 6)),
        ("3 days ago", "past", date(2022, 3, 5)),
        # the present simple ("meets B on Thursday"): the nearest such day either way
        ("Thursday", "present", date(2022, 3, 10)),
        ("Sunday", "present", date(2022, 3, 6)),
        ("Tuesday", "present", TUESDAY),
        ("next Tuesday", "present", date(2022, 3, 15)),
    ],
)
def test_resolve_date(text: str, tense: str, expected: date) -> None:
    assert resolve_date(text, TUESDAY, tense) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["last week", "two months", "four years and five months", "2009", "the day", ""]
)
def test_expressions_that_name_no_day_resolve_to_nothing(text: str) -> None:
    assert resolve_date(text, TUESDAY, "past") is None


def test_without_a_publication_date_only_full_dates_resolve() -> None:
    assert resolve_date("Wednesday", None, "future") is None
    assert resolve_date("9 March", None, "future") is None
    assert resolve_date("9 March 2022", None, "future") == date(2022, 3, 9)


@pytest.mark.parametrize(
    ("weekday", "published", "tense", "expected"),
    [
        (5, date(2023, 9, 13), "future", date(2023, 9, 16)),  # Wed paper, "on Saturday"
        (2, date(2023, 9, 13), "future", date(2023, 9, 13)),  # Wed paper, "on Wednesday"
        (6, date(2024, 10, 14), "past", date(2024, 10, 13)),  # Mon paper, "met on Sunday"
        (0, date(2024, 12, 31), "future", date(2025, 1, 6)),  # across a year end
    ],
)
def test_weekday_date(weekday: int, published: date, tense: str, expected: date) -> None:
    assert weekday_date(weekday, published, tense) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("in early October", "past", (date(2023, 10, 1), date(2023, 10, 31))),
        ("last December", "past", (date(2022, 12, 1), date(2022, 12, 31))),
        ("in February", "future", (date(2024, 2, 1), date(2024, 2, 29))),
        ("in June 2021", "future", (date(2021, 6, 1), date(2021, 6, 30))),
        ("90-minute", "past", None),
        (None, "past", None),
    ],
)
def test_month_of(text: str | None, tense: str, expected: tuple[date, date] | None) -> None:
    assert month_of(text, date(2023, 11, 13), tense) == expected  # type: ignore[arg-type]


def test_a_month_is_the_date_text_before_a_length() -> None:
    doc = load_nlp()("In early October, Ana Ruiz had a 90-minute meeting with Teo Varga in Lyon.")
    verb = next(t for t in doc if t.lemma_ == "have")
    assert date_of(verb, doc[:], date(2023, 11, 13), "past") == (None, "early October")
