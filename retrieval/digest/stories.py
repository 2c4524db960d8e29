"""Stories for the daily digest: the articles of a period grouped so that one story is one
event as reported by several outlets, ranked by how many outlets carry it and how recent it
is, and filtered by topics by meaning.

Two articles are the same story when their titles and leads are close in meaning (cosine of
MiniLM vectors) and they name someone or somewhere in common, or when they are very close
alone. A story grows only by articles close to its centroid, not by chains of neighbours: a
chain (A like B, B like C) would merge unrelated news on busy days.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from retrieval.digest.topics import split as split_topics
from retrieval.qa.sentences import sentences
from retrieval.store import Store
from retrieval.store.embedder import Embedder
from retrieval.store.events import ANNOUNCED, StoredEvent, normalize_name

__all__ = [
    "SAME_STORY",
    "SAME_STORY_ALONE",
    "TOPIC",
    "DigestArticle",
    "Story",
    "articles_since",
    "filter_by_topics",
    "group_stories",
    "names",
]

# Calibrated on the MultiHop-RAG corpus (bench/stories.py; docs/digest.md has the figures):
# grouping per day, 0.55 / 0.75 kept every sampled group a true same-event pair; 0.45 / 0.70
# found more groups.
SAME_STORY = 0.55  # with a shared name
SAME_STORY_ALONE = 0.75  # without one
# A short topic against a title and lead scores low with MiniLM. With MultiHop-RAG's categories
# as topics, 0.24 gave precision 0.59-0.90 for business, science, sports and technology (recall
# 0.12-0.18); 0.20 doubled recall at precision 0.33-0.86. Literal mentions also count.
TOPIC = 0.24
_NAME = re.compile(r"\b[A-Z][\w'’.-]+(?:\s+(?:of\s+|de\s+|da\s+)?[A-Z][\w'’.-]+)*")
_COMMON = frozenset(
    """the a an in on at for and but as after before new how why what who when where this
    that it its his her their says said report reports update live watch""".split()
)


@dataclass(frozen=True)
class DigestArticle:
    """An article as the digest sees it: its lead is its first passage."""

    article_id: int
    title: str
    outlet: str | None
    url: str | None
    published_at: datetime | None
    ingested_at: datetime
    lead: str
    events: tuple[StoredEvent, ...] = ()

    @property
    def when(self) -> datetime:
        """Publication time, else ingest time."""
        return self.published_at or self.ingested_at


@dataclass(frozen=True)
class Story:
    """One event across outlets: the representative article first."""

    headline: str
    summary: tuple[str, ...]
    articles: tuple[DigestArticle, ...]
    events: tuple[StoredEvent, ...]
    vectors: np.ndarray = field(compare=False, repr=False)

    @property
    def outlets(self) -> tuple[str, ...]:
        """The distinct outlets carrying it."""
        return tuple(dict.fromkeys(a.outlet or a.title for a in self.articles))

    @property
    def newest(self) -> datetime:
        """Its latest article's time."""
        return max(a.when for a in self.articles)


def articles_since(store: Store, since: datetime, until: datetime) -> list[DigestArticle]:
    """The articles ingested in [since, until), each with its first passage and the events
    of all its passages; newest first."""
    rows = store.ingested_between(since, until)
    passages = store.passage_ids_by_article([row.id for row, _ in rows])
    events: dict[int, list[StoredEvent]] = {}
    for event in store.events_of_passages([p for ps in passages.values() for p in ps]):
        events.setdefault(event.article_id, []).append(event)
    return [
        DigestArticle(
            row.id,
            row.title,
            row.outlet,
            row.url,
            row.published_at,
            row.ingested_at,
            lead,
            tuple(events.get(row.id, ())),
        )
        for row, lead in rows
    ]


def names(article: DigestArticle) -> frozenset[str]:
    """The people, places and organisations an article names (capitalised runs in its title
    and lead, and its events' participants), normalised."""
    found = {normalize_name(p) for e in article.events for p in (*e.people, e.where or "")}
    for text in (article.title, article.lead):
        for match in _NAME.finditer(text):
            name = normalize_name(match[0])
            if name and name not in _COMMON:
                found.add(name)
    return frozenset(n for n in found if n)


def group_stories(
    articles: Sequence[DigestArticle],
    embedder: Embedder,
    same: float = SAME_STORY,
    alone: float = SAME_STORY_ALONE,
) -> list[Story]:
    """Group the articles into stories, ranked by outlets carrying them, then recency."""
    if not articles:
        return []
    texts = [f"{a.title}. {' '.join(sentences(a.lead)[:2])}" for a in articles]
    vectors = embedder.encode_documents(texts)
    named = [names(a) for a in articles]
    # Most recent first, so a story is seeded by its latest report.
    order = sorted(range(len(articles)), key=lambda i: articles[i].when, reverse=True)
    groups: list[list[int]] = []
    for i in order:
        best, best_score = None, 0.0
        for g, members in enumerate(groups):
            centroid = vectors[members].mean(axis=0)
            score = float(vectors[i] @ centroid / (np.linalg.norm(centroid) or 1.0))
            shared = any(named[i] & named[m] for m in members)
            if (score >= alone or (shared and score >= same)) and score > best_score:
                best, best_score = g, score
        if best is None:
            groups.append([i])
        else:
            groups[best].append(i)
    stories = [_story([articles[i] for i in g], vectors[g]) for g in groups]
    stories.sort(key=lambda s: (len(s.outlets), s.newest), reverse=True)
    return stories


def _story(members: list[DigestArticle], vectors: np.ndarray) -> Story:
    centre = vectors.mean(axis=0)
    # The most central article leads; centrality is compared to 4 decimals, so that a tie
    # (the two articles of a two-article story are always equally central) goes to the
    # latest report rather than to rounding noise.
    ranked = sorted(
        range(len(members)),
        key=lambda i: (-round(float(vectors[i] @ centre), 4), -members[i].when.timestamp()),
    )
    ordered = [members[i] for i in ranked]
    # One article per outlet: the most central one.
    per_outlet: dict[str, DigestArticle] = {}
    for article in ordered:
        per_outlet.setdefault(article.outlet or article.title, article)
    lead = ordered[0]
    # One event per group of people: a report that they met wins over the plan to meet.
    chosen: dict[frozenset[str], StoredEvent] = {}
    for event in (e for a in ordered for e in a.events):
        key = frozenset(normalize_name(p) for p in event.people)
        if key not in chosen or (chosen[key].status == ANNOUNCED and event.status != ANNOUNCED):
            chosen[key] = event
    events = list(chosen.values())
    return Story(
        headline=lead.title,
        summary=tuple(sentences(lead.lead)[:2]) if lead.lead else (),
        articles=tuple(per_outlet.values()),
        events=tuple(events),
        vectors=vectors[ranked],
    )


def filter_by_topics(
    stories: Sequence[Story], topics: Sequence[str], embedder: Embedder, threshold: float = TOPIC
) -> list[Story]:
    """The stories about any of the wanted topics (all of them when only exclusions are
    given), less those about any excluded one ("-football"): a story is about a topic when
    its words appear in it, or one of its articles is close to the topic in meaning (the same
    test both ways, so that excluding a topic drops what asking for it would bring)."""
    wanted, excluded = split_topics(topics)
    # Each list encoded once, not once per story.
    wanted_vectors = embedder.encode_documents(wanted) if wanted else None
    excluded_vectors = embedder.encode_documents(excluded) if excluded else None
    kept = []
    for story in stories:
        if wanted_vectors is not None and not _about(story, wanted, wanted_vectors, threshold):
            continue
        if excluded_vectors is not None and _about(story, excluded, excluded_vectors, threshold):
            continue
        kept.append(story)
    return kept


def _about(story: Story, topics: list[str], vectors: np.ndarray, threshold: float) -> bool:
    """Whether the story names one of the topics, or is close to one in meaning."""
    text = " ".join([story.headline, *story.summary, *(a.lead for a in story.articles)])
    if any(re.search(rf"\b{re.escape(t)}\b", text, re.I) for t in topics):
        return True
    return float((story.vectors @ vectors.T).max()) >= threshold
