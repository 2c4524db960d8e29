"""Story grouping on the MultiHop-RAG corpus: how many stories carried by several outlets it
finds, and a sample of them, with the thresholds swept around the chosen ones.

The digest groups one day's articles; the corpus spans months, so the articles are grouped
per publication day (as a digest would see them) and, for comparison, per week. Leads are the
first ~60 words of each body; no store and no events are needed.

    .venv/bin/python bench/stories.py [--corpus PATH] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.digest.stories import (  # noqa: E402
    SAME_STORY,
    SAME_STORY_ALONE,
    DigestArticle,
    Story,
    group_stories,
)
from retrieval.store.embedder import SentenceTransformerEmbedder  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"


def load(corpus: Path) -> list[DigestArticle]:
    """The corpus as digest articles."""
    articles = []
    for n, item in enumerate(json.loads(corpus.read_text())):
        published = datetime.fromisoformat(item["published_at"]).astimezone(UTC)
        lead = " ".join(item["body"].split()[:60])
        articles.append(
            DigestArticle(n, item["title"], item["source"], item["url"], published, published, lead)
        )
    return articles


def grouped(
    articles: list[DigestArticle], key: Callable[[DigestArticle], object], **thresholds: float
) -> list[Story]:
    """Stories within each window (day or week)."""
    windows: dict[object, list[DigestArticle]] = defaultdict(list)
    for article in articles:
        windows[key(article)].append(article)
    stories: list[Story] = []
    for members in windows.values():
        stories += group_stories(members, EMBEDDER, **thresholds)
    return stories


def describe(name: str, stories: list[Story], seconds: float) -> str:
    """One line of figures."""
    sizes = Counter(len(s.outlets) for s in stories)
    multi = sum(n for size, n in sizes.items() if size >= 2)
    three = sum(n for size, n in sizes.items() if size >= 3)
    articles = sum(len(s.articles) for s in stories)
    return (
        f"{name:<34} {len(stories):4d} stories  {multi:3d} of >= 2 outlets  {three:3d} of >= 3  "
        f"(articles in multi-outlet stories: "
        f"{sum(len(s.articles) for s in stories if len(s.outlets) >= 2)}/{articles})  "
        f"{seconds:5.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sweep", action="store_true", help="try thresholds around the chosen")
    args = parser.parse_args()
    articles = load(args.corpus)
    by_day: Callable[[DigestArticle], object] = lambda a: a.when.date()  # noqa: E731
    by_week: Callable[[DigestArticle], object] = lambda a: a.when.isocalendar()[:2]  # noqa: E731
    print(f"# bench/stories.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    outlets, days = len({a.outlet for a in articles}), len({a.when.date() for a in articles})
    print(
        f"{len(articles)} articles, {outlets} outlets, {days} publication days; thresholds: "
        f"same story {SAME_STORY} with a shared name, {SAME_STORY_ALONE} alone"
    )
    started = time.perf_counter()
    daily = grouped(articles, by_day)
    print(describe("per day (as a digest)", daily, time.perf_counter() - started))
    started = time.perf_counter()
    weekly = grouped(articles, by_week)
    print(describe("per week", weekly, time.perf_counter() - started))
    if args.sweep:
        for same, alone in ((0.45, 0.7), (0.5, 0.75), (0.55, 0.75), (0.6, 0.8), (0.65, 0.85)):
            started = time.perf_counter()
            stories = grouped(articles, by_day, same=same, alone=alone)
            print(describe(f"per day, {same} / {alone}", stories, time.perf_counter() - started))
    print("\nThe biggest multi-outlet stories of a day:")
    for story in sorted(daily, key=lambda s: -len(s.outlets))[:10]:
        if len(story.outlets) < 2:
            break
        print(f"- {story.newest:%Y-%m-%d} {story.headline}  [{', '.join(story.outlets)}]")
        for article in story.articles[1:]:
            print(f"    also: {article.title}")


EMBEDDER = SentenceTransformerEmbedder()

if __name__ == "__main__":
    main()
