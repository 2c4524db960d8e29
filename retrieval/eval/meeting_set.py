"""The meetings evaluation set on disk: its questions (`questions.jsonl`), its articles' event
groups and metadata (`articles.jsonl`), and the fixed rule that splits it into halves.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "HALVES",
    "SPLIT_RULE",
    "TYPES",
    "MeetingQuestion",
    "half_of",
    "load_groups",
    "load_questions",
    "with_metadata",
]

TYPES = ("who", "when", "where", "none")
HALVES = ("tuning", "checking")
SPLIT_RULE = "sha256(event group of the first evidence article) even -> tuning, odd -> checking"


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
