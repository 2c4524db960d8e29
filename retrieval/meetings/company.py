"""Who else was at a meeting, and who said a quote: those who came with a party ("A was
accompanied by C", "C also attended") and the speaker of a quote, the "I" of "'I met B,' A
said"."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from retrieval.meetings.names import (
    looks_like_a_person,
)
from retrieval.meetings.people import (
    Context,
    people_of,
    person_of,
)
from retrieval.meetings.timing import (
    said_on,
)
from retrieval.store.events import (
    TITLE_WORDS,
    same_person,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "ALSO_THERE",
    "COMPANY",
    "also_there",
    "came_with",
    "companions",
    "coordinated_with",
    "first_person",
    "people_in",
    "quoted_speakers",
]

# A sentence that adds people to the meeting just told of: "C also attended", "D was also
# present", "E also took part".
ALSO_THERE = re.compile(
    r"\balso\s+(?:attended|took part|joined|sat in|participated)\b|"
    r"\b(?:was|were)\s+also\s+(?:present|there|in attendance)\b|"
    r"\balso\s+(?:present|there|attending|in attendance|on hand)\s+(?:was|were)\b|"
    r"^\W*joining\s+(?:them|him|her)\b[^.]*?\b(?:was|were)\b",
    re.I,
)


COMPANY = re.compile(r"\baccompan|\bjoined by\b", re.I)


_ALSO_VERBS = frozenset("attend take join sit participate be".split())


# "A was accompanied by C", "A, accompanied by C, ...", "A was joined by C": C came with A.
_COMPANY_VERBS = frozenset("accompany join".split())


# A quote and who said it: "'...,' Ana Ruiz said", "'...,' said Ana Ruiz", "'...,' she wrote".
_QUOTE = re.compile(r"[\"“]([^\"“”]{10,1500})[\"”]")


_SAYER = r"([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4})"


_SAID = r"(?:said|says|stated|wrote|writes|tweeted|posted|added|told)"


_ATTRIBUTION = re.compile(rf"^\s*,?\s*(?:{_SAYER}\s+{_SAID}\b|{_SAID}\s+{_SAYER})")


def quoted_speakers(text: str) -> list[tuple[str, str]]:
    """The quotes of a text with the words naming who said each, when the text says so right
    after the quote ("..." Ana Ruiz said after the meeting)."""
    found = []
    for quote in _QUOTE.finditer(text):
        attribution = _ATTRIBUTION.match(text[quote.end() : quote.end() + 80])
        if attribution:
            found.append((quote.group(1), attribution.group(1) or attribution.group(2)))
    return found


def first_person(trigger: Token, head: Token) -> bool:
    """Whether the speaker is the meeting's subject: "I met B", "we held talks with B", or a
    meeting noun with no one before it ("Very good meeting with B today")."""
    words = {t.lower_ for t in (*trigger.subtree, *head.subtree)} | {
        c.lower_ for c in head.children
    }
    if words & {"i", "we", "my", "our", "me", "us"}:
        return True
    return (
        trigger.pos_ == "NOUN"
        and (trigger.dep_ == "ROOT" or said_on(trigger))  # the quote's own words
        and not any(c.dep_ in ("poss", "nsubj") for c in trigger.children)
    )


def also_there(token: Token) -> bool:
    """The subject of "also attended" / "was also present": one more at the meeting."""
    verb = token.head
    if verb.dep_ == "aux" and verb.head.i != verb.i:
        verb = verb.head  # "Also attending were C and D"
    if token.dep_ not in ("nsubj", "nsubjpass") or verb.lemma_.lower() not in _ALSO_VERBS:
        return False
    if verb.i == verb.sent.start and verb.lower_ == "joining":
        # "Joining them were C and D": the inverted participle's subjects
        return any(c.dep_ == "dobj" and c.lower_ in ("them", "him", "her") for c in verb.children)
    return any(c.lower_ == "also" for c in verb.children) and not any(
        c.dep_ == "dobj" for c in verb.children
    )


def companions(doc: Doc, context: Context) -> list[tuple[str, str]]:
    """(person, companion) pairs a sentence states: "A was accompanied by C", "A, who was
    accompanied by his deputy C, ...", "A, accompanied by C, arrived", "C accompanied A",
    "A was joined by C"."""
    pairs: list[tuple[str, str]] = []
    for verb in doc:
        if verb.lemma_.lower() not in _COMPANY_VERBS or verb.pos_ not in ("VERB", "AUX"):
            continue
        agents = [g for c in verb.children if c.dep_ == "agent" for g in c.children
                  if g.dep_ == "pobj"]  # fmt: skip
        subject = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if agents and subject is not None and subject.lower_ in ("who", "that"):
            hosts = [verb.head] if verb.dep_ == "relcl" else []
        elif agents and subject is not None:
            hosts = [subject]
        elif agents and verb.dep_ == "acl":
            hosts = [verb.head]  # "A, accompanied by C, ..."
        elif verb.lemma_.lower() == "accompany" and not agents:
            hosts = [c for c in verb.children if c.dep_ == "dobj"]
            agents = [c for c in verb.children if c.dep_ == "nsubj"]
        else:
            continue
        for host in (p for h in hosts for p in people_in(h, context)):
            for companion in (p for a in agents for p in people_in(a, context)):
                if not same_person(host, companion):
                    pairs.append((host, companion))
    return pairs


def people_in(token: Token, context: Context) -> list[str]:
    """The people a phrase in a slot only people fill names ("accompanied by his deputy, Ines
    Barta"), the full names the tagger takes for places included."""
    found = people_of(token, context)
    if not found:
        for node in [token, *(c for c in token.children if c.dep_ == "appos")]:
            words = [t.text for t in node.doc[node.left_edge.i : node.i + 1] if t.pos_ == "PROPN"]
            if node.pos_ == "PROPN" and len(words) >= 2:
                found.append(context.names.resolve(" ".join(words)))
    return [p for p in found if looks_like_a_person(p) and not context.names.is_author(p)]


def coordinated_with(doc: Doc, person: str, titles: frozenset[str], context: Context) -> list[str]:
    """The people a sentence joins to a person by "and" ("B welcomed A and his wife C", "B
    welcomed the president and first lady C" when A is the president asked about): those who
    came with A. `titles`: the words a question gives A ("President" of "President Ruiz")."""
    found: list[str] = []
    for token in doc:
        if token.dep_ == "conj" or not token.conjuncts:
            continue  # the first of each "A and B" group
        group = [token, *token.conjuncts]
        people = [(t, _named_by(t, context)) for t in group]
        if not any(_is(t, named, person, titles, context) for t, named in people):
            continue
        for t, named in people:
            if not _is(t, named, person, titles, context):
                found += [p for p in named if p not in found]
    return [p for p in found if looks_like_a_person(p)]


def _named_by(token: Token, context: Context) -> list[str]:
    """The person one conjunct names: itself or its apposition ("his wife, Ana Ruiz")."""
    phrases = [token, *(c for c in token.children if c.dep_ == "appos")]
    return [p for t in phrases if (p := person_of(t, context))]


def _is(
    token: Token, named: list[str], person: str, titles: frozenset[str], context: Context
) -> bool:
    if named:
        return context.names.stands_for(person, named[0])
    # "the president" for the President Ruiz asked about
    return token.lower_ in TITLE_WORDS and token.lower_ in titles


def came_with(
    sentences: Sequence[str],
    parse: Callable[[str], Doc],
    person: str,
    titles: frozenset[str],
    context: Context,
) -> list[tuple[str, str]]:
    """(companion, sentence) for everyone the sentences say came with a person: "A was
    accompanied by C", "B welcomed A and his wife C". The first sentence is the meeting's."""
    found: list[tuple[str, str]] = []
    for n, sentence in enumerate(sentences):
        if n and not COMPANY.search(sentence):
            continue
        doc = parse(sentence)
        came = [c for host, c in companions(doc, context) if context.names.stands_for(person, host)]
        if n == 0:
            came += coordinated_with(doc, person, titles, context)
        found += [(c, sentence) for c in came if not any(same_person(c, f) for f, _ in found)]
    return found
