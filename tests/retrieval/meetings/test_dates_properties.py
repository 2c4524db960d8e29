"""Weekdays resolved against the publication day, for every weekday, tense and publication
weekday, and for any publication date and phrasing (hypothesis): the day named, on the side of
the publication day the tense (or "next" / "last") says, within a week of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.meetings.dates import resolve_date
from retrieval.meetings.vocab import WEEKDAYS

MONDAY = date(2025, 3, 10)
TENSES = ("future", "past")
MODIFIERS = ("", "next ", "last ", "this coming ")


def _check(weekday: int, published: date, tense: str, modifier: str, got: date | None) -> None:
    """What a resolved weekday must be: that weekday, within 7 days of the publication day,
    after it (or on it) for the future and "next", before it (or on it) for the past and
    "last"; a bare weekday that is the publication day is that day."""
    assert got is not None
    assert got.weekday() == weekday
    ahead = {"next ": True, "this coming ": True, "last ": False}.get(modifier, tense == "future")
    if ahead:
        assert published <= got <= published + timedelta(days=7)
    else:
        assert published - timedelta(days=7) <= got <= published
    if modifier:
        assert got != published  # "next (this coming) Monday" in a Monday paper is a week on
    elif weekday == published.weekday():
        assert got == published


@pytest.mark.parametrize("modifier", MODIFIERS)
@pytest.mark.parametrize("tense", TENSES)
@pytest.mark.parametrize("published_weekday", range(7))
@pytest.mark.parametrize("weekday", range(7))
def test_every_weekday_tense_and_publication_day(
    weekday: int, published_weekday: int, tense: str, modifier: str
) -> None:
    published = MONDAY + timedelta(days=published_weekday)
    text = f"{modifier}{WEEKDAYS[weekday]}"
    _check(weekday, published, tense, modifier, resolve_date(text, published, tense))  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    weekday=st.integers(0, 6),
    published=st.dates(date(1900, 1, 1), date(2200, 12, 31)),
    tense=st.sampled_from(TENSES),
    modifier=st.sampled_from(MODIFIERS),
    before=st.sampled_from(["", "on ", "early ", "late on ", "talks on ", "by "]),
    after=st.sampled_from(["", " morning", " afternoon", " evening", " night", "'s talks", "."]),
    case=st.sampled_from([str.lower, str.title, str.upper]),
)
def test_any_publication_date_and_phrasing(
    weekday: int,
    published: date,
    tense: str,
    modifier: str,
    before: str,
    after: str,
    case: object,
) -> None:
    text = case(f"{before}{modifier}{WEEKDAYS[weekday]}{after}")  # type: ignore[operator]
    _check(weekday, published, tense, modifier, resolve_date(text, published, tense))  # type: ignore[arg-type]
