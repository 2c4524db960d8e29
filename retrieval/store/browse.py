"""What the store holds, for people browsing it: outlets with their counts, the latest
headlines, and example questions the store can answer."""

from __future__ import annotations

from collections.abc import Callable

from retrieval.qa.answer import Answer
from retrieval.store import Store
from retrieval.store.records import Headline, OutletCount

__all__ = ["Headline", "OutletCount", "example_questions", "latest", "outlet_counts"]


def outlet_counts(store: Store) -> list[OutletCount]:
    """Every outlet, most articles first (articles without an outlet count as "unknown")."""
    return store.outlet_counts()


def latest(store: Store, limit: int = 10) -> list[Headline]:
    """The most recently published articles (undated ones last, by ingest time)."""
    return store.latest(limit)


def _candidates(store: Store, limit: int) -> list[str]:
    """Questions about the most recent meetings in the store, then about the latest
    headlines."""
    events = [(e.who, e.with_, e.where) for e in store.latest_events(limit * 4)]
    varied: list[str] = []  # one question per meeting, the kind taking turns
    spare: list[str] = []
    usable = [(who, with_, where) for who, with_, where in events if who and with_]
    for n, (who, with_, where) in enumerate(usable):
        first, other = who[0], with_[0]
        kinds = [f"Who did {first} meet?", f"When did {first} meet {other}?"]
        if where:
            kinds.append(f"Where did {first} meet {other}?")
        turn = n % len(kinds)
        varied.append(kinds[turn])
        spare.extend(kinds[:turn] + kinds[turn + 1 :])
    spare.extend(f"What happened: {h.title}?" for h in latest(store, limit))
    return list(dict.fromkeys(varied + spare))


def example_questions(
    store: Store,
    ask: Callable[[str], Answer],
    count: int = 3,
    max_chars: int = 56,
    tries: int = 12,
) -> list[str]:
    """Up to `count` short questions that the store does answer (each is asked, and kept only
    if an answer was found); a variety of kinds is preferred."""
    chosen: list[str] = []
    kinds: set[str] = set()
    spare: list[str] = []
    for question in [q for q in _candidates(store, count * 3) if len(q) <= max_chars][:tries]:
        answer = ask(question)
        if not answer.found:
            continue
        if answer.kind in kinds or any(_names(question) & _names(c) for c in chosen):
            spare.append(question)
            continue
        kinds.add(answer.kind)
        chosen.append(question)
        if len(chosen) == count:
            break
    return (chosen + spare)[:count]


def _names(question: str) -> set[str]:
    """The capitalised words of a question after its first word: who it is about."""
    return {word.strip("?,") for word in question.split()[1:] if word[:1].isupper()}
