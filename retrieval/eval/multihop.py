"""Retrieval evaluation on MultiHop-RAG, scored as the benchmark's authors score it.

A retrieved passage is relevant when a gold `fact` (whitespace removed) is a substring of the
passage text (whitespace removed). Null queries are left out of the retrieval metrics.
- Hits@k: at least one gold fact in the top k.
- MRR@10: 1 / rank of the first relevant passage in the top 10.
- MAP@10: each gold fact is credited once, where it first appears, with precision
  (facts credited so far / rank); the sum is divided by min(number of gold facts, 10).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "NULL_TYPE",
    "Refusals",
    "Scores",
    "aggregate",
    "evaluate_multihop",
    "evaluate_refusals",
    "format_table",
    "score_query",
]

NULL_TYPE = "null_query"


@dataclass(frozen=True)
class Scores:
    """Retrieval metrics over a set of queries."""

    queries: int
    hits4: float
    hits10: float
    mrr10: float
    map10: float

    def to_json(self) -> dict[str, Any]:
        """Rounded figures for `--json`."""
        return {
            "queries": self.queries,
            "hits@4": round(self.hits4, 4),
            "hits@10": round(self.hits10, 4),
            "mrr@10": round(self.mrr10, 4),
            "map@10": round(self.map10, 4),
        }


def _squeeze(text: str) -> str:
    return "".join(text.split())


def score_query(passages: Sequence[str], facts: Sequence[str]) -> tuple[bool, bool, float, float]:
    """(hit@4, hit@10, reciprocal rank, average precision) of ranked passages for gold facts."""
    gold = [_squeeze(f) for f in facts]
    credited: set[int] = set()
    first_relevant = 0
    precision_sum = 0.0
    for rank, text in enumerate(passages[:10], 1):
        squeezed = _squeeze(text)
        matched = {i for i, fact in enumerate(gold) if fact in squeezed}
        if matched and not first_relevant:
            first_relevant = rank
        for fact in sorted(matched - credited):
            credited.add(fact)
            precision_sum += len(credited) / rank
    reciprocal = 1.0 / first_relevant if first_relevant else 0.0
    average_precision = precision_sum / min(len(gold), 10) if gold else 0.0
    return (
        0 < first_relevant <= 4,
        0 < first_relevant <= 10,
        reciprocal,
        average_precision,
    )


def aggregate(rows: Sequence[tuple[bool, bool, float, float]]) -> Scores:
    """Mean of per-query scores."""
    n = len(rows) or 1
    return Scores(
        queries=len(rows),
        hits4=sum(r[0] for r in rows) / n,
        hits10=sum(r[1] for r in rows) / n,
        mrr10=sum(r[2] for r in rows) / n,
        map10=sum(r[3] for r in rows) / n,
    )


def evaluate_multihop(
    queries_path: Path, retrieve: Callable[[str], list[str]], limit: int | None = None
) -> dict[str, Scores]:
    """Scores overall and by question type; `retrieve` returns ranked passage texts."""
    queries = json.loads(queries_path.read_text())
    answerable = [q for q in queries if q["question_type"] != NULL_TYPE][:limit]
    by_type: dict[str, list[tuple[bool, bool, float, float]]] = defaultdict(list)
    for query in answerable:
        facts = [e["fact"] for e in query["evidence_list"]]
        row = score_query(retrieve(query["query"]), facts)
        by_type["overall"].append(row)
        by_type[query["question_type"]].append(row)
    return {name: aggregate(rows) for name, rows in by_type.items()}


def format_table(results: Mapping[str, Scores]) -> str:
    """A readable table of the scores."""
    lines = [
        f"{'question type':<18} {'n':>5} {'Hits@4':>7} {'Hits@10':>8} {'MRR@10':>7} {'MAP@10':>7}"
    ]
    for name, s in sorted(results.items(), key=lambda kv: (kv[0] != "overall", kv[0])):
        figures = f"{s.hits4:>7.4f} {s.hits10:>8.4f} {s.mrr10:>7.4f} {s.map10:>7.4f}"
        lines.append(f"{name:<18} {s.queries:>5} {figures}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Refusals:
    """How often the answer service says it found nothing, on null and answerable queries."""

    null_queries: int
    null_refused: int
    answerable: int
    answerable_refused: int

    @property
    def refusal_rate(self) -> float:
        """Share of null queries refused: higher is better."""
        return self.null_refused / self.null_queries if self.null_queries else 0.0

    @property
    def false_refusal_rate(self) -> float:
        """Share of answerable queries refused: lower is better."""
        return self.answerable_refused / self.answerable if self.answerable else 0.0

    def to_json(self) -> dict[str, Any]:
        """Counts and rates for `--json`."""
        return {
            "null_queries": self.null_queries,
            "null_refused": self.null_refused,
            "refusal_rate": round(self.refusal_rate, 4),
            "answerable": self.answerable,
            "answerable_refused": self.answerable_refused,
            "false_refusal_rate": round(self.false_refusal_rate, 4),
        }

    def line(self) -> str:
        """One readable line."""
        return (
            f"refused {self.null_refused}/{self.null_queries} null queries "
            f"({self.refusal_rate:.4f}); refused {self.answerable_refused}/{self.answerable} "
            f"answerable ones ({self.false_refusal_rate:.4f})"
        )


def evaluate_refusals(
    queries_path: Path, found: Callable[[str], bool], limit: int | None = None
) -> Refusals:
    """Ask every null query and every answerable one (the first `limit` of each) and count
    the answers that say nothing was found."""
    queries = json.loads(queries_path.read_text())
    null = [q["query"] for q in queries if q["question_type"] == NULL_TYPE][:limit]
    answerable = [q["query"] for q in queries if q["question_type"] != NULL_TYPE][:limit]
    return Refusals(
        null_queries=len(null),
        null_refused=sum(not found(q) for q in null),
        answerable=len(answerable),
        answerable_refused=sum(not found(q) for q in answerable),
    )
