"""What a sentence says around a meeting's frame: whether it may name a person (`mentions`),
names a meeting told of before ("the talks"), goes on from the sentence before ("Later, ..."),
stands for people named before ("they", "he"), states a meeting in a headline, tells of another
meeting or of meetings on several days. The question-time reader (`retrieval.meetings.reader`)
reads sentences with these and with `retrieval.meetings.frames`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from retrieval.meetings.company import also_there
from retrieval.meetings.dates import Tense, resolve_date
from retrieval.meetings.frames import clause_head, frame_people
from retrieval.meetings.names import is_title_case
from retrieval.meetings.people import Context
from retrieval.meetings.timing import a_day, said_on
from retrieval.meetings.triggers import is_trigger
from retrieval.meetings.vocab import MEETING_WORDS, MONTH_PATTERN, WEEKDAYS
from retrieval.store.events import StoredEvent, normalize_name, same_person

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "BACK_REFERENCE",
    "CONTINUES",
    "DATE_WORDS",
    "GROUP",
    "PLANNED",
    "PRONOUN",
    "after_fronted_clause",
    "another_meeting",
    "clause_depth",
    "lists_meetings",
    "main_subject",
    "mentions",
    "refers_back",
    "states_a_meeting",
    "unnamed_party",
]


GROUP = re.compile(r"\b(?:they|their|the two|both|the pair|the duo)\b", re.I)


PRONOUN = re.compile(r"\b(?:he|she|him|her|his)\b", re.I)


# A meeting named again after the sentence that told of it: "the talks", "their meeting", "that
# visit", "the two-hour meeting".
BACK_REFERENCE = re.compile(
    r"\b(?:the|their|that|this|his|her|its)\s+(?:[\w’'-]+\s+){0,3}?"
    r"(?:meeting|talks|summit|audience|encounter|discussions?|visit|conversation|call|dinner|"
    r"lunch|breakfast)\b",
    re.I,
)


# A sentence that goes on from the time of the ones before: "Later, ...", "Afterwards, ...".
CONTINUES = re.compile(
    r"^\W*(?:later|afterwards?|earlier|then|after that)\b"
    r"(?:\s+(?:that|the same|in the)\s+(?:day|morning|afternoon|evening))?\s*,",
    re.I,
)


# Words that put a meeting ahead: "the planned summit", "an upcoming visit".
PLANNED = frozenset("planned scheduled upcoming proposed expected forthcoming coming".split())


DATE_WORDS = re.compile(
    rf"\b(?:{'|'.join(WEEKDAYS)}|today|yesterday|tomorrow|tonight|{MONTH_PATTERN})\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\b",
    re.I,
)


def mentions(text: str, name: str) -> bool:
    """Whether a text may name a person: the full name, or one of its words as a capitalised
    whole word. "Lee Dae-ho" is named by "Lee Dae Ho"."""
    tokens = normalize_name(name).split()
    if not tokens:
        return False
    folded = " ".join(re.sub(r"[^\w\s]", " ", text.replace("-", " ")).split())
    if re.search(rf"\b{re.escape(' '.join(tokens))}\b", folded, re.I):
        return True
    # Any word of the name, capitalised: the surname comes first in many names ("Hu" for
    # Hu Jintao); whether that word is the person asked about is decided by the parse.
    written = {w.lower() for w in folded.split() if w[:1].isupper()}
    return any(token in written for token in tokens if len(token) > 1)


def unnamed_party(trigger: Token, head: Token, asked: frozenset[str]) -> bool:
    """Whether the meeting's other side is people the question asks about without a name:
    "met reporters", "a meeting with Republican holdouts", "met with the board"."""
    for verb in {trigger.i: trigger, head.i: head}.values():
        for child in verb.children:
            objects = [child] if child.dep_ == "dobj" else []
            if child.dep_ == "prep" and child.lower_ in ("with", "between"):
                objects = [c for c in child.children if c.dep_ == "pobj"]
            for obj in objects:
                if obj.pos_ == "NOUN" and (obj.lower_ in asked or obj.lemma_.lower() in asked):
                    return True
    # "A hosted what is billed as a Summit for Rivers, with northern leaders in attendance":
    # the gathering or the guests the question names, anywhere in what the verb governs
    return any(
        t.dep_ in ("dobj", "pobj", "attr")
        and t.pos_ in ("NOUN", "PROPN")
        and {t.lower_, t.lemma_.lower()} & _GATHERED
        and {t.lower_, t.lemma_.lower()} & asked
        for t in head.subtree
        if not any(a.dep_ in ("nsubj", "nsubjpass") for a in (t, *t.ancestors) if a.i > head.i)
    )


# What a person may host, lead or join without a named other side.
_GATHERED = frozenset(
    """summit conference forum meeting dinner banquet reception leader leaders delegation
    delegations guest guests""".split()
)


def states_a_meeting(title: str, names: Sequence[str]) -> bool:
    """Whether a headline may state a meeting of the people: written as a sentence (not in
    title case, which the parser reads badly), with a meeting word and every name."""
    return (
        bool(title)
        and not is_title_case(title)
        and MEETING_WORDS.search(title) is not None
        and all(mentions(title, n) for n in names)
    )


def main_subject(doc: Doc, names: Sequence[str]) -> str | None:
    """The person asked about who is the subject of the sentence's main verb ("A said that
    she had met B": "she" is A)."""
    root = doc[:].root
    for child in root.children:
        # (a surname opening the sentence is sometimes tagged a common noun)
        if child.dep_ in ("nsubj", "nsubjpass") and (child.pos_ == "PROPN" or child.is_title):
            words = " ".join(t.text for t in child.subtree if t.pos_ == "PROPN" or t.is_title)
            return next((n for n in names if mentions(words, n)), None)
    return None


def clause_depth(token: Token) -> int:
    return sum(1 for _ in token.ancestors)


def refers_back(token: Token) -> bool:
    """ "the talks", "their meeting", "that visit": a meeting noun told of before."""
    if not is_trigger(token) or token.pos_ in ("VERB", "AUX"):
        return False
    return any(
        (c.dep_ == "det" and c.lower_ in ("the", "that", "this"))
        or (c.dep_ == "poss" and c.pos_ == "PRON")
        for c in token.children
    )


def another_meeting(doc: Doc, event: StoredEvent, context: Context) -> bool:
    """Whether a sentence tells of a meeting with someone not in the event: it does not go on
    about the event any more."""
    for trigger in doc:
        if not is_trigger(trigger) or trigger.pos_ not in ("VERB", "AUX"):
            continue
        if any(also_there(c) for c in trigger.children):
            continue  # "Joining them were C and D", "C also attended": more of the same one
        people, _, _ = frame_people(trigger, clause_head(trigger), context)
        if any(not any(same_person(p, q) for q in event.people) for p in people):
            return True
    return False


def lists_meetings(doc: Doc, published: date | None, tense: Tense) -> bool:
    """Whether a sentence tells of several meetings on different days; the day a verb of saying
    carries is not one of them ("A met B on Friday, the company said on Monday")."""
    said = [e for e in doc.ents if e.label_ == "DATE" and (said_on(e.root) or _of_another(e.root))]
    dates = [e for e in doc.ents if e.label_ == "DATE" and e not in said and a_day(e)]
    days = {day for e in dates if (day := resolve_date(e.text, published, tense)) is not None}
    years = {
        m.group(0)
        for m in re.finditer(r"\b(?:19|20)\d\d\b", doc.text)
        if not any(e.start_char <= m.start() < e.end_char for e in said)
    }
    return len(days) >= 2 or len(years) >= 2


# Verbs a meeting's day may hang on besides the meeting words: "was in 2016", "took place".
_CARRIERS = frozenset("be take hold come happen occur follow".split())


def _of_another(token: Token) -> bool:
    """Whether a date belongs to a verb that tells of something else than a meeting: "A found
    B in May 2021, and they met in 2022" dates the finding with its first year."""
    verb = next((a for a in token.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return (
        verb is not None
        and verb.pos_ == "VERB"
        and not is_trigger(verb)
        and verb.lemma_.lower() not in _CARRIERS
    )


# "After Lumo raised $2 billion from Norbank, Ruiz and her deputy, Tomas Elgin, visited ...":
# the small parser often runs the main clause's subject into the fronted clause before it.
_FRONTED = re.compile(
    r"^[^,]{0,40}?\b(?:after|when|as|before|while|once|following|since|despite|although|"
    r"though|amid|with)\b[^,]{3,200},\s+(?P<tail>[^,].*)$",
    re.I,
)


def after_fronted_clause(sentence: str) -> str | None:
    """The main clause of a sentence that opens with a subordinate one ("After ..., A met
    B"), when that clause tells of a meeting; None otherwise."""
    match = _FRONTED.match(sentence)
    if match is None or not MEETING_WORDS.search(match.group("tail")):
        return None
    return match.group("tail")
