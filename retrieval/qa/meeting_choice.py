"""Which of the candidate meetings an answer takes: the events table's and the reader's
merged, the events of one meeting told across articles, another meeting that fits as well,
the role a "which" question asks the people met to hold."""

from __future__ import annotations

import re
from dataclasses import replace

from retrieval.store.events import StoredEvent, same_person

__all__ = [
    "RANK_DEPTH",
    "ROLE_SYNONYMS",
    "another_meeting",
    "asked_role",
    "companion_asked",
    "first_asked",
    "mentions_phrase",
    "merge_events",
    "met_by",
    "same_meeting",
    "says_first",
]

RANK_DEPTH = 200  # how deep the question's passage ranking is read to order events


def same_meeting(event: StoredEvent, best: StoredEvent, names: list[str]) -> bool:
    """Whether an event tells of the same meeting as the best one: in its article unless it
    gives another day; in another article, on the same day, or undated with someone the best
    one names."""
    if event.article_id == best.article_id:
        return event.when is None or best.when is None or event.when == best.when
    if event.when is None:
        # an undated report of a meeting with someone the best one's asked people met there
        return any(same_person(p, q) for p in met_by(event, names) for q in met_by(best, names))
    return event.when == best.when


def met_by(event: StoredEvent, names: list[str]) -> list[str]:
    return [p for p in event.people if not any(same_person(p, n) for n in names)]


def another_meeting(
    best: StoredEvent, fitting: list[StoredEvent], ranking: dict[int, int], used: list[StoredEvent]
) -> StoredEvent | None:
    """A meeting of the same people on another day whose passage ranks as high as the chosen
    one's (within two places), or None."""
    top = ranking.get(best.passage_id, RANK_DEPTH)
    for event in fitting:
        if event in used or event.when is None or best.when is None:
            continue
        if abs((event.when - best.when).days) <= 1 or event.status != best.status:
            continue
        if ranking.get(event.passage_id, RANK_DEPTH) <= top + 2:
            return event
    return None


# Roles a "which ..." question may ask for, and the words an article may use for each.
ROLE_SYNONYMS: dict[str, frozenset[str]] = {
    "minister": frozenset({"minister", "secretary", "premier"}),
    "secretary": frozenset({"minister", "secretary"}),
    "senator": frozenset({"senator", "sen"}),
    "president": frozenset({"president"}),
    "mayor": frozenset({"mayor"}),
    "ambassador": frozenset({"ambassador", "envoy"}),
    "governor": frozenset({"governor", "gov"}),
    "chancellor": frozenset({"chancellor"}),
    "king": frozenset({"king", "monarch"}),
    "queen": frozenset({"queen", "monarch"}),
    "pope": frozenset({"pope", "pontiff"}),
    "diplomat": frozenset(
        {"diplomat", "minister", "secretary", "ambassador", "envoy", "archbishop"}
    ),
}
_ASKED_ROLE = re.compile(
    r"^\s*(?:which|what)\s+(?:[\w'’-]+\s+){0,3}?(" + "|".join(ROLE_SYNONYMS) + r")s?\b", re.I
)


def asked_role(question: str) -> str | None:
    """The role a "which" question asks the people met to hold: "Which US senator did A
    meet?" -> senator; None for a plain "who" or a role too general to check ("officials")."""
    match = _ASKED_ROLE.match(question)
    return match.group(1).lower() if match else None


def merge_events(stored: list[StoredEvent], read: list[StoredEvent]) -> list[StoredEvent]:
    """The events table's meetings and those read at question time, one per sentence: where
    both read a sentence, the stored event, with the day or place only the reader found."""
    by_sentence = {e.sentence: e for e in read}
    merged = []
    for event in stored:
        other = by_sentence.pop(event.sentence, None)
        if other is not None and (event.when is None or event.where is None):
            event = replace(
                event,
                when=event.when or other.when,
                when_text=event.when_text if event.when else other.when_text,
                where=event.where or other.where,
            )
        merged.append(event)
    return merged + [e for e in read if e.sentence in by_sentence]


def mentions_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text, re.I) is not None


# "Who came along with A to ...", "Who accompanied A", "Who was with A when B welcomed him"
_COMPANION = re.compile(
    r"^\s*who\s+(?:(?:came|went|travell?ed|flew|arrived|was|were)\s+(?:along\s+)?with"
    r"|accompanied|joined)\s+(?P<whom>.+?)(?=\s+(?:to|when|at|for|on|in|during|as)\b|\s*[?.!]*$)",
    re.I,
)


def companion_asked(question: str) -> str | None:
    """The words naming the one whose companions a question asks for: "Who came with
    President Ruiz to the talks?" -> "President Ruiz"; None for any other question."""
    match = _COMPANION.match(question)
    return match.group("whom") if match else None


# "When did A and B first meet?", "Where was their first-ever summit?": the first meeting of
# them, not the latest ("the first lady", "the first round" ask no such thing).
# (what "first" is of when it names a role or a part of a game, not a meeting)
_FIRST_OF_ELSE = (
    r"(?!\s+(?:lady|minister|secretary|deputy|vice|round|half|quarter|class|division|team|"
    r"name|place)\b)"
)
_FIRST_ASKED = re.compile(
    rf"\bfirst(?:-ever)?{_FIRST_OF_ELSE}\s+(?:[\w-]+\s+){{0,2}}?(?:meet|met|meeting|talks|"
    r"summit|encounter|visit|time|saw|spoke)\b",
    re.I,
)
_SAYS_FIRST = re.compile(rf"\b(?:first(?:-ever)?\b{_FIRST_OF_ELSE}|for the first time)", re.I)


def first_asked(question: str) -> bool:
    """Whether a question asks about the first meeting of the people in it."""
    return _FIRST_ASKED.search(question) is not None


def says_first(sentence: str) -> bool:
    """Whether a sentence tells of a first meeting: "their first meeting", "first met",
    "met for the first time", "the first was in Lyon"."""
    return _SAYS_FIRST.search(sentence) is not None
