"""Reading requests for someone's meetings: the questions, /meetings' arguments, periods."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.meetings.timeline import TimelineQuery
from retrieval.qa.timeline_questions import (
    parse_period,
    parse_since,
    read_meetings_args,
    read_timeline_question,
)

TODAY = date(2026, 3, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Whom has Odile Varga met?", TimelineQuery("Odile Varga")),
        ("who has Varga met", TimelineQuery("Varga")),
        ("Whom has Foreign Minister Odile Varga met so far?",
         TimelineQuery("Foreign Minister Odile Varga")),
        ("Who has Varga met since March?", TimelineQuery("Varga", since=date(2026, 3, 1))),
        ("Who has Varga met since April?", TimelineQuery("Varga", since=date(2025, 4, 1))),
        ("Who did Varga meet in November?",
         TimelineQuery("Varga", since=date(2025, 11, 1), until=date(2025, 11, 30))),
        ("Who did Varga meet in March?",
         TimelineQuery("Varga", since=date(2026, 3, 1), until=date(2026, 3, 31))),
        ("Who did Piet de Wit meet in 2024?",
         TimelineQuery("Piet de Wit", since=date(2024, 1, 1), until=date(2024, 12, 31))),
        ("Who did Varga meet last month?",
         TimelineQuery("Varga", since=date(2026, 2, 1), until=date(2026, 2, 28))),
        ("Has Varga met Elena Quispe this year?",
         TimelineQuery("Varga", "Elena Quispe", since=date(2026, 1, 1), until=TODAY)),
        ("Has Odile Varga ever met with Quispe?", TimelineQuery("Odile Varga", "Quispe")),
        ("Has Varga met Quispe between March 2025 and May 2025?",
         TimelineQuery("Varga", "Quispe", since=date(2025, 3, 1), until=date(2025, 5, 31))),
        ("List the meetings of Varga since 3 February 2025",
         TimelineQuery("Varga", since=date(2025, 2, 3))),
        ("Varga's meetings this week",
         TimelineQuery("Varga", since=date(2026, 3, 16), until=TODAY)),
    ],
)  # fmt: skip
def test_questions_that_ask_for_a_list(text: str, expected: TimelineQuery) -> None:
    assert read_timeline_question(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Who did Varga meet?",  # one meeting: the answer service's
        "Who did Varga meet in Lima?",  # a place, not a period
        "Whom has he met?",
        "Has Varga met Quispe in Lima?",
        "When did Varga meet Quispe?",
        "What did the central bank decide?",
        "Whom has Varga met since the flood?",
    ],
)
def test_other_questions_are_left_to_the_answer_service(text: str) -> None:
    assert read_timeline_question(text, TODAY) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("Odile Varga", TimelineQuery("Odile Varga")),
        ("varga", TimelineQuery("varga")),
        ("Varga since 2025-06-01", TimelineQuery("Varga", since=date(2025, 6, 1))),
        ("Varga in June 2025",
         TimelineQuery("Varga", since=date(2025, 6, 1), until=date(2025, 6, 30))),
        ("Maria Lindqvist-Berg last year",
         TimelineQuery("Maria Lindqvist-Berg", since=date(2025, 1, 1), until=date(2025, 12, 31))),
    ],
)  # fmt: skip
def test_meetings_command_arguments(args: str, expected: TimelineQuery) -> None:
    assert read_meetings_args(args, TODAY) == expected


@pytest.mark.parametrize("args", ["", "   ", "Varga since yesterday's storm", "he"])
def test_meetings_command_arguments_that_cannot_be_read(args: str) -> None:
    assert read_meetings_args(args, TODAY) is None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("in 2025", (date(2025, 1, 1), date(2025, 12, 31))),
        ("during Sept. 2025", (date(2025, 9, 1), date(2025, 9, 30))),
        ("in December", (date(2025, 12, 1), date(2025, 12, 31))),
        ("since 12 March", (date(2026, 3, 12), None)),
        ("since 19 March", (date(2025, 3, 19), None)),  # not yet this year: last year's
        ("since March 4th, 2025", (date(2025, 3, 4), None)),
        ("since last year", (date(2025, 1, 1), None)),
        ("in the past month", (date(2026, 2, 1), date(2026, 2, 28))),
        ("last week", (date(2026, 3, 9), date(2026, 3, 15))),
        ("from 2024 to 2025", (date(2024, 1, 1), date(2025, 12, 31))),
        ("on Tuesday", None),
        ("since 31 February 2025", None),
    ],
)
def test_periods(phrase: str, expected: tuple[date | None, date | None] | None) -> None:
    assert parse_period(phrase, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-03-01", date(2025, 3, 1)), ("March", date(2026, 3, 1)), ("2024", date(2024, 1, 1)),
     ("this month", date(2026, 3, 1)), ("soon", None)],
)  # fmt: skip
def test_since(text: str, expected: date | None) -> None:
    assert parse_since(text, TODAY) == expected


def test_a_period_in_words() -> None:
    assert TimelineQuery("X", since=date(2025, 3, 1)).period == "since 1 Mar 2025"
    november = TimelineQuery("X", since=date(2025, 11, 1), until=date(2025, 11, 30))
    assert november.period == "in November 2025"
    assert TimelineQuery("X", since=date(2025, 1, 1), until=date(2025, 12, 31)).period == "in 2025"
    spring = TimelineQuery("X", since=date(2025, 3, 3), until=date(2025, 4, 30))
    assert spring.period == "from 3 Mar 2025 to 30 Apr 2025"
    assert (
        TimelineQuery("X", since=date(2025, 3, 3), until=date(2025, 3, 3)).period == "on 3 Mar 2025"
    )
    assert november.holds(date(2025, 12, 2), slack_days=3) and not november.holds(date(2025, 12, 2))
