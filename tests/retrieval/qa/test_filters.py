from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from retrieval.qa.filters import (
    QueryFilters,
    outlet_aliases,
    outlet_mentions,
    parse_dates,
    parse_filters,
    split_by_outlet,
)

OUTLETS = [
    "TechCrunch",
    "Fortune",
    "The Verge",
    "The Age",
    "Cnbc | World Business News Leader",
    "The Independent - Sports",
    "The Independent - Travel",
    "Live Science: The Most Interesting Articles",
    "Sporting News",
]


@pytest.mark.parametrize(
    ("outlet", "aliases"),
    [
        ("TechCrunch", {"techcrunch"}),
        ("The Verge", {"verge"}),
        ("Cnbc | World Business News Leader", {"cnbc world business news leader", "cnbc"}),
        ("The Independent - Sports", {"independent sports", "independent"}),
        (
            "Live Science: The Most Interesting Articles",
            {"live science the most interesting articles", "live science"},
        ),
        ("CBSSports.com", {"cbssports com"}),
    ],
)
def test_outlet_aliases(outlet: str, aliases: set[str]) -> None:
    assert outlet_aliases(outlet) == aliases


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("What did TechCrunch and The Verge say?", [{"TechCrunch"}, {"The Verge"}]),
        ("Did CNBC report it?", [{"Cnbc | World Business News Leader"}]),  # the short name
        (
            "Did 'Cnbc | World Business News Leader' report it?",
            [{"Cnbc | World Business News Leader"}],
        ),
        (
            "What did The Independent say?",
            [{"The Independent - Sports", "The Independent - Travel"}],
        ),
        ("What did The Independent - Travel say?", [{"The Independent - Travel"}]),  # longest wins
        ("A report in The Age on rugby", [{"The Age"}]),
        ("Retired at the age of 30", []),  # not a proper noun
        ("Is techcrunchy a word?", []),  # whole words only
        ("According to Live Science, ...", [{"Live Science: The Most Interesting Articles"}]),
        ("No outlet here", []),
    ],
)
def test_outlet_mentions(question: str, named: list[set[str]]) -> None:
    assert [set(m.outlets) for m in outlet_mentions(question, OUTLETS)] == named


def test_mention_spans_cover_the_name() -> None:
    question = "Does the 'Sporting News' article say so?"
    [mention] = outlet_mentions(question, OUTLETS)
    assert question[mention.start : mention.end] == "the 'Sporting News"


@pytest.mark.parametrize(
    ("question", "dates"),
    [
        ("published on October 7, 2023", {date(2023, 10, 7)}),
        ("on 7th Oct. 2023 and Sept 30 2023", {date(2023, 10, 7), date(2023, 9, 30)}),
        ("on 2023-10-04", {date(2023, 10, 4)}),
        ("published at '2023-10-04T22:42:00+00:00'", {date(2023, 10, 4)}),  # a timestamp's date
        ("on February 30, 2023", set()),  # no such day
        ("in 2023", set()),
    ],
)
def test_parse_dates(question: str, dates: set[date]) -> None:
    assert parse_dates(question) == dates


def test_parse_filters_and_matches() -> None:
    wanted = parse_filters("Did CNBC report it on October 7, 2023?", OUTLETS)
    assert wanted.outlets == {"Cnbc | World Business News Leader"}
    assert wanted.dates == {date(2023, 10, 7)}
    assert wanted.matches("Cnbc | World Business News Leader", None)
    assert wanted.matches("Fortune", datetime(2023, 10, 8, 3, tzinfo=UTC))  # a day either side
    assert not wanted.matches("Fortune", datetime(2023, 10, 9, tzinfo=UTC))
    assert not QueryFilters()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Does the TechCrunch article suggest that rates rose, while the Fortune report "
            "claims that rates fell?",
            [
                ({"TechCrunch"}, "the TechCrunch article suggest that rates rose, while"),
                ({"Fortune"}, "the Fortune report claims that rates fell?"),
            ],
        ),
        (  # outlets listed together: their clauses cannot be told apart
            "Who was convicted of fraud, as reported by Fortune, The Verge, and TechCrunch?",
            [({"Fortune"}, None), ({"The Verge"}, None), ({"TechCrunch"}, None)],
        ),
        (  # nothing after the name: the whole question
            "Which company lost the lawsuit, according to TechCrunch?",
            [({"TechCrunch"}, None)],
        ),
        ("Which company lost the lawsuit?", []),
    ],
)
def test_split_by_outlet(question: str, expected: list[tuple[set[str], str | None]]) -> None:
    subs = split_by_outlet(question, OUTLETS)
    assert [(set(s.outlets), s.text) for s in subs] == [
        (outlets, text if text is not None else question) for outlets, text in expected
    ]


def test_same_outlet_twice_gives_two_clauses_with_their_dates() -> None:
    question = (
        "After the TechCrunch report on October 7, 2023, about Flexport's chief executive, "
        "and the TechCrunch article on October 30, 2023, about its founder, did it change?"
    )
    first, second = split_by_outlet(question, OUTLETS)
    assert first.outlets == second.outlets == {"TechCrunch"}
    assert first.dates == {date(2023, 10, 7)} and second.dates == {date(2023, 10, 30)}
    assert "chief executive" in first.text and "founder" in second.text
