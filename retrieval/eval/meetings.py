"""Scoring of the "meetings" evaluation set: who met whom, when and where.

Each question (`questions.jsonl`: qid, type, question, gold, gold_aliases, evidence) is scored
against the answer contract's JSON (`found`, `values`, `events`, `citations`):
- who: set F1 between the predicted people (`values`) and the gold people; `found` must be true.
  A name matches a gold person when, normalised, it equals the gold name or one of that person's
  aliases, or has the same surname (last word). Each gold person and each prediction is matched
  at most once (a maximum matching, so the order of names never matters).
- when: `values[0]` (else the first event's `when`) equals the gold ISO date, with `found` true.
- where: some predicted place equals the gold place or an alias, or one contains the other as
  whole words, with `found` true.
- none: `found` is false.
An answerable question's citation is right (`cited_ok`) when at least one cited article is in
its evidence; for `none` it always is. A question is `correct` with full score and `cited_ok`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from retrieval.eval.matching import distinct_names, match_people, place_matches
from retrieval.eval.meeting_set import TYPES, MeetingQuestion

__all__ = [
    "Figures",
    "MeetingsReport",
    "QuestionScore",
    "aggregate",
    "format_table",
    "score_answer",
]


@dataclass(frozen=True)
class QuestionScore:
    """How one answer scored: `score` ignores citations, `cited_score` requires them."""

    qid: str
    type: str
    score: float
    cited_ok: bool
    found: bool
    predicted: tuple[str, ...]

    @property
    def cited_score(self) -> float:
        """The score when a citation to the evidence is required."""
        return self.score if self.cited_ok else 0.0

    @property
    def correct(self) -> bool:
        """Full score with a right citation."""
        return self.score >= 1.0 and self.cited_ok

    def to_json(self) -> dict[str, Any]:
        """The row for `--json`."""
        return {
            "qid": self.qid,
            "type": self.type,
            "score": round(self.score, 4),
            "cited_ok": self.cited_ok,
            "correct": self.correct,
            "found": self.found,
            "predicted": list(self.predicted),
        }


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if item is not None)


def _predicted_date(answer: Mapping[str, Any]) -> str | None:
    values = _strings(answer.get("values"))
    if values:
        return values[0].strip()
    events = answer.get("events")
    if isinstance(events, list) and events and isinstance(events[0], Mapping):
        when = events[0].get("when")
        return str(when) if when else None
    return None


def score_answer(
    q: MeetingQuestion, answer_json: Mapping[str, Any], cited_articles: Set[str]
) -> QuestionScore:
    """Score one answer (the contract's JSON); `cited_articles` are the evaluation article ids
    ("001") its citations point to."""
    found = answer_json.get("found") is True
    values = _strings(answer_json.get("values"))
    predicted = values
    if q.type == "none":
        score = 0.0 if found else 1.0
    elif not found:
        score = 0.0
    elif q.type == "who":
        matched = match_people(values, q.gold, q.aliases)
        distinct = len(distinct_names(values))
        precision = matched / distinct if distinct else 0.0
        recall = matched / len(q.gold) if q.gold else 0.0
        score = 2 * precision * recall / (precision + recall) if matched else 0.0
    elif q.type == "when":
        day = _predicted_date(answer_json)
        predicted = (day,) if day else ()
        score = float(day is not None and day in q.gold)
    elif q.type == "where":
        targets = (*q.gold, *q.aliases)
        score = float(any(place_matches(p, t) for p in values for t in targets))
    else:
        raise ValueError(f"unknown question type {q.type!r}")
    cited_ok = q.type == "none" or bool(q.evidence & cited_articles)
    return QuestionScore(q.qid, q.type, score, cited_ok, found, predicted)


@dataclass(frozen=True)
class Figures:
    """Means over a group of questions. `citation_rate` counts answerable questions only (None
    when the group has none)."""

    count: int
    score: float
    cited_score: float
    correct: float
    citation_rate: float | None

    @classmethod
    def of(cls, scores: Sequence[QuestionScore]) -> Figures:
        """The figures of a group of scored questions."""
        n = len(scores) or 1
        answerable = [s for s in scores if s.type != "none"]
        return cls(
            count=len(scores),
            score=sum(s.score for s in scores) / n,
            cited_score=sum(s.cited_score for s in scores) / n,
            correct=sum(s.correct for s in scores) / n,
            citation_rate=(
                sum(s.cited_ok for s in answerable) / len(answerable) if answerable else None
            ),
        )

    def to_json(self) -> dict[str, Any]:
        """Rounded figures for `--json`."""
        rate = self.citation_rate
        return {
            "count": self.count,
            "score": round(self.score, 4),
            "score_cited": round(self.cited_score, 4),
            "correct": round(self.correct, 4),
            "citation_rate": None if rate is None else round(rate, 4),
        }


@dataclass(frozen=True)
class MeetingsReport:
    """Overall and per-type figures, with the per-question scores behind them."""

    overall: Figures
    by_type: Mapping[str, Figures]
    questions: tuple[QuestionScore, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The report for `--json`."""
        return {
            "overall": self.overall.to_json(),
            "by_type": {name: figures.to_json() for name, figures in self.by_type.items()},
            "questions": [s.to_json() for s in self.questions],
        }


def aggregate(scores: Sequence[QuestionScore]) -> MeetingsReport:
    """The report over scored questions; types in the order who, when, where, none."""
    order = {kind: i for i, kind in enumerate(TYPES)}
    kinds = sorted({s.type for s in scores}, key=lambda k: (order.get(k, len(order)), k))
    return MeetingsReport(
        overall=Figures.of(scores),
        by_type={k: Figures.of([s for s in scores if s.type == k]) for k in kinds},
        questions=tuple(scores),
    )


def format_table(report: MeetingsReport) -> str:
    """A readable table: raw score, score with a citation required, share fully correct (with
    citation) and citation rate, overall then by type."""
    lines = [
        f"{'question type':<18} {'n':>5} {'score':>7} {'+cite':>7} {'correct':>8} {'cited':>7}"
    ]
    rows = [("overall", report.overall), *report.by_type.items()]
    for name, f in rows:
        rate = "-" if f.citation_rate is None else f"{f.citation_rate:.4f}"
        figures = f"{f.score:>7.4f} {f.cited_score:>7.4f} {f.correct:>8.4f} {rate:>7}"
        lines.append(f"{name:<18} {f.count:>5} {figures}")
    return "\n".join(lines)
