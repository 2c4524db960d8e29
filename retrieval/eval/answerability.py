"""Answerability of the answer service: questions the articles cannot answer must be refused,
questions they answer must be answered.

Two sets: the off-topic questions (`../shared/eval/offtopic/dev.jsonl`: four kinds, every one
to be refused) and the MultiHop-RAG queries (answerable ones to be answered, null ones to be
refused). Each question is asked as the bot asks it; a refusal is counted under the rule that
made it (`Answer.refused_by`). The trade-off of the answerability threshold is computed from
the score each passage answer got (`Answer.answerability`): at a threshold t, a question
reaching the check is refused when its score is below t.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.eval.multihop import NULL_TYPE
from retrieval.qa.results import Answer

__all__ = [
    "THRESHOLDS",
    "Asked",
    "Tally",
    "evaluate_answerability",
    "format_report",
    "tallies",
    "tradeoff",
]

THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


@dataclass(frozen=True)
class Asked:
    """One question asked: its set and kind, whether it should be answered, and the answer's
    outcome."""

    group: str  # "offtopic" or "multihop"
    kind: str
    answerable: bool
    found: bool
    refused_by: str | None
    score: float | None  # the answerability score, when the check was reached


@dataclass
class Tally:
    """Questions of one kind: how many, answered, refused by each rule."""

    asked: int = 0
    answered: int = 0
    rules: Counter[str] = field(default_factory=Counter)

    @property
    def refused(self) -> int:
        """Questions refused, by any rule."""
        return self.asked - self.answered


def _ask_all(
    questions: Sequence[tuple[str, str, str, bool]], ask: Callable[[str], Answer]
) -> list[Asked]:
    asked = []
    for group, kind, text, answerable in questions:
        answer = ask(text)
        asked.append(
            Asked(group, kind, answerable, answer.found, answer.refused_by, answer.answerability)
        )
    return asked


def evaluate_answerability(
    offtopic: Path, queries: Path, ask: Callable[[str], Answer], limit: int | None = None
) -> list[Asked]:
    """Ask every off-topic question and the MultiHop-RAG queries (the first `limit` of each
    type when given)."""
    questions: list[tuple[str, str, str, bool]] = []
    for line in offtopic.read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            questions.append(("offtopic", item["kind"], item["question"], False))
    by_type: dict[str, int] = defaultdict(int)
    for query in json.loads(queries.read_text()):
        kind = query["question_type"]
        if limit is not None and by_type[kind] >= limit:
            continue
        by_type[kind] += 1
        questions.append(("multihop", kind, query["query"], kind != NULL_TYPE))
    return _ask_all(questions, ask)


def tallies(asked: Sequence[Asked]) -> dict[tuple[str, str], Tally]:
    """Counts per (set, kind)."""
    out: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for item in asked:
        tally = out[(item.group, item.kind)]
        tally.asked += 1
        tally.answered += item.found
        if not item.found:
            tally.rules[item.refused_by or "other"] += 1
    return dict(out)


def tradeoff(
    asked: Sequence[Asked], thresholds: Sequence[float] = THRESHOLDS
) -> list[tuple[float, float, float]]:
    """(threshold, share of the questions to refuse that are refused, share of the answerable
    ones answered) at each threshold, the other rules as they are."""
    refuse = [i for i in asked if not i.answerable]
    answer = [i for i in asked if i.answerable]
    rows = []
    for t in thresholds:
        refused = sum(not _found_at(i, t) for i in refuse) / max(len(refuse), 1)
        answered = sum(_found_at(i, t) for i in answer) / max(len(answer), 1)
        rows.append((t, refused, answered))
    return rows


def _found_at(item: Asked, threshold: float) -> bool:
    """Whether a question would be answered at another threshold (other rules unchanged)."""
    if item.score is None or item.refused_by not in (None, "score"):
        return item.found
    return item.score >= threshold


def format_report(asked: Sequence[Asked], threshold: float) -> str:
    """The table per set and kind, and the threshold's trade-off."""
    lines = [f"{'set':<9} {'kind':<17} {'n':>5} {'answered':>9} {'refused':>8}  refused by"]
    for (group, kind), tally in sorted(tallies(asked).items()):
        share = tally.answered / tally.asked if tally.asked else 0.0
        rules = ", ".join(f"{rule} {n / tally.asked:.2f}" for rule, n in tally.rules.most_common())
        lines.append(
            f"{group:<9} {kind:<17} {tally.asked:>5} {share:>9.3f} {1 - share:>8.3f}  {rules}"
        )
    lines.append(
        f"\nthreshold (now {threshold}): refused of those to refuse / answered of the answerable"
    )
    lines += [f"  {t:.2f}  {r:.3f} / {a:.3f}" for t, r, a in tradeoff(asked)]
    return "\n".join(lines)
