"""Filters read from a question: the outlets it names and the publication dates it gives.

"According to TechCrunch ..." or "an article published on October 7, 2023" narrow the search.
They are applied as a boost, not a wall: passages that match rank first, and the rest still
follow, so a wrongly read filter costs ranking, never every answer.

A question that names several outlets usually asks about one article of each ("Does the
TechCrunch article suggest X, while the Fortune report claims Y?"), so `split_by_outlet` also
cuts it into one sub-query per outlet: the clause that follows the outlet's name, with the
dates written in that clause. Search looks for each clause within its outlet.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from retrieval.meetings.vocab import MONTH_NUMBERS, MONTH_PATTERN

__all__ = [
    "MIN_CLAUSE_WORDS",
    "Mention",
    "QueryFilters",
    "SubQuery",
    "outlet_aliases",
    "outlet_mentions",
    "parse_dates",
    "parse_filters",
    "split_by_outlet",
]

_MONTH_DAY_YEAR = re.compile(
    rf"\b({MONTH_PATTERN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_PATTERN})\.?,?\s+(\d{{4}})\b", re.I
)
# A bare date or the date of an ISO timestamp ("2023-10-04T22:42:00+00:00").
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:\b|(?=T\d))")
# An outlet's own name before its tagline or section: "Cnbc | World Business News Leader",
# "BBC News - Technology", "Live Science: The Most Interesting Articles". Questions use it.
_TAGLINE = re.compile(r"\s+[|\-\u2013\u2014]\s+|:\s+")
# What may sit between outlet names listed together: "Fortune, The Verge, and TechCrunch".
_LIST_GLUE = re.compile(r"^[\W_]*(?:(?:and|or|as well as|&)\b[\W_]*)?$", re.I)
# A clause needs this many words beyond the outlet's name to say something of its own.
MIN_CLAUSE_WORDS = 4


@dataclass(frozen=True)
class QueryFilters:
    """What a question restricts: outlets (as stored) and publication dates."""

    outlets: frozenset[str] = frozenset()
    dates: frozenset[date] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.outlets or self.dates)

    def matches(self, outlet: str | None, published: datetime | None) -> bool:
        """Whether an article fits any of the filters (one day either side for time zones)."""
        if outlet is not None and outlet in self.outlets:
            return True
        return self.matches_date(published)

    def matches_date(self, published: datetime | None) -> bool:
        """Whether a publication time falls on one of the dates (one day either side)."""
        if published is None or not self.dates:
            return False
        day = published.date()
        return any(abs((day - wanted).days) <= 1 for wanted in self.dates)


@dataclass(frozen=True)
class Mention:
    """Where a question names an outlet; a bare name ("The Independent") can stand for
    several stored outlets ("The Independent - Sports", "The Independent - Travel")."""

    start: int
    end: int
    outlets: frozenset[str]


@dataclass(frozen=True)
class SubQuery:
    """The part of a question about one outlet it names: the clause, and the dates in it.
    `outlets` holds more than one when a bare name stands for several ("The Independent")."""

    outlets: frozenset[str]
    text: str
    dates: frozenset[date]


def _outlet_key(name: str) -> str:
    name = re.sub(r"[^\w\s]", " ", name.lower())
    name = re.sub(r"^the\s+", "", name.strip())
    return " ".join(name.split())


def outlet_aliases(outlet: str) -> set[str]:
    """The keys a question may name an outlet by: its whole name, and its name before a
    tagline or section."""
    keys = {_outlet_key(outlet), _outlet_key(_TAGLINE.split(outlet, maxsplit=1)[0])}
    return {key for key in keys if key}


def _alias_pattern(key: str) -> re.Pattern[str]:
    words = r"[\W_]+".join(re.escape(word) for word in key.split())
    return re.compile(rf"(?<!\w)(?:the[\W_]+)?({words})(?!\w)", re.I)


@functools.lru_cache(maxsize=8)
def _outlet_patterns(
    outlets: frozenset[str],
) -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    """A pattern per alias with the outlets it names; built once per set of known outlets."""
    by_alias: dict[str, set[str]] = {}
    for outlet in outlets:
        for key in outlet_aliases(outlet):
            by_alias.setdefault(key, set()).add(outlet)
    # A whole name names that outlet only, though its short name is shared with others.
    exact = {_outlet_key(outlet): outlet for outlet in outlets}
    return tuple(
        (_alias_pattern(key), frozenset({exact[key]} if key in exact else named))
        for key, named in sorted(by_alias.items())
    )


def outlet_mentions(question: str, outlets: Iterable[str]) -> list[Mention]:
    """The outlets (from those known) a question names, where it names them, in order.

    A name counts only when it starts with a capital letter, as a proper noun does: "The Age"
    is an outlet, "at the age of 30" is not. Where names overlap the longest wins."""
    return list(_mentions(question, frozenset(outlets)))


# Each search of a question reads its outlets twice (its filters, its sub-queries), and one
# answer may search for it more than once: the latest are kept.
@functools.lru_cache(maxsize=256)
def _mentions(question: str, outlets: frozenset[str]) -> tuple[Mention, ...]:
    found: list[Mention] = []
    for pattern, named in _outlet_patterns(outlets):
        for match in pattern.finditer(question):
            if match.group(1)[0].isupper():
                found.append(Mention(match.start(), match.end(), named))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return tuple(kept)


def parse_dates(question: str) -> set[date]:
    """Calendar dates written out in a question."""
    found: set[date] = set()
    candidates = [
        (m.group(3), MONTH_NUMBERS[m.group(1).lower()], m.group(2))
        for m in _MONTH_DAY_YEAR.finditer(question)
    ]
    candidates += [
        (m.group(3), MONTH_NUMBERS[m.group(2).lower()], m.group(1))
        for m in _DAY_MONTH_YEAR.finditer(question)
    ]
    candidates += [(m.group(1), int(m.group(2)), m.group(3)) for m in _ISO.finditer(question)]
    for year, month, day in candidates:
        try:
            found.add(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def parse_filters(question: str, outlets: Iterable[str]) -> QueryFilters:
    """The outlets (from those known) a question names, and the dates it gives."""
    named = frozenset(o for mention in outlet_mentions(question, outlets) for o in mention.outlets)
    return QueryFilters(outlets=named, dates=frozenset(parse_dates(question)))


def split_by_outlet(question: str, outlets: Iterable[str]) -> list[SubQuery]:
    """One sub-query per outlet the question names, in the order it names them.

    The clause of an outlet runs from its name to the next outlet's name: questions say "the
    TechCrunch article suggests X, while the Fortune report claims Y". Outlets listed together
    ("reported by Fortune, The Verge and TechCrunch") or a clause too short to say anything
    ("... as TechCrunch reported?") get the whole question. The same outlet named twice
    ("the TechCrunch report on X and the TechCrunch report on Y") gives two sub-queries."""
    groups: list[list[Mention]] = []
    for mention in outlet_mentions(question, outlets):
        if groups and _LIST_GLUE.match(question[groups[-1][-1].end : mention.start]):
            groups[-1].append(mention)
        else:
            groups.append([mention])
    subs: list[SubQuery] = []
    for number, group in enumerate(groups):
        end = groups[number + 1][0].start if number + 1 < len(groups) else len(question)
        own_words = len(re.findall(r"\w+", question[group[-1].end : end]))
        if len(group) == 1 and own_words >= MIN_CLAUSE_WORDS:
            text = question[group[0].start : end].strip()
            subs.append(SubQuery(group[0].outlets, text, frozenset(parse_dates(text))))
            continue
        # Each outlet of a list still gets its own sub-query: the question asks about an
        # article of each, and one ranking over all of them would let one outlet fill it.
        dates = frozenset(parse_dates(question))
        subs += [SubQuery(mention.outlets, question, dates) for mention in group]
    return subs
