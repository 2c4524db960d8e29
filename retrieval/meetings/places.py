"""Where a meeting was: the places a sentence gives it, its article's dateline.

"in Geneva", "at the Grand Hotel in Lyon" (the venue with its city), "near St. Anne's Tower",
"in the Polish capital, Warsaw", "in his Lyon office", "a private room at the Harbour hotel",
"flew to Lyon for talks": the place phrases under the meeting word or its verb, never those
of another clause ("for the welcome A gave him in Porto, B welcomed A at ...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from retrieval.meetings.people import _PLACE_LABELS, _PRONOUNS, Context, _entity_of, people_of
from retrieval.meetings.vocab import CALENDAR_WORDS, MEET_VERBS, TALK_VERBS, VENUE_NOUNS
from retrieval.store.events import normalize_name, same_person

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = [
    "after_place_preposition",
    "city_in",
    "dateline_match",
    "dateline_place",
    "is_place",
    "meeting_place",
    "place_of",
    "place_text",
    "unless_a_participant",
]

# A dateline: "GENEVA (Reuters) -", "WASHINGTON, March 8 (AP) —", "Seoul, Korea —".
_DATELINE = re.compile(
    r"^\s*([A-Z][A-Za-z'’.-]+(?:[ -][A-Z][A-Za-z'’.-]+){0,3})"
    r"(?:,\s*[A-Z][A-Za-z.]+(?:\s+[A-Z][A-Za-z.]+)?)?"
    r"(?:,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*(?:\([^)]{2,40}\))?\s*[-–—]{1,2}\s"
)
# Words of travel whose "to" phrase is where the meeting is: "flew to Lyon for talks",
# "welcomed B to the palace", "during a visit to Porto", "on a trip to Porto".
_DESTINATION_VERBS = frozenset(
    "fly travel go come head return welcome trip visit journey tour flight voyage".split()
)


def dateline_match(text: str) -> re.Match[str] | None:
    """The dateline opening a text ("LYON (Ledger Wire) - "), or None."""
    return _DATELINE.match(text)


def dateline_place(text: str) -> str | None:
    """The place of a dateline opening a passage, as the article writes it in the text
    ("GENEVA (Reuters) - ..." -> "Geneva" when the capitals are only the dateline's style)."""
    match = _DATELINE.match(text)
    if not match:
        return None
    place = match.group(1).strip(" ,.")
    if place.isupper():
        place = "".join(w.capitalize() for w in re.split(r"(\s|-)", place))
    if normalize_name(place) in ("by", "") or len(place) < 3 or place.lower().startswith("by "):
        return None  # "By Ana Ruiz -": a byline
    return place


def unless_a_participant(place: str | None, people: Sequence[str]) -> str | None:
    """The place, unless it is the name of someone at the meeting: "as he talked to Varga"
    puts no one in a place called Varga, whatever the tagger says."""
    if place is None or any(same_person(place, p) for p in people):
        return None
    return place


def city_in(place: str, text: str) -> str | None:
    """The place inside `place` that `text` names with it, after a preposition: "in Lyon,
    Norland" gives "Lyon, Norland" for Norland; None when the text names none, or more than
    one (then which one the meeting was in is not said)."""
    found = {
        m.group(1)
        for m in re.finditer(
            r"\b(?:in|at|to|from|near|outside)\s+((?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’.-]*),\s+"
            + re.escape(place)
            + r"\b",
            text,
        )
        if m.group(1).split()[0].lower() not in CALENDAR_WORDS
    }
    return f"{found.pop()}, {place}" if len(found) == 1 else None


def after_place_preposition(token: Token) -> bool:
    """ "in Geneva", "at the White House": a place, not a participant."""
    node = token
    while node.dep_ in ("compound", "flat", "amod") and node.head.i != node.i:
        node = node.head
    if node.dep_ != "pobj":
        return False
    preposition = node.head
    if preposition.lower_ == "to":
        # "flew to Lyon", but "talked to A", "introduced B to A"
        return preposition.head.lemma_.lower() in _DESTINATION_VERBS
    return preposition.lower_ in ("in", "at", "from", "near", "aboard", "outside", "inside")


def meeting_place(trigger: Token, head: Token, span: Span | None = None) -> str | None:
    """The place of the meeting: the first "in" / "at" / "near" place under the meeting word
    or its verb (else anywhere in the sentence `span`, when given), with the city it is in
    when the text says so ("at the Grand Hotel in Lyon" -> "Grand Hotel, Lyon")."""
    anchors = {trigger.i, head.i}
    if (where := _relative_place(head)) is not None:
        return where  # "travels on to Riga, where he will meet B"
    scopes = [(True, [*trigger.subtree, *head.subtree])]
    if span is not None:
        scopes.append((False, list(span)))
    for own, scope in scopes:
        for token in scope:
            obj = _place_object(token)
            if obj is None or (own and _in_another_clause(token, anchors)):
                continue
            if not own and _under_another_subject(token, trigger, anchors):
                continue  # "... second meeting with B; the first was in Lyon"
            found = [_place_words(obj)]
            after = obj.right_edge.i + 1
            following = [obj.doc[after]] if after < len(obj.doc) else []
            for child in [*obj.children, *following]:
                if (inner := _place_object(child)) is not None:
                    found.append(_place_words(inner))
                    break
            return ", ".join(dict.fromkeys(p for p in found if p)) or None
    return _toured_place(head) or _gathering_place([*trigger.subtree, *head.subtree])


# Gatherings named after their city: "on the sidelines of the Lyon summit", "at the Porto
# conference".
_NAMED_GATHERINGS = frozenset("summit summits conference forum talks games".split())


def _gathering_place(scope: list[Token]) -> str | None:
    """The city a gathering of the meeting is named after: "met on the sidelines of the
    Lyon summit" -> Lyon."""
    for token in scope:
        if (
            token.dep_ == "compound"
            and token.ent_type_ in ("GPE", "LOC")
            and token.head.lemma_.lower() in _NAMED_GATHERINGS
        ):
            return place_text(token)
    return None


def _under_another_subject(prep: Token, trigger: Token, anchors: set[int]) -> bool:
    """Whether a place phrase belongs to a clause with a subject of its own, other than the
    meeting's and the verbs above it."""
    verb = next((a for a in prep.ancestors if a.pos_ in ("VERB", "AUX")), None)
    governors = set(anchors)
    node = trigger
    while node.dep_ in ("xcomp", "advcl", "conj", "pobj", "prep", "dobj", "attr") and (
        node.head.i != node.i
    ):
        node = node.head  # "is due to meet B", "arrived for talks with B"
        governors.add(node.i)
    if verb is None or verb.i in governors:
        return False
    if verb.lemma_.lower() in MEET_VERBS and not any(
        g.pos_ == "PROPN"
        for c in verb.children
        for g in ([c] if c.dep_ in ("nsubj", "dobj") else c.children if c.lower_ == "with" else [])
    ):
        return False  # "..., the team met with him in Lyon": the meeting told again
    # "The meeting between A and B took place in Lyon": the meeting is that subject
    return any(
        c.dep_ in ("nsubj", "nsubjpass", "expl") and c.i not in anchors for c in verb.children
    )


# Verbs of going round or to a place: "toured the town of Lyon and met B", "visited Lyon and
# met B", "flew to Lyon and took B out to dinner".
_TOUR_VERBS = frozenset("tour visit arrive land reach fly travel drive head return".split())
_PLACE_NOUNS = frozenset("town city village capital region province island port".split())


def _toured_place(head: Token) -> str | None:
    """The place a coordinated verb of touring or travel gives the meeting: "A toured the
    town of Lyon and met B", "A arrived in Lyon on Monday and met B", "A flew to Lyon and met
    B"."""
    if head.dep_ != "conj" or head.head.lemma_.lower() not in _TOUR_VERBS:
        return None
    verb = head.head
    for child in verb.children:
        if child.dep_ == "dobj":
            if is_place(child) and child.pos_ == "PROPN":
                return _place_words(child)
            if child.lemma_.lower() in _PLACE_NOUNS and (named := _named_by_of(child)):
                return _place_words(named)  # "the town of Lyon"
        if (obj := _place_object(child)) is not None:
            return _place_words(obj)
    return None


def _named_by_of(noun: Token) -> Token | None:
    """The name in "the town of Lyon", "the island of Brava"."""
    for prep in (c for c in noun.children if c.lower_ == "of"):
        obj = next((g for g in prep.children if g.dep_ == "pobj"), None)
        if obj is not None and obj.pos_ == "PROPN":
            return obj
    return None


def _relative_place(head: Token) -> str | None:
    """The place a "where" clause of the meeting hangs on: "Riga, where she will meet B"."""
    if head.dep_ != "relcl" or not any(c.lower_ == "where" for c in head.children):
        return None
    place = head.head
    if is_place(place) or _named_venue(place):
        return _place_words(place)
    # "was in Lyon on Tuesday, where she met B": the parser may hang the clause on the day;
    # the place is the nearest one named before it
    where = next(c for c in head.children if c.lower_ == "where")
    for token in reversed(head.doc[max(0, where.i - 8) : where.i]):
        if token.dep_ == "pobj" and (is_place(token) or _named_venue(token)):
            return _place_words(token)
    return None


def _in_another_clause(prep: Token, anchors: set[int]) -> bool:
    """Whether a place phrase belongs to another verb than the meeting's: "for the welcome
    A gave him in May, B welcomed A at ..." (a participle of the meeting noun, "talks held at
    ...", is the meeting's own)."""
    for ancestor in prep.ancestors:
        if ancestor.i in anchors:
            return False
        if ancestor.pos_ in ("VERB", "AUX") and not (
            (ancestor.dep_ in ("acl", "relcl") and ancestor.head.i in anchors)
            or _what_is_called(ancestor, anchors)
        ):
            return True
    return False


def _what_is_called(verb: Token, anchors: set[int]) -> bool:
    """ "hosted what is billed as a summit in Cairo": a free relative is the meeting verb's
    object, not a clause of its own."""
    return (
        verb.dep_ == "ccomp"
        and verb.head.i in anchors
        and any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ == "what" for c in verb.children)
    )


def _place_object(prep: Token) -> Token | None:
    """The place an "in" / "at" / "near" phrase names, or None."""
    if prep.dep_ != "prep" or prep.lower_ not in ("in", "at", "near", "to", "aboard"):
        return None
    if prep.lower_ == "to" and prep.head.lemma_.lower() not in _DESTINATION_VERBS:
        return None
    for obj in prep.children:
        if obj.dep_ != "pobj" or _is_calendar(obj):
            continue
        # "in the Polish capital, Warsaw": the name in apposition
        if not is_place(obj, prep.lower_):
            obj = next((c for c in obj.children if c.dep_ == "appos" and is_place(c)), obj)
        # "in the Green Room", "at the Grand Hotel": the small model often calls a building
        # an organisation; no one is met "in" an organisation.
        named = obj.pos_ == "PROPN" and obj.ent_type_ in ("ORG", "FAC", "")
        # one flies to, or is welcomed to, a place, whatever the tagger says
        named = named or (prep.lower_ == "to" and obj.pos_ == "PROPN")
        if is_place(obj, prep.lower_) or named or _named_venue(obj):
            return obj
        if obj.lemma_.lower() in _PLACE_NOUNS and (town := _named_by_of(obj)) is not None:
            return town  # "in the border town of Lyon"
        if obj.lower_ in VENUE_NOUNS and (inner := _located(obj)) is not None:
            return inner  # "at his mansion on the shores of Lake Verde": Lake Verde
    return None


def _located(venue: Token) -> Token | None:
    """The named place a room or building is in or by: "mansion on the shores of Lake Verde",
    "a villa outside Porto", "a private room at the Rosewood hotel"."""
    for prep in venue.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("in", "at", "on", "near", "outside", "by"):
            continue
        for obj in prep.children:
            for node in [obj, *obj.subtree]:
                if node.dep_ != "pobj":
                    continue
                if (node.pos_ == "PROPN" and is_place(node)) or _named_venue(node):
                    return node
    return None


def _named_venue(obj: Token) -> bool:
    """ "in his Lyon office", "at the Belmont residence", "at Lyon's city hall": a room or
    building of a named place or owner."""
    return obj.lower_ in VENUE_NOUNS and any(
        c.dep_ in ("compound", "amod", "poss") and c.pos_ == "PROPN" for c in obj.children
    )


def _place_words(obj: Token) -> str:
    return place_text(obj) if obj.ent_type_ else _proper_phrase(obj)


def _proper_phrase(token: Token) -> str:
    """ "St. John's Tower", "the Lyon office" -> "Lyon office", "his office" -> "office"."""
    words = [
        t
        for t in token.subtree
        if t.i <= token.i and t.dep_ != "det" and not (t.dep_ == "poss" and t.pos_ == "PRON")
    ]
    start = next((i for i, t in enumerate(words) if t.dep_ != "case"), 0)
    return "".join(t.text_with_ws for t in words[start:]).strip(" ,.")


def _is_calendar(token: Token) -> bool:
    return token.ent_type_ in ("DATE", "TIME")


_TRAVEL_VERBS = {"travel", "fly", "arrive", "go", "come", "head", "land", "visit", "return"}


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
