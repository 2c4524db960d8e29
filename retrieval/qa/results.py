"""What the answer service returns: an `Answer` with its numbered `Citation`s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retrieval.qa.questions import Question
from retrieval.qa.search import Hit
from retrieval.store.events import StoredEvent

__all__ = ["NOT_FOUND", "Answer", "Citation"]

NOT_FOUND = "I couldn't find that in the articles."


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the passage, its article, the quoted sentence."""

    n: int
    hit: Hit
    quote: str

    def to_json(self) -> dict[str, Any]:
        """The `citations` item of the JSON contract."""
        return {
            "n": self.n,
            "passage_id": self.hit.passage_id,
            "article_id": self.hit.article_id,
            "title": self.hit.title,
            "outlet": self.hit.outlet,
            "url": self.hit.url,
            "published": self.hit.published,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Answer:
    """An answer: its text with [n] markers, its citations, the events it rests on, and the
    passages retrieved (related reading when nothing was found)."""

    question: str
    text: str
    found: bool
    kind: str  # who / when / where / whether / passage / none
    values: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()
    events: tuple[StoredEvent, ...] = ()
    passages: tuple[Hit, ...] = ()
    explanation: tuple[str, ...] = field(default=(), compare=False)
    understood: Question | None = field(default=None, compare=False)
    # Why it was refused ("outlet", "passages", or the answerability check's rule).
    refused_by: str | None = field(default=None, compare=False)
    # The answerability score of a passage answer (retrieval/qa/answerable.py), when checked.
    answerability: float | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON contract of `newsbot ask --json`."""
        payload: dict[str, Any] = {
            "question": self.question,
            "answer": self.text,
            "found": self.found,
            "citations": [c.to_json() for c in self.citations],
            "events": [e.to_json() for e in self.events],
            "passages": [p.to_json() for p in self.passages],
            "answer_type": self.kind,
            "values": list(self.values),
        }
        if self.explanation:
            payload["explain"] = list(self.explanation)
        return payload
