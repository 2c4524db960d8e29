"""Ingest throughput against the encoder's own: is the encoder the only limit?

Ingests the first N paragraphs' worth of MultiHop-RAG articles into a fresh data dir (end to
end: parse, clean, split, encode, find events, write DB and index), then encodes the very same
passages with the same model and batch size, and prints both rates and their ratio. The raw
encoder is timed twice after the ingest, around a run of the event extractor alone on the same
articles (its share of the ingest), and averaged, so a noisy neighbour hurts both sides alike.

    .venv/bin/python bench/ingest.py [--paragraphs 3000] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.meetings.extract import EventExtractor  # noqa: E402
from retrieval.nlp import load_nlp  # noqa: E402
from retrieval.store import Store  # noqa: E402
from retrieval.store.embedder import SentenceTransformerEmbedder  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"


def take_paragraphs(corpus: Path, wanted: int) -> list[dict[str, object]]:
    """Whole articles from the corpus until they hold at least `wanted` paragraphs."""
    articles, count = [], 0
    for article in json.loads(corpus.read_text()):
        if count >= wanted:
            break
        articles.append(article)
        count += sum(1 for p in str(article["body"]).split("\n\n") if p.strip())
    return articles


def raw_rate(embedder: SentenceTransformerEmbedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.encode_documents(texts)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=3000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()

    articles = take_paragraphs(args.corpus, args.paragraphs)
    embedder = SentenceTransformerEmbedder()
    embedder.encode_documents(["warm-up sentence"] * 8)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.json"
        source.write_text(json.dumps(articles))
        settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=Path(tmp) / "data")  # type: ignore[call-arg]
        store = Store.open(settings.db_url, settings.index_dir, embedder.name, embedder.dim)
        started = time.perf_counter()
        summary = ingest([str(source)], settings.ingest, store, embedder)
        elapsed = time.perf_counter() - started
        rows = store.passages_with_articles(store.index.ids().tolist())
        texts = [passage.text for passage, _ in rows.values()]
        by_article: dict[int, list[tuple[int, str]]] = {}
        meta = {}
        for passage, article in rows.values():
            by_article.setdefault(article.id, []).append((passage.position, passage.text))
            meta[article.id] = (article.title, article.published_at)
        store.close()
    before = raw_rate(embedder, texts)
    # The events share of the ingest: the extractor alone on the same articles.
    extractor = EventExtractor(load_nlp())
    jobs = [
        (meta[a][0], meta[a][1].date() if meta[a][1] else None, [t for _, t in sorted(ps)])
        for a, ps in by_article.items()
    ]
    started = time.perf_counter()
    extractor.extract_many(jobs)
    events_seconds = time.perf_counter() - started
    after = raw_rate(embedder, texts)
    raw = (before + after) / 2
    end_to_end = summary.passages_added / elapsed
    paragraphs = sum(1 for a in articles for p in str(a["body"]).split("\n\n") if p.strip())
    words = sorted(len(t.split()) for t in texts)
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores; python {platform.python_version()}"
    )
    print(
        f"input: {len(articles)} articles, {paragraphs} paragraphs -> {len(texts)} passages "
        f"(words per passage: median {words[len(words) // 2]}, max {words[-1]})"
    )
    print(f"end-to-end ingest: {end_to_end:.1f} passages/s ({elapsed:.1f} s)")
    print(f"raw encoder, same passages: {raw:.1f} passages/s (runs: {before:.1f}, {after:.1f})")
    print(f"ratio end-to-end / encoder: {end_to_end / raw:.3f}")
    print(
        f"event extraction alone, same articles: {events_seconds:.1f} s "
        f"({len(texts) / events_seconds:.1f} passages/s; {events_seconds / elapsed:.0%} of "
        "the end-to-end time)"
    )


if __name__ == "__main__":
    main()
