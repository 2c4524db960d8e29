"""What a meeting's sentence says in passing: the first of the meetings it counts ("their
second meeting; the first was in Lyon in May"), a place it points back to ("That's where A
met B")."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from retrieval.meetings.places import place_of
from retrieval.meetings.timing import date_of

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["first_of_them", "place_pointed_to"]

# "the second meeting of the two; the first was in Lyon in May": the first, told in passing.
_FIRST_OF_THEM = re.compile(
    r"\b(?:second|third|fourth|fifth|latest|\w+th)\s+(?:meeting|summit|talks|encounter)\b"
    r".*?\bthe first(?: one| meeting| time)?\s+(?:was|came|took place|had been)\s+"
    r"(?P<rest>[^;.]+)",
    re.I,
)


# A sentence whose place is the one the sentence before names: "That's where A met B", "It
# was there that A met B".
_THERE = re.compile(
    r"^\W*(?:(?:that|this)(?:['’]s|\s+is|\s+was)\s+where|it\s+(?:is|was)\s+there\s+that"
    r"|there,)\s",
    re.I,
)


def _named_place(doc: Doc) -> str | None:
    """The first named place of an "in" / "at" phrase: "in the east wing of the Harbour
    Palace" -> Harbour Palace."""
    for prep in doc:
        if prep.dep_ != "prep" or prep.lower_ not in ("in", "at"):
            continue
        for ent in doc.ents:
            if (
                ent.label_ in ("GPE", "LOC", "FAC", "ORG")
                and prep.i < ent.start
                and all(prep in t.ancestors for t in ent)
            ):
                return re.sub(r"^the\s+", "", ent.text, flags=re.I)
    return None


def first_of_them(
    sentence: str, parse: Callable[[str], Doc], published: date | None
) -> tuple[str | None, tuple[date | None, str | None]] | None:
    """The place and day a sentence gives the first of several meetings it counts: "It was
    their second meeting; the first was in Lyon in May" -> Lyon, May; None when it gives no
    such first."""
    match = _FIRST_OF_THEM.search(sentence)
    if match is None:
        return None
    clause = parse(f"It was {match.group('rest')}")[:]
    return place_of(clause.root, clause), date_of(clause.root, clause, published, "past")


def place_pointed_to(sentence: str, before: str, parse: Callable[[str], Doc]) -> str | None:
    """The place of the sentence before, when the sentence points to it ("That's where A met
    B", "It was there that ..."); None otherwise."""
    return _named_place(parse(before)) if _THERE.match(sentence) else None
