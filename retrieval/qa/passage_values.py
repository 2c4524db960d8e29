"""The place or the day a passage answer gives for a "where" or "when" question: what the
best quoted sentence attaches to the thing the question asks about ("At which venue was the
leaders' retreat?" and "Ruiz is attending the leaders' retreat at the Lumo Grand Hotel").

A value is taken only where the sentence ties it to a word of the question, through the same
parse rules the meeting reader uses for a meeting's place and day; otherwise the answer stays
the quoted passages alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from retrieval.meetings.frames import clause_head
from retrieval.meetings.places import meeting_place
from retrieval.meetings.timing import date_of, tense_of
from retrieval.qa.questions import Question
from retrieval.qa.results import Citation
from retrieval.store.events import place_within

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

__all__ = ["cited_value"]

# Question words that say what kind of answer is wanted, not what it is about.
_GENERIC = frozenset(
    """venue place location city town country site building room hotel date day time year
    month week where when which what who be do have take happen exactly""".split()
)
_CONTENT_POS = frozenset({"NOUN", "VERB", "PROPN"})


def cited_value(
    question: Question, citations: Sequence[Citation], nlp: Callable[[str], Doc]
) -> tuple[str, int] | None:
    """(the place or ISO day, the citation giving it) for a where / when question, or None."""
    if question.kind not in ("where", "when"):
        return None
    asked = _asked_words(nlp(question.text))
    if not asked:
        return None
    for citation in citations:
        doc = nlp(citation.quote)
        # nouns and verbs of the question before its names: "the retreat", not "Ruiz"
        anchors = sorted(
            (t for t in doc if t.lemma_.lower() in asked and t.pos_ in _CONTENT_POS),
            key=lambda t: (t.pos_ == "PROPN", t.i),
        )
        for anchor in anchors:
            head = clause_head(anchor)
            if question.kind == "where":
                place = meeting_place(anchor, head)
                # "Where in Lyon ...?" asks for a place inside Lyon
                if place and not (question.place and place_within(place, question.place)):
                    return place, citation.n
                continue
            published = citation.hit.published_at
            tense, _ = tense_of(head)
            day, _ = date_of(head, doc[:], published.date() if published else None, tense)
            if day is not None:
                return day.isoformat(), citation.n
    return None


def _asked_words(doc: Doc) -> frozenset[str]:
    """The lemmas of the question's content words."""
    return frozenset(
        t.lemma_.lower()
        for t in doc
        if t.pos_ in _CONTENT_POS
        and not t.is_stop
        and t.lemma_.lower() not in _GENERIC
        and _not_a_place_asked(t)
    )


def _not_a_place_asked(token: Token) -> bool:
    """A place the question gives ("in Lyon") is where to look, not what it asks about."""
    return not (token.ent_type_ in ("GPE", "LOC") and token.head.lower_ in ("in", "at"))
