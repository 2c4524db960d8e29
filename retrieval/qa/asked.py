"""What a question asks: the type of answer its form expects ("who" -> a person, "how many"
-> a number, "which team" -> a name), whether a sentence holds one, and the relation a short
question asks of its subject ("where was X born" -> born).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from retrieval.qa.questions import Kind, question_kind
from retrieval.qa.words import STOP, WORD, YEAR, Term, stem

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = [
    "ENTITY_LABELS",
    "Expected",
    "expected_type",
    "question_phrase",
    "relation",
    "type_found",
]

Expected = Literal["person", "date", "place", "number", "name", "yes-no", "any"]

_YES_NO = re.compile(
    r"^\s*(?:and\s+|so\s+|but\s+)?(?:did|does|do|is|are|was|were|has|have|had|can|could|will|"
    r"would|should|may|might|must)\b",
    re.I,
)
_NUMBER_ASKED = re.compile(
    r"\bhow\s+(?:many|much|old|long|far|fast|deep|tall|high|big|large|heavy|often|wide|"
    r"hot|cold|early|late|short|small)\b",
    re.I,
)
_ASKED = r"(?:what|which)(?:\s+[\w'’-]+){0,3}?\s+"
_DATE_ASKED = re.compile(rf"\b{_ASKED}(?:years?|months?|decades?|century|date|day|time)\b", re.I)
_NAME_ASKED = re.compile(
    rf"\b{_ASKED}(?:company|companies|firm|firms|team|teams|club|clubs|brand|brands|"
    r"organi[sz]ations?|party|parties|group|groups|agency|agencies|airline|bank|network|"
    r"start-?up|band|studio|league|university|school|platform|app|product|device|model|"
    r"service|outlet|manufacturer|maker|retailer|exchange|fund|individual|person|"
    r"people|player|entity|organisation)\b",
    re.I,
)
ENTITY_LABELS: Mapping[str, frozenset[str]] = {
    "person": frozenset({"PERSON", "ORG", "NORP", "GPE"}),
    "date": frozenset({"DATE", "TIME"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "number": frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME"}),
    "name": frozenset(
        {"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"}
    ),
}
# Verbs that frame a question rather than ask a relation: "what is X called", "does X have".
_FRAMING = frozenset({"be", "have", "do", "get", "call", "name", "happen", "mean"})
_COUNTED = ("many", "much")  # "how many goals": the goals are what is asked about
_QUESTION_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "how"})
# Where the relation of a question whose verb frames it stands (closest first).
_COMPLEMENTS = ("attr", "acomp", "oprd", "dobj", "xcomp", "ccomp", "nsubj", "nsubjpass")


def expected_type(text: str, kind: Kind | None = None) -> Expected:
    """What kind of answer a question asks for, from its form. Who / when / where is the
    question's kind (`retrieval.qa.questions.question_kind`, "which city" and "what date"
    included; computed when not given); this adds what the kinds leave out: a number ("how
    many"), a year or another period ("what year"), the name of a company or a thing ("which
    team"), yes or no."""
    text = re.sub(r"\b(what|who|where|when|how)['’]s\b", r"\1 is", text, flags=re.I)
    if _NUMBER_ASKED.search(text):
        return "number"
    if _DATE_ASKED.search(text):
        return "date"
    kind = question_kind(text) if kind is None else kind
    if kind == "when":
        return "date"
    if kind == "where":
        return "place"
    if _NAME_ASKED.search(text):
        return "name"
    if kind == "who":
        return "person"
    if _YES_NO.match(text):
        return "yes-no"
    return "any"


def type_found(expected: Expected, sentence: Doc, question_words: set[str]) -> bool:
    """Whether a parsed sentence holds an answer of the expected type that the question does
    not already give (a "who" question about Ann Lee is not answered by her name)."""
    labels = ENTITY_LABELS.get(expected)
    if labels is None:
        return True

    def new(span: Span) -> bool:
        words = {w.lower() for w in WORD.findall(span.text)} - STOP
        return bool(words - question_words)

    if any(ent.label_ in labels and new(ent) for ent in sentence.ents):
        return True
    if expected == "date":
        return any(YEAR.fullmatch(t.text) and t.text not in question_words for t in sentence)
    if expected == "number":
        return any(t.like_num and t.text.lower() not in question_words for t in sentence)
    return False


def question_phrase(doc: Doc) -> set[int]:
    """The tokens of the question phrase: the question words and what they ask for ("which
    club", "what year", "how old"). The thing counted ("how many goals") is not part of it."""
    phrase: set[int] = set()
    for token in doc:
        word = token.lower_
        if word not in _QUESTION_WORDS:
            continue
        phrase.add(token.i)
        head = token.head
        determiner = word in ("which", "what", "whose") and token.dep_ in ("det", "poss")
        degree = word == "how" and head.pos_ in ("ADJ", "ADV") and head.lower_ not in _COUNTED
        if determiner or degree:
            phrase.add(head.i)
    return phrase


def relation(doc: Doc, terms: Sequence[Term]) -> tuple[Term, ...]:
    """What a question asks of its subject: its main verb with its particle ("where was X
    born" -> born; "which stars make up X" -> make, up), or after a verb that only frames the
    question the word it asks for ("what is X's podcast called" -> podcast). Empty when that
    word is a name, part of the question phrase, or no content word (a question "about" X)."""
    by_stem = {s: term for term in terms if not term.name for s in term.stems}
    asked = question_phrase(doc)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return ()
    candidates = [root]
    if root.lemma_.lower() in _FRAMING or root.pos_ == "AUX":
        candidates = [c for dep in _COMPLEMENTS for c in root.children if c.dep_ == dep]
    for token in candidates:
        term = by_stem.get(stem(token.text))
        if token.i in asked or term is None:
            continue
        prt = [by_stem.get(stem(c.text)) for c in token.children if c.dep_ == "prt"]
        return (term, *(p for p in prt if p is not None))
    return ()
