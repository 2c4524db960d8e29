"""Dates in an article, resolved against its publication date and the tense of the sentence.

"Will meet on Wednesday" in an article of Tuesday 2022-03-08 is 2022-03-09; "met on Monday" in
the same article is 2022-03-07; a weekday equal to the publication day is that day, whatever the
tense ("arrived on Wednesday" in a Wednesday paper is that Wednesday); the present simple
("meets B on Thursday") takes the nearest such day either way. Explicit dates without a year take
the publication year, moved by the tense ("on 9 March" announced in December is next year's);
"two days ago" counts back from the publication day. Only expressions that name a day resolve;
"last week" or "in four years" keep their words and no date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Literal

import dateparser

from retrieval.meetings.vocab import MONTH_NUMBERS, MONTH_PATTERN, WEEKDAYS

__all__ = ["Tense", "month_of", "resolve_date", "weekday_date"]

Tense = Literal["future", "past", "present"]

_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
_RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "yesterday": -1,
    "last night": -1,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "the day after tomorrow": 2,
}
_MONTH = MONTH_PATTERN
# A day of a month: "9 March", "March 9th", "Mar. 9, 2022", "9th of March 2022".
_DAY_OF_MONTH = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\.?(?:,?\s+\d{{4}})?"
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)\b",
    re.I,
)
_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_DAYS_AGO = re.compile(r"\b(a|one|two|three|four|five|six|[1-6])\s+days?\s+ago\b")


def resolve_date(text: str, published: date | None, tense: Tense = "past") -> date | None:
    """The day a date expression names, or None when it names no single day.

    `tense` is "future" for announced events (the next such day) and "past" for reported ones
    (the last such day). Without a publication date only explicit full dates resolve.
    """
    words = " ".join(text.lower().split())
    if iso := _ISO.search(words):
        try:
            return date.fromisoformat(iso.group(0))
        except ValueError:
            return None
    if explicit := _DAY_OF_MONTH.search(text):
        return _parse_explicit(explicit.group(0), published, tense)
    if published is None:
        return None
    for phrase, offset in sorted(_RELATIVE_DAYS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{phrase}\b", words):
            return published + timedelta(days=offset)
    if ago := _DAYS_AGO.search(words):
        count = ago.group(1)
        return published - timedelta(days=_NUMBERS.get(count) or int(count))
    if weekday := _WEEKDAY.search(words):
        before = words[: weekday.start()]
        if re.search(r"\b(next|coming)\s+$", before):
            tense, skip_today = "future", True
        elif re.search(r"\blast\s+$", before):
            tense, skip_today = "past", True
        else:
            skip_today = False
        return weekday_date(WEEKDAYS.index(weekday.group(1).lower()), published, tense, skip_today)
    return None


def weekday_date(weekday: int, published: date, tense: Tense, skip_today: bool = False) -> date:
    """The named weekday (0 = Monday) nearest the publication date in the tense's direction; the
    publication day itself when it is that weekday (unless `skip_today`: "next Tuesday");
    in the present, the nearest one either way."""
    delta = (weekday - published.weekday()) % 7
    if tense == "present" and not skip_today:
        return published + timedelta(days=delta if delta <= 3 else delta - 7)
    if tense == "future":
        if delta == 0 and skip_today:
            delta = 7
        return published + timedelta(days=delta)
    back = (published.weekday() - weekday) % 7
    if back == 0 and skip_today:
        back = 7
    return published - timedelta(days=back)


def _parse_explicit(expression: str, published: date | None, tense: Tense) -> date | None:
    settings: dict[str, object] = {
        "PREFER_DATES_FROM": "current_period" if tense == "present" else tense,
        "REQUIRE_PARTS": ["day", "month"],
        "PREFER_DAY_OF_MONTH": "first",
    }
    if published is not None:
        settings["RELATIVE_BASE"] = datetime(published.year, published.month, published.day)
    elif not re.search(r"\d{4}", expression):
        return None  # a day without a year and nothing to take the year from
    parsed = dateparser.parse(expression, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


_MONTH_YEAR = re.compile(rf"\b({MONTH_PATTERN})\.?(?:\s+(\d{{4}}))?\b", re.I)


def month_of(
    text: str | None, published: date | None, tense: Tense = "past"
) -> tuple[date, date] | None:
    """The first and last day of the month a date expression names without a day ("in early
    October", "last March", "June 2023"); without a year, the nearest such month on the side
    of the publication date the tense points to."""
    if not text or (match := _MONTH_YEAR.search(text)) is None:
        return None
    month = MONTH_NUMBERS[match.group(1).lower()]
    if match.group(2):
        year = int(match.group(2))
    elif published is None:
        return None
    elif tense == "future":
        year = published.year + (month < published.month)
    else:
        year = published.year - (month > published.month)
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last
