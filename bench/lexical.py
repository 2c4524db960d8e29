"""The lexical index (segments on disk) against bm25s built in memory, on a built store.

Same-run reference: bm25s indexes built over exactly the store's passages, as the store
searched before the segments (both fields: the passage with its article's title, outlet and
date, and the passage alone). Measured: the time to build the on-disk index from the database
(when the data dir has none yet) and the bm25s build; whether every query's BM25 scores are
equal, bit for bit, on both fields; p50/p95 of one query's scores; and, with `--queries`, the
MultiHop-RAG dev retrieval figures (hybrid mode, as `newsbot eval multihop`) of a Searcher on
each, with the p50/p95 of one search.

    .venv/bin/python bench/lexical.py --data-dir /tmp/lex-mh \
        [--queries ../shared/eval/multihop-rag/queries-dev.json] [--limit N]

The data dir is one `newsbot eval multihop --data-dir` built (its corpus ingested). Opening it
builds the lexical index if it has none: the data dir is written to, so use a copy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402
import numpy as np  # noqa: E402

from retrieval.config import Settings  # noqa: E402
from retrieval.eval.multihop import evaluate_multihop, format_table  # noqa: E402
from retrieval.qa.search import Searcher  # noqa: E402
from retrieval.service import open_services  # noqa: E402
from retrieval.store.lexical import K1, B, query_terms  # noqa: E402
from retrieval.store.lexical_sync import field_texts  # noqa: E402
from retrieval.store.records import CatalogueRow  # noqa: E402


class Bm25sReference:
    """bm25s over the given passages, in memory, behind the Searcher's lexical seam."""

    def __init__(self, rows: list[CatalogueRow]) -> None:
        self.ids = np.array([row.passage_id for row in rows], dtype=np.int64)
        self.manifest = object()
        self._indexes = {}
        for name, texts in field_texts(rows).items():
            index = bm25s.BM25(k1=K1, b=B)
            index.index(
                bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False
            )
            self._indexes[name] = index

    def __len__(self) -> int:
        return len(self.ids)

    def changed(self) -> bool:
        return False

    def refresh(self) -> bool:
        return False

    def scores(self, query: str, name: str = "titled") -> np.ndarray:
        index = self._indexes[name]
        known = [w for w in query_terms(query) if w in index.vocab_dict]
        if not known:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(index.get_scores(known), dtype=np.float32)

    def document_frequencies(self, name: str = "titled") -> dict[str, int]:
        index = self._indexes[name]
        counts = np.diff(np.asarray(index.scores["indptr"]))
        return {w: int(counts[i]) for w, i in index.vocab_dict.items() if w and i < len(counts)}


def timings(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    print(
        f"# bench/lexical.py {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=args.data_dir)  # type: ignore[call-arg]
    had_index = (settings.index_dir / "lexical" / "manifest.json").exists()
    started = time.perf_counter()
    services = open_services(settings, create=False)
    opened = time.perf_counter() - started
    store = services.store
    lexical = store.lexical_index
    sizes = lexical.segment_sizes()
    on_disk = sum(p.stat().st_size for p in (settings.index_dir / "lexical").iterdir())
    how = "index found" if had_index else "lexical index built from the database"
    print(
        f"store opened in {opened:.1f} s ({how}); {len(lexical)} passages in {len(sizes)} "
        f"segments {sizes}, {on_disk / 2**20:.1f} MB on disk"
    )
    started = time.perf_counter()
    rows = store.catalogue()
    reference = Bm25sReference(rows)
    print(
        f"reference: bm25s built in memory in {time.perf_counter() - started:.1f} s (both fields)"
    )
    if not np.array_equal(reference.ids, lexical.ids):
        raise SystemExit("the lexical index does not hold the database's passages")

    questions = [q["query"] for q in json.loads(args.queries.read_text())] if args.queries else []
    questions = questions[: args.limit] if args.limit else questions
    equal = 0
    ours: list[float] = []
    theirs: list[float] = []
    for question in questions:
        same = True
        for name in ("titled", "text"):
            t = time.perf_counter()
            mine = lexical.scores(question, name)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            expected = reference.scores(question, name)
            theirs.append(time.perf_counter() - t)
            same = same and np.array_equal(mine, expected)
        equal += same
    if questions:
        print(
            f"BM25 scores of {len(questions)} queries, both fields: equal bit for bit for "
            f"{equal}; one field's scores: segments {timings(ours)}, bm25s {timings(theirs)}"
        )
        for label, source in (("segments", None), ("bm25s", reference)):
            searcher = Searcher(store, services.embedder, "hybrid", lexical=source)
            seconds: list[float] = []

            def retrieve(
                query: str, searcher: Searcher = searcher, seconds: list[float] = seconds
            ) -> list[str]:
                t = time.perf_counter()
                hits = searcher.search(query, 10)
                seconds.append(time.perf_counter() - t)
                return [hit.text for hit in hits]

            results = evaluate_multihop(args.queries, retrieve, args.limit)
            print(f"\nhybrid, lexical side {label}: one search {timings(seconds)}")
            print(format_table(results))
    services.close()


if __name__ == "__main__":
    main()
