"""What a question asks: its kind (who / when / where / other), whether it is about a meeting,
the people it names, the place and the period it narrows to, and the outlets it cites.

Deterministic and cheap: spaCy's small pipeline for entities and the parse, plus patterns for
question words and dates. A follow-up ("And when?") borrows what it lacks from the previous
question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from retrieval.meetings.vocab import (
    CALENDAR_WORDS,
    EVENT_NOUNS,
    MEETING_WORDS,
    MONTH_NUMBERS,
    MONTH_PATTERN,
)
from retrieval.qa.filters import parse_dates
from retrieval.store.events import TITLE_WORDS, normalize_name

if TYPE_CHECKING:
    from collections.abc import Callable

    from spacy.tokens import Doc, Span, Token

__all__ = [
    "MEETING_WORDS",
    "Kind",
    "Period",
    "Question",
    "QuestionReader",
    "cited_sources",
    "period_of",
    "question_kind",
    "same_words",
]

Kind = Literal["who", "when", "where", "whether", "other"]

# The question word decides the kind: the first "who", "when", "where", "which"/"what" of the
# question, wherever it stands ("Besides A, who ...?", "After the summit, where ...?"); a
# "which"/"what" takes its kind from the noun it asks for ("which hotel", "what date").
_WH = re.compile(r"\b(who|whom|whose|when|where|which|what)\b", re.I)
_DAY_NOUNS = r"(?:date|day|weekday)"
_PLACE_NOUNS = (
    r"(?:city|cities|country|countries|place|venue|town|capital|building|room|hotel|palace|"
    r"location|site|village|region|province|state|island|resort|stadium|hall|house|office|"
    r"residence|base|port|airport|embassy|street|square|continent|nation)"
)
_PERSON_NOUNS = (
    r"(?:leaders?|officials?|ministers?|people|persons?|presidents?|speakers?|secretar(?:y|ies)|"
    r"politicians?|members?|executives?|diplomats?|counterparts?|figures?|players?|heads?|"
    r"envoys?|ambassadors?|delegates?|senators?|governors?|mayors?|chiefs?|rulers?|monarchs?|"
    r"kings?|queens?|princes?|generals?|commanders?|ceos?|founders?|bosses|boss|managers?|"
    r"coach(?:es)?|athletes?|stars?|actors?|artists?|authors?|clerics?|bishops?|popes?)"
)
_ASKED_NOUN = r"(?:\s+(?:[\w.'’-]+\s+){0,4}?)"
_WHEN = re.compile(rf"^(?:when\b|(?:which|what){_ASKED_NOUN}{_DAY_NOUNS}\b)", re.I)
_WHERE = re.compile(rf"^(?:where\b|(?:which|what){_ASKED_NOUN}{_PLACE_NOUNS}\b)", re.I)
_WHO = re.compile(rf"^(?:who\b|whom\b|whose\b|(?:which|what){_ASKED_NOUN}{_PERSON_NOUNS}\b)", re.I)
# "Did Blinken meet Truss?", "Has Xi met Biden?": a yes-or-no question about a meeting,
# answered with the meeting and its source, or honestly not found.
# The question's tense: "When will they meet (again)?" asks about a plan, "When did they meet?"
# about what happened; other questions say neither.
# "went to see X", "flew in to see X": a visit, said as a purpose.
_GO_TO_SEE = re.compile(
    r"\b(?:go|goes|went|gone|going|come|comes|came|coming|travel\w*|fly|flies|flew|"
    r"drove|drive)\s+(?:in\s+|over\s+|out\s+)?to\s+see\b",
    re.I,
)
_PAST = re.compile(r"\b(?:did|was|were|has|have|had|met|held|visited|spoke|talked)\b", re.I)
_FUTURE = re.compile(
    r"\b(?:will|shall|going\s+to|due\s+to|scheduled|planned|planning)\b|^\s*when\s+(?:is|are)\b",
    re.I,
)
_WHETHER = re.compile(r"^\s*(?:and\s+|so\s+)?(?:did|has|have|had|will|was|were)\b", re.I)
# "in March 2022", "in Nov. 2023"
_MONTH_YEAR = re.compile(rf"\b({MONTH_PATTERN})\.?\s+(\d{{4}})\b", re.I)
_YEAR = re.compile(r"\b(?:in|during|of)\s+((?:19|20)\d\d)\b", re.I)
# Cited sources: "a Bloomberg article", "a report by Reuters", "another from The Hindustan Times
# on ...", "according to The Verge". A name is a run of capitalised words, "of" allowed inside
# ("The Times of India").
_NAME = r"((?:The\s+)?[A-Z][\w.&'’-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w.&'’-]*){0,5})"
_SOURCE_NOUNS = (
    r"(?:article|report|piece|story|coverage|publication|op-ed|column|investigation|interview|"
    r"editorial|analysis)s?"
)
_SOURCE_BEFORE = re.compile(rf"\b(?:an?|the)\s+{_NAME}\s+{_SOURCE_NOUNS}\b")
_SOURCE_AFTER = re.compile(
    rf"\b(?:according\s+to|(?:as\s+)?reported\s+(?:by|in)|published\s+(?:by|in)|"
    rf"{_SOURCE_NOUNS}\s+(?:by|from|in)|another\s+(?:one\s+)?(?:by|from|in)|as\s+per|"
    rf"(?:discussed|highlighted|featured|covered|detailed|presented|provided|mentioned|"
    rf"described|noted|outlined)\s+(?:by|in))\s+(?:both\s+)?"
    rf"(?:an?\s+{_SOURCE_NOUNS}\s+(?:on|in|by)\s+)?{_NAME}"
)
_AND_NAME = re.compile(rf"\s*(?:,|and|,\s*and)\s+{_NAME}")
_CALENDAR_WORDS = CALENDAR_WORDS
_GENERIC_SOURCE_WORDS = {"news", "a", "an", "the", "recent", "separate", "another", "latest"}


@dataclass(frozen=True)
class Period:
    """The days a question narrows to ("in March 2022", "on 13 September 2023")."""

    start: date
    end: date

    def holds(self, day: date, slack_days: int = 0) -> bool:
        """Whether a day falls in the period (widened by `slack_days` at the end)."""
        return self.start <= day <= self.end + timedelta(days=slack_days)


@dataclass(frozen=True)
class Question:
    """A question as understood."""

    text: str
    kind: Kind
    meeting: bool
    names: tuple[str, ...] = ()
    persons: frozenset[str] = frozenset()  # the names tagged as people
    entities: frozenset[str] = frozenset()  # the names tagged as places or organisations
    topics: frozenset[str] = frozenset()  # names the question is about, not who met ("X's deal")
    place: str | None = None
    period: Period | None = None
    sources: tuple[str, ...] = field(default=())  # outlets it cites, as written
    follow_up: bool = False
    future: bool = False  # it asks about a meeting to come ("When will they meet?")

    @property
    def asks_meeting(self) -> bool:
        """A who / when / where question about a meeting of named people: the events table
        answers it."""
        return (
            self.meeting and self.kind in ("who", "when", "where", "whether") and bool(self.names)
        )


def question_kind(text: str) -> Kind:
    """who, when, where, or other, from the question's first question word and, after
    "which" / "what", the noun it asks for."""
    match = _WH.search(text)
    if match is None:
        return "other"
    rest = text[match.start() :]
    if _WHEN.match(rest):
        return "when"
    if _WHERE.match(rest):
        return "where"
    if _WHO.match(rest):
        return "who"
    return "other"


def period_of(text: str) -> Period | None:
    """The period a question names: a day, a month of a year, or a year."""
    days = sorted(parse_dates(text))
    if days:
        return Period(days[0], days[-1])
    if match := _MONTH_YEAR.search(text):
        month = MONTH_NUMBERS[match.group(1).lower()]
        year = int(match.group(2))
        start = date(year, month, 1)
        end = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
        return Period(start, end)
    if match := _YEAR.search(text):
        year = int(match.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31))
    return None


def cited_sources(text: str) -> tuple[str, ...]:
    """The outlets a question cites by name, as written ("Bloomberg", "The Verge")."""
    found: list[str] = []
    for pattern in (_SOURCE_BEFORE, _SOURCE_AFTER):
        for match in pattern.finditer(text):
            names = [match.group(1)]
            # "featured in The Economic Times and YourStory": the list goes on.
            if pattern is _SOURCE_AFTER and (more := _AND_NAME.match(text, match.end())):
                names.append(more.group(1))
            for raw in names:
                name = re.sub(r"['’]s$", "", " ".join(raw.split()).strip(" .,'’"))
                words = [w for w in name.split() if w.lower() not in _GENERIC_SOURCE_WORDS]
                if words[:1] and words[0].lower() in _CALENDAR_WORDS:
                    continue  # "a report published in October"
                if words and name not in found:
                    found.append(name)
    return tuple(found)


class QuestionReader:
    """Reads questions with spaCy; one instance per process."""

    def __init__(self, nlp: Callable[[str], Doc]) -> None:
        self.nlp = nlp

    def read(self, text: str, previous: Question | None = None) -> Question:
        """Understand a question; with `previous`, a follow-up borrows its names, place and
        period ("Who did Truss meet?" then "And when?")."""
        text = " ".join(text.split())
        # "Elizabeth (Liz) Truss": the aside would read as a second person.
        doc = self.nlp(re.sub(r"\s*\([^)]*\)", "", text))
        names, persons, place, entities = _names_and_place(doc)
        topics = _topics(doc, names)
        sources = cited_sources(text)
        # An outlet is not a participant: "according to Reuters, who did ... meet".
        names = [n for n in names if not any(same_words(n, s) for s in sources)]
        # "Will Solvang meet ...": the question's first word is not part of a name.
        if names and text.startswith(names[0]) and _WHETHER.match(names[0]):
            rest = names[0].split(" ", 1)[1:]
            persons = [rest[0] if p == names[0] else p for p in persons if rest or p != names[0]]
            names = rest + names[1:]
        meeting = bool(MEETING_WORDS.search(text) or _GO_TO_SEE.search(text))
        kind = question_kind(text)
        if kind == "other" and meeting and _WHETHER.search(text):
            kind = "whether"
        question = Question(
            text=text,
            kind=kind,
            meeting=meeting,
            names=tuple(names),
            persons=frozenset(persons) & frozenset(names),
            entities=frozenset(entities) & frozenset(names),
            topics=topics,
            place=place,
            period=period_of(text),
            sources=sources,
            future=bool(_FUTURE.search(text)) and not _PAST.search(text),
        )
        if previous is not None and not question.names and len(text.split()) <= 8:
            question = replace(
                question,
                meeting=question.meeting or previous.meeting,
                names=previous.names,
                persons=previous.persons,
                entities=previous.entities,
                topics=previous.topics,
                place=question.place or previous.place,
                period=question.period or previous.period,
                kind=question.kind if question.kind != "other" else previous.kind,
                follow_up=True,
            )
        return question


def same_words(a: str, b: str) -> bool:
    """Whether two phrases have the same words, ignoring case, punctuation and "the"."""
    return normalize_name(a) == normalize_name(b)


def _names_and_place(doc: Doc) -> tuple[list[str], list[str], str | None, list[str]]:
    """People and organisations named, and the place the question narrows to. A proper noun
    after "in", "at" or "to" is a place, whatever the entity tagger says (the small model
    tags "Vostochny Cosmodrome" as a person)."""
    names: list[str] = []
    persons: list[str] = []
    entities: list[str] = []
    place: str | None = None
    taken: set[int] = set()
    for ent in doc.ents:
        label = ent.label_
        if label in ("DATE", "TIME") and _a_name_read_as_a_date(ent):
            label = ""
        if label in ("DATE", "TIME", "CARDINAL", "ORDINAL", "NORP", "MONEY", "PERCENT"):
            taken.update(range(ent.start, ent.end))
            continue
        # Only "in" and "at" narrow the place: "her trip to the United States" says where
        # she went, not where each meeting was.
        after_preposition = ent.start > 0 and doc[ent.start - 1].lower_ in ("in", "at")
        after_preposition = after_preposition or (
            ent.start > 1
            and doc[ent.start - 1].lower_ == "the"
            and doc[ent.start - 2].lower_ in ("in", "at")
        )
        # "in Lumo's fight with Corvex": the owner of what follows is no place, nor is
        # what a phrase of time speaks of ("after Norbank's investment in Lumo")
        after_preposition = (
            after_preposition and ent.root.dep_ != "poss" and not _after_a_time_phrase(ent.root)
        )
        if after_preposition:
            if place is None:
                place = re.sub(r"^the\s+", "", ent.text, flags=re.I)
        elif label in ("GPE", "LOC", "FAC"):
            # "US" in "Which US officials" qualifies; "Yoon" as a subject is a person the
            # tagger took for a place; "who know Michigan best", "in Rome and the Vatican":
            # a place the meeting word does not govern is no one asked about.
            if ent.root.dep_ in ("nsubj", "nsubjpass", "conj", "dobj", "appos") and (
                _governed_by_meeting(ent.root)
            ):
                name = _clean_name(ent.text)
                if name:
                    names.append(name)
                    entities.append(name)
        elif label in ("PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", ""):
            for part in _name_runs(ent):
                name = _clean_name(part)
                if name:
                    names.append(name)
                    if label == "PERSON":
                        persons.append(name)
                    else:
                        entities.append(name)
        taken.update(range(ent.start, ent.end))
    # Proper nouns the tagger missed: runs of PROPN outside any entity.
    run: list[str] = []
    for token in [*doc, None]:
        if token is not None and token.pos_ == "PROPN" and token.i not in taken:
            run.append(token.text)
            continue
        if run:
            name = _clean_name(" ".join(run))
            last = doc[token.i - 1] if token is not None else doc[-1]
            if name and name not in names and not _common_noun_word(last, run):
                names.append(name)
            run = []
    return _merge_names(names), persons, place, entities


# Days of the calendar that are proper nouns: a holiday is a date, never a person.
_HOLIDAYS = frozenset(
    "christmas easter ramadan eid thanksgiving hanukkah diwali passover halloween "
    "new year's years eve day".split()
)
_DATE_WORDS = frozenset(
    [*CALENDAR_WORDS, *MONTH_NUMBERS, *(d[:3] for d in CALENDAR_WORDS), "tues", "thurs", *_HOLIDAYS]
)


def _a_name_read_as_a_date(ent: Span) -> bool:
    """Whether the small model tagged a person's name a date ("did Varga and Ruiz meet",
    "Varga" a DATE): capitalised proper nouns without a digit, a month, a weekday or a
    holiday, standing where a participant stands (subject, object, conjunct)."""
    return (
        all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in ent)
        and not any(
            any(ch.isdigit() for ch in t.text) or t.lower_.rstrip(".") in _DATE_WORDS for t in ent
        )
        and ent.root.dep_ in ("nsubj", "nsubjpass", "dobj", "conj")
    )


def _name_runs(ent: Span) -> list[str]:
    """The names in one entity span: the small model may run one over a possessive and a
    verb ("Corvex's Ana Ruiz take Tomas Elgin"); a name is cut at a lower-case verb and
    after an owner's "'s"."""
    runs: list[list[str]] = [[]]
    for token in ent:
        if token.pos_ in ("VERB", "AUX") and token.text.islower():
            runs.append([])
            continue
        runs[-1].append(token.text_with_ws)
        if token.tag_ == "POS" or token.lower_ in ("'s", "’s"):
            runs.append([])
    return ["".join(r).strip() for r in runs if "".join(r).strip()]


def _governed_by_meeting(token: Token) -> bool:
    """Whether a word (through its conjuncts) is a subject or object of a meeting word."""
    node = token
    while node.dep_ == "conj" and node.head.i != node.i:
        node = node.head
    return MEETING_WORDS.search(node.head.text) is not None


def _common_noun_word(last: Token, run: list[str]) -> bool:
    """An untagged capitalised word that names a kind of thing, part of a common noun's
    phrase ("after his investiture Mass", "the trade Council"): no one's name."""
    return len(run) == 1 and last.dep_ in ("appos", "compound") and last.head.pos_ == "NOUN"


def _topics(doc: Doc, names: list[str]) -> frozenset[str]:
    """The names a meeting question is about rather than who met: the owner of a thing
    ("about Ann Lee's contract") or the object of "about", "over", "regarding"."""
    topics = set()
    for name in names:
        # The name's last word in the question stands for it in the parse (tagged or not).
        last = name.split()[-1]
        for root in (t for t in doc if t.text == last):
            about = root.dep_ == "pobj" and root.head.lower_ in _TOPIC_PREPOSITIONS
            owner = root.dep_ == "poss" and root.head.lemma_.lower() not in EVENT_NOUNS
            owner = (
                owner and root.head.pos_ == "NOUN" and root.head.lemma_.lower() not in _PARTY_NOUNS
            )
            # "Lumo's Ana Ruiz", "Lumo owner Ana Ruiz", "Lumo founder Ana Ruiz": who they
            # work for is no one who met
            employer = (root.dep_ == "poss" and root.head.pos_ == "PROPN") or (
                root.dep_ in ("compound", "amod") and root.head.lower_ in TITLE_WORDS
            )
            if about or owner or employer or _in_a_side_phrase(root):
                topics.add(name)
    return frozenset(topics)


def _in_a_side_phrase(token: Token) -> bool:
    """Whether a name stands in a clause or phrase beside the meeting, not in it: "when
    Lumo needed money", "after Norbank's investment in Lumo", "in Lumo's fight with Corvex",
    "while looking for money for Lumo". A clause of a meeting word, or a meeting noun's
    phrase ("talks with Ana Ruiz", "his delegation to Lyon"), is the meeting's."""
    node = token
    while node.head.i != node.i:
        parent = node.head
        if parent.pos_ == "NOUN" and (
            parent.lemma_.lower() in EVENT_NOUNS or MEETING_WORDS.search(parent.text)
        ):
            return False  # "the date of the Ruiz-Elgin meeting": the meeting's own
        if parent.pos_ in ("VERB", "AUX"):
            # the first verb above: the name belongs to its clause
            return parent.dep_ in ("advcl", "relcl", "acl") and not MEETING_WORDS.search(
                parent.text
            )
        if (
            node.dep_ == "pobj"
            and parent.dep_ == "prep"
            and parent.head.pos_ == "NOUN"
            and parent.head.lemma_.lower() not in EVENT_NOUNS | _PARTY_NOUNS | _GATHERING_NOUNS
            and not MEETING_WORDS.search(parent.head.text)
        ):
            return True  # "investment in Lumo", "fight with Corvex", "money for Lumo"
        node = parent
    return False


def _after_a_time_phrase(token: Token) -> bool:
    """Whether a word is in a phrase that dates the meeting by something else: "after
    Norbank's investment in Lumo", "before the vote in Lyon"."""
    return any(
        a.dep_ == "prep" and a.lower_ in _TIME_PREPOSITIONS for a in token.ancestors
    ) and _in_a_side_phrase(token)


_TIME_PREPOSITIONS = frozenset("after before since following amid".split())

# Nouns whose phrase tells of the meeting itself: "at the summit with", "at a dinner for".
_GATHERING_NOUNS = frozenset("summit conference forum party reception ceremony session".split())


_TOPIC_PREPOSITIONS = frozenset("about over regarding concerning against on".split())
# "Obama's delegation", "Kim's counterpart": the owner is still the one who met.
_PARTY_NOUNS = frozenset(
    "delegation counterpart team trip visit tour entourage wife husband side".split()
)


def _clean_name(text: str) -> str | None:
    words = re.sub(r"['’]s$", "", text.strip()).split()
    while words and words[0].lower().strip(".") in TITLE_WORDS:
        words.pop(0)
    # "Sports Minister Ana Ruiz": the name is what follows the last title word.
    inner = [i for i, w in enumerate(words[:-1]) if w.lower().strip(".") in TITLE_WORDS]
    if inner and words[inner[-1]].lower() not in ("of", "and", "the", "for"):
        words = words[inner[-1] + 1 :]
    # A name's words are capitalised: "Okafor meet" is a tagger's run over the verb.
    while words and not words[-1][:1].isupper():
        words.pop()
    if not words or words[-1].lower() in TITLE_WORDS:
        return None
    return " ".join(words)


def _merge_names(names: list[str]) -> list[str]:
    """Drop a name contained in a longer one of the same question ("Kim" in "Kim Jong Un")."""
    kept: list[str] = []
    for name in sorted(names, key=lambda n: -len(n)):
        tokens = set(normalize_name(name).split())
        if tokens and not any(tokens <= set(normalize_name(k).split()) for k in kept):
            kept.append(name)
    return [n for n in names if n in kept]
