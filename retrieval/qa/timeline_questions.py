"""Reading a request for someone's meetings: `/meetings NAME [PERIOD]`, and the questions
"Whom has NAME met [PERIOD]?", "Who did NAME meet PERIOD?" and "Has NAME met OTHER [PERIOD]?".

Periods are read against a reference day (the day the question was asked, so that a page
of the answer turned later still means the same days): "since March" is from the latest
1 March not after it, "in November" the latest November that has begun, "this year" from
1 January; "in 2025", "in June 2025", "since 3 March 2025" and ISO dates name their days.
"Who did NAME meet?" without a period is left to the answer service (it names the meeting
the question fits best); with one, it asks for a list.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from retrieval.meetings.timeline import TimelineQuery
from retrieval.meetings.vocab import MONTH_NUMBERS, MONTH_PATTERN

__all__ = [
    "parse_period",
    "parse_since",
    "read_meetings_args",
    "read_timeline_question",
]

_MONTH = rf"(?:{MONTH_PATTERN})\.?"
_TH = r"(?:st|nd|rd|th)?"
_PERIOD_START = r"(?:since|in|during|over|this|last|between|from|so\s+far)\b"
# A name as people type it: starts with a capital letter (after any title), a few words.
_NAME = r"([A-Z\u00C0-\u024F][\w.'’\- ]{0,80}?)"
_END = r"\s*[?.!]*\s*$"
_PERIOD = rf"(?:\s+({_PERIOD_START}.*?))?"
_WHO = r"^(?:who|whom)\s+"
_QUESTIONS = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        # "Whom has Odile Varga met?", "Who has Varga met since March?"
        rf"{_WHO}(?:has|have)\s+{_NAME}\s+(?:ever\s+)?met(?:\s+with)?{_PERIOD}{_END}",
        # "Who did Varga meet in November?" (a period is needed: see the module's docstring)
        rf"{_WHO}did\s+{_NAME}\s+meet(?:\s+with)?\s+({_PERIOD_START}.*?){_END}",
        # "List the meetings of Varga", "Varga's meetings this year"
        rf"^(?:(?:list|show)\s+)?(?:all\s+)?(?:the\s+)?meetings\s+of\s+{_NAME}{_PERIOD}{_END}",
        rf"^(?:(?:list|show)\s+)?{_NAME}['’]s?\s+meetings{_PERIOD}{_END}",
    )
)
# "Has Varga met Quispe this year?", "Have Varga and Quispe met?" is not this: two subjects.
_HAS_MET = re.compile(
    rf"^(?:has|have)\s+{_NAME}\s+(?:ever\s+|already\s+)?met(?:\s+with)?\s+{_NAME}{_PERIOD}{_END}",
    re.I,
)
_ARGS = re.compile(rf"^(.+?){_PERIOD}\s*$", re.I)
# Words that begin a name in the patterns above but are no one's name.
_NOT_NAMES = frozenset("he she they it you we i him her them anyone anybody someone".split())


def read_timeline_question(text: str, today: date) -> TimelineQuery | None:
    """The timeline a question asks for, or None when it asks something else."""
    text = " ".join(text.split())
    if match := _HAS_MET.match(text):
        name, other = _name(match.group(1)), _name(match.group(2))
        period = parse_period(match.group(3), today) if match.group(3) else (None, None)
        if name and other and period is not None:
            return TimelineQuery(name, other, *period)
        return None
    for pattern in _QUESTIONS:
        if match := pattern.match(text):
            name = _name(match.group(1))
            period = parse_period(match.group(2), today) if match.group(2) else (None, None)
            if name and period is not None:
                return TimelineQuery(name, None, *period)
            return None
    return None


def read_meetings_args(text: str, today: date) -> TimelineQuery | None:
    """`/meetings NAME [PERIOD]` (the command's arguments): None when there is no name or
    the period cannot be read."""
    text = " ".join(text.split()).strip(" ?.!")
    match = _ARGS.match(text)
    if match is None:
        return None
    name = _name(match.group(1), capital=False)
    period = parse_period(match.group(2), today) if match.group(2) else (None, None)
    if not name or period is None:
        return None
    return TimelineQuery(name, None, *period)


def _name(text: str, capital: bool = True) -> str | None:
    name = text.strip(" ,;:'’\"").removeprefix("the ").strip()
    if not name or name.split()[0].lower() in _NOT_NAMES or len(name.split()) > 8:
        return None
    if capital and not name[0].isupper():
        return None
    return name


def parse_period(text: str, today: date) -> tuple[date | None, date | None] | None:
    """(since, until) of a period phrase, either end open; None when it cannot be read."""
    words = " ".join(text.lower().replace(",", " ").split()).strip(" ?.!")
    if words in ("so far", "ever", ""):
        return None, None
    if match := re.fullmatch(r"(this|last)\s+(year|month|week)", words):
        return _relative(match.group(1), match.group(2), today)
    if match := re.fullmatch(r"since\s+(.+)", words):
        start = parse_since(match.group(1), today)
        return None if start is None else (start, None)
    if match := re.fullmatch(r"(?:between|from)\s+(.+?)\s+(?:and|to|until|till)\s+(.+)", words):
        first, second = _span(match.group(1), today), _span(match.group(2), today)
        if first is None or second is None:
            return None
        return first[0], second[1]
    if match := re.fullmatch(r"(?:in|during|over)\s+(?:the\s+)?(.+)", words):
        if relative := re.fullmatch(r"(?:the\s+)?(past|last)\s+(year|month|week)", match.group(1)):
            return _relative("last", relative.group(2), today)
        return _span(match.group(1), today)
    return None


def parse_since(text: str, today: date) -> date | None:
    """The first day of "since X" (X a day, a month, a year, "last year", ...), or None."""
    words = " ".join(text.lower().replace(",", " ").split()).strip(" ?.!")
    if match := re.fullmatch(r"(this|last)\s+(year|month|week)", words):
        return _relative(match.group(1), match.group(2), today)[0]
    span = _span(words, today)
    return span[0] if span else None


def _relative(which: str, unit: str, today: date) -> tuple[date, date]:
    if unit == "year":
        year = today.year - (which == "last")
        return date(year, 1, 1), (date(year, 12, 31) if which == "last" else today)
    if unit == "month":
        start = today.replace(day=1)
        if which == "this":
            return start, today
        end = start - timedelta(days=1)
        return end.replace(day=1), end
    monday = today - timedelta(days=today.weekday())
    if which == "this":
        return monday, today
    return monday - timedelta(days=7), monday - timedelta(days=1)


def _span(words: str, today: date) -> tuple[date, date] | None:
    """The days a date phrase names: a day, a month (of a year, or the latest begun), a year."""
    words = words.strip()
    try:
        day = date.fromisoformat(words)
        return day, day
    except ValueError:
        pass
    if match := re.fullmatch(r"(\d{4})", words):
        year = int(match.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    day_month = re.fullmatch(rf"(\d{{1,2}}){_TH}\s+(?:of\s+)?({_MONTH})(?:\s+(\d{{4}}))?", words)
    month_day = re.fullmatch(rf"({_MONTH})\s+(\d{{1,2}}){_TH}(?:\s+(\d{{4}}))?", words)
    if day_month or month_day:
        if day_month:
            number, month, written = day_month.group(1), day_month.group(2), day_month.group(3)
        else:
            assert month_day is not None
            month, number, written = month_day.group(1), month_day.group(2), month_day.group(3)
        month_number = MONTH_NUMBERS[month.rstrip(".")]
        try:
            day = date(int(written) if written else today.year, month_number, int(number))
        except ValueError:
            return None
        if not written and day > today:
            day = day.replace(year=day.year - 1)
        return day, day
    if match := re.fullmatch(rf"({_MONTH})(?:\s+(\d{{4}}))?", words):
        month_number = MONTH_NUMBERS[match.group(1).rstrip(".")]
        year = int(match.group(2)) if match.group(2) else today.year
        if not match.group(2) and date(year, month_number, 1) > today:
            year -= 1  # "in November", asked in March: last November
        start = date(year, month_number, 1)
        end = date(year + (month_number == 12), month_number % 12 + 1, 1) - timedelta(days=1)
        return start, end
    return None
