"""Formatting someone's meetings: a page of ten lines for Telegram (HTML, every piece of
article or user text escaped), the whole list for the terminal. Each line: the resolved day,
with whom (with their roles), where, announced or reported, and every article that tells of
it."""

from __future__ import annotations

import html
import math
import re
from datetime import date

from retrieval.meetings.timeline import Meeting, Source, Timeline
from retrieval.store.events import ANNOUNCED, REPORTED

__all__ = [
    "MAX_CHOICES",
    "MAX_PAGE_CHARS",
    "PAGE_SIZE",
    "meeting_parts",
    "page_count",
    "timeline_html",
    "timeline_text",
    "which_one_html",
]

PAGE_SIZE = 10
MAX_PAGE_CHARS = 4000  # under Telegram's 4,096, as a user sees them
MAX_CHOICES = 8  # buttons offered when a name stands for several people


def page_count(timeline: Timeline) -> int:
    """How many pages of PAGE_SIZE the meetings fill (at least one)."""
    return max(1, math.ceil(len(timeline.meetings) / PAGE_SIZE))


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _short(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def meeting_parts(meeting: Meeting) -> tuple[str, str, str]:
    """(when, the rest of the line, status) in plain words: "Tue 10 Jun 2025", "with Elena
    Quispe (Fisheries Minister), in Lima", "reported"."""
    if meeting.day is not None:
        when = _day(meeting.day)
    elif meeting.reported is not None:
        when = f"day not given (reported {_short(meeting.reported)})"
    else:
        when = "day not given"
    people = [f"{name} ({role})" if role else name for name, role in meeting.others]
    rest = "with " + _join(people) if people else "no one else named"
    if meeting.where:
        rest += f", in {meeting.where}"
    return when, rest, meeting.status


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _source_label(source: Source) -> str:
    at = source.hit.published_at
    return (
        f"{source.hit.outlet or source.hit.title}, {_short(at.date())}"
        if at
        else (source.hit.outlet or source.hit.title)
    )


def _source_html(source: Source, label_text: str | None = None) -> str:
    label = html.escape(label_text or _source_label(source))
    if source.hit.url:
        return f'<a href="{html.escape(source.hit.url, quote=True)}">{label}</a>'
    return label


def _heading(timeline: Timeline) -> str:
    """The first line, in plain words: whose meetings, how many, over which days."""
    assert timeline.person is not None
    person = timeline.person.label
    period = f" {timeline.query.period}" if timeline.query.period else ""
    count = len(timeline.meetings)
    if timeline.query.with_:
        return _verdict(timeline)
    if not count:
        return f"I found no meetings of {person}{period} in the articles."
    noun = "meeting" if count == 1 else "meetings"
    return f"Meetings of {person}{period}: {count} {noun}, newest first."


def _verdict(timeline: Timeline) -> str:
    """The answer to "Has X met Y?": yes (the latest report), only announced, or not found."""
    assert timeline.person is not None
    x, y = timeline.person.name, timeline.partner or timeline.query.with_
    period = f" {timeline.query.period}" if timeline.query.period else ""
    reported = [m for m in timeline.meetings if REPORTED in m.statuses]
    if reported:
        latest = reported[0]
        on = f" on {_short(latest.day)}" if latest.day else ""
        where = f" in {latest.where}" if latest.where else ""
        times = "" if len(reported) == 1 else f" ({len(reported)} meetings{period})"
        return f"Yes: {x} met {y}{where}{on}{times}."
    if timeline.meetings:
        planned = timeline.meetings[0]
        on = f" on {_short(planned.day)}" if planned.day else ""
        return f"{x} and {y} were due to meet{on}; no article I hold reports that they did."
    return f"Not that I can find: no article I hold reports a meeting of {x} and {y}{period}."


def timeline_html(timeline: Timeline, page: int = 0) -> str:
    """One page of the meetings (page 0 is the newest ten), numbered across pages."""
    if timeline.person is None:
        return _not_found_html(timeline)
    pages = page_count(timeline)
    page = min(max(page, 0), pages - 1)
    heading = html.escape(_heading(timeline))
    if pages > 1:
        heading += f" Page {page + 1} of {pages}."
    lines = [f"<b>{heading}</b>"]
    first = page * PAGE_SIZE
    shown = timeline.meetings[first : first + PAGE_SIZE]
    page_html = "\n".join(lines + _lines(shown, first + 1, numbered=False))
    if _visible_length(page_html) > MAX_PAGE_CHARS:
        # Many outlets on a page's meetings: each link's text shrinks to a number, so the
        # page still fits in one message (a page is edited in place, never split).
        page_html = "\n".join(lines + _lines(shown, first + 1, numbered=True))
    return page_html


def _lines(meetings: tuple[Meeting, ...], first: int, numbered: bool) -> list[str]:
    lines = []
    for n, meeting in enumerate(meetings, first):
        when, rest, status = meeting_parts(meeting)
        if numbered:
            cited = " ".join(_source_html(s, f"[{k}]") for k, s in enumerate(meeting.sources, 1))
        else:
            cited = " · ".join(_source_html(s) for s in meeting.sources)
        lines.append(f"{n}. <b>{html.escape(when)}</b> — {html.escape(rest)}; {status}: {cited}")
    return lines


def _visible_length(text: str) -> int:
    """Characters a user sees of an HTML message (tags out, entities as one)."""
    return len(html.unescape(re.sub(r"<[^>]+>", "", text)))


def _not_found_html(timeline: Timeline) -> str:
    name = html.escape(timeline.query.name)
    return f"I found no meetings of <b>{name}</b> in the articles."


def which_one_html(timeline: Timeline) -> str:
    """The question back when a name stands for several people (buttons carry the choice)."""
    name = html.escape(timeline.query.name)
    shown = timeline.candidates[:MAX_CHOICES]
    more = len(timeline.candidates) - len(shown)
    tail = f" ({more} more not shown: give a fuller name)" if more > 0 else ""
    return f"Several people in the articles are called <b>{name}</b>. Which one?{tail}"


def timeline_text(timeline: Timeline) -> str:
    """Every meeting, for the terminal: a line each, then its sources with their links."""
    if timeline.ambiguous:
        labels = " / ".join(p.label for p in timeline.candidates)
        return f"Which {timeline.query.name}: {labels}? Ask again with the full name."
    if timeline.person is None:
        return f"I found no meetings of {timeline.query.name} in the articles."
    lines = [_heading(timeline)]
    for meeting in timeline.meetings:
        when, rest, status = meeting_parts(meeting)
        lines.append(f"{when} — {rest}; {status}")
        for source in meeting.sources:
            said = "announced" if source.status == ANNOUNCED else "reported"
            lines.append(f"    {_source_label(source)} ({said}): {source.hit.title}")
            if source.hit.url:
                lines.append(f"    {source.hit.url}")
    return "\n".join(lines)
