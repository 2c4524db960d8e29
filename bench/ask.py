"""Warm `ask` latency over the whole MultiHop-RAG corpus: p50 and p95, with same-run references.

Opens (or builds, the first time: about 7 minutes) a data dir holding the 609-article corpus,
warms the service up, then answers the benchmark's queries one at a time, as `newsbot ask`
does once loaded. Beside the answer latency it times, in the same run and on the same queries,
the parts an answer is built from: encoding the query alone, and the hybrid passage search.
Each encoder runtime named (`--runtimes`, default the ONNX one then torch) is timed in turn on
the same store. The machine is shared and noisy: compare figures of one run with each other,
not across runs.

    .venv/bin/python bench/ask.py [--data-dir /tmp/nbe] [--queries N] [--corpus PATH]
                                  [--runtimes onnx,torch]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.service import open_services  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"


def timings(run: Callable[[str], object], questions: list[str]) -> list[float]:
    """Milliseconds per question."""
    out = []
    for question in questions:
        started = time.perf_counter()
        run(question)
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(name: str, ms: list[float]) -> str:
    """One line: p50, p95, max, mean."""
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name:<22} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {ordered[-1]:7.1f} ms   mean {statistics.fmean(ordered):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-multihop"))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--queries", type=int, default=400, help="how many queries to time")
    parser.add_argument("--runtimes", default="onnx,torch", help="ENCODER_RUNTIME values")
    args = parser.parse_args()

    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=args.data_dir)  # type: ignore[call-arg]
    services = open_services(settings)
    summary_ = ingest([str(args.corpus)], settings.ingest, services.store, services.embedder)
    stats = services.store.stats()
    services.close()
    queries = json.loads((args.corpus.parent / "queries-dev.json").read_text())
    # Every type, nulls included, interleaved as they come in the file.
    questions = [q["query"] for q in queries][: args.queries]
    meeting_like = [
        "Who did Sam Bankman-Fried meet?",
        "When did Joe Biden meet Xi Jinping?",
        "Where did Biden and Xi meet?",
    ]

    lines = []
    for runtime in args.runtimes.split(","):
        services = open_services(settings.model_copy(update={"encoder_runtime": runtime}))
        # Warm-up: the first call builds BM25 and touches every cold path.
        for question in questions[:20] + meeting_like:
            services.answerer.ask(question)
        encode = timings(services.embedder.encode_query, questions)
        search = timings(lambda q, s=services: s.searcher.search(q, 10), questions)
        ask = timings(services.answerer.ask, questions)
        ask_meetings = timings(services.answerer.ask, meeting_like * 20)
        services.close()
        lines += [
            f"encoder runtime: {runtime}",
            summary("encode query (ref)", encode),
            summary("search, hybrid (ref)", search),
            summary("ask", ask),
            summary("ask, meeting questions", ask_meetings),
        ]

    print(
        f"# bench/ask.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"corpus: {stats['articles']} articles, {stats['passages']} passages "
        f"(ingest this run: {summary_.new} new, {summary_.unchanged} unchanged); "
        f"{len(questions)} MultiHop-RAG dev queries, warm, one at a time"
    )
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
