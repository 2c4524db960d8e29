"""The words of an answer about a meeting: who met whom (with their roles), on which day (and
how the article put it, announced or reported), where."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date

from retrieval.qa.search import Hit
from retrieval.store.events import ANNOUNCED, StoredEvent, same_person

__all__ = [
    "asked_kind",
    "confirmation",
    "display_names",
    "join",
    "kind_group",
    "long_date",
    "pair",
    "source_name",
    "verb",
    "when_sentence",
    "with_role",
]

_KIND_GROUPS = {
    "call": "call",
    "phone": "call",
    "telephone": "call",
    "ring": "call",
    "speak": "call",
    "talk": "call",
    "visit": "visit",
    "host": "host",
    "receive": "host",
    "welcome": "host",
    "greet": "host",
    "audience": "host",
}
_ASKED = re.compile(
    r"\b(call(?:ed|s)?|phon\w*|spo?ke\w*|visit\w*|host\w*|receiv\w*|welcom\w*)\b", re.I
)


def kind_group(kind: str) -> str:
    """The group of an event kind: call, visit, host, or meet (everything else)."""
    return _KIND_GROUPS.get(kind, "meet")


def asked_kind(question: str) -> str:
    """The kind of meeting a question asks about: call, visit, host, or any meeting."""
    match = _ASKED.search(question)
    if not match:
        return "meet"
    word = match.group(1).lower()
    for stem, group in (("call", "call"), ("phon", "call"), ("spo", "call"), ("spe", "call"),
                        ("visit", "visit"), ("host", "host"), ("receiv", "host"),
                        ("welcom", "host")):  # fmt: skip
        if word.startswith(stem):
            return group
    return "meet"


def join(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def display_names(
    names: list[str], events: list[StoredEvent], others: Sequence[str] = ()
) -> list[str]:
    """The question's names as the articles write them in full ("Varga" -> "Ana Varga"), not
    as the namesakes among `others` (the people met) are written."""
    shown = []
    for name in names:
        full = [p for e in events for p in e.people if same_person(p, name) and p not in others]
        shown.append(Counter(full).most_common(1)[0][0] if full else name)
    return shown


def with_role(name: str, events: list[StoredEvent]) -> str:
    """ "Antony Blinken (US Secretary of State)" when an article gives the role."""
    role = next((r for e in events if (r := e.role(name))), None)
    return f"{name} ({role})" if role else name


def pair(event: StoredEvent) -> str:
    """Everyone in an event, joined."""
    return join(list(event.people))


def verb(event: StoredEvent) -> str:
    """ "were due to meet" for an announced event, "met" for a reported one."""
    return "were due to meet" if event.status == ANNOUNCED else "met"


def confirmation(
    announced: StoredEvent, events: list[StoredEvent], hits: dict[int, Hit]
) -> StoredEvent | None:
    """A reported event of the same people on the day an announced one was planned for (or,
    without a day of its own, in an article published on or after it)."""
    if announced.status != ANNOUNCED or announced.when is None:
        return None
    for event in events:
        if event.status == ANNOUNCED or event.article_id == announced.article_id:
            continue
        if not all(any(same_person(p, q) for q in event.people) for p in announced.people[:2]):
            continue
        published = hits[event.passage_id].published_at
        if event.when == announced.when or (
            event.when is None and published is not None and published.date() >= announced.when
        ):
            return event
    return None


def source_name(hit: Hit) -> str:
    """ "Northern Ledger's article of 13 March 2025" or "an article of ..."."""
    day = f" of {hit.published_at.day} {hit.published_at:%B %Y}" if hit.published_at else ""
    return f"{hit.outlet}'s article{day}" if hit.outlet else f"an article{day}"


def long_date(day: date) -> str:
    """ "Wednesday 9 March 2022"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def when_sentence(event: StoredEvent, hit: Hit, confirmed_by: Hit | None = None) -> str:
    """The date of a meeting, the words it was resolved from, and whether the article
    announced it in advance (and whether a later one reports it)."""
    assert event.when is not None
    text = f"{pair(event)} {verb(event)} on {long_date(event.when)} [1]."
    if len(event.people) < 2:  # a gathering one person hosted
        text = f"On {long_date(event.when)} [1]."
    published = hit.published_at.date() if hit.published_at else None
    said = f'"{event.when_text}"' if event.when_text else "the date"
    if published is None:
        return text
    source = f"the article of {long_date(published)}"
    if event.status == ANNOUNCED:
        text += (
            f" The date is resolved from {said} in {source}, which announced the meeting in advance"
        )
        if confirmed_by is not None:
            text += f"; {source_name(confirmed_by)} reports that it took place [2]."
        else:
            text += "; it does not report that the meeting took place."
    elif event.when_text and not re.search(r"\d", event.when_text):
        text += f" The date is resolved from {said} in {source}, which reports the meeting."
    return text
