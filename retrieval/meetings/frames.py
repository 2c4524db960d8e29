"""The frame of a meeting word in one parsed sentence: who takes part (subject and objects, the
"with" / "between" / "by" phrases, owners and compounds of a meeting noun, the subject of a
governing verb), who came with whom, who said a quote, and the clause a word belongs to. The
question-time reader (`retrieval.meetings.reader`) reads sentences with these and with what
`retrieval.meetings.mentions` tells of the sentence around the frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.meetings.names import display_name, looks_like_a_person
from retrieval.meetings.people import (
    Context,
    names_a_thing,
    person_of,
    role_holder,
    surname_of_someone,
)
from retrieval.meetings.places import after_place_preposition
from retrieval.meetings.triggers import VERB_TRIGGERS, idiom, is_trigger
from retrieval.meetings.vocab import (
    CALL_VERBS,
    EVENT_NOUNS,
    GROUP_WORDS,
    HOLD_VERBS,
    calendar_word,
)
from retrieval.store.events import TITLE_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = [
    "clause_head",
    "controller",
    "frame_people",
    "governing_verbs",
]

# Links a participant may climb to reach the meeting word: noun-phrase and prepositional ones.
_PHRASE_DEPS = frozenset(
    "compound conj appos poss pobj prep nmod amod flat cc npadvmod attr dobj nsubj "
    "nsubjpass agent dative".split()
)
# Links from the meeting verb up to the verbs whose subject is also the meeting's: "is
# scheduled to meet", "travelled to Paris to meet", "arrived and met", "will be hosted".
_CHAIN_DEPS = frozenset("xcomp advcl conj ccomp acomp".split())
# Verbs whose object does what their infinitive says: "sent B to meet C", "asked B to meet C".
_CONTROL_VERBS = frozenset(
    "send dispatch ask invite urge tell instruct order encourage persuade allow authorize "
    "authorise task assign".split()
)
# "In / at / during the meeting, A and B ...": the subject of the verb the phrase modifies took
# part ("Also at the meeting were A and B").
_ATTENDANCE_PREPOSITIONS = frozenset("in at during for".split())
# A meal one person gives another: "took B (out) to dinner", "invited B for lunch".
_MEALS = frozenset("dinner lunch breakfast supper".split())
_TREAT_VERBS = frozenset("take invite treat bring".split())
# Meetings of many, at which being present is not meeting a given other.
_GATHERINGS = frozenset("summit summits conference forum assembly".split())
_CONVENE = frozenset("hold host convene chair".split())
# The prepositions that bring in a meeting's people: "met with", "talked to", "talks between",
# "a meeting of", "was received by", "called on", "sat among"; not "spoke about", "for".
# The party someone leads to a meeting: its leader takes part.
_DELEGATIONS = frozenset("delegation delegations team entourage mission".split())


_PARTY_PREPOSITIONS = frozenset("with to between of by on among alongside into from".split())


def clause_head(trigger: Token) -> Token:
    """The verb whose clause the meeting is told in: the trigger itself, or the verb that
    carries a meeting noun ("held talks", "had a meeting")."""
    if trigger.pos_ in ("VERB", "AUX"):
        return trigger
    node = trigger
    for _ in range(3):
        if (
            node.dep_ in ("dobj", "pobj", "prep", "nsubj", "nsubjpass", "attr")
            or (node.dep_ == "advmod" and node.lower_ == "out")  # "took B out to dinner"
        ) and node.head.i != node.i:
            node = node.head
            carries = node.lemma_.lower() in HOLD_VERBS | VERB_TRIGGERS
            if trigger.lemma_.lower() in _MEALS and node.lemma_.lower() in _TREAT_VERBS:
                carries = True  # "took B out to dinner", "invited B to lunch"
            if idiom(trigger):
                carries = True  # "played host to B"
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
        elif controller(node) is not None:
            break  # "A sent B to meet C": B met C, not A
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


def controller(verb: Token) -> Token | None:
    """The object of the verb an infinitive hangs on, which is the infinitive's subject: "A
    sent B to meet C", "asked B to meet C" (B meets C); None when there is none."""
    if (
        verb.dep_ not in ("xcomp", "advcl")
        or verb.head.lemma_.lower() not in _CONTROL_VERBS
        or not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    ):
        return None
    return next((c for c in verb.head.children if c.dep_ == "dobj" and c.i < verb.i), None)


def frame_people(trigger: Token, head: Token, context: Context) -> tuple[list[str], bool, bool]:
    """The people of the meeting's frame, whether a group word ("the two", "they", "their",
    "both") stands in it for people named before, and whether "he" / "she" does."""
    frame = {trigger.i, head.i}
    if _headline_infinitive(trigger):
        frame.add(trigger.head.i)  # "Ana Ruiz to meet Tomas Elgin in Lyon"
    governors = governing_verbs(head)
    if (sent := controller(governors[-1])) is not None:
        frame.add(sent.i)  # "A sent B to meet C": B
    for verb in governors:
        if verb.dep_ == "relcl" and any(
            c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("who", "that") for c in verb.children
        ):
            frame.add(verb.head.i)  # "A, who met B on Tuesday, said ...": A met B
            led = verb.head
            if (
                led.lemma_.lower() in _DELEGATIONS
                and led.dep_ == "dobj"
                and led.head.lemma_
                in (
                    "lead",
                    "head",
                )
            ):
                governors = [*governors, led.head]  # "A led a delegation that met B": A
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
        if token.pos_ == "NOUN" and any(
            c.lower_ in ("two", "both") and c.dep_ in ("nummod", "det", "predet")
            for c in token.children
        ):
            group = True  # "the two men", "both leaders": the head word under the frame
            continue
        if token.pos_ == "PRON" and token.lower_ in ("he", "she", "him", "her", "his"):
            # a participant, not an owner: "her counterpart" is someone else; the owner of
            # the meeting itself was there ("his meeting with B")
            pronoun = pronoun or token.dep_ != "poss" or token.head.i == trigger.i
            continue
        if (pair := _hyphenated_pair(token, context)) is not None:
            # "the Ruiz-Varga talks": both surnames, each the article's full name
            people += [p for p in pair if p not in people]
            continue
        if (
            token.pos_ == "PROPN"
            and token.i + 2 < len(token.doc)
            and _hyphenated_pair(token.nbor(2), context) is not None
        ):
            continue  # the first surname of such a pair, read with the second
        if token.pos_ != "PROPN" and token.ent_type_ == "PERSON" and token.ent_iob_ != "B":
            # "Kim Dae-sung" with "sung" read as a verb: the person entity it ends.
            person = _entity_person(token, context)
            if person and looks_like_a_person(person) and person not in people:
                people.append(person)
            continue
        if token.pos_ != "PROPN" and token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "conj"):
            # "Varga held talks with Ruiz", "Varga" tagged a common noun; "the commissioner
            # met Ruiz" after "trade commissioner Ana Talvela"
            person = surname_of_someone(token, context) or role_holder(token, context)
            if person and person not in people:
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
            or names_a_thing(token)
            or _owner_of_a_person(token)
        ):
            continue
        person = person_of(token, context) or _untagged_person(token, trigger, context)
        if person and looks_like_a_person(person) and person not in people:
            people.append(person)
    return people, group, pronoun


def _hyphenated_pair(token: Token, context: Context) -> list[str] | None:
    """The two people of "Ruiz-Varga" before a meeting noun ("the Ruiz-Varga summit"), when
    the article names both in full; None for anything else (a double-barrelled name the
    article gives whole, "Ana Ruiz-Varga", stays one person)."""
    doc = token.doc
    if token.i < 2 or token.pos_ != "PROPN" or doc[token.i - 1].text not in ("-", "–"):
        return None
    first = doc[token.i - 2]
    if first.pos_ != "PROPN" or not (is_trigger(token.head) or is_trigger(token.head.head)):
        return None
    pair = [context.names.resolve(first.text), context.names.resolve(token.text)]
    if any(len(p.split()) < 2 or not looks_like_a_person(p) for p in pair):
        return None
    whole = f"{first.text}-{token.text}"
    if any(whole in full for full in context.names.full_names):
        return None
    return pair


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
        if parent.lower_ == "including" and parent.dep_ == "prep":
            node = parent  # "with world leaders including A and B": a list of the party
            continue
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
    # "Ruiz's delegation met B": Ruiz was there
    never = EVENT_NOUNS | _GATHERINGS | _DELEGATIONS
    return not is_trigger(owned) and owned.lemma_.lower() not in never


def _owner_of_a_role(token: Token) -> bool:
    """ "The chief executive of Lumo Labs, Ana Ruiz, met ...": what a role noun is "of" is where
    the person works, not someone met; a person there stays ("the wife of Tomas Elgin"). The
    field of a title includes its conjuncts ("the Minister of Rivers and Inland Ports")."""
    if token.ent_type_ == "PERSON":
        return False
    while token.dep_ == "conj":
        token = token.head
    of = token.head
    return (
        token.dep_ == "pobj"
        and of.lower_ == "of"
        # (a capitalised title is a proper noun to the tagger: "the Minister of Trade")
        and (of.head.pos_ == "NOUN" or of.head.lower_ in TITLE_WORDS)
        and not is_trigger(of.head)
        and of.head.lemma_.lower() not in EVENT_NOUNS | _GATHERINGS | GROUP_WORDS
    )


def _inside_entity(token: Token) -> bool:
    """A word of an entity that goes on after it: the entity is read at its last word."""
    after = token.i + 1
    if token.dep_ == "nmod" and token.head.pos_ == "PROPN" and _one_name(token, token.head):
        return True  # "the Ministry of Rivers and Inland Ports": a word of one name
    if after >= len(token.doc) or token.doc[after].pos_ == "CCONJ" or token.doc[after].text == ",":
        return False  # "Elgin, Ruiz and Varga" tagged one entity: three people
    if token.doc[after].dep_ == "case":
        return False  # "Tomas Elgin's meeting", the "'s" tagged part of the name
    if token.ent_type_ in ("DATE", "TIME") and not calendar_word(token.text):
        return False  # "met Ana Ruiz two days ago" tagged one date: the name ends here
    return bool(token.ent_type_) and token.doc[after].ent_iob_ == "I"


def _one_name(word: Token, head: Token) -> bool:
    """Whether a proper noun the parser hangs on another is a word of the same name: both in
    one entity, or in the field of a title ("Minister of Rivers and Inland Ports"); not the
    first of two people ("met Ana Ruiz and Carla Mendes", "Ruiz" parsed under "Mendes")."""
    if word.ent_type_ and head.ent_type_:
        return any(e.start <= word.i < e.end and e.start <= head.i < e.end for e in word.doc.ents)
    start = word.left_edge.i
    return start > 0 and word.doc[start - 1].lower_ == "of"


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
