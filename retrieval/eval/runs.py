"""The evaluation loops behind `newsbot eval`: the questions of a set asked through the same
services every front end uses, scored by the set's own rules. The store is filled first by
the caller (ingest sits above retrieval)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.eval.meeting_set import HALVES, MeetingQuestion, half_of
from retrieval.eval.meetings import MeetingsReport, QuestionScore, aggregate, score_answer
from retrieval.eval.multihop import Refusals, Scores, evaluate_multihop, evaluate_refusals
from retrieval.qa.search import Searcher
from retrieval.service import Services

__all__ = ["MeetingsRun", "MultihopRun", "run_meetings", "run_multihop"]


@dataclass(frozen=True)
class MeetingsRun:
    """A meetings set scored: every question, and each half of the set apart."""

    report: MeetingsReport
    halves: Mapping[str, MeetingsReport]


def run_meetings(
    services: Services,
    questions: Sequence[MeetingQuestion],
    groups: Mapping[str, str],
    show: Callable[[MeetingQuestion, dict[str, object], set[str]], None] | None = None,
) -> MeetingsRun:
    """Ask every question; an evaluation article's id is its file's stem (articles/001.txt is
    "001"), which the citations are checked against."""
    scores: list[QuestionScore] = []
    half: dict[str, str] = {}
    for question in questions:
        answer = services.ask(question.question).to_json()
        rows = services.store.passages_with_articles([c["passage_id"] for c in answer["citations"]])
        cited = {Path(article.source).stem for _, article in rows.values()}
        scores.append(score_answer(question, answer, cited))
        half[question.qid] = half_of(question, groups)
        if show is not None:
            show(question, answer, cited)
    return MeetingsRun(
        report=aggregate(scores),
        halves={h: aggregate([s for s in scores if half[s.qid] == h]) for h in HALVES},
    )


@dataclass(frozen=True)
class MultihopRun:
    """Retrieval scores per mode and query type, and the answer service's refusals."""

    results: Mapping[str, Mapping[str, Scores]]
    refusals: Refusals | None


def run_multihop(
    services: Services,
    queries: Path,
    modes: Sequence[str],
    limit: int | None = None,
    refusals: bool = True,
) -> MultihopRun:
    """Score each retrieval mode on the queries (top 10), then (optionally) ask every query
    through the answer service and count refusals."""
    results: dict[str, dict[str, Scores]] = {}
    for mode in modes:
        searcher = Searcher(services.store, services.embedder, mode)

        def retrieve(question: str, searcher: Searcher = searcher) -> list[str]:
            return [hit.text for hit in searcher.search(question, 10)]

        results[mode] = evaluate_multihop(queries, retrieve, limit)
    refused = None
    if refusals:
        refused = evaluate_refusals(queries, lambda q: services.ask(q).found, limit)
    return MultihopRun(results, refused)
