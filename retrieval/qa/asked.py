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
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "ENTITY_LABELS",
    "Expected",
    "Role",
    "expected_type",
    "question_phrase",
    "relation",
    "relation_token",
    "role_of",
    "type_found",
]

Expected = Literal["person", "date", "place", "number", "name", "yes-no", "any"]
# The part a noun plays in what a verb says: who does it, or what it is done to.
Role = Literal["agent", "patient"]

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
# "which bank", "what kind of bank"; not "what did the central bank ...", whose bank is the
# subject: no verb between the question word and the noun asked for
_AUX = r"(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should)\b"
_ASKED = rf"(?:what|which)(?:\s+(?!{_AUX})[\w'’-]+){{0,3}}?\s+"
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
# Verbs whose answer is what was said or decided, seldom the verb again: "what did the bank
# decide" is answered by "the bank left its rate unchanged"; such a question asks no relation.
_CONTENT_VERBS = frozenset({"decide", "say", "announce", "agree", "propose", "plan", "want"})
_COUNTED = ("many", "much")  # "how many goals": the goals are what is asked about
_QUESTION_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "how"})
# The dependencies that lead from a name's words to its head ("the goalkeeper Lena Brask").
_NAME_PARTS = frozenset({"compound", "flat", "appos"})
_RELATIVES = frozenset({"WDT", "WP"})  # "which", "who", "that" opening a relative clause
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
    token = relation_token(doc, terms)
    if token is None:
        return ()
    by_stem = _by_stem(terms)
    prt = [by_stem.get(stem(c.text)) for c in token.children if c.dep_ == "prt"]
    return (by_stem[stem(token.text)], *(p for p in prt if p is not None))


def relation_token(doc: Doc, terms: Sequence[Term]) -> Token | None:
    """The word of the question that `relation` reads the relation from, if any."""
    by_stem = _by_stem(terms)
    asked = question_phrase(doc)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lemma_.lower() in _CONTENT_VERBS:
        return None
    candidates = [root]
    if root.lemma_.lower() in _FRAMING or root.pos_ == "AUX":
        candidates = [c for dep in _COMPLEMENTS for c in root.children if c.dep_ == dep]
    for token in candidates:
        if token.i not in asked and stem(token.text) in by_stem:
            return token
    return None


def _by_stem(terms: Sequence[Term]) -> dict[str, Term]:
    return {s: term for term in terms if not term.name for s in term.stems}


def role_of(verb: Token, noun: Token) -> Role | None:
    """The part a noun (a word of a name) plays in what a verb says: "agent" when it is the
    verb's subject ("X started Y": X), or its agent in the passive ("founded by X");
    "patient" when it is the object ("X started Y": Y), the subject in the passive, or what a
    past participle or a relative clause describes ("the mill, founded in 1887"; "Y, which X
    started"). None when it is neither, or the parse does not say."""
    while noun.dep_ in _NAME_PARTS and noun.head.i != noun.i:
        noun = noun.head
    if noun.head.i == verb.i and noun.i != verb.i:
        # The small model labels some passive subjects plain subjects: "was" says passive.
        passive = any(c.dep_ == "auxpass" for c in verb.children)
        return "patient" if passive and noun.dep_ == "nsubj" else _role_by_dependency(noun.dep_)
    if noun.dep_ == "pobj" and noun.head.dep_ == "agent" and noun.head.head.i == verb.i:
        return "agent"
    if verb.head.i == noun.i and verb.i != noun.i:
        if verb.dep_ == "acl" and verb.tag_ == "VBN":
            return "patient"
        if verb.dep_ == "relcl":
            relative = next((c for c in verb.children if c.tag_ in _RELATIVES), None)
            return None if relative is None else _role_by_dependency(relative.dep_)
    return None


def _role_by_dependency(dep: str) -> Role | None:
    if dep == "nsubj":
        return "agent"
    if dep in ("dobj", "nsubjpass"):
        return "patient"
    return None
