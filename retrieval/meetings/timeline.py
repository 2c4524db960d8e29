"""Someone's meetings, newest first: the stored events of one person, grouped so that several
reports of one meeting (two outlets, or an announcement and the report after it, or an
article's headline and its first sentence) make one `Meeting` citing each of them.

Who the name asked is comes from retrieval/meetings/namesakes.py; when it stands for several
people, the timeline holds them as candidates for the caller to ask which one. Events are
read through the store's events repository (`Store.events_involving`) and their passages
and articles through `Store.hits`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from retrieval.meetings.namesakes import Person, people_named
from retrieval.store.events import (
    ANNOUNCED,
    REPORTED,
    StoredEvent,
    name_tokens,
    same_person,
    same_place,
)
from retrieval.store.records import Hit

__all__ = [
    "REPORT_SLACK_DAYS",
    "EventSource",
    "Meeting",
    "Source",
    "Timeline",
    "TimelineQuery",
    "build_timeline",
]

# A report without a day of its own tells of a meeting at most this many days before it.
REPORT_SLACK_DAYS = 3


class EventSource(Protocol):
    """What a timeline is read from (the `Store`)."""

    def events_involving(self, names: Sequence[str]) -> list[StoredEvent]: ...

    def hits(self, passage_ids: Iterable[int]) -> dict[int, Hit]: ...


@dataclass(frozen=True)
class TimelineQuery:
    """Whose meetings, with whom (if asked), over which days (`until` inclusive)."""

    name: str
    with_: str | None = None
    since: date | None = None
    until: date | None = None

    def holds(self, day: date, slack_days: int = 0) -> bool:
        """Whether a day falls in the period (widened by `slack_days` at the end: a report
        may come a few days after the meeting it tells of)."""
        if self.since is not None and day < self.since:
            return False
        return self.until is None or day <= self.until + timedelta(days=slack_days)

    @property
    def period(self) -> str:
        """The period in words, to follow a name ("since 1 Mar 2025", "in November 2025",
        "in 2025", "from 3 Mar 2025 to 9 Apr 2025"), or "" when there is none."""
        if self.since and self.until:
            start, end = self.since, self.until
            if start == end:
                return f"on {_day(start)}"
            if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and (
                start.year == end.year
            ):
                return f"in {start.year}"
            if (
                start.day == 1
                and (start.year, start.month) == (end.year, end.month)
                and ((end + timedelta(days=1)).day == 1)
            ):
                return f"in {start:%B %Y}"
            return f"from {_day(start)} to {_day(end)}"
        if self.since:
            return f"since {_day(self.since)}"
        if self.until:
            return f"until {_day(self.until)}"
        return ""


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


@dataclass(frozen=True)
class Source:
    """One article's report of a meeting."""

    hit: Hit
    quote: str
    status: str  # ANNOUNCED or REPORTED


@dataclass(frozen=True)
class Meeting:
    """One meeting, however many articles tell of it."""

    day: date | None  # resolved from the articles' words; None when none gives a day
    reported: date | None  # the first article's publication day
    others: tuple[tuple[str, str | None], ...]  # (name, role) of everyone else there
    where: str | None
    statuses: frozenset[str]
    sources: tuple[Source, ...]

    @property
    def sort_day(self) -> date:
        return self.day or self.reported or date.min

    @property
    def status(self) -> str:
        """ "reported", "announced", or "announced, then reported"."""
        if self.statuses == {ANNOUNCED, REPORTED}:
            return "announced, then reported"
        return REPORTED if REPORTED in self.statuses else ANNOUNCED

    def to_json(self) -> dict[str, Any]:
        """One meeting of `newsbot meetings --json`."""
        return {
            "date": self.day.isoformat() if self.day else None,
            "reported": self.reported.isoformat() if self.reported else None,
            "with": [{"name": n, "role": r} for n, r in self.others],
            "where": self.where,
            "status": self.status,
            "citations": [
                {**s.hit.to_json(), "quote": s.quote, "status": s.status} for s in self.sources
            ],
        }


@dataclass(frozen=True)
class Timeline:
    """The answer: a person's meetings (newest first), or the candidates to choose from."""

    query: TimelineQuery
    person: Person | None = None
    candidates: tuple[Person, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    partner: str | None = None  # the other person asked about, as the articles write them

    @property
    def ambiguous(self) -> bool:
        return self.person is None and len(self.candidates) > 1

    def to_json(self) -> dict[str, Any]:
        """`newsbot meetings --json`."""
        return {
            "name": self.query.name,
            "with": self.query.with_,
            "since": self.query.since.isoformat() if self.query.since else None,
            "until": self.query.until.isoformat() if self.query.until else None,
            "person": self.person.name if self.person else None,
            "role": self.person.role if self.person else None,
            "candidates": [{"name": p.name, "role": p.role} for p in self.candidates],
            "meetings": [m.to_json() for m in self.meetings],
        }


def build_timeline(source: EventSource, query: TimelineQuery, key: str | None = None) -> Timeline:
    """The meetings of the person `query` names (of the one whose `key` a button gave, when
    the name stands for several), newest first, within its period and with its partner."""
    events = [e for e in source.events_involving([query.name]) if e.involves(query.name)]
    people, assigned = people_named(query.name, events)
    if key is not None:
        chosen = [p for p in people if p.answers_to(key)]
        if not chosen:
            return Timeline(query)  # the person is gone (the articles changed): say so
        people = chosen[:1]
    if len(people) != 1:
        return Timeline(query, candidates=tuple(people))
    person = people[0]
    own = [e for e in events if person.name in assigned.get(e.id, ())]
    hits = source.hits(sorted({e.passage_id for e in own}))
    meetings = _meetings(person, [e for e in own if e.passage_id in hits], hits)
    meetings = [m for m in meetings if _in_period(m, query)]
    partner = None
    if query.with_:
        with_ = query.with_
        meetings = [m for m in meetings if any(same_person(with_, n) for n, _ in m.others)]
        spelled = [n for m in meetings for n, _ in m.others if same_person(with_, n)]
        partner = Counter(spelled).most_common(1)[0][0] if spelled else with_
    meetings.sort(key=lambda m: m.sort_day, reverse=True)
    return Timeline(query, person, meetings=tuple(meetings), partner=partner)


def _in_period(meeting: Meeting, query: TimelineQuery) -> bool:
    if meeting.day is not None:
        return query.holds(meeting.day)
    return meeting.reported is not None and query.holds(meeting.reported, REPORT_SLACK_DAYS)


# -- one line per meeting ----------------------------------------------------------------------


@dataclass
class _Group:
    events: list[StoredEvent]
    days: list[date]
    published: list[date]
    others: list[str]
    article_ids: set[int]
    where: str | None


def _meetings(person: Person, events: list[StoredEvent], hits: dict[int, Hit]) -> list[Meeting]:
    def published(e: StoredEvent) -> date | None:
        at = hits[e.passage_id].published_at
        return at.date() if at else None

    shown = person.name

    def others_of(e: StoredEvent) -> list[str]:
        return [p for p in e.people if p not in person.spellings and not same_person(p, shown)]

    groups: list[_Group] = []
    # Dated events first, so that an undated mention joins the meeting it belongs to.
    for event in sorted(events, key=lambda e: (e.when is None, published(e) or date.min, e.id)):
        others = others_of(event)
        group = next((g for g in groups if _same_meeting(g, event, others, published(event))), None)
        if group is None:
            groups.append(_Group([event], [], [], [], set(), None))
            group = groups[-1]
        else:
            group.events.append(event)
        if event.when is not None:
            group.days.append(event.when)
        if (day := published(event)) is not None:
            group.published.append(day)
        # One article's "Halvorsen" and "Sigrid Halvorsen" in one meeting are one person.
        same_article = event.article_id in group.article_ids
        group.others += [
            o
            for o in others
            if not any(
                same_person(o, g) or (same_article and name_tokens(o) & name_tokens(g))
                for g in group.others
            )
        ]
        group.article_ids.add(event.article_id)
        group.where = group.where or event.where
    return [_meeting(g, hits) for g in groups]


def _same_meeting(
    group: _Group, event: StoredEvent, others: list[str], published: date | None
) -> bool:
    """Whether an event tells of the meeting a group holds: the same other people (in one
    article, a shared name word is enough: "Halvorsen" and "Sigrid Halvorsen"), the same
    day, a place that agrees."""
    if event.article_id in group.article_ids:
        shared = (
            not others
            or not group.others
            or any(name_tokens(o) & name_tokens(g) for o in others for g in group.others)
        )
    else:
        shared = bool(others) and any(same_person(o, g) for o in others for g in group.others)
    if not shared:
        return False
    if event.where and group.where and not same_place(event.where, group.where):
        return False
    if event.when is not None and group.days:
        return any(abs((event.when - d).days) <= 1 for d in group.days)
    if event.when is not None:
        return any(0 <= (p - event.when).days <= REPORT_SLACK_DAYS for p in group.published) or (
            event.article_id in group.article_ids
        )
    if event.article_id in group.article_ids:
        return True
    if published is None:
        return False
    if group.days:
        return any(0 <= (published - d).days <= REPORT_SLACK_DAYS for d in group.days)
    return any(abs((published - p).days) <= 1 for p in group.published)


def _meeting(group: _Group, hits: dict[int, Hit]) -> Meeting:
    events = group.events
    roles = {name: role for e in events for name, role in e.roles if role}
    others = tuple(
        (name, roles.get(name) or next((r for n, r in roles.items() if same_person(n, name)), None))
        for name in _fullest(group.others)
    )
    by_article: dict[int, StoredEvent] = {}
    for event in sorted(events, key=lambda e: (e.when is None, e.id)):
        by_article.setdefault(event.article_id, event)
    sources = sorted(
        (Source(hits[e.passage_id], e.quoted, e.status) for e in by_article.values()),
        key=lambda s: (s.hit.published_at is None, s.hit.published_at, s.hit.article_id),
    )
    day = Counter(group.days).most_common(1)[0][0] if group.days else None
    return Meeting(
        day=day,
        reported=min(group.published) if group.published else None,
        others=others,
        where=group.where,
        statuses=frozenset(e.status for e in events),
        sources=tuple(sources),
    )


def _fullest(names: list[str]) -> list[str]:
    """The names, each person once under their fullest spelling, in order."""
    kept: list[str] = []
    for name in names:
        same = [k for k in kept if same_person(k, name)]
        if not same:
            kept.append(name)
        elif len(name_tokens(name)) > len(name_tokens(same[0])):
            kept[kept.index(same[0])] = name
    return kept
