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
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from retrieval.meetings.dates import Tense, resolve_date
from retrieval.meetings.names import ArticleNames, display_name, looks_like_a_person
from retrieval.meetings.vocab import (
    CALL_VERBS,
    EVENT_NOUNS,
    HOLD_VERBS,
    MEET_VERBS,
    MEETING_WORDS,
    PERSONAL_TITLES,
    TALK_VERBS,
    inflections,
)
from retrieval.store.events import (
    ANNOUNCED,
    REPORTED,
    TITLE_WORDS,
    EventDraft,
    normalize_name,
    same_person,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span, Token

__all__ = [
    "TRIGGER",
    "Context",
    "EventExtractor",
    "date_of",
    "is_place",
    "negated",
    "people_of",
    "person_of",
    "place_of",
    "place_text",
    "said_on",
    "tense_of",
]


logger = logging.getLogger(__name__)

_FUTURE_HEADS = {
    "expect",
    "set",
    "schedule",
    "due",
    "plan",
    "intend",
    "prepare",
    "hope",
    "want",
    "aim",
    "seek",
    "propose",
    "agree",
}
# A passage without a meeting word is not parsed.
TRIGGER = MEETING_WORDS
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_TRAVEL_VERBS = {"travel", "fly", "arrive", "go", "come", "head", "land", "visit", "return"}
_PERSONISH = {"PERSON", "ORG", "NORP", "FAC", ""}
_NUMERIC_LABELS = frozenset("DATE TIME CARDINAL ORDINAL MONEY PERCENT QUANTITY".split())
_PRONOUNS = {"he", "she"}
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


class Context:
    """What carries across the sentences of one article: its names and the last person."""

    def __init__(self, names: ArticleNames) -> None:
        self.names = names
        self.last_person: str | None = None
        self.roles: dict[str, str] = {}  # full name -> role, as the article first gives it
        self.last_group: tuple[str, ...] = ()  # the people of the article's latest event


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
    from retrieval.meetings.places import dateline_match  # places builds on this module

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
    where = place or place_of(verb, sentence) or place_of(verb, sentence, ("to",))
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


def _meets_others(sentence: Span, people: Sequence[str], context: Context) -> bool:
    """Whether a sentence tells of a meeting with someone not among `people`: a meeting
    verb's subject, object or "with" phrase names another person."""
    for verb in sentence:
        if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() not in MEET_VERBS | TALK_VERBS:
            continue
        slots = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
        slots += [g for c in verb.children if c.lower_ in ("with", "between")
                  for g in c.children if g.dep_ == "pobj"]  # fmt: skip
        for slot in slots:
            if slot.pos_ != "PROPN":
                continue  # "he", "the team": no one else named
            if any(not any(same_person(n, p) for p in people) for n in people_of(slot, context)):
                return True
    return False


def _nearby_place(sentence: Span, doc: Any, people: Sequence[str], context: Context) -> str | None:
    sentences = list(doc.sents)
    here = next(i for i, s in enumerate(sentences) if s.start == sentence.start)
    order = sorted(range(len(sentences)), key=lambda i: (abs(i - here), i > here))
    for i in order:
        if i == here:
            continue
        other = sentences[i]
        if _meets_others(other, people, context):
            continue  # "..., where he will meet C": the place of another meeting
        # Where someone travelled to first ("Infantino travelled to Washington to discuss a
        # headquarters in the U.S."), then any "in/at" place.
        travel = [t for t in other if t.lemma_.lower() in _TRAVEL_VERBS]
        where = next((w for t in travel if (w := place_of(t, t.sent, ("to",)))), None)
        if where is None and abs(i - here) == 1 and any(t.lower_ in _PRONOUNS for t in other):
            # "He arrived on Monday. In Rome, he met ...": the next sentence about the same
            # person; a place further off, or in a sentence about something else, is not the
            # meeting's ("Russia opposes a missile shield in Europe").
            where = place_of(other.root, other)
        if where is not None:
            return where
    return None


def _inherited_subjects(verb: Token, context: Context) -> list[str]:
    """The subject of a verb that has none of its own: "X was invited and met Y" (a conjunct),
    "X is scheduled to meet Y" (an open complement)."""
    node = verb
    for _ in range(3):
        if node.dep_ not in ("conj", "xcomp", "advcl") or node.head.i == node.i:
            return []
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


def people_of(token: Token, context: Context) -> list[str]:
    """The people (or organisations) a participant phrase names, with its conjuncts and the
    people inside the phrase ("Prime Minister Fumio Kishida and President Yoon Suk Yeol" is
    sometimes parsed as one noun phrase)."""
    found = []
    heads = [token, *token.conjuncts]
    for head in heads:  # grows: "Chile's minister, Valentina Rojas, and Argentina's minister,
        # Martin Quiroga" is parsed with the second minister a conjunct of the apposition
        person = person_of(head, context)
        if person:
            found.append(person)
        for child in head.children:
            if child.dep_ == "appos":
                person = person_of(child, context)
                if person:
                    found.append(person)
                heads += [c for c in child.conjuncts if c not in heads]
    phrase = {t.i for t in _phrase(token)}
    for ent in token.doc.ents:
        if ent.label_ == "PERSON" and ent.root.i in phrase and ent.root.i != token.i:
            person = person_of(ent.root, context)
            if person and person not in found:
                found.append(person)
    return found


def _own_subject(pronoun: Token, context: Context) -> str | None:
    """The person the pronoun's sentence opens with as its main subject, when the pronoun is
    in a clause under it: "A is due to fly to Riga, where he will meet C" (he = A)."""
    root = pronoun.sent.root
    if pronoun.head.i == root.i:
        return None  # the main clause's own "he": the sentence before says who
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.i > pronoun.i:
        return None
    if subject.pos_ != "PROPN":
        # a surname opening the sentence, tagged a common noun: a person the article names
        full = context.names.resolve(subject.text) if subject.is_title else ""
        return full if len(full.split()) >= 2 else None
    return person_of(subject, context)


def _phrase(token: Token) -> Iterable[Token]:
    """A noun phrase without its clauses and prepositional phrases (who, which, in ...)."""
    yield token
    for child in token.children:
        if child.dep_ not in ("relcl", "acl", "advcl", "prep", "punct", "cc"):
            yield from _phrase(child)
        elif child.dep_ == "cc":
            yield child


def person_of(token: Token, context: Context) -> str | None:
    """The name a participant token stands for, resolved within the article, or None when it
    is a place, a date, a pronoun without a known person, or a common noun."""
    if token.lower_ in _PRONOUNS:
        # "A is due to fly to Riga, where he will meet C": the person the sentence is about
        # before the one the sentence before was about.
        return _own_subject(token, context) or context.last_person
    if token.pos_ != "PROPN":
        return None
    titled = _after_a_title(token)
    if token.ent_type_ and token.ent_type_ not in _PERSONISH and not titled:
        # The small model calls some people places ("Infantino" as a GPE): a lone word that
        # the article names in full elsewhere is that person.
        full = context.names.resolve(token.text)
        surname = full.split()[-1] == token.text  # "Gianni Infantino", not "Washington DC"
        a_place = any(e.text == full for e in token.doc.ents if e.label_ in _PLACE_LABELS)
        # (a lone "Brant" tagged a product is the article's "Louis Brant" too)
        if token.ent_type_ not in _NUMERIC_LABELS and len(full.split()) >= 2 and surname:
            return None if a_place else full  # "San Francisco" is not Mr Francisco
        return None
    if token.ent_type_ == "PERSON" or token.ent_type_ == "ORG":
        span = _entity_of(token)
        words = [t for t in span if t.i <= token.i or t.pos_ == "PROPN"]
        text = _as_written(words)
    else:
        text = _as_written(_propn_run(token))
    name = display_name(text)
    if not name or normalize_name(name) == "" or name.split()[-1].lower() in TITLE_WORDS:
        return None  # a role ("the FIFA President"), not a name
    resolved = context.names.resolve(name)
    if context.names.is_author(resolved):
        return None  # the article's author, not someone in the news
    if (
        len(normalize_name(resolved).split()) < 2
        and token.ent_type_ not in ("PERSON", "ORG")
        and not titled
    ):
        return None  # a lone capitalised word that is no one the article names in full
    if resolved not in context.roles and (role := _role(token, name)):
        context.roles[resolved] = role
    return resolved


def _after_a_title(token: Token) -> bool:
    """ "PM Talvela", "Senator Ortiz Vega": the name right after a capitalised personal
    title is a person's, one word or more."""
    first = token
    while first.i and first.i > token.i - 3:
        before = token.doc[first.i - 1]
        if before.lower_.rstrip(".") in PERSONAL_TITLES and before.text[:1].isupper():
            return True  # (the small model may call "PM" a noun)
        if before.pos_ != "PROPN":
            return False
        first = before
    return False


def _role(token: Token, name: str) -> str | None:
    """The title before a name, kept as the person's role: "US Secretary of State" in "US
    Secretary of State Antony Blinken"; None when there is none."""
    doc = token.doc
    first = name.split()[0]
    start = next(
        (t.i for t in reversed(doc[max(0, token.i - 6) : token.i + 1]) if t.text == first),
        token.i,
    )
    words = [
        t
        for t in doc[token.left_edge.i : start]
        if t.dep_ not in ("det", "poss", "case", "punct") and t.pos_ not in ("PRON", "DET")
    ]
    if not words or len(words) > 7 or not any(t.lower_ in TITLE_WORDS for t in words):
        return None
    if words[-1].lower_ in ("of", "and"):
        return None
    return " ".join(t.text for t in words)


def _as_written(words: Sequence[Token]) -> str:
    """Tokens as the text has them: "Lee Dae-ho", not "Lee Dae - ho"."""
    out = ""
    for previous, word in zip([None, *words[:-1]], words, strict=True):
        if previous is not None and previous.i + 1 == word.i:
            out += previous.whitespace_
        elif previous is not None:
            out += " "
        out += word.text
    return out.strip()


def _entity_of(token: Token) -> Span:
    doc = token.doc
    for ent in doc.ents:
        if ent.start <= token.i < ent.end:
            return ent
    return doc[token.i : token.i + 1]


def _propn_run(token: Token) -> list[Token]:
    """The contiguous proper nouns ending at the token (its compound name), titles included;
    `display_name` drops the titles."""
    doc = token.doc
    start = token.i
    while (
        start > 0
        and doc[start - 1].pos_ == "PROPN"
        and doc[start - 1].dep_ in ("compound", "flat", "nmod")
        # "the President of the United States Donald Trump": stop at another entity.
        and doc[start - 1].ent_type_ in ("", token.ent_type_)
    ):
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].head.i == token.i:
        end += 1
    return list(doc[start:end])


_UP_TO_THE_VERB = frozenset("dobj nsubjpass nsubj xcomp ccomp".split())


def tense_of(verb: Token) -> tuple[Tense, str]:
    """Whether the sentence looks forward (announced) or back (reported) from the article."""
    chain = [verb, *list(verb.ancestors)[:3]]
    for node in chain:
        for child in node.children:
            if child.dep_ == "aux" and child.lower_ in ("will", "'ll", "shall", "wo"):
                return "future", ANNOUNCED
            if child.dep_ == "aux" and child.lower_ == "going" and node is verb:
                return "future", ANNOUNCED
        if node is not verb and node.lemma_.lower() in _FUTURE_HEADS:
            return "future", ANNOUNCED
        if node.tag_ in ("VBD", "VBN") or any(
            c.dep_ == "aux" and c.tag_ == "VBD" for c in node.children
        ):
            return "past", REPORTED
    if verb.tag_ in ("VBZ", "VBP") and any(c.lower_ == "to" for c in verb.children):
        return "future", ANNOUNCED
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children) and (
        (verb.head.lemma_ == "be" and verb.dep_ == "xcomp")
        or (verb.dep_ == "acl" and verb.head.dep_ == "ROOT")
    ):
        # "is to meet", "was to meet": a plan; a headline's "A to meet B in Lyon" too
        return "future", ANNOUNCED
    if verb.tag_ == "VB" and any(
        t.lower_ in ("will", "'ll", "shall") for t in verb.doc[verb.sent.start : verb.i]
    ):
        return "future", ANNOUNCED  # "will meet Putin on Wednesday, then hold talks ..."
    aux = [c for c in verb.children if c.dep_ == "aux"]
    if verb.tag_ == "VBG" and any(c.lower_ in ("is", "are", "am", "'s", "'re") for c in aux):
        return "future", ANNOUNCED  # "is meeting B on Thursday": arranged
    if verb.tag_ in ("VBZ", "VBP") and not aux:
        # "meets B on Thursday": a preview or a headline's report, the nearest such day
        return "present", REPORTED
    return "past", REPORTED


def date_of(
    verb: Token, sentence: Span, published: date | None, tense: Tense
) -> tuple[date | None, str | None]:
    """The first date expression of the sentence that names a day, nearest the verb first;
    not the day something was said of a meeting before it ("A said on Tuesday that she had
    met B": the pluperfect puts the meeting earlier; "A met B, officials said on Tuesday"
    keeps Tuesday)."""
    earlier = any(c.dep_ == "aux" and c.lower_ == "had" for c in verb.children)
    candidates = [
        e
        for e in sentence.ents
        if e.label_ in ("DATE", "TIME") and not (earlier and _said_on(e.root, verb))
    ]
    candidates.sort(key=lambda e: (not _governed_by(e.root, verb), abs(e.start - verb.i)))
    first_text = None
    for ent in candidates:
        resolved = resolve_date(ent.text, published, tense)
        if resolved is not None:
            return resolved, ent.text
        first_text = first_text or ent.text
    return None, first_text


# Verbs of saying: the day of one is not the day of what it reports.
_SPEECH_VERBS = frozenset("say tell announce confirm report reveal disclose tweet recall".split())


def _said_on(token: Token, verb: Token) -> bool:
    """Whether a date belongs to a verb of saying other than the meeting's own."""
    for ancestor in token.ancestors:
        if ancestor.i == verb.i:
            return False  # "the meeting on Sunday": the meeting's own
        if ancestor.pos_ in ("VERB", "AUX"):
            return ancestor.lemma_.lower() in _SPEECH_VERBS
    return False


def said_on(token: Token) -> bool:
    """Whether a date belongs to a verb of saying: "the company said in a statement on Monday"
    dates the statement, not what it reports."""
    verb = next((a for a in token.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return verb is not None and verb.lemma_.lower() in _SPEECH_VERBS


def _governed_by(token: Token, verb: Token) -> bool:
    """Whether the token belongs to the verb's own clause (no other verb in between)."""
    for ancestor in [token, *token.ancestors]:
        if ancestor.i == verb.i:
            return True
        if ancestor.i != token.i and ancestor.pos_ in ("VERB", "AUX"):
            return False
    return False


def is_place(token: Token, preposition: str = "in") -> bool:
    """Whether a token names a place; after "at" or "to" an organisation's name is taken as
    its building ("at the White House", tagged ORG by the small model)."""
    if token.ent_type_ in _PLACE_LABELS:
        return True
    if preposition == "in" and token.pos_ == "PROPN" and token.ent_type_ in ("PERSON", ""):
        # No one is met "in" a person: the small model tags some cities as people ("met
        # Tomas Vidal in Valencia", Valencia a PERSON).
        return True
    return preposition in ("at", "to") and token.ent_type_ == "ORG"


def place_text(token: Token) -> str:
    span = _entity_of(token) if token.ent_type_ else token.doc[token.i : token.i + 1]
    text = span.text
    return re.sub(r"^the\s+", "", text, flags=re.I).strip(" ,.")


def place_of(
    verb: Token, sentence: Span, prepositions: tuple[str, ...] = ("in", "at")
) -> str | None:
    """The first "in/at <place>" under the verb, else in the sentence."""
    for scope in (list(verb.subtree), list(sentence)):
        for token in scope:
            if token.dep_ != "prep" or token.lower_ not in prepositions:
                continue
            for obj in token.children:
                if obj.dep_ != "pobj":
                    continue
                if is_place(obj, token.lower_):
                    return place_text(obj)
                if token.lower_ == "at" and obj.pos_ == "PROPN":
                    words = "".join(t.text_with_ws for t in obj.subtree).strip(" ,.")
                    return re.sub(r"^the\s+", "", words, flags=re.I)
    return None
