"""Meeting events (who met whom, when, where) and the name matching they are found by.

Events are extracted at ingest (`retrieval.meetings.extract`) and stored beside their passage;
the answer service reads them for who / when / where questions. Names are compared as sets of
normalised tokens, so "Kim Jong-un" is "Kim Jong Un", and "Lula" matches "Lula da Silva" either
way round.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = [
    "ANNOUNCED",
    "REPORTED",
    "TITLE_WORDS",
    "EventDraft",
    "StoredEvent",
    "name_tokens",
    "names_key",
    "normalize_name",
    "place_within",
    "same_person",
    "same_place",
]

ANNOUNCED = "announced"
REPORTED = "reported"

# Words that are a role, never part of a name: "US Secretary of State Antony Blinken" is Antony
# Blinken, with his role kept apart.
TITLE_WORDS = frozenset(
    """
    mr mrs ms miss dr sir dame lord lady prof professor president vice prime minister ministers
    secretary state foreign home defence defense finance chancellor premier king queen prince
    princess emperor crown pope chairman chairwoman chair ceo chief executive director general
    adviser advisor national security senator sen rep representative congressman congresswoman
    speaker governor mayor ambassador envoy leader commissioner deputy acting former first
    reporter correspondent journalist editor anchor columnist owner founder co-founder
    cofounder boss ace star scientist researcher economist analyst witness activist
    billionaire entrepreneur investor
    supreme commander spokesman spokeswoman spokesperson official officials counterpart
    sheikh crown-prince emir sultan chancellor's head coach manager captain judge justice
    pm archbishop bishop cardinal rev reverend pastor rabbi imam ayatollah patriarch gen col lt
    sgt capt adm marshal vp fm dpm gov sec pres cfo coo cto cio cmo
    uk us u.s. british american russian chinese french german japanese korean north south
    united states kingdom nations european union republic
    the of and for
    """.split()
)


@functools.lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Lower case, accents and punctuation dropped, hyphens as spaces, titles removed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’]s\b", "", text)
    text = re.sub(r"[^\w\s]", " ", text.replace("-", " "))
    tokens = text.split()
    while tokens and tokens[0] in TITLE_WORDS:
        tokens.pop(0)
    return " ".join(tokens)


def name_tokens(name: str) -> frozenset[str]:
    """The tokens of a normalised name."""
    return frozenset(normalize_name(name).split())


def same_person(a: str, b: str) -> bool:
    """Whether two names can be the same person: one's tokens contain the other's, initials
    written either way ("J.D. Vale", "JD Vale" and "James David Vale")."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta <= tb or tb <= ta:
        return True
    wa, wb = _with_initials_joined(a), _with_initials_joined(b)
    if set(wa) <= set(wb) or set(wb) <= set(wa):
        return True
    if len(wa) >= 2 and len(wb) >= 2 and wa[-1] == wb[-1] and _short_form(wa[0], wb[0]):
        return True  # "Chuck Varga" and "Charles Varga"
    return _initials_of(wa, wb) or _initials_of(wb, wa)


def _short_form(a: str, b: str) -> bool:
    """Whether two given names are one name and its usual short form ("chuck", "charles")."""
    return a != b and bool(({a} | _NICKNAMES.get(a, set())) & ({b} | _NICKNAMES.get(b, set())))


# Short forms of English given names, each to its full forms.
_FULL_FORMS = {
        "charles": "chuck charlie", "william": "bill billy will", "robert": "bob bobby rob",
        "richard": "dick rick", "edward": "ed ted eddie", "james": "jim jimmy",
        "joseph": "joe", "michael": "mike", "thomas": "tom tommy", "anthony": "tony",
        "david": "dave", "steven": "steve", "stephen": "steve", "christopher": "chris",
        "alexander": "alex", "benjamin": "ben", "samuel": "sam", "daniel": "dan danny",
        "nicholas": "nick", "patrick": "pat", "elizabeth": "liz beth betsy",
        "katherine": "kate kathy", "catherine": "cathy", "margaret": "maggie peggy meg",
        "susan": "sue", "andrew": "andy", "matthew": "matt", "gregory": "greg",
        "jeffrey": "jeff", "ronald": "ron", "donald": "don", "john": "jack johnny",
        "jonathan": "jon", "gerald": "jerry", "lawrence": "larry", "henry": "hank harry",
        "frederick": "fred", "timothy": "tim", "kenneth": "ken", "douglas": "doug",
        "theodore": "teddy", "abraham": "abe", "mitchell": "mitch",
}  # fmt: skip
_NICKNAMES: dict[str, set[str]] = {}
for _full, _shorts in _FULL_FORMS.items():
    for _short in _shorts.split():
        _NICKNAMES.setdefault(_short, set()).add(_full)


def _with_initials_joined(name: str) -> list[str]:
    """A name's words with each run of single letters joined: "j d vale" -> ["jd", "vale"]."""
    words: list[str] = []
    run = ""
    for word in normalize_name(name).split():
        if len(word) == 1:
            run += word
            continue
        if run:
            words.append(run)
            run = ""
        words.append(word)
    return [*words, run] if run else words


def _initials_of(short: list[str], full: list[str]) -> bool:
    """Whether `short` is `full` with its given names written as initials ("jd vale",
    "james david vale")."""
    return (
        len(short) == 2
        and len(full) >= 2
        and short[-1] == full[-1]
        and len(short[0]) == len(full) - 1
        and short[0] == "".join(w[0] for w in full[:-1])
    )


def same_place(a: str, b: str) -> bool:
    """Whether two place names agree: equal, or one holds the other as whole words
    ("Washington" and "Washington, D.C."; "Tokyo" and "the Prime Minister's Office, Tokyo")."""
    return place_within(a, b) or place_within(b, a)


def place_within(a: str, b: str) -> bool:
    """Whether place name `a` says no more than `b`: its words are a run of b's ("Lyon" in
    "Lyon, France"; not "the Old Hall, Lyon" in "Lyon")."""
    ka, kb = _place_key(a), _place_key(b)
    return bool(ka.strip() and kb.strip()) and ka in kb


def _place_key(place: str) -> str:
    key = " ".join(re.sub(r"[^\w\s]", " ", _fold(place)).split())
    return " " + re.sub(r"^the ", "", key) + " "


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class EventDraft:
    """A meeting-like event found in one passage."""

    kind: str  # the trigger: meet, talks, visit, host, call, ...
    who: tuple[str, ...]
    with_: tuple[str, ...]
    when: date | None
    when_text: str | None
    where: str | None
    status: str  # ANNOUNCED (planned, in the future of the article) or REPORTED
    sentence: str
    roles: tuple[tuple[str, str], ...] = ()  # (name, role): titles are roles, not names

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone taking part."""
        return self.who + self.with_


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the store, with its passage and article."""

    id: int
    passage_id: int
    article_id: int
    kind: str
    who: tuple[str, ...]
    with_: tuple[str, ...]
    when: date | None
    when_text: str | None
    where: str | None
    status: str
    sentence: str
    roles: tuple[tuple[str, str], ...] = ()
    # The sentences quoted for it, in the passage's order, when more than its own sentence
    # says it: "The talks were held at the embassy." after the one that names the people.
    evidence: tuple[str, ...] = ()
    # Where the place comes from when no sentence of the meeting gives it: the article's
    # "dateline" or its "headline" (weaker evidence, said so in the answer).
    where_from: str | None = None

    @property
    def quoted(self) -> str:
        """What an answer quotes for it: its sentence, or the sentences that together give
        the people, the day and the place."""
        return " … ".join(self.evidence) if self.evidence else self.sentence

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone taking part."""
        return self.who + self.with_

    def role(self, name: str) -> str | None:
        """A participant's role as the article gives it ("US Secretary of State")."""
        return dict(self.roles).get(name)

    def involves(self, name: str) -> bool:
        """Whether a named person (or organisation) takes part."""
        return any(same_person(name, person) for person in self.people)

    def to_json(self) -> dict[str, Any]:
        """The `events` item of the answer JSON contract."""
        return {
            "who": list(self.who),
            "with": list(self.with_),
            "when": self.when.isoformat() if self.when else None,
            "when_text": self.when_text,
            "where": self.where,
            "status": self.status,
            "roles": dict(self.roles),
            "passage_id": self.passage_id,
        }


def names_key(people: tuple[str, ...]) -> str:
    """The searchable form of an event's participants: `|token|token|...|`."""
    tokens = sorted({t for person in people for t in name_tokens(person)})
    return "|" + "|".join(tokens) + "|" if tokens else "|"
