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

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "HALVES",
    "SPLIT_RULE",
    "TYPES",
    "Figures",
    "MeetingQuestion",
    "MeetingsReport",
    "QuestionScore",
    "aggregate",
    "format_table",
    "half_of",
    "load_groups",
    "load_questions",
    "match_people",
    "name_key",
    "person_matches",
    "place_key",
    "place_matches",
    "score_answer",
    "with_metadata",
]

TYPES = ("who", "when", "where", "none")
HALVES = ("tuning", "checking")
SPLIT_RULE = "sha256(event group of the first evidence article) even -> tuning, odd -> checking"

# Leading words that describe a person rather than name them, normalised; longest first so
# "secretary of state" goes before "secretary".
_TITLES = tuple(
    sorted(
        (
            "the, mr, mrs, ms, miss, dr, sir, dame, lord, lady, us, uk, president, vice president, "
            "prime minister, foreign minister, foreign secretary, secretary of state, secretary, "
            "minister, chancellor, speaker, attorney general, national security adviser, "
            "national security advisor, defence minister, defense minister, defense secretary, "
            "chairman, leader, king, queen, prince, senator, sen, governor, gov, general, gen"
        ).split(", "),
        key=len,
        reverse=True,
    )
)


def _fold(text: str) -> str:
    """Lower case, accents off, apostrophes and dots dropped ("D.C." -> "dc"), hyphens and other
    punctuation turned into spaces, spaces squeezed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"[.'’]", "", plain)
    return " ".join(re.sub(r"[^\w\s]|_", " ", plain).split())


def name_key(name: str) -> str:
    """A person's name normalised for comparison: folded, leading titles and "the" dropped."""
    key = _fold(name)
    stripped = True
    while stripped:
        stripped = False
        for title in _TITLES:
            if key == title or key.startswith(title + " "):
                key = key[len(title) :].strip()
                stripped = True
                break
    return key


def place_key(place: str) -> str:
    """A place name normalised for comparison: folded, a leading "the" dropped."""
    key = _fold(place)
    return key[4:] if key.startswith("the ") else key


def _surname(key: str) -> str:
    return key.rsplit(" ", 1)[-1]


def _alias_belongs(alias: str, gold: str) -> bool:
    """An alias names a gold person when it holds their surname ("Secretary of State Antony
    Blinken") or is made of words of their name ("Yoon" for Yoon Suk Yeol); aliases naming
    nobody ("members of Congress") belong to no one."""
    if not alias or not gold:
        return False
    words = alias.split()
    return _surname(gold) in words or set(words) <= set(gold.split())


def person_matches(predicted: str, gold: str, aliases: Iterable[str] = ()) -> bool:
    """Whether a predicted name names the gold person (by name, by one of their aliases, or by
    surname)."""
    key, gold_key = name_key(predicted), name_key(gold)
    if not key or not gold_key:
        return False
    if key == gold_key or _surname(key) == _surname(gold_key):
        return True
    own = (name_key(a) for a in aliases)
    return any(key == alias for alias in own if _alias_belongs(alias, gold_key))


def match_people(predicted: Sequence[str], gold: Sequence[str], aliases: Iterable[str] = ()) -> int:
    """How many gold people the predicted names cover, each person and each (distinct,
    normalised) prediction used at most once."""
    alias_list = list(aliases)
    names = _distinct_names(predicted)
    edges = [
        [g for g, person in enumerate(gold) if person_matches(n, person, alias_list)] for n in names
    ]
    owner: dict[int, int] = {}  # gold index -> prediction index

    def augment(n: int, seen: set[int]) -> bool:
        for g in edges[n]:
            if g not in seen:
                seen.add(g)
                if g not in owner or augment(owner[g], seen):
                    owner[g] = n
                    return True
        return False

    return sum(augment(n, set()) for n in range(len(names)))


def _distinct_names(names: Sequence[str]) -> list[str]:
    """Names with the same normalised form kept once, in order; empty ones dropped."""
    seen: dict[str, str] = {}
    for name in names:
        key = name_key(name)
        if key and key not in seen:
            seen[key] = name
    return list(seen.values())


def _contains_words(outer: str, inner: str) -> bool:
    return f" {inner} " in f" {outer} "


def place_matches(predicted: str, gold: str) -> bool:
    """Whether two place names agree: equal once normalised, or one holds the other as whole
    words ("Washington" and "the White House, Washington")."""
    a, b = place_key(predicted), place_key(gold)
    return bool(a and b) and (_contains_words(a, b) or _contains_words(b, a))


@dataclass(frozen=True)
class MeetingQuestion:
    """One question of the meetings set with its gold answer."""

    qid: str
    type: str
    question: str
    gold: tuple[str, ...]  # people or places; one ISO date for when; () for none
    aliases: tuple[str, ...] = ()
    evidence: frozenset[str] = frozenset()


def load_questions(path: Path) -> list[MeetingQuestion]:
    """The questions of a `questions.jsonl` file; ValueError names the line of a bad one."""
    questions: list[MeetingQuestion] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            kind = row["type"]
            if kind not in TYPES:
                raise ValueError(f"unknown type {kind!r}")
            gold = row.get("gold")
            questions.append(
                MeetingQuestion(
                    qid=str(row["qid"]),
                    type=kind,
                    question=str(row["question"]),
                    gold=() if gold is None else (gold,) if isinstance(gold, str) else tuple(gold),
                    aliases=tuple(row.get("gold_aliases") or ()),
                    evidence=frozenset(row.get("evidence") or ()),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: bad question: {exc}") from exc
    return questions


def load_groups(path: Path) -> dict[str, str]:
    """Each article's event group from `articles.jsonl` (`same_event_group`); an article without
    one is a group of its own. A missing file gives no groups (every article its own)."""
    if not path.is_file():
        return {}
    groups: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            groups[str(row["id"])] = str(row.get("same_event_group") or f"article:{row['id']}")
    return groups


def with_metadata(folder: Path, dest: Path) -> Path:
    """The set's articles as archive files that carry their outlet and link (`outlet:` and
    `url:` header lines, from `articles.jsonl`), written to `dest`, so that the store knows each
    article's outlet as it would a real one's; a set without `articles.jsonl` is used as it
    is. The file names stay, so citations still map to article ids."""
    meta_path = folder / "articles.jsonl"
    source = folder / "articles"
    if not meta_path.is_file():
        return source
    meta = {}
    for line in meta_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            meta[str(row["id"])] = row
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.txt")):
        first, _, rest = path.read_text(encoding="utf-8").partition("\n")
        row = meta.get(path.stem, {})
        headers = "".join(
            f"{key}: {' '.join(str(row[key]).split())}\n"
            for key in ("outlet", "url")
            if row.get(key)
        )
        (dest / path.name).write_text(f"{first}\n{headers}{rest}", encoding="utf-8")
    return dest


def half_of(question: MeetingQuestion, groups: Mapping[str, str]) -> str:
    """The half of the set a question belongs to, by a fixed rule: the SHA-256 of the event
    group of its first evidence article (of its id when it has none), even -> tuning, odd ->
    checking. Articles about one meeting stay on one side, so no half reads the other's
    meeting; the rule needs no list to keep and holds for any set in this format."""
    if question.evidence:
        first = min(question.evidence)
        key = groups.get(first, f"article:{first}")
    else:
        key = f"question:{question.qid}"
    return HALVES[int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2]


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
        distinct = len(_distinct_names(values))
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
