"""The question-time reader: meetings of the people a question names, read from the passages
that best match the question.

The extractor (`retrieval.meetings.extract`) reads every passage at ingest without knowing what
will be asked. This reader knows the people: it reads only sentences of the best passages that
name them (a name, its surname, or "the two" / "they" after they were named) together with a
meeting word, parses those few sentences, and takes

- the people in the meeting's frame: the subject and objects of the meeting verb, the "with" /
  "between" / "by" phrases, the owners and compounds of a meeting noun ("their talks",
  "the Xi-Biden summit"), the subject of a governing verb ("travelled to X to meet Y",
  "is scheduled to meet"), never someone in another clause;
- the day from the sentence, else the sentence before, resolved against the publication date
  in the sentence's tense;
- the place from "in" / "at" phrases of the sentence (the venue and the city when both are
  given), else the article's dateline ("GENEVA (Reuters) -").

Its candidates are the same `StoredEvent`s the events table returns (with negative ids), so
one composer answers from both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from retrieval.meetings.dates import Tense, resolve_date
from retrieval.meetings.extract import (
    Context,
    date_of,
    is_place,
    person_of,
    place_text,
    tense_of,
)
from retrieval.meetings.names import ArticleNames, display_name, looks_like_a_person
from retrieval.meetings.vocab import (
    CALL_VERBS,
    EVENT_NOUNS,
    GROUP_WORDS,
    HOLD_VERBS,
    MEET_VERBS,
    MEETING_WORDS,
    TALK_VERBS,
)
from retrieval.qa.search import Hit
from retrieval.qa.sentences import sentences
from retrieval.store.events import TITLE_WORDS, StoredEvent, normalize_name, same_person

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["ArticleText", "MeetingReader", "dateline_place", "mentions"]

ArticleText = Callable[[int], tuple[str, list[str]]]  # article id -> (title, passage texts)

# Links a participant may climb to reach the meeting word: noun-phrase and prepositional ones.
_PHRASE_DEPS = frozenset(
    "compound conj appos poss pobj prep nmod amod flat cc npadvmod attr dobj nsubj "
    "nsubjpass agent dative".split()
)
# Links from the meeting verb up to the verbs whose subject is also the meeting's: "is
# scheduled to meet", "travelled to Paris to meet", "arrived and met", "will be hosted".
_CHAIN_DEPS = frozenset("xcomp advcl conj ccomp".split())
_VERB_TRIGGERS = MEET_VERBS | TALK_VERBS | CALL_VERBS
_NOUN_SLOTS = frozenset("dobj pobj prep nsubj nsubjpass attr".split())
# A dateline: "GENEVA (Reuters) -", "WASHINGTON, March 8 (AP) —", "Seoul, Korea —".
_DATELINE = re.compile(
    r"^\s*([A-Z][A-Za-z'’.-]+(?:[ -][A-Z][A-Za-z'’.-]+){0,3})"
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?)?"
    r"(?:,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*(?:\([^)]{2,40}\))?\s*[-–—]{1,2}\s"
)
_GROUP = re.compile(r"\b(?:they|their|the two|both)\b", re.I)
_DATE_WORDS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow|"
    r"tonight|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\b|\b\d{1,2}(?:st|nd|rd|th)?\b",
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


def dateline_place(text: str) -> str | None:
    """The place of a dateline opening a passage, as the article writes it in the text
    ("GENEVA (Reuters) - ..." -> "Geneva" when the capitals are only the dateline's style)."""
    match = _DATELINE.match(text)
    if not match:
        return None
    place = match.group(1).strip(" ,.")
    if place.isupper():
        place = "".join(w.capitalize() for w in re.split(r"(\s|-)", place))
    if normalize_name(place) in ("by", "") or len(place) < 3:
        return None
    return place


class MeetingReader:
    """Reads meetings of named people out of ranked passages; one per process."""

    def __init__(self, nlp: Callable[[str], Doc], article_text: ArticleText) -> None:
        self.nlp = nlp
        self.article_text = article_text
        self._parse = functools.lru_cache(maxsize=4096)(nlp)

    def read(self, names: Sequence[str], hits: Sequence[Hit]) -> list[StoredEvent]:
        """The meetings of all of `names` that the passages state, in the passages' order."""
        found: list[StoredEvent] = []
        articles: dict[int, tuple[str, ArticleNames]] = {}
        for hit in hits:
            if hit.article_id not in articles:
                title, passages = self.article_text(hit.article_id)
                articles[hit.article_id] = (title, ArticleNames(title, passages))
            title, article_names = articles[hit.article_id]
            published = hit.published_at.date() if hit.published_at else None
            text_sentences = sentences(hit.text)
            for i, sentence in enumerate(text_sentences):
                before = text_sentences[i - 1] if i else title
                if not MEETING_WORDS.search(sentence):
                    continue
                if not all(mentions(sentence, n) or mentions(before, n) for n in names):
                    continue
                if not any(mentions(sentence, n) for n in names) and not _GROUP.search(sentence):
                    continue
                for event in self._events(
                    sentence, before, names, hit, published, Context(article_names)
                ):
                    if event.sentence not in {e.sentence for e in found}:
                        found.append(event)
        return [replace(e, id=-(n + 1)) for n, e in enumerate(found)]

    def _events(
        self,
        sentence: str,
        before: str,
        names: Sequence[str],
        hit: Hit,
        published: date | None,
        context: Context,
    ) -> Iterable[StoredEvent]:
        doc = self._parse(sentence)
        span = doc[:]
        for trigger in doc:
            if not _is_trigger(trigger):
                continue
            head = _clause_head(trigger)
            people, group = _frame_people(trigger, head, context)
            named = [n for n in names if any(same_person(n, p) for p in people)]
            unnamed = [n for n in names if n not in named]
            # Everyone asked about takes part: named in the frame, or there as "the two",
            # "they", "their" after the sentence (or the one before) named them.
            if unnamed and not (group and all(mentions(sentence, n) or mentions(before, n)
                                              for n in unnamed)):  # fmt: skip
                continue
            if not named and not group:
                continue
            others = [p for p in people if not any(same_person(p, n) for n in names)]
            if len(names) + len(others) < 2:
                continue  # "Ana Ruiz will meet members of Congress": no one named to meet
            tense, status = tense_of(head)
            when, when_text = date_of(head, span, published, tense)
            if _history(doc, published, tense):
                # "Their first meeting was in 2016 in Lima, then on 3 May 2017 in Kazan": a
                # list of meetings, none of them the one asked about.
                continue
            if when is None and _DATE_WORDS.search(before):
                previous = self._parse(before)
                when, when_text = date_of(previous[:].root, previous[:], published, tense)
            where = _places(trigger, head, span) or dateline_place(hit.text)
            yield StoredEvent(
                id=0,
                passage_id=hit.passage_id,
                article_id=hit.article_id,
                kind=trigger.lemma_.lower(),
                who=tuple(n for n in names),
                with_=tuple(others),
                when=when,
                when_text=when_text,
                where=where,
                status=status,
                sentence=sentence,
                roles=tuple((p, context.roles[p]) for p in others if p in context.roles),
            )
            return  # one meeting per sentence: the first frame that holds the people


def _history(doc: Doc, published: date | None, tense: Tense) -> bool:
    """Whether a sentence tells of several meetings on different days."""
    days = {
        day
        for ent in doc.ents
        if ent.label_ == "DATE" and (day := resolve_date(ent.text, published, tense)) is not None
    }
    years = {m.group(0) for m in re.finditer(r"\b(?:19|20)\d\d\b", doc.text)}
    return len(days) >= 2 or len(years) >= 2


def _is_trigger(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX"):
        return lemma in _VERB_TRIGGERS
    if token.pos_ in ("NOUN", "PROPN", "ADJ"):
        return lemma in EVENT_NOUNS or token.lower_ in EVENT_NOUNS
    return False


def _clause_head(trigger: Token) -> Token:
    """The verb whose clause the meeting is told in: the trigger itself, or the verb that
    carries a meeting noun ("held talks", "had a meeting")."""
    if trigger.pos_ in ("VERB", "AUX"):
        return trigger
    node = trigger
    for _ in range(3):
        if (
            node.dep_ in ("dobj", "pobj", "prep", "nsubj", "nsubjpass", "attr")
            and node.head is not node
        ):
            node = node.head
            if node.pos_ in ("VERB", "AUX") and node.lemma_.lower() in HOLD_VERBS | _VERB_TRIGGERS:
                return node
            if node.pos_ in ("VERB", "AUX"):
                break
        else:
            break
    return trigger


def _governors(head: Token) -> list[Token]:
    """The head and the verbs above it whose subject is the meeting's subject too."""
    chain = [head]
    node = head
    for _ in range(3):
        if node.dep_ not in _CHAIN_DEPS or node.head is node:
            break
        node = node.head
        chain.append(node)
    return chain


def _frame_people(trigger: Token, head: Token, context: Context) -> tuple[list[str], bool]:
    """The people of the meeting's frame, and whether a group word ("the two", "they",
    "their", "both") stands in it for people named before."""
    frame = {trigger.i, head.i}
    governors = _governors(head)
    people: list[str] = []
    group = False
    for token in trigger.doc:
        if not _in_frame(token, frame, governors):
            continue
        if token.lower_ in GROUP_WORDS:
            group = True
            continue
        if token.pos_ != "PROPN" and token.ent_type_ == "PERSON" and token.ent_iob_ != "B":
            # "Kim Dae-sung" with "sung" read as a verb: the person entity it ends.
            person = _entity_person(token, context)
            if person and looks_like_a_person(person) and person not in people:
                people.append(person)
            continue
        if token.pos_ != "PROPN" or (token.ent_type_ == "PERSON" and token.dep_ == "compound"
                                     and token.head.ent_type_ == "PERSON"):  # fmt: skip
            continue
        if (
            token.i + 1 < len(token.doc)
            and token.doc[token.i + 1].pos_ == "PROPN"
            and (token.doc[token.i + 1].head.i == token.i or token.head.i == token.i + 1)
        ):
            continue  # not the last word of a name
        if _after_place_preposition(token) or _before_a_title(token) or _inside_entity(token):
            continue
        person = person_of(token, context) or _untagged_person(token, trigger, context)
        if person and looks_like_a_person(person) and person not in people:
            people.append(person)
    return people, group


def _entity_person(token: Token, context: Context) -> str | None:
    ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
    if ent is None or ent.end - 1 != token.i:
        return None
    name = context.names.resolve(display_name(ent.text))
    return None if context.names.is_author(name) else name


def _untagged_person(token: Token, trigger: Token, context: Context) -> str | None:
    """A full name the small model tagged a place, in a slot only a person fills: one meets,
    greets or sits down with people, not towns ("met Ines Barta", Barta a GPE); "visit" may
    take a place, so its object is left to the tagger."""
    if token.ent_type_ not in ("GPE", "LOC") or trigger.lemma_.lower() == "visit":
        return None
    words = [t.text for t in token.doc[token.left_edge.i : token.i + 1] if t.pos_ == "PROPN"]
    name = context.names.resolve(" ".join(words))
    return name if len(name.split()) >= 2 and not context.names.is_author(name) else None


def _in_frame(token: Token, frame: set[int], governors: list[Token]) -> bool:
    """Whether a token hangs under the meeting word through noun-phrase links only, or is in
    the subject of a governing verb."""
    node = token
    for _ in range(12):
        if node.i in frame:
            return True
        if node.head is node:
            return False
        if node.dep_ in ("nsubj", "nsubjpass") and node.head in governors:
            return True
        if node.dep_ not in _PHRASE_DEPS and node.dep_ != "prep":
            return False
        parent = node.head
        if parent.pos_ in ("VERB", "AUX") and parent.i not in frame:
            return False
        node = parent
    return False


def _inside_entity(token: Token) -> bool:
    """A word of an entity that goes on after it: the entity is read at its last word."""
    after = token.i + 1
    return bool(token.ent_type_) and after < len(token.doc) and token.doc[after].ent_iob_ == "I"


def _before_a_title(token: Token) -> bool:
    """ "External Affairs Minister Ana Ruiz": the words before a title are part of the role."""
    after = token.i + 1
    return after < len(token.doc) and token.doc[after].lower_ in TITLE_WORDS - {
        "the",
        "of",
        "and",
        "for",
    }


def _after_place_preposition(token: Token) -> bool:
    """ "in Geneva", "at the White House": a place, not a participant."""
    node = token
    while node.dep_ in ("compound", "flat", "amod") and node.head is not node:
        node = node.head
    return node.dep_ == "pobj" and node.head.lower_ in ("in", "at", "to", "from", "near")


def _places(trigger: Token, head: Token, span: Span) -> str | None:
    """The place of the meeting: the first "in"/"at" place under the meeting word or its verb
    (else in the sentence), with the city it is in when the text says so ("at the Grand Hotel
    in Lyon" -> "Grand Hotel, Lyon")."""
    for scope in ([*trigger.subtree, *head.subtree], list(span)):
        for token in scope:
            obj = _place_object(token)
            if obj is None:
                continue
            found = [_place_words(obj)]
            after = obj.right_edge.i + 1
            following = [obj.doc[after]] if after < len(obj.doc) else []
            for child in [*obj.children, *following]:
                if (inner := _place_object(child)) is not None:
                    found.append(_place_words(inner))
                    break
            return ", ".join(dict.fromkeys(p for p in found if p)) or None
    return None


def _place_object(prep: Token) -> Token | None:
    """The place an "in"/"at" phrase names, or None."""
    if prep.dep_ != "prep" or prep.lower_ not in ("in", "at"):
        return None
    for obj in prep.children:
        if obj.dep_ != "pobj" or _is_calendar(obj):
            continue
        # "in the Green Room", "at the Grand Hotel": the small model often calls a building
        # an organisation; no one is met "in" an organisation.
        named = obj.pos_ == "PROPN" and obj.ent_type_ in ("ORG", "FAC", "")
        if is_place(obj, prep.lower_) or named:
            return obj
    return None


def _place_words(obj: Token) -> str:
    return place_text(obj) if obj.ent_type_ else _proper_phrase(obj)


def _proper_phrase(token: Token) -> str:
    words = [t for t in token.subtree if t.i <= token.i and t.dep_ not in ("det", "poss")]
    return " ".join(t.text for t in words).strip(" ,.")


def _is_calendar(token: Token) -> bool:
    return token.ent_type_ in ("DATE", "TIME")
