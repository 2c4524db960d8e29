"""A digest's topics as users type them: wanted topics, and excluded ones written with a minus
(`/subscribe 08:00 climate, -football`). Stored as typed, one list: "-football" is an
exclusion. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["describe", "is_excluded", "merge", "parse", "split"]

# Minus signs a phone may type: ASCII hyphen-minus, the Unicode minus, en and em dashes.
_MINUS = "-−–—"


def is_excluded(topic: str) -> bool:
    """Whether a stored topic excludes ("-football")."""
    return topic[:1] in _MINUS and bool(topic[1:].strip())


def _bare(topic: str) -> str:
    return topic[1:].strip() if is_excluded(topic) else topic.strip()


def parse(words: Sequence[str]) -> list[str]:
    """The topics of a command's words: separated by commas when there are any, else one word
    each; an exclusion is stored with an ASCII minus ("−football" is "-football")."""
    text = " ".join(words)
    # Without commas, one word each ("climate - football": a lone minus goes with the next).
    parts = text.split(",") if "," in text else text.replace("- ", "-").split()
    topics = []
    for part in parts:
        part = " ".join(part.split())
        if not part or part in _MINUS:
            continue
        topics.append(f"-{_bare(part)}" if is_excluded(part) else part)
    return list(dict.fromkeys(topics))


def split(topics: Iterable[str]) -> tuple[list[str], list[str]]:
    """(wanted, excluded), the excluded ones without their minus."""
    wanted: list[str] = []
    excluded: list[str] = []
    for topic in topics:
        (excluded if is_excluded(topic) else wanted).append(_bare(topic))
    return wanted, excluded


def merge(current: Sequence[str], new: Sequence[str]) -> list[str]:
    """The topics after adding `new` to `current`: a topic and its exclusion cancel out, the
    later one winning ("-football" drops "football" and the other way round)."""
    merged = list(current)
    for topic in new:
        key = _bare(topic).casefold()
        same = [t for t in merged if _bare(t).casefold() == key]
        if same and all(is_excluded(t) == is_excluded(topic) for t in same):
            continue  # there already, in place
        merged = [t for t in merged if _bare(t).casefold() != key] + [topic]
    return merged


def describe(topics: Sequence[str]) -> str:
    """'climate, central banks', 'climate, not football', 'all news but football'."""
    wanted, excluded = split(topics)
    but = ", ".join(excluded)
    if not wanted:
        return f"all news but {but}" if excluded else "all news"
    return ", ".join(wanted) + (f", not {but}" if excluded else "")
