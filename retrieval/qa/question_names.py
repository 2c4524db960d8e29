"""The names a question asks about and the place it narrows to, read from spaCy's parse and
entities: people and organisations, whatever the small tagger calls them ("Varga" a date),
without the names of its side phrases (what the question is about, whom a person works for).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from retrieval.meetings.vocab import CALENDAR_WORDS, EVENT_NOUNS, MEETING_WORDS, MONTH_NUMBERS
from retrieval.store.events import TITLE_WORDS, normalize_name

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

__all__ = ["names_and_place", "topics"]

_CALENDAR_WORDS = CALENDAR_WORDS


def names_and_place(doc: Doc) -> tuple[list[str], list[str], str | None, list[str]]:
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


def topics(doc: Doc, names: list[str]) -> frozenset[str]:
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
