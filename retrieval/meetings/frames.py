"""The frame of a meeting word in one parsed sentence: who takes part (subject and objects, the
"with" / "between" / "by" phrases, owners and compounds of a meeting noun, the subject of a
governing verb), who came with whom, who said a quote, and the clause a word belongs to. The
question-time reader (`retrieval.meetings.reader`) reads sentences with these."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from retrieval.meetings.dates import Tense, resolve_date
from retrieval.meetings.extract import (
    Context,
    person_of,
    said_on,
)
from retrieval.meetings.names import (
    display_name,
    is_title_case,
    looks_like_a_person,
)
from retrieval.meetings.places import (
    after_place_preposition,
)
from retrieval.meetings.vocab import (
    CALL_VERBS,
    EVENT_NOUNS,
    GROUP_WORDS,
    HOLD_VERBS,
    MEET_VERBS,
    MEETING_WORDS,
    MONTH_PATTERN,
    TALK_VERBS,
    WEEKDAYS,
    inflections,
)
from retrieval.store.events import (
    TITLE_WORDS,
    StoredEvent,
    normalize_name,
    same_person,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = [
    "BACK_REFERENCE",
    "CONTINUES",
    "DATE_WORDS",
    "GROUP",
    "PLANNED",
    "PRONOUN",
    "another_meeting",
    "clause_depth",
    "clause_head",
    "frame_people",
    "governing_verbs",
    "is_trigger",
    "lists_meetings",
    "main_subject",
    "mentions",
    "refers_back",
    "states_a_meeting",
    "unnamed_party",
    "verb_lemma",
]

# Links a participant may climb to reach the meeting word: noun-phrase and prepositional ones.
_PHRASE_DEPS = frozenset(
    "compound conj appos poss pobj prep nmod amod flat cc npadvmod attr dobj nsubj "
    "nsubjpass agent dative".split()
)
# Links from the meeting verb up to the verbs whose subject is also the meeting's: "is
# scheduled to meet", "travelled to Paris to meet", "arrived and met", "will be hosted".
_CHAIN_DEPS = frozenset("xcomp advcl conj ccomp acomp".split())
_VERB_TRIGGERS = MEET_VERBS | TALK_VERBS | CALL_VERBS
_FORM_TO_VERB = {form: verb for verb in _VERB_TRIGGERS for form in inflections(frozenset([verb]))}
_INTO_VERBS = frozenset("run bump".split())  # "ran into A", "bumped into A"
_NOUN_SLOTS = frozenset("dobj pobj prep nsubj nsubjpass attr".split())
GROUP = re.compile(r"\b(?:they|their|the two|both)\b", re.I)
PRONOUN = re.compile(r"\b(?:he|she|him|her)\b", re.I)
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
# "In / at / during the meeting, A and B ...": the subject of the verb the phrase modifies took
# part ("Also at the meeting were A and B").
_ATTENDANCE_PREPOSITIONS = frozenset("in at during for".split())
# Meetings of many, at which being present is not meeting a given other.
# Words that put a meeting ahead: "the planned summit", "an upcoming visit".
PLANNED = frozenset("planned scheduled upcoming proposed expected forthcoming coming".split())
# A meal one person gives another: "took B (out) to dinner", "invited B for lunch".
_MEALS = frozenset("dinner lunch breakfast supper".split())
_TREAT_VERBS = frozenset("take invite treat bring".split())
_GATHERINGS = frozenset("summit summits conference forum assembly".split())
_CONVENE = frozenset("hold host convene chair".split())
# The prepositions that bring in a meeting's people: "met with", "talked to", "talks between",
# "a meeting of", "was received by", "called on", "sat among"; not "spoke about", "for".
_PARTY_PREPOSITIONS = frozenset("with to between of by on among alongside into".split())
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
    return False


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
        people, _, _ = frame_people(trigger, clause_head(trigger), context)
        if any(not any(same_person(p, q) for q in event.people) for p in people):
            return True
    return False


def lists_meetings(doc: Doc, published: date | None, tense: Tense) -> bool:
    """Whether a sentence tells of several meetings on different days; the day a verb of saying
    carries is not one of them ("A met B on Friday, the company said on Monday")."""
    said = [e for e in doc.ents if e.label_ == "DATE" and said_on(e.root)]
    dates = [e for e in doc.ents if e.label_ == "DATE" and e not in said]
    days = {day for e in dates if (day := resolve_date(e.text, published, tense)) is not None}
    years = {
        m.group(0)
        for m in re.finditer(r"\b(?:19|20)\d\d\b", doc.text)
        if not any(e.start_char <= m.start() < e.end_char for e in said)
    }
    return len(days) >= 2 or len(years) >= 2


def verb_lemma(token: Token) -> str:
    """A meeting verb's lemma, mended where the small model gets it wrong ("dined" -> "din"),
    "meet" for the idioms of meeting ("ran into", "introduced A to B")."""
    lemma = token.lemma_.lower()
    if lemma in _VERB_TRIGGERS:
        return lemma
    if (lemma in _INTO_VERBS and _prep(token, "into")) or (
        lemma == "introduce" and _prep(token, "to")
    ):
        return "meet"
    return _FORM_TO_VERB.get(token.lower_, lemma)


def _prep(token: Token, word: str) -> bool:
    return any(c.dep_ == "prep" and c.lower_ == word for c in token.children)


def is_trigger(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX"):
        return verb_lemma(token) in _VERB_TRIGGERS
    if token.pos_ in ("NOUN", "PROPN", "ADJ"):
        return lemma in EVENT_NOUNS or token.lower_ in EVENT_NOUNS
    return False


def clause_head(trigger: Token) -> Token:
    """The verb whose clause the meeting is told in: the trigger itself, or the verb that
    carries a meeting noun ("held talks", "had a meeting")."""
    if trigger.pos_ in ("VERB", "AUX"):
        return trigger
    node = trigger
    for _ in range(3):
        if (
            node.dep_ in ("dobj", "pobj", "prep", "nsubj", "nsubjpass", "attr")
            and node.head.i != node.i
        ):
            node = node.head
            carries = node.lemma_.lower() in HOLD_VERBS | _VERB_TRIGGERS
            if trigger.lemma_.lower() in _MEALS and node.lemma_.lower() in _TREAT_VERBS:
                carries = True  # "took B out to dinner", "invited B to lunch"
            if trigger.lemma_.lower() in _GATHERINGS and node.lemma_.lower() not in _CONVENE:
                # those who attend or speak at one summit have not met each other for it;
                # those who hold one have
                carries = False
            if node.pos_ in ("VERB", "AUX") and carries:
                return node
            if node.pos_ in ("VERB", "AUX"):
                break
        else:
            break
    return trigger


def governing_verbs(head: Token) -> list[Token]:
    """The head and the verbs above it whose subject is the meeting's subject too."""
    chain = [head]
    node = head
    for _ in range(3):
        if node.dep_ == "pcomp" and node.head.dep_ == "prep":
            node = node.head.head  # "A told reporters after meeting B": A met B
        elif (
            node.dep_ in _CHAIN_DEPS
            and node.head.i != node.i
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in node.children)
            and not _describes_an_event(node)
        ):
            # "A is due to meet B": through "due" to "is"; not "A met B a day after C met D",
            # where the clause has a subject of its own
            node = node.head
        else:
            break
        chain.append(node)
    return chain


def frame_people(trigger: Token, head: Token, context: Context) -> tuple[list[str], bool, bool]:
    """The people of the meeting's frame, whether a group word ("the two", "they", "their",
    "both") stands in it for people named before, and whether "he" / "she" does."""
    frame = {trigger.i, head.i}
    if _headline_infinitive(trigger):
        frame.add(trigger.head.i)  # "Ana Ruiz to meet Tomas Elgin in Lyon"
    governors = governing_verbs(head)
    for verb in governors:
        if verb.dep_ == "relcl" and any(
            c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("who", "that") for c in verb.children
        ):
            frame.add(verb.head.i)  # "A, who met B on Tuesday, said ...": A met B
    for clause in trigger.children:
        if clause.dep_ == "relcl" and any(c.lower_ in ("when", "where") for c in clause.children):
            frame.add(clause.i)  # "a late meeting when A sought to win B over": A was there
    attended = _attended(trigger)
    if attended is not None:
        governors = [*governors, attended]
    people: list[str] = []
    group = pronoun = False
    # "A introduced B to C": B met C, A only brought them together
    introducer = trigger.lemma_.lower() == "introduce"
    for token in trigger.doc:
        if not _in_frame(token, frame, governors):
            continue
        if introducer and any(
            a.dep_ == "nsubj" and a.head.i == trigger.i for a in [token, *token.ancestors]
        ):
            continue
        if token.lower_ in GROUP_WORDS:
            group = True
            continue
        if token.pos_ == "PRON" and token.lower_ in ("he", "she", "him", "her"):
            # a participant, not an owner: "her counterpart" is someone else
            pronoun = pronoun or token.dep_ != "poss"
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
        if (
            after_place_preposition(token)
            or _before_a_title(token)
            or _inside_entity(token)
            or _owner_of_a_role(token)
            or _owner_of_a_person(token)
        ):
            continue
        person = person_of(token, context) or _untagged_person(token, trigger, context)
        if person and looks_like_a_person(person) and person not in people:
            people.append(person)
    return people, group, pronoun


def _headline_infinitive(trigger: Token) -> bool:
    """ "A to meet B on Friday": a headline's plan, A the subject the grammar leaves out."""
    return (
        trigger.dep_ == "acl"
        and trigger.head.dep_ == "ROOT"
        and trigger.head.pos_ == "PROPN"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in trigger.children)
    )


def _describes_an_event(participle: Token) -> bool:
    """ "... to speak at the summit, hosted by B": a participle right after a meeting noun
    tells of that meeting, whatever the parser hangs it on; its subject is not the clause's."""
    if participle.tag_ != "VBN":
        return False
    words = [t for t in participle.doc[: participle.left_edge.i] if not t.is_punct]
    if not words:
        return False
    # the noun phrase just before: "the summit", "the UK Summit on AI Safety"
    for node in [words[-1], *words[-1].ancestors]:
        if node.pos_ in ("VERB", "AUX"):
            return False
        if node.lemma_.lower() in EVENT_NOUNS | _GATHERINGS:
            return True
    return False


def _attended(trigger: Token) -> Token | None:
    """The verb whose subject was at a meeting named in an "in" / "at" / "during" phrase:
    "During the talks, A and B agreed ...", "Also at the meeting were A and B"."""
    prep = trigger.head
    if (
        trigger.lemma_.lower() in _GATHERINGS  # speaking at a summit is not meeting its host
        or trigger.pos_ in ("VERB", "AUX")
        or trigger.dep_ != "pobj"
        or prep.lower_ not in _ATTENDANCE_PREPOSITIONS
        or prep.head.pos_ not in ("VERB", "AUX")
    ):
        return None
    return prep.head


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
    before = token.doc[token.i - 1] if token.i else None
    if (
        token.pos_ == "PROPN"
        and before is not None
        and before.pos_ == "PROPN"
        and before.head.i != token.i
        and token.head.i != before.i
    ):
        # "a meeting with Nauru PM Talvela exploring ...": one name the small parser breaks
        # up, its last word hung on the next verb; the run belongs where its first word does.
        return _in_frame(before, frame, governors)
    node = token
    for _ in range(12):
        if node.i in frame:
            return True
        if node.head.i == node.i:
            return False
        if node.dep_ in ("nsubj", "nsubjpass") and node.head in governors:
            return True
        if node.dep_ == "attr" and node.head in governors and node.head.lemma_ == "be":
            return True  # "Also at the meeting were A and B"
        if node.dep_ not in _PHRASE_DEPS and node.dep_ != "prep":
            return False
        parent = node.head
        if (
            parent.i in frame
            and node.dep_ == "prep"
            and (
                node.lower_ not in _PARTY_PREPOSITIONS
                or (
                    node.lower_ == "on"
                    and parent.lemma_.lower() not in CALL_VERBS
                    # "the summit on Wednesday local time between A and B": the small model
                    # hangs the parties under the day
                    and not any(t.ent_type_ in ("DATE", "TIME") for t in node.subtree)
                )
            )
        ):
            return False  # "spoke about A", "on a trip to Porto": not a party; "called on A" is
        if parent.pos_ in ("VERB", "AUX") and parent.i not in frame:
            if node.dep_ == "agent" and parent.dep_ == "acl":
                node = parent.head  # "a delegation led by A": A is there
                continue
            return False
        node = parent
    return False


def _owner_of_a_person(token: Token) -> bool:
    """ "Lumo's chief Ana Ruiz", "Norland's Foreign Minister Tomas Elgin": the owner of a
    person or a role is no one met; a meeting noun's owner is ("Ruiz's talks with Elgin")."""
    if token.dep_ != "poss":
        return False
    owned = token.head
    return not is_trigger(owned) and owned.lemma_.lower() not in EVENT_NOUNS | _GATHERINGS


def _owner_of_a_role(token: Token) -> bool:
    """ "The chief executive of Lumo Labs, Ana Ruiz, met ...": what a role noun is "of" is where
    the person works, not someone met; a person there stays ("the wife of Tomas Elgin")."""
    of = token.head
    return (
        token.dep_ == "pobj"
        and token.ent_type_ != "PERSON"
        and of.lower_ == "of"
        and of.head.pos_ == "NOUN"
        and not is_trigger(of.head)
        and of.head.lemma_.lower() not in EVENT_NOUNS | _GATHERINGS | GROUP_WORDS
    )


def _inside_entity(token: Token) -> bool:
    """A word of an entity that goes on after it: the entity is read at its last word."""
    after = token.i + 1
    return bool(token.ent_type_) and after < len(token.doc) and token.doc[after].ent_iob_ == "I"


def _before_a_title(token: Token) -> bool:
    """ "External Affairs Minister Ana Ruiz": the words before a title are part of the role."""
    after = token.i + 1
    if after < len(token.doc) and token.doc[after].pos_ in ("ADV", "VERB", "AUX"):
        return False  # "Ana Ruiz first met B": an adverb, not "First Lady"
    return after < len(token.doc) and token.doc[after].lower_ in TITLE_WORDS - {
        "the",
        "of",
        "and",
        "for",
    }
