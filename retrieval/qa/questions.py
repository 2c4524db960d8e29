"""What a question asks: its kind (who / when / where / other), whether it is about a meeting,
the people it names, the place and the period it narrows to, and the outlets it cites.

Deterministic and cheap: spaCy's small pipeline for entities and the parse, plus patterns for
question words and dates. A follow-up ("And when?") borrows what it lacks from the previous
question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from retrieval.meetings.vocab import (
    CALENDAR_WORDS,
    MEETING_WORDS,
    MONTH_NUMBERS,
    MONTH_PATTERN,
)
from retrieval.qa.filters import parse_dates
from retrieval.qa.question_names import names_and_place
from retrieval.qa.question_names import topics as question_topics
from retrieval.store.events import normalize_name

if TYPE_CHECKING:
    from collections.abc import Callable

    from spacy.tokens import Doc

__all__ = [
    "MEETING_WORDS",
    "Kind",
    "Period",
    "Question",
    "QuestionReader",
    "cited_sources",
    "period_of",
    "question_kind",
    "same_words",
]

Kind = Literal["who", "when", "where", "whether", "other"]

# The question word decides the kind: the first "who", "when", "where", "which"/"what" of the
# question, wherever it stands ("Besides A, who ...?", "After the summit, where ...?"); a
# "which"/"what" takes its kind from the noun it asks for ("which hotel", "what date").
_WH = re.compile(r"\b(who|whom|whose|when|where|which|what)\b", re.I)
_DAY_NOUNS = r"(?:date|day|weekday)"
_PLACE_NOUNS = (
    r"(?:city|cities|country|countries|place|venue|town|capital|building|room|hotel|palace|"
    r"location|site|village|region|province|state|island|resort|stadium|hall|house|office|"
    r"residence|base|port|airport|embassy|street|square|continent|nation)"
)
_PERSON_NOUNS = (
    r"(?:leaders?|officials?|ministers?|people|persons?|presidents?|speakers?|secretar(?:y|ies)|"
    r"politicians?|members?|executives?|diplomats?|counterparts?|figures?|players?|heads?|"
    r"envoys?|ambassadors?|delegates?|senators?|governors?|mayors?|chiefs?|rulers?|monarchs?|"
    r"kings?|queens?|princes?|generals?|commanders?|ceos?|founders?|bosses|boss|managers?|"
    r"coach(?:es)?|athletes?|stars?|actors?|artists?|authors?|clerics?|bishops?|popes?|"
    r"archbishops?|cardinals?|priests?|imams?|rabbis?|monks?|nuns?|clergy(?:man|men)?|"
    r"judges?|justices?|lawyers?|prosecutors?|lawmakers?|legislators?|mps?|congress(?:wo)?m[ae]n|"
    r"chancellors?|premiers?|emirs?|sheikhs?|sultans?|princess(?:es)?|royals?|dignitar(?:y|ies)|"
    r"chair(?:m[ae]n|wom[ae]n|s)?|directors?|presidents?|owners?|investors?|billionaires?|"
    r"entrepreneurs?|business(?:m[ae]n|wom[ae]n)|bankers?|economists?|scientists?|researchers?|"
    r"journalists?|reporters?|editors?|activists?|campaigners?|advis[eo]rs?|aides?|"
    r"spokes(?:m[ae]n|wom[ae]n|persons?)|officers?|commissioners?|representatives?|"
    r"musicians?|singers?|footballers?|teammates?|rivals?|allies|ally|successors?|"
    r"predecessors?|m[ae]n|wom[ae]n|persons?|individuals?|guests?|visitors?|hosts?)"
)
_ASKED_NOUN = r"(?:\s+(?:[\w.'’-]+\s+){0,4}?)"
_WHEN = re.compile(rf"^(?:when\b|(?:which|what){_ASKED_NOUN}{_DAY_NOUNS}\b)", re.I)
_WHERE = re.compile(rf"^(?:where\b|(?:which|what){_ASKED_NOUN}{_PLACE_NOUNS}\b)", re.I)
_WHO = re.compile(rf"^(?:who\b|whom\b|whose\b|(?:which|what){_ASKED_NOUN}{_PERSON_NOUNS}\b)", re.I)
# "Did Blinken meet Truss?", "Has Xi met Biden?": a yes-or-no question about a meeting,
# answered with the meeting and its source, or honestly not found.
# The question's tense: "When will they meet (again)?" asks about a plan, "When did they meet?"
# about what happened; other questions say neither.
# "went to see X", "flew in to see X": a visit, said as a purpose.
_GO_TO_SEE = re.compile(
    r"\b(?:go|goes|went|gone|going|come|comes|came|coming|travel\w*|fly|flies|flew|"
    r"drove|drive)\s+(?:in\s+|over\s+|out\s+)?to\s+see\b",
    re.I,
)
_PAST = re.compile(r"\b(?:did|was|were|has|have|had|met|held|visited|spoke|talked)\b", re.I)
_FUTURE = re.compile(
    r"\b(?:will|shall|going\s+to|due\s+to|scheduled|planned|planning)\b|^\s*when\s+(?:is|are)\b",
    re.I,
)
_WHETHER = re.compile(r"^\s*(?:and\s+|so\s+)?(?:did|has|have|had|will|was|were)\b", re.I)
# "in March 2022", "in Nov. 2023"
_MONTH_YEAR = re.compile(rf"\b({MONTH_PATTERN})\.?\s+(\d{{4}})\b", re.I)
_YEAR = re.compile(r"\b(?:in|during|of)\s+((?:19|20)\d\d)\b", re.I)
# Cited sources: "a Bloomberg article", "a report by Reuters", "another from The Hindustan Times
# on ...", "according to The Verge". A name is a run of capitalised words, "of" allowed inside
# ("The Times of India").
_NAME = r"((?:The\s+)?[A-Z][\w.&'’-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w.&'’-]*){0,5})"
_SOURCE_NOUNS = (
    r"(?:article|report|piece|story|coverage|publication|op-ed|column|investigation|interview|"
    r"editorial|analysis)s?"
)
_SOURCE_BEFORE = re.compile(rf"\b(?:an?|the)\s+{_NAME}\s+{_SOURCE_NOUNS}\b")
_SOURCE_AFTER = re.compile(
    rf"\b(?:according\s+to|(?:as\s+)?reported\s+(?:by|in)|published\s+(?:by|in)|"
    rf"{_SOURCE_NOUNS}\s+(?:by|from|in)|another\s+(?:one\s+)?(?:by|from|in)|as\s+per|"
    rf"(?:discussed|highlighted|featured|covered|detailed|presented|provided|mentioned|"
    rf"described|noted|outlined)\s+(?:by|in))\s+(?:both\s+)?"
    rf"(?:an?\s+{_SOURCE_NOUNS}\s+(?:on|in|by)\s+)?{_NAME}"
)
_AND_NAME = re.compile(rf"\s*(?:,|and|,\s*and)\s+{_NAME}")
_CALENDAR_WORDS = CALENDAR_WORDS
_GENERIC_SOURCE_WORDS = {"news", "a", "an", "the", "recent", "separate", "another", "latest"}


@dataclass(frozen=True)
class Period:
    """The days a question narrows to ("in March 2022", "on 13 September 2023")."""

    start: date
    end: date

    def holds(self, day: date, slack_days: int = 0) -> bool:
        """Whether a day falls in the period (widened by `slack_days` at the end)."""
        return self.start <= day <= self.end + timedelta(days=slack_days)


@dataclass(frozen=True)
class Question:
    """A question as understood."""

    text: str
    kind: Kind
    meeting: bool
    names: tuple[str, ...] = ()
    persons: frozenset[str] = frozenset()  # the names tagged as people
    entities: frozenset[str] = frozenset()  # the names tagged as places or organisations
    topics: frozenset[str] = frozenset()  # names the question is about, not who met ("X's deal")
    place: str | None = None
    period: Period | None = None
    sources: tuple[str, ...] = field(default=())  # outlets it cites, as written
    follow_up: bool = False
    future: bool = False  # it asks about a meeting to come ("When will they meet?")

    @property
    def asks_meeting(self) -> bool:
        """A who / when / where question about a meeting of named people: the events table
        answers it."""
        return (
            self.meeting and self.kind in ("who", "when", "where", "whether") and bool(self.names)
        )


def question_kind(text: str) -> Kind:
    """who, when, where, or other, from the question's first question word and, after
    "which" / "what", the noun it asks for."""
    match = _WH.search(text)
    if match is None:
        return "other"
    rest = text[match.start() :]
    if _WHEN.match(rest):
        return "when"
    if _WHERE.match(rest):
        return "where"
    if _WHO.match(rest):
        return "who"
    return "other"


def period_of(text: str) -> Period | None:
    """The period a question names: a day, a month of a year, or a year."""
    days = sorted(parse_dates(text))
    if days:
        return Period(days[0], days[-1])
    if match := _MONTH_YEAR.search(text):
        month = MONTH_NUMBERS[match.group(1).lower()]
        year = int(match.group(2))
        start = date(year, month, 1)
        end = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
        return Period(start, end)
    if match := _YEAR.search(text):
        year = int(match.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31))
    return None


def cited_sources(text: str) -> tuple[str, ...]:
    """The outlets a question cites by name, as written ("Bloomberg", "The Verge")."""
    found: list[str] = []
    for pattern in (_SOURCE_BEFORE, _SOURCE_AFTER):
        for match in pattern.finditer(text):
            names = [match.group(1)]
            # "featured in The Economic Times and YourStory": the list goes on.
            if pattern is _SOURCE_AFTER and (more := _AND_NAME.match(text, match.end())):
                names.append(more.group(1))
            for raw in names:
                name = re.sub(r"['’]s$", "", " ".join(raw.split()).strip(" .,'’"))
                words = [w for w in name.split() if w.lower() not in _GENERIC_SOURCE_WORDS]
                if words[:1] and words[0].lower() in _CALENDAR_WORDS:
                    continue  # "a report published in October"
                if words and name not in found:
                    found.append(name)
    return tuple(found)


class QuestionReader:
    """Reads questions with spaCy; one instance per process."""

    def __init__(self, nlp: Callable[[str], Doc]) -> None:
        self.nlp = nlp

    def read(self, text: str, previous: Question | None = None) -> Question:
        """Understand a question; with `previous`, a follow-up borrows its names, place and
        period ("Who did Truss meet?" then "And when?")."""
        text = " ".join(text.split())
        # "Elizabeth (Liz) Truss": the aside would read as a second person.
        doc = self.nlp(re.sub(r"\s*\([^)]*\)", "", text))
        names, persons, place, entities = names_and_place(doc)
        topics = question_topics(doc, names)
        sources = cited_sources(text)
        # An outlet is not a participant: "according to Reuters, who did ... meet".
        names = [n for n in names if not any(same_words(n, s) for s in sources)]
        # "Will Solvang meet ...": the question's first word is not part of a name.
        if names and text.startswith(names[0]) and _WHETHER.match(names[0]):
            rest = names[0].split(" ", 1)[1:]
            persons = [rest[0] if p == names[0] else p for p in persons if rest or p != names[0]]
            names = rest + names[1:]
        meeting = bool(MEETING_WORDS.search(text) or _GO_TO_SEE.search(text))
        kind = question_kind(text)
        if kind == "other" and meeting and _WHETHER.search(text):
            kind = "whether"
        question = Question(
            text=text,
            kind=kind,
            meeting=meeting,
            names=tuple(names),
            persons=frozenset(persons) & frozenset(names),
            entities=frozenset(entities) & frozenset(names),
            topics=topics,
            place=place,
            period=period_of(text),
            sources=sources,
            future=bool(_FUTURE.search(text)) and not _PAST.search(text),
        )
        if previous is not None and not question.names and len(text.split()) <= 8:
            question = replace(
                question,
                meeting=question.meeting or previous.meeting,
                names=previous.names,
                persons=previous.persons,
                entities=previous.entities,
                topics=previous.topics,
                place=question.place or previous.place,
                period=question.period or previous.period,
                kind=question.kind if question.kind != "other" else previous.kind,
                follow_up=True,
            )
        return question


def same_words(a: str, b: str) -> bool:
    """Whether two phrases have the same words, ignoring case, punctuation and "the"."""
    return normalize_name(a) == normalize_name(b)
