"""Who a name in a question is, among the people of the stored events: "Kovacs" may be "Anna
Kovacs" or "Bela Kovacs".

The fullest names that contain the one asked are the candidates; a bare "Kovacs" in an
article is the candidate that article names in full. Two full names that one article uses
in its meetings are one person ("Sigrid Halvorsen" and a misread "Halvorsen Arctic"), unless
the article gives them different roles or has them meet each other. A caller that gets more
than one person asks which one; a button names its choice by `Person.key`.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass

from retrieval.store.events import StoredEvent, name_tokens, normalize_name, same_person

__all__ = ["Person", "people_named", "person_key"]


def person_key(name: str) -> str:
    """A short, stable id of a name for button data: 8 hex digits of its normalised form."""
    return f"{zlib.crc32(normalize_name(name).encode()):08x}"


@dataclass(frozen=True)
class Person:
    """One person the name asked may stand for."""

    name: str  # as the articles write it most often
    role: str | None
    spellings: frozenset[str]  # the participant names that are this person
    events: int

    @property
    def key(self) -> str:
        """The id buttons carry (`person_key` of the name shown)."""
        return person_key(self.name)

    def answers_to(self, key: str) -> bool:
        """Whether a button's key names this person (under any of their spellings, so that a
        button still works after another spelling became the one shown)."""
        return any(person_key(s) == key for s in self.spellings | {self.name})

    @property
    def label(self) -> str:
        """ "Anna Kovacs (Finance Minister)"."""
        return f"{self.name} ({self.role})" if self.role else self.name


def people_named(
    name: str, events: list[StoredEvent]
) -> tuple[list[Person], dict[int, frozenset[str]]]:
    """The people `name` may stand for, and which of them each event is about (event id ->
    the names of the people; events whose mention cannot be told apart are left out)."""
    mentions = {(e.id, p) for e in events for p in e.people if same_person(name, p)}
    spellings = {p for _, p in mentions}
    token_sets = {name_tokens(p) for p in spellings}
    fullest = [t for t in token_sets if not any(t < other for other in token_sets)]
    roles: dict[frozenset[str], Counter[str]] = {t: Counter() for t in fullest}
    for event in events:
        for person, role in event.roles:
            if name_tokens(person) in roles and role:
                roles[name_tokens(person)][role] += 1
    # One article's full names that share the asked name are one person, unless it gives
    # them different roles or has them meet each other.
    parent = {t: t for t in fullest}

    def root(t: frozenset[str]) -> frozenset[str]:
        while parent[t] != t:
            t = parent[t]
        return t

    by_article: dict[int, set[frozenset[str]]] = {}
    together: set[frozenset[frozenset[str]]] = set()
    for event in events:
        named = {name_tokens(p) for p in event.people} & set(fullest)
        by_article.setdefault(event.article_id, set()).update(named)
        together.update(frozenset({a, b}) for a in named for b in named if a != b)
    for named in by_article.values():
        ordered = sorted(named, key=sorted)
        for a in ordered:
            for b in ordered:
                ra, rb = root(a), root(b)
                if ra == rb or frozenset({a, b}) in together:
                    continue
                role_a, role_b = set(roles[a]), set(roles[b])
                if role_a and role_b and not role_a & role_b:
                    continue
                parent[max(ra, rb, key=sorted)] = min(ra, rb, key=sorted)
    # Each mention to its fullest name: the only one containing it, or the only one of
    # those its article names.
    # (an event may be about two of them: "Anna Kovacs met Bela Kovacs")
    assigned_sets: dict[int, set[frozenset[str]]] = {}
    for event_id, spelled in mentions:
        tokens = name_tokens(spelled)
        containing = {root(t) for t in fullest if tokens <= t}
        if len(containing) > 1:
            article = next(e.article_id for e in events if e.id == event_id)
            containing &= {root(t) for t in by_article.get(article, ())}
        if len(containing) == 1:
            assigned_sets.setdefault(event_id, set()).update(containing)
    members: dict[frozenset[str], list[frozenset[str]]] = {}
    for t in fullest:
        members.setdefault(root(t), []).append(t)
    groups: dict[frozenset[str], list[str]] = {group: [] for group in members}
    for event in events:
        for group in assigned_sets.get(event.id, ()):
            for spelled in event.people:
                tokens = name_tokens(spelled)
                if same_person(name, spelled) and any(tokens <= t for t in members[group]):
                    groups[group].append(spelled)
    people: list[Person] = []
    names_of: dict[frozenset[str], str] = {}
    for group, written in groups.items():
        role_counts = sum((roles[t] for t in members[group]), Counter())
        full = [w for w in written if name_tokens(w) in members[group]] or written
        counted = Counter(full)
        shown = max(
            counted or Counter({" ".join(sorted(group)): 0}),
            key=lambda w: (
                counted[w],
                any(w == p for e in events for p, _ in e.roles),
                len(w),
                w,
            ),
        )
        main_role = role_counts.most_common(1)[0][0] if role_counts else None
        count = sum(1 for about in assigned_sets.values() if group in about)
        people.append(Person(shown, main_role, frozenset(written) | {shown}, count))
        names_of[group] = shown
    people.sort(key=lambda p: (-p.events, p.name))
    return people, {
        eid: frozenset(names_of[g] for g in about) for eid, about in assigned_sets.items()
    }
