"""Filters read from a question: the outlets it names and the publication dates it gives.

"According to TechCrunch ..." or "an article published on October 7, 2023" narrow the search.
They are applied as a boost, not a wall: passages that match rank first, and the rest still
follow, so a wrongly read filter costs ranking, never every answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.I
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


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
        if published is not None and self.dates:
            day = published.date()
            return any(abs((day - wanted).days) <= 1 for wanted in self.dates)
        return False


def _outlet_key(name: str) -> str:
    name = re.sub(r"[^\w\s]", " ", name.lower())
    name = re.sub(r"^the\s+", "", name.strip())
    return " ".join(name.split())


def parse_dates(question: str) -> set[date]:
    """Calendar dates written out in a question."""
    found: set[date] = set()
    candidates = [
        (m.group(3), _MONTHS[m.group(1).lower()], m.group(2))
        for m in _MONTH_DAY_YEAR.finditer(question)
    ]
    candidates += [
        (m.group(3), _MONTHS[m.group(2).lower()], m.group(1))
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
    text = " " + _outlet_key(question) + " "
    named = frozenset(
        outlet for outlet in outlets if (key := _outlet_key(outlet)) and f" {key} " in text
    )
    return QueryFilters(outlets=named, dates=frozenset(parse_dates(question)))
