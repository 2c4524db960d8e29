"""Whether a predicted name or place names the gold one, for the meetings scorer: names and
places are folded (case, accents, punctuation), a person's leading titles dropped; a person
matches by name, by an alias of theirs or by surname; a place when one holds the other as
whole words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

__all__ = [
    "distinct_names",
    "match_people",
    "name_key",
    "person_matches",
    "place_key",
    "place_matches",
]

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
    """An alias names a gold person when it holds their surname ("Foreign Minister Ana
    Ruiz") or is made of words of their name ("Kim" for Kim Dae-sung); aliases naming
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
    names = distinct_names(predicted)
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


def distinct_names(names: Sequence[str]) -> list[str]:
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
