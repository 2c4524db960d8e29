"""The words that tell of a meeting in a parsed sentence: meeting verbs (with the idioms
"ran into", "introduced A to B"), meeting nouns, and the nouns of idioms ("played host to",
"came face to face with", "was given a warm welcome by")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.meetings.vocab import CALL_VERBS, EVENT_NOUNS, MEET_VERBS, TALK_VERBS, inflections

if TYPE_CHECKING:
    from spacy.tokens import Token

__all__ = ["VERB_TRIGGERS", "idiom", "is_trigger", "verb_lemma"]

VERB_TRIGGERS = MEET_VERBS | TALK_VERBS | CALL_VERBS
_FORM_TO_VERB = {form: verb for verb in VERB_TRIGGERS for form in inflections(frozenset([verb]))}
_INTO_VERBS = frozenset("run bump".split())  # "ran into A", "bumped into A"
_WELCOME_VERBS = frozenset("give accord extend receive get".split())


def verb_lemma(token: Token) -> str:
    """A meeting verb's lemma, mended where the small model gets it wrong ("dined" -> "din"),
    "meet" for the idioms of meeting ("ran into", "introduced A to B")."""
    lemma = token.lemma_.lower()
    if lemma in VERB_TRIGGERS:
        return lemma
    if (lemma in _INTO_VERBS and _prep(token, "into")) or (
        lemma == "introduce" and _prep(token, "to")
    ):
        return "meet"
    return _FORM_TO_VERB.get(token.lower_, lemma)


def _prep(token: Token, word: str) -> bool:
    return any(c.dep_ == "prep" and c.lower_ == word for c in token.children)


def is_trigger(token: Token) -> bool:
    """Whether a token is a meeting verb or noun."""
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX"):
        return verb_lemma(token) in VERB_TRIGGERS
    if token.pos_ in ("NOUN", "PROPN", "ADJ"):
        return lemma in EVENT_NOUNS or token.lower_ in EVENT_NOUNS or idiom(token)
    return False


def idiom(token: Token) -> bool:
    """ "A played host to B", "A came face to face with B": a noun of an idiom of meeting."""
    if token.lower_ == "host":
        return token.dep_ == "dobj" and token.head.lemma_.lower() == "play"
    if token.lemma_.lower() in ("welcome", "reception"):
        # "A was given a warm welcome by B", "B accorded A a red-carpet reception"
        return token.dep_ == "dobj" and token.head.lemma_.lower() in _WELCOME_VERBS
    doc = token.doc
    return (
        token.lower_ == "face"
        and token.i >= 2
        and doc[token.i - 1].lower_ == "to"
        and doc[token.i - 2].lower_ == "face"
    )
