"""Warm `ask` latency over the whole MultiHop-RAG corpus: p50 and p95, with same-run references.

Opens (or builds, the first time: about 7 minutes) a data dir holding the 609-article corpus,
warms the service up, then answers the benchmark's queries one at a time, as `newsbot ask`
does once loaded. Beside the answer latency it times, in the same run and on the same queries,
the parts an answer is built from: encoding the query alone, and the hybrid passage search.
Each encoder runtime named (`--runtimes`, default the ONNX one then torch) is timed in turn on
the same store. The machine is shared and noisy: compare figures of one run with each other,
not across runs.

The warm-up asks other dev queries than the timed ones, and the answers are timed before the
references, so no timed answer finds its question's vector or parse kept from before; the
encoder reference is the encoder itself, without the answer service's cache of query vectors.
`--stages` adds where the answer time goes (each stage's milliseconds per answer, summed over
its calls in that answer; "search" holds "encode query"); `--dump FILE` writes every timed
answer in full (JSON lines), to compare the answers of two versions byte for byte.

    .venv/bin/python bench/ask.py [--data-dir /tmp/nbe] [--queries N] [--corpus PATH]
                                  [--runtimes onnx,torch] [--stages] [--dump FILE]
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.qa.answer import Answer  # noqa: E402
from retrieval.service import Services, open_services  # noqa: E402

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


class Stages:
    """Milliseconds spent in named methods during one answer, summed over their calls."""

    def __init__(self) -> None:
        self.current: dict[str, float] = {}
        self.per_answer: list[dict[str, float]] = []

    def wrap(self, owner: object, attribute: str, name: str) -> None:
        """Time `owner.attribute` (a method) as the stage `name`."""
        method = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent = (time.perf_counter() - started) * 1000
                self.current[name] = self.current.get(name, 0.0) + spent

        setattr(owner, attribute, timed)

    def around(self, run: Callable[[str], object]) -> Callable[[str], object]:
        """`run`, recording the stages of each call."""

        def recorded(question: str) -> object:
            self.current = {}
            try:
                return run(question)
            finally:
                self.per_answer.append(self.current)
                self.current = {}  # what runs after the answers counts for none of them

        return recorded

    def lines(self) -> list[str]:
        """One summary line per stage, the costliest first (0 ms where it did not run)."""
        names = {name for answer in self.per_answer for name in answer}
        table = {n: [a.get(n, 0.0) for a in self.per_answer] for n in names}
        ordered = sorted(table.items(), key=lambda item: -statistics.fmean(item[1]))
        return [summary(f"  {name}", ms) for name, ms in ordered]


def instrument(services: Services) -> Stages:
    """The answer path's stages, timed."""
    stages = Stages()
    answerer = services.answerer
    stages.wrap(answerer.reader, "read", "read question (spaCy)")
    stages.wrap(services.embedder, "encode_query", "encode query")
    stages.wrap(services.searcher, "search", "search")
    stages.wrap(services.searcher, "rank", "rank (meetings)")
    stages.wrap(answerer.meeting_answers, "required_names", "required names")
    stages.wrap(answerer.meeting_answers.meetings, "read", "meeting reader")
    stages.wrap(answerer.meeting_answers.meetings, "complete", "meeting completion")
    stages.wrap(answerer.answerability, "judge", "answerability")
    stages.wrap(services.store, "hits", "db: hits")
    stages.wrap(services.store, "outlets", "db: outlets")
    stages.wrap(services.store, "events_involving", "db: events")
    stages.wrap(services.store.articles, "article_text", "db: article text")
    return stages


def dump(path: Path, answers: list[Answer]) -> None:
    """Every answer in full, one JSON line each."""
    with path.open("w") as out:
        for answer in answers:
            row = {
                **answer.to_json(),
                "explanation": list(answer.explanation),
                "refused_by": answer.refused_by,
                "answerability": answer.answerability,
            }
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-multihop"))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--queries", type=int, default=400, help="how many queries to time")
    parser.add_argument("--runtimes", default="onnx,torch", help="ENCODER_RUNTIME values")
    parser.add_argument("--stages", action="store_true", help="where the answer time goes")
    parser.add_argument("--dump", type=Path, help="write the answers (RUNTIME.jsonl added)")
    args = parser.parse_args()

    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=args.data_dir)  # type: ignore[call-arg]
    services = open_services(settings)
    summary_ = ingest([str(args.corpus)], settings.ingest, services.store, services.embedder)
    stats = services.store.stats()
    services.close()
    queries = json.loads((args.corpus.parent / "queries-dev.json").read_text())
    # Every type, nulls included, interleaved as they come in the file.
    questions = [q["query"] for q in queries][: args.queries]
    warm_up = [q["query"] for q in queries][args.queries : args.queries + 20]
    meeting_like = [
        "Who did Sam Bankman-Fried meet?",
        "When did Joe Biden meet Xi Jinping?",
        "Where did Biden and Xi meet?",
    ]

    lines = []
    for runtime in args.runtimes.split(","):
        services = open_services(settings.model_copy(update={"encoder_runtime": runtime}))
        # Warm-up: the first call loads the lexical index and touches every cold path.
        for question in warm_up + meeting_like:
            services.answerer.ask(question)
        stages = instrument(services) if args.stages else None
        answers: list[Answer] = []

        def answer(question: str, s: Services = services, out: list[Answer] = answers) -> None:
            out.append(s.answerer.ask(question))

        ask = timings(stages.around(answer) if stages else answer, questions)
        if args.dump:
            dump(args.dump.with_name(f"{args.dump.name}.{runtime}.jsonl"), answers)
        # Asked again and again, as a chat's questions about one meeting are.
        ask_meetings = timings(services.answerer.ask, meeting_like * 20)
        encode = timings(services.embedder.inner.encode_query, questions)
        forget = getattr(services.embedder, "forget", None)  # the kept query vectors
        if forget is not None:
            forget()
        search = timings(lambda q, s=services: s.searcher.search(q, 10), questions)
        services.close()
        lines += [
            f"encoder runtime: {runtime}",
            summary("encode query (ref)", encode),
            summary("search, hybrid (ref)", search),
            summary("ask", ask),
            *(stages.lines() if stages else []),
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
