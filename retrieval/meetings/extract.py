"""Meeting events from passages: who met whom, when and where, from spaCy's parse and entities.

The small English model errs (it tags "Antony Blinken" as a facility in "will meet Antony
Blinken in Washington"), so a participant is read from the parse first: the subject and object
of a meeting verb (meet, visit, host, receive, call, speak with, sit down with, hold talks with,
...), then its run of proper nouns, with the entity label only used to tell places from people.
Titles are roles, not names: "US Secretary of State Antony Blinken" is Antony Blinken. Within an
article, short mentions ("Ms Truss", "Blinken") become the full name seen elsewhere in it.

Dates are resolved against the publication date by `retrieval.meetings.dates`, in the
sentence's tense: "will meet on Wednesday" looks forward and is `announced`; "met on Monday"
looks back and is `reported`. Only passages with a meeting word are parsed, which keeps ingest fast.
The participants are read by `retrieval.meetings.people`, the tense and the date by
`retrieval.meetings.timing`, the place by `retrieval.meetings.places`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from retrieval.meetings.dates import Tense
from retrieval.meetings.frames import controller
from retrieval.meetings.names import ArticleNames, looks_like_a_person
from retrieval.meetings.people import Context, people_of, person_of
from retrieval.meetings.places import (
    _nearby_place,
    dateline_match,
    is_place,
    meeting_place,
    place_of,
    place_text,
    unless_a_participant,
)
from retrieval.meetings.timing import date_of, tense_of
from retrieval.meetings.vocab import (
    CALL_VERBS,
    EVENT_NOUNS,
    HOLD_VERBS,
    MEET_VERBS,
    MEETING_WORDS,
    TALK_VERBS,
    inflections,
)
from retrieval.store.events import (
    ANNOUNCED,
    EventDraft,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span, Token

__all__ = ["TRIGGER", "EventExtractor", "negated"]


logger = logging.getLogger(__name__)

# A passage without a meeting word is not parsed.
TRIGGER = MEETING_WORDS
_GROUP_PRONOUNS = {"they", "their", "both"}
_GROUP_DEPS = {"det", "nummod", "predet"}


class EventExtractor:
    """Finds meeting events in the passages of articles; one spaCy pipeline, loaded once."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def extract(
        self, title: str, published: date | None, passages: Sequence[str]
    ) -> list[list[EventDraft]]:
        """The events of each passage of one article (a list per passage, maybe empty)."""
        return self.extract_many([(title, published, passages)])[0]

    def extract_many(
        self, articles: Sequence[tuple[str, date | None, Sequence[str]]]
    ) -> list[list[list[EventDraft]]]:
        """`extract` for several articles, parsed in one batch."""
        jobs = [
            (a, p)
            for a, (_, _, passages) in enumerate(articles)
            for p, text in enumerate(passages)
            if TRIGGER.search(text)
        ]
        docs = self.nlp.pipe((_parse_text(articles[a][2][p]) for a, p in jobs), batch_size=64)
        parsed: dict[tuple[int, int], Any] = dict(zip(jobs, docs, strict=True))
        titles = dict(
            zip(
                [a for a, (title, _, _) in enumerate(articles) if TRIGGER.search(title)],
                self.nlp.pipe(t for t, _, _ in articles if TRIGGER.search(t)),
                strict=True,
            )
        )
        result: list[list[list[EventDraft]]] = []
        for a, (title, published, passages) in enumerate(articles):
            names = ArticleNames(title, passages)
            context = Context(names)
            events: list[list[EventDraft]] = []
            for p in range(len(passages)):
                doc = parsed.get((a, p))
                found = _events_in(doc, published, context) if doc is not None else []
                events.append([_verbatim(e, passages[p]) for e in found])
            if a in titles and events:
                # A headline's event belongs with the first passage, which it introduces.
                for event in _events_in(titles[a], published, Context(names)):
                    if event not in events[0]:
                        events[0].append(event)
            result.append(events)
        return result


def _verbatim(event: EventDraft, passage: str) -> EventDraft:
    """The event's sentence as the passage has it (without the stop `_parse_text` added)."""
    sentence = event.sentence
    if sentence not in passage and sentence.endswith(".") and sentence[:-1] in passage:
        return replace(event, sentence=sentence[:-1])
    return event


def _parse_text(passage: str) -> str:
    """A passage for the parser: a paragraph without a final stop (a subtitle, a caption) gets
    one, so that it is not read as the start of the next sentence."""
    paragraphs = [p.strip() for p in passage.split("\n\n")]
    return "\n\n".join(p if p[-1:] in ".!?:;\"'”’" else p + "." for p in paragraphs if p)


def _events_in(doc: Any, published: date | None, context: Context) -> list[EventDraft]:
    events: list[EventDraft] = []
    previous: Span | None = None
    for sentence in doc.sents:
        for token in sentence:
            event = _without_dateline(_event_at(token, sentence, published, context), sentence)
            if event is not None and event.where is None:
                # "Infantino travelled to Washington. ... He met Trump": the place of the
                # nearest sentence of the passage that gives one.
                where = _nearby_place(sentence, doc, (*event.who, *event.with_), context)
                if where is not None:
                    event = replace(event, where=where)
            if event is not None and event.when is None and previous is not None:
                # "He left on Sunday morning. He is scheduled to meet Yoon in the afternoon."
                tense: Tense = "future" if event.status == ANNOUNCED else "past"
                when, text = date_of(previous.root, previous, published, tense)
                if when is not None:
                    event = replace(event, when=when, when_text=text)
            if event is not None and event not in events:
                events.append(event)
            if event is not None:
                context.last_group = (*event.who, *event.with_)
        subjects = [t for t in sentence if t.dep_ in ("nsubj", "nsubjpass")]
        for subject in subjects:
            person = person_of(subject, context)
            if person:
                context.last_person = person
                break
        previous = sentence
    return events


def _without_dateline(event: EventDraft | None, sentence: Span) -> EventDraft | None:
    """The event without the agency or place of a dateline taken for people ("LYON (Ledger
    Wire) - A met B": Ledger Wire met no one)."""
    dateline = dateline_match(sentence.text) if event is not None else None
    if event is None or dateline is None:
        return event
    prefix = sentence.text[: dateline.end()]
    who = tuple(p for p in event.who if p not in prefix)
    with_ = tuple(p for p in event.with_ if p not in prefix)
    if len(who) + len(with_) < 2:
        return None
    return replace(event, who=who or with_[:1], with_=with_ if who else with_[1:])


def negated(token: Token) -> bool:
    """Whether a meeting word is denied, called off or only wished for: "will not meet", "has
    never met", "no meeting", "did not hold talks", "cancelled their meeting", "the talks
    were called off", "hopes to meet", "refused to meet", "could meet", "would meet if"."""
    nodes = [token]
    node = token
    for _ in range(3):  # the verbs above it: "did not hold talks", "is not expected to meet"
        if node.dep_ == "pobj" and node.head.dep_ == "prep":
            node = node.head  # "called for a meeting"
        elif node.head.i == node.i or node.dep_ not in _UP_TO_THE_VERB:
            break
        node = node.head
        if node.pos_ not in ("VERB", "AUX", "ADJ"):
            break
        nodes.append(node)
    for n, node in enumerate(nodes):
        # only the verb right above: "hopes to meet", "cancelled the meeting"; not "asked A
        # to drive with her to a meeting"
        unreal = node.lemma_.lower() in _UNREAL_HEADS or node.lower_ in _UNREAL_FORMS
        # "was asked to join the meeting" says nothing against it; "asked to meet" does
        unreal = unreal and not any(c.dep_ in ("auxpass", "nsubjpass") for c in node.children)
        if (n == 1 and unreal) or _called_off(node):
            return True
        for child in node.children:
            if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
                return True
            if child.dep_ == "aux" and child.lower_ in ("could", "might", "may"):
                return True
            if child.dep_ == "aux" and child.lower_ == "would" and _conditional(node):
                return True
    return False


# Verbs over a meeting that say it did not happen or is only wanted: "hopes to meet", "asked
# to meet", "called for talks", "cancelled the meeting".
_UNREAL_HEADS = frozenset(
    """want wish hope like love seek ask request refuse decline offer propose urge demand
    try insist threaten cancel scrap postpone""".split()
)
_UNREAL_FORMS = inflections(_UNREAL_HEADS)


def _called_off(verb: Token) -> bool:
    """ "called off", "called for" (a meeting that is not, or not yet, arranged)."""
    return verb.lemma_.lower() == "call" and any(
        c.lower_ in ("off", "for") and c.dep_ in ("prt", "prep") for c in verb.children
    )


def _conditional(verb: Token) -> bool:
    """ "would meet B if ...": a condition, not a plan."""
    return any(
        c.dep_ == "advcl"
        and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
        for c in verb.children
    )


def _event_at(
    token: Token, sentence: Span, published: date | None, context: Context
) -> EventDraft | None:
    if negated(token):
        return None
    lemma = token.lemma_.lower()
    who: list[str] = []
    with_: list[str] = []
    place: str | None = None
    verb = token
    if token.pos_ in ("VERB", "AUX") and lemma in MEET_VERBS | TALK_VERBS | CALL_VERBS:
        kind = lemma
        passive = any(c.dep_ == "nsubjpass" for c in token.children)
        for child in token.children:
            if child.dep_ in ("nsubj",) and not passive:
                who += people_of(child, context)
            elif child.dep_ == "nsubjpass" or (child.dep_ == "dobj" and not passive):
                if lemma == "visit" and is_place(child):
                    place = place_text(child)
                elif lemma in MEET_VERBS | CALL_VERBS:
                    with_ += people_of(child, context)
            elif child.dep_ == "agent" and passive:
                who += [
                    p for g in child.children if g.dep_ == "pobj" for p in people_of(g, context)
                ]
            elif child.dep_ == "prep" and child.lower_ in ("with", "to", "on", "between"):
                if child.lower_ == "on" and lemma not in CALL_VERBS:
                    continue
                with_ += [
                    p for g in child.children if g.dep_ == "pobj" for p in people_of(g, context)
                ]
        if not who:
            who += _inherited_subjects(token, context)
        if lemma == "join" and not with_:
            return None
    elif token.pos_ == "NOUN" and lemma in EVENT_NOUNS and token.lower_ != "calls":
        kind = "talks" if lemma in ("talk", "talks") else lemma
        head = token.head
        if token.dep_ in ("dobj", "pobj") and head.lemma_.lower() in HOLD_VERBS:
            verb = head
            who += [p for c in head.children if c.dep_ == "nsubj" for p in people_of(c, context)]
            who = who or _inherited_subjects(head, context)
        elif token.dep_ not in ("nsubj", "compound", "poss"):
            return None
        for owner in (token, head):
            for child in owner.children:
                if child.dep_ == "poss" and child.lower_ not in _GROUP_PRONOUNS:
                    who += people_of(child, context)
                elif child.dep_ == "prep" and (
                    child.lower_ in ("with", "between")
                    or (kind == "visit" and child.lower_ == "to")
                ):
                    with_ += [
                        p for g in child.children if g.dep_ == "pobj" for p in people_of(g, context)
                    ]
    else:
        return None
    if not with_:
        with_ = _with_phrase(token, sentence, context)
    if not who and with_:
        who = _earlier_subject(token, sentence, context)
    if not who and not with_ and _group_subject(verb):
        # "A met B on Tuesday. The two will meet again on Wednesday": the article's last
        # meeting's people.
        who, with_ = list(context.last_group[:1]), list(context.last_group[1:])
    who = [p for p in _dedupe(who) if looks_like_a_person(p)]
    with_ = [p for p in _dedupe(with_) if p not in who and looks_like_a_person(p)]
    if len(who) + len(with_) < 2:
        return None
    if not who:
        who, with_ = with_[:1], with_[1:]
    tense, status = tense_of(verb)
    when, when_text = date_of(verb, sentence, published, tense)
    where = unless_a_participant(
        # the question-time reader's place first ("flew to Lyon to meet B", "the border town
        # of Lyon"), then any "in" / "at" / "to" place of the verb or the sentence
        place
        or meeting_place(token, verb, sentence)
        or place_of(verb, sentence)
        or place_of(verb, sentence, ("to",)),
        [*who, *with_],
    )
    roles = tuple((p, context.roles[p]) for p in [*who, *with_] if p in context.roles)
    return EventDraft(
        kind=kind,
        who=tuple(who),
        with_=tuple(with_),
        roles=roles,
        when=when,
        when_text=when_text,
        where=where,
        status=status,
        sentence=sentence.text.strip(),
    )


def _group_subject(verb: Token) -> bool:
    """Whether the verb's subject stands for a group named before: "they", "both", "the
    two", "the two leaders", "both men"."""
    for subject in (c for c in verb.children if c.dep_ == "nsubj"):
        words = {subject.lower_} | {c.lower_ for c in subject.children if c.dep_ in _GROUP_DEPS}
        if subject.lower_ in ("they", "both") or words & {"two", "both"}:
            return True
    return False


def _inherited_subjects(verb: Token, context: Context) -> list[str]:
    """The subject of a verb that has none of its own: "X was invited and met Y" (a conjunct),
    "X is scheduled to meet Y" (an open complement)."""
    node = verb
    for _ in range(3):
        if node.dep_ not in ("conj", "xcomp", "advcl") or node.head.i == node.i:
            return []
        if (sent := controller(node)) is not None:
            return people_of(sent, context)  # "A sent B to meet C": B
        node = node.head
        subjects = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return [p for s in subjects for p in people_of(s, context)]
    return []


def _with_phrase(trigger: Token, sentence: Span, context: Context) -> list[str]:
    """The names after a "with" that follows the trigger, read linearly: the parser often
    attaches "... talks on Wednesday with Mr Blinken and ..." to the wrong head."""
    doc = trigger.doc
    end = min(sentence.end, trigger.i + 12)
    start = next((t.i for t in doc[trigger.i + 1 : end] if t.lower_ == "with"), None)
    if start is None:
        return []
    found = []
    for token in doc[start + 1 : sentence.end]:
        clause = token.pos_ in ("VERB", "AUX") and token.dep_ not in ("amod", "compound")
        if clause or token.lower_ in ("to", "who", "which", "that"):
            break
        last_of_run = token.i + 1 >= len(doc) or doc[token.i + 1].pos_ != "PROPN"
        if token.pos_ == "PROPN" and last_of_run:
            person = person_of(token, context)
            if person:
                found.append(person)
    return found


def _earlier_subject(trigger: Token, sentence: Span, context: Context) -> list[str]:
    """The nearest person who is a subject earlier in the sentence: "Kim will meet Putin on
    Wednesday, then hold talks with Shoigu" (the parser loses the second verb's subject)."""
    for token in reversed(sentence.doc[sentence.start : trigger.i]):
        if token.dep_ in ("nsubj", "nsubjpass"):
            person = person_of(token, context)
            if person:
                return [person]
    return []


def _dedupe(names: list[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


_UP_TO_THE_VERB = frozenset("dobj nsubjpass nsubj xcomp ccomp".split())
