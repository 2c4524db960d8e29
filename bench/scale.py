"""A store of N passages on this machine, and what it costs: disk, memory, start, search,
dense recall, and how soon new passages are found.

Building: the passages (text and vector) of a store built from the MultiHop-RAG corpus
(`--source`, read once and copied: `newsbot ingest` of corpus.json) are recombined into new
articles until there are N passages: each new passage is a real one with a third of its
sentences swapped for sentences of other articles, its names swapped for other names of the
corpus and its numbers for other numbers; each article has an outlet of the corpus and a date
spread over a year. Its vector is the real passage's plus small noise (cosine about 0.95 to
it): encoding a million passages here would take hours. Written in bulk (one ORM object per
row, as an ingest writes, would take hours too at a million), then the store is opened as any
process opens it: it finds no index, builds one from the stored vectors and saves it (trained,
past `TRAINED_FROM`), and the lexical segments from the stored texts. The 1,000 new passages
go through `Store.write`, as an ingest's do (commit, then a lexical segment of their own).

Measured, all in one run: the size of the store on disk; the dense index against exact search
(recall@10 for real dev questions encoded by the bundled model, p50/p95 of one search, with
`--compare` the other FAISS shapes considered); one answering process (`open_services`, cold
start to the first answer, RSS and PSS, p50/p95 of `Services.search`); the time from the
commit of 1,000 new passages (one more ingest) to that process finding them, dense and full;
and the bot itself (`newsbot bot` with two answer workers, polling a loopback Bot API): its
start, a few answers, and the RSS and PSS of its processes together.

    .venv/bin/python bench/scale.py --passages 100000 [--source /tmp/mh-data] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import numpy as np  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from retrieval.config import DEFAULT_MODEL, Settings  # noqa: E402
from retrieval.store import ArticleDraft, PassageDraft, Store  # noqa: E402
from retrieval.store import index as index_module  # noqa: E402
from retrieval.store.index import FaissIndex  # noqa: E402
from retrieval.store.index_trained import trained_shape  # noqa: E402
from retrieval.store.lexical import LexicalIndex  # noqa: E402
from retrieval.store.models import Article, Meta, Passage  # noqa: E402

QUERIES = ROOT.parent / "shared" / "eval" / "multihop-rag" / "queries-dev.json"
NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")
NUMBER = re.compile(r"\b\d[\d,.]*\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
NEW_TOKEN = "quorvalenth"  # invented: in the 1,000 new passages only, for the lexical check
PER_ARTICLE = 25
VARIANTS = 3  # copies of the corpus's sentences, each with its own swapped names and numbers
NOISE = 0.3  # norm of the noise added to a unit vector
BOT_TOKEN = "4242:SCALE"  # the loopback Bot API's: no real bot
BOT_QUESTIONS = 4  # asked of the bot at once, from as many chats


def read_source(source: Path, scratch: Path, texts_too: bool = True) -> dict[str, Any]:
    """Passages, vectors, titles and outlets of a built store (copied first, read-only, by
    SQLite's backup: a consistent copy even while it is written), with the sentence pools the
    new passages are drawn from: every sentence of the corpus, VARIANTS times over, each time
    with other names and numbers."""
    live = sqlite3.connect(f"file:{source / 'newsbot.db'}?mode=ro", uri=True)
    db = sqlite3.connect(scratch / "source.db")
    live.backup(db)
    live.close()
    rows = db.execute("SELECT p.text, p.embedding FROM passages p ORDER BY p.id").fetchall()
    articles = db.execute("SELECT title, outlet FROM articles").fetchall()
    db.close()
    rng = np.random.default_rng(0)
    texts = [r[0] for r in rows]
    names = sorted({m for t in texts for m in NAME.findall(t)})

    def swap_name(_: re.Match[str]) -> str:
        return str(names[int(rng.integers(len(names)))])

    def swap_number(match: re.Match[str]) -> str:
        return str(int(rng.integers(1, 10 ** min(6, len(match.group())))))

    def swap(text: str) -> str:
        return NUMBER.sub(swap_number, NAME.sub(swap_name, text))

    sentences: list[str] = []
    own: list[list[int]] = []
    for text in texts:
        split = SENTENCE.split(text)
        own.append(list(range(len(sentences), len(sentences) + len(split))))
        sentences.extend(split)
    titles = [a[0] for a in articles]
    return {
        "vectors": np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows]),
        "own": own,
        "pools": [[swap(s) for s in sentences] for _ in range(VARIANTS if texts_too else 1)],
        "titles": [swap(t) for _ in range(VARIANTS) for t in titles],
        "outlets": sorted({a[1] for a in articles if a[1]}),
        "names": len(names),
    }


def recombine(
    source: dict[str, Any], count: int, seed: int, token: str = ""
) -> tuple[list[NewArticle], np.ndarray]:
    """`count` new passages in articles of PER_ARTICLE (see the module), and their vectors."""
    rng = np.random.default_rng(seed)
    own, pools = source["own"], source["pools"]
    total = len(pools[0])
    picks = rng.integers(0, len(own), count)
    noise = rng.normal(size=(count, source["vectors"].shape[1])).astype(np.float32)
    noise *= NOISE / np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = source["vectors"][picks] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    variants = rng.integers(0, VARIANTS, count)
    strangers = rng.integers(0, total, count * 8)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    articles: list[NewArticle] = []
    for first in range(0, count, PER_ARTICLE):
        texts = []
        for n in range(first, min(first + PER_ARTICLE, count)):
            pool = pools[variants[n]]
            # A third of the sentences from anywhere in the corpus (positions n*8.. are n's).
            chosen = [
                int(strangers[n * 8 + i]) if (n + i) % 3 == 0 else s
                for i, s in enumerate(own[picks[n]][:8])
            ]
            text = " ".join(pool[s] for s in chosen)
            texts.append(f"{text} {token}" if token else text)
        articles.append(
            NewArticle(
                title=source["titles"][int(rng.integers(len(source["titles"])))],
                outlet=source["outlets"][int(rng.integers(len(source["outlets"])))],
                published_at=start + timedelta(minutes=int(rng.integers(365 * 24 * 60))),
                texts=texts,
            )
        )
    return articles, vectors


@dataclass(frozen=True)
class NewArticle:
    title: str
    outlet: str
    published_at: datetime
    texts: list[str]


def drafts(articles: list[NewArticle], vectors: np.ndarray, first_key: int) -> list[ArticleDraft]:
    """The articles as an ingest hands them to `Store.write`."""
    out, at = [], 0
    for number, article in enumerate(articles):
        key = f"https://scale.invalid/{first_key + number}"
        passages = []
        for position, text in enumerate(article.texts):
            passages.append(PassageDraft(position, 0, len(text), text, vectors[at]))
            at += 1
        out.append(
            ArticleDraft(
                key=key,
                url=key,
                title=article.title,
                outlet=article.outlet,
                author=None,
                published_at=article.published_at,
                content_hash=hashlib.sha256(key.encode()).hexdigest(),
                source=key,
                passages=passages,
            )
        )
    return out


def build(store: Store, source: dict[str, Any], passages: int) -> tuple[float, float, float]:
    """Write `passages` recombined passages, in bulk (SQLAlchemy's executemany, not one ORM
    object per row as an ingest writes: that would take hours here at a million), then open
    the store as a process would: it finds no index, builds it from the stored vectors and
    saves it (trained, past TRAINED_FROM), and the lexical segments. (seconds writing, seconds
    indexing the vectors, seconds building the lexical index)."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        session.execute(insert(Meta), [{"key": "vectors_model", "value": f"{DEFAULT_MODEL}/384"}])
    article_id = passage_id = 0
    batch = 50_000
    for n, first in enumerate(range(0, passages, batch)):
        articles, vectors = recombine(source, min(batch, passages - first), n + 1)
        article_rows, passage_rows = [], []
        at = 0
        for article in articles:
            article_id += 1
            key = f"https://scale.invalid/{article_id}"
            article_rows.append(
                {
                    "id": article_id,
                    "key": key,
                    "url": key,
                    "title": article.title,
                    "outlet": article.outlet,
                    "author": None,
                    "published_at": article.published_at,
                    "ingested_at": now,
                    "content_hash": hashlib.sha256(key.encode()).hexdigest(),
                    "source": key,
                }
            )
            for position, text in enumerate(article.texts):
                passage_id += 1
                passage_rows.append(
                    {
                        "id": passage_id,
                        "article_id": article_id,
                        "position": position,
                        "char_start": 0,
                        "char_end": len(text),
                        "text": text,
                        "embedding": vectors[at].tobytes(),
                    }
                )
                at += 1
        with store.sessions.begin() as session:
            session.execute(insert(Article), article_rows)
            session.execute(insert(Passage), passage_rows)
        print(f"  {passage_id} passages written", file=sys.stderr, flush=True)
    written = time.perf_counter()
    # No index on disk: each is built from the database and saved, as `Store.load_index` does.
    store.vectors.load()
    dense = time.perf_counter()
    store.lexical.load()
    return written - started, dense - written, time.perf_counter() - dense


def stored_vectors(db_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) as the database holds them: what exact search is measured on."""
    db = sqlite3.connect(db_path)
    ids, vectors = [], []
    for pid, blob in db.execute("SELECT id, embedding FROM passages ORDER BY id"):
        ids.append(pid)
        vectors.append(np.frombuffer(blob, dtype=np.float32))
    db.close()
    return np.array(ids, dtype=np.int64), np.stack(vectors)


def disk(path: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for file in path.rglob("*"):
        parts = file.relative_to(path).parts
        if file.is_file() and parts[0] != "models":
            # index/lexical/...: the lexical segments; index/*: the FAISS files
            part = parts[1] if len(parts) > 2 else "faiss" if len(parts) == 2 else file.stem
            sizes[part] = sizes.get(part, 0) + file.stat().st_size
    return sizes


def timings(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms"


def recall(found: list[list[int]], truth: np.ndarray) -> float:
    return float(
        np.mean(
            [
                len(set(f[:10]) & set(t[:10].tolist())) / 10
                for f, t in zip(found, truth, strict=True)
            ]
        )
    )


def dense_figures(index: FaissIndex, queries: np.ndarray, truth: np.ndarray) -> str:
    found, seconds = [], []
    for query in queries:
        started = time.perf_counter()
        hits = index.search(query, 1000)  # the depth the Searcher asks for
        seconds.append(time.perf_counter() - started)
        found.append([pid for pid, _ in hits])
    return f"recall@10 {recall(found, truth):.3f}, k=1000 {timings(seconds)}"


def compare(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, truth: np.ndarray) -> None:
    """The shapes considered, on the same vectors: recall@10 and p50/p95 of a k=10 search.
    (IVF-PQ was dropped after a first run: recall@10 0.65 with 48 bytes a vector, and four
    minutes to train at 20,000 passages.)"""
    nlist, _ = trained_shape(len(vectors))
    sample = vectors[np.random.default_rng(0).permutation(len(vectors))[: nlist * 64]]
    probes = [("nprobe", p) for p in (nlist // 32, nlist // 16, nlist // 8)]
    shapes = [
        (f"IVF-SQ8 nlist={nlist}", f"IVF{nlist},SQ8", probes),
        (f"IVF-Flat nlist={nlist}", f"IVF{nlist},Flat", probes),
        ("HNSW32-Flat", "HNSW32,Flat", [("efSearch", 64), ("efSearch", 128)]),
    ]
    for label, spec, knobs in shapes:
        started = time.perf_counter()
        index: Any = faiss.index_factory(vectors.shape[1], spec, faiss.METRIC_INNER_PRODUCT)
        index.train(sample)
        hnsw = spec.startswith("HNSW")
        index = faiss.IndexIDMap2(index) if hnsw else index
        index.add_with_ids(vectors, ids)
        built = time.perf_counter() - started
        size = len(faiss.serialize_index(index)) / 2**20
        for knob, value in knobs:
            inner: Any = faiss.downcast_index(index.index if hnsw else index)
            if knob == "nprobe":
                inner.nprobe = value
            else:
                inner.hnsw.efSearch = value
            seconds, found = [], []
            for query in queries:
                t = time.perf_counter()
                _, got = index.search(query.reshape(1, -1), 10)
                seconds.append(time.perf_counter() - t)
                found.append(got[0].tolist())
            print(
                f"  {label:<22} {knob}={value:<4} recall@10 {recall(found, truth):.3f}, "
                f"k=10 {timings(seconds)}; built in {built:.0f} s, {size:.0f} MB"
            )
        del index


def serve(settings: Settings, questions: list[str]) -> None:
    """The answering process (run as a child): first answer, searches, then the new passages."""
    from retrieval.service import open_services

    services = open_services(settings, create=False)
    services.ask(questions[0])
    report({"event": "answered", **memory()})
    seconds = []
    for question in questions[1:]:
        started = time.perf_counter()
        services.search(question, 10)
        seconds.append(time.perf_counter() - started)
    report({"event": "searched", "search": timings(seconds) if seconds else ""})
    line = sys.stdin.readline()
    if not line:
        return
    probe = json.loads(line)
    after = services.store.db_state()[1] - 1000  # the passages of the new ingest
    vector = np.array(probe["vector"], dtype=np.float32)
    dense = full = None
    while dense is None or full is None:
        services.refresh()
        now = time.time()
        if dense is None and probe["id"] in [p for p, _ in services.store.index.search(vector, 10)]:
            dense = now - probe["committed"]
        if full is None and any(h.passage_id > after for h in services.search(NEW_TOKEN, 10)):
            full = now - probe["committed"]
        if time.time() - probe["committed"] > 300:
            break
        time.sleep(0.1)
    report({"event": "found", "dense": dense, "full": full, **memory()})


def bot_figures(
    settings: Settings, questions: list[str], log_path: Path, workers: int = 2
) -> dict[str, Any]:
    """`newsbot bot` as users run it, with `workers` answer workers (ANSWER_WORKERS), long
    polling a loopback Bot API (bot/telegram/loopback/, as bench/bot.py): seconds from its
    start to its first getUpdates (its workers are loaded by then) and to the answers of
    `questions` sent from as many chats at once (so that every worker answers some), then
    the RSS and PSS of the bot's process and of each process under it (by role: the bot,
    its answer workers, multiprocessing's resource tracker)."""
    from bot.telegram.loopback import serve

    with serve(BOT_TOKEN) as (api, base_url):
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            **settings.as_env(),
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_BASE_URL": base_url,
            "ANSWER_WORKERS": str(workers),
            "BOT_CONCURRENCY": str(len(questions)),
        }
        log = open(log_path, "ab")  # noqa: SIM115
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "bot"], env=env, stderr=log, cwd=ROOT
        )
        try:
            api.wait_for(lambda a: "getUpdates" in a.calls, timeout=900)
            ready = time.perf_counter() - started
            asked = time.perf_counter()
            chats = range(20_001, 20_001 + len(questions))
            for chat, question in zip(chats, questions, strict=True):
                api.push_text(chat, question)
            api.wait_for(lambda a: all(a.count_sent(c) for c in chats), timeout=900)
            answered = time.perf_counter() - asked
            for chat in chats:
                print(f"  bot to {chat}: {api.sent_to(chat)[0].text[:70]!r}", file=sys.stderr)
            processes = [("bot", memory(process.pid))]
            processes += [(role(pid), memory(pid)) for pid in descendants(process.pid)]
        finally:
            process.terminate()
            process.wait(60)
            log.close()
    return {"ready": ready, "answered": answered, "processes": processes}


def role(pid: int) -> str:
    """What a process under the bot is, by its command line."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker" if "spawn_main" in command else command.replace("\0", " ")[:40]


def descendants(pid: int) -> list[int]:
    """The processes under `pid` (children, theirs, ...), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def memory(pid: int | str = "self") -> dict[str, float]:
    """A process's RSS and PSS (shared pages divided among their sharers), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        fields[key] = int(value.split()[0]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"]}


def report(event: dict[str, Any]) -> None:
    print(json.dumps(event), flush=True)


def encode(settings: Settings, questions: list[str]) -> np.ndarray:
    """The questions as the bundled model encodes them."""
    from retrieval.store.embedder import load_embedder

    embedder = load_embedder(settings.store)
    return np.stack([embedder.encode_query(q) for q in questions]).astype(np.float32)


def noisy(source: dict[str, Any], count: int, seed: int) -> np.ndarray:
    """Vectors only, as `recombine` makes them."""
    rng = np.random.default_rng(seed)
    vectors = source["vectors"][rng.integers(0, len(source["vectors"]), count)]
    noise = rng.normal(size=vectors.shape).astype(np.float32)
    vectors += noise * (NOISE / np.linalg.norm(noise, axis=1, keepdims=True))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def dense_only(args: argparse.Namespace, source: dict[str, Any], queries: np.ndarray) -> None:
    """The FAISS index alone at `--passages` (no database, no lexical side): built, trained,
    searched by a reader process that maps it, then 1,000 more saved and read again."""
    directory = Path(tempfile.mkdtemp(prefix="scale-dense-"))
    vectors = noisy(source, args.passages, 1)
    ids = np.arange(1, args.passages + 1, dtype=np.int64)
    started = time.perf_counter()
    index = FaissIndex(384, DEFAULT_MODEL)
    for at in range(0, len(ids), 100_000):
        index.add(ids[at : at + 100_000], vectors[at : at + 100_000])
    manifest = index.save(directory, int(ids[-1]))
    built = time.perf_counter() - started
    exact = faiss.IndexFlatIP(384)
    exact.add(vectors)
    truth = ids[exact.search(queries, 10)[1]]
    del exact, index, vectors
    np.save(directory / "queries.npy", queries)
    readers = [_dense_reader(directory) for _ in range(2)]  # two at once: what they share
    results = [json.loads(r.communicate()[0]) for r in readers]
    more = FaissIndex.load(directory)[0]
    started = time.perf_counter()
    more.add(np.arange(len(ids) + 1, len(ids) + 1001), noisy(source, 1000, 2))
    more.save(directory, len(ids) + 1000)
    saved = time.perf_counter() - started
    again = json.loads(_dense_reader(directory).communicate()[0])
    files = {p.name: p.stat().st_size / 2**20 for p in directory.iterdir() if p.is_file()}
    sizes = ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(files.items()) if v >= 1)
    first = results[0]
    print(
        f"dense only, {args.passages} passages: {manifest.kind}, built and saved in "
        f"{built:.0f} s; files {sizes}"
    )
    print(
        f"  reader: loaded in {first['load']:.1f} s, recall@10 "
        f"{recall(first['found'], truth):.3f}, k=1000 {first['search']}; RSS "
        f"{first['rss']:.0f} MB, PSS {first['pss']:.0f} MB"
    )
    print(
        "  two readers at once: RSS "
        + " + ".join(f"{r['rss']:.0f}" for r in results)
        + " MB, PSS "
        + " + ".join(f"{r['pss']:.0f}" for r in results)
        + " MB"
    )
    print(
        f"  1,000 more: added and saved (the delta only) in {saved:.2f} s; a reader loads "
        f"it all in {again['load']:.1f} s, recall@10 {recall(again['found'], truth):.3f}"
    )
    shutil.rmtree(directory)


def _dense_reader(directory: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--dense-serve", str(directory)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )


def dense_serve(directory: Path) -> None:
    """A reader of the index alone (run as a child): load, search, report."""
    started = time.perf_counter()
    index, _ = FaissIndex.load(directory)
    load = time.perf_counter() - started
    seconds, found = [], []
    for query in np.load(directory / "queries.npy"):
        t = time.perf_counter()
        found.append([pid for pid, _ in index.search(query, 1000)])
        seconds.append(time.perf_counter() - t)
    time.sleep(2)  # the other reader is surely mapped by now
    report({"load": load, "search": timings(seconds), "found": [f[:10] for f in found], **memory()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--source", type=Path, default=Path("/tmp/mh-data"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    parser.add_argument("--trained-from", type=int, default=index_module.TRAINED_FROM)
    parser.add_argument("--compare", action="store_true", help="also the other FAISS shapes")
    parser.add_argument("--dense-only", action="store_true", help="the FAISS index alone")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the child's data dir
    parser.add_argument("--dense-serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dense_serve:
        dense_serve(args.dense_serve)
        return
    questions = [q["query"] for q in json.loads(QUERIES.read_text())[: args.queries + 1]]
    if args.serve:
        # The parent's settings, passed in the environment.
        serve(Settings(_env_file=None), questions)  # type: ignore[call-arg]
        return

    began = time.perf_counter()
    index_module.TRAINED_FROM = args.trained_from
    scratch = Path(tempfile.mkdtemp(prefix="scale-"))
    data = args.keep or scratch / "data"
    data.mkdir(parents=True, exist_ok=True)
    models = data / "models"
    if not models.exists():
        shutil.copytree(args.source / "models", models)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, EMBEDDING_MODEL=DEFAULT_MODEL, NEWSBOT_DATA_DIR=data, ENCODER_DIR=models
    )
    source = read_source(args.source, scratch, texts_too=not args.dense_only)
    if args.dense_only:
        print(
            f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {os.getloadavg()[0]:.1f}"
        )
        dense_only(args, source, encode(settings, questions[1:]))
        print(
            f"whole run: {time.perf_counter() - began:.0f} s; load average {os.getloadavg()[0]:.1f}"
        )
        shutil.rmtree(scratch)
        return
    print(
        f"source: {len(source['own'])} passages, {len(source['pools'][0])} sentences, "
        f"{source['names']} names, {len(source['outlets'])} outlets",
        file=sys.stderr,
    )
    store = Store.open(settings.db_url, settings.index_dir, DEFAULT_MODEL, 384)
    build_seconds, save_seconds, lexical_seconds = build(store, source, args.passages)
    store.close()
    ids, vectors = stored_vectors(data / "newsbot.db")

    queries = encode(settings, questions[1:])
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, rows = exact.search(queries, 10)
    truth = ids[rows]
    index, manifest = FaissIndex.load(settings.index_dir)
    dense = dense_figures(index, queries, truth)
    flat = FaissIndex(384, DEFAULT_MODEL, trained_from=10**12)
    flat.add(ids, vectors)
    exact_figures = dense_figures(flat, queries, truth)
    del flat, exact

    env = {**os.environ, "PYTHONPATH": str(ROOT), **settings.as_env()}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(data), "--queries", str(args.queries)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    answered = json.loads(child.stdout.readline())
    cold = time.perf_counter() - started
    print(f"  dense {dense}; exact {exact_figures}; cold start {cold:.1f} s", file=sys.stderr)
    searched = json.loads(child.stdout.readline())
    print(f"  {answered} {searched}", file=sys.stderr, flush=True)
    # A second answering process beside the first, as the bot's second worker: what the two
    # hold together, with the pages they share (the index, the model file) counted once.
    second = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(data), "--queries", "0"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert second.stdout is not None and second.stdin is not None
    json.loads(second.stdout.readline())
    both = [memory(child.pid), memory(second.pid)]
    second.stdin.close()
    second.wait()

    store = Store.open(settings.db_url, settings.index_dir, DEFAULT_MODEL, 384)
    new, new_vectors = recombine(source, 1000, 10**6, token=NEW_TOKEN)
    with store.writing():
        writing = time.time()
        # The commit, then the FAISS index in memory and the lexical segment on disk.
        store.write(drafts(new, new_vectors, 10**7))
        committed = time.time()
        wrote = committed - writing
        store.save_index()
        saved = time.time() - committed
    probe_id = int(store.index.ids().max())
    store.close()
    child.stdin.write(
        json.dumps({"id": probe_id, "vector": new_vectors[-1].tolist(), "committed": committed})
        + "\n"
    )
    child.stdin.flush()
    found = json.loads(child.stdout.readline())
    child.wait()

    # The bot with its two workers, alone on the store: nothing else of this run maps the
    # index now, so the shared pages' PSS is divided among the bot's processes only.
    del index
    bot = bot_figures(settings, questions[1 : 1 + BOT_QUESTIONS], scratch / "bot.log")

    sizes = disk(data)
    load = os.getloadavg()
    megabytes = ", ".join(f"{k} {v / 2**20:.0f} MB" for k, v in sorted(sizes.items()))
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, shared with other sessions (load average {load[0]:.1f} at "
        f"the end); faiss {faiss.__version__}"
    )
    print(
        f"store: {args.passages} passages in {args.passages // PER_ARTICLE} articles, "
        f"written in {build_seconds:.0f} s, indexed in {save_seconds:.0f} s (read from the "
        f"database, trained, saved); index {manifest.kind} (trained from {args.trained_from}); "
        f"lexical segments built from the database in {lexical_seconds:.0f} s"
    )
    print(f"disk: {megabytes}; total {sum(sizes.values()) / 2**20:.0f} MB")
    print(f"dense, {len(queries)} dev questions: index {dense}; exact flat {exact_figures}")
    print(
        f"answering process: cold start to first answer {cold:.1f} s, RSS "
        f"{answered['rss']:.0f} MB (PSS {answered['pss']:.0f} MB); Services.search "
        f"{searched['search']}"
    )
    print(
        "two answering processes at once (the bot's two workers, without the bot): RSS "
        + " + ".join(f"{m['rss']:.0f}" for m in both)
        + f" = {sum(m['rss'] for m in both):.0f} MB, PSS "
        + " + ".join(f"{m['pss']:.0f}" for m in both)
        + f" = {sum(m['pss'] for m in both):.0f} MB"
    )
    tree = bot["processes"]
    print(
        f"bot (`newsbot bot`, ANSWER_WORKERS=2, loopback Bot API): first getUpdates "
        f"{bot['ready']:.1f} s after its start, {BOT_QUESTIONS} questions at once answered in "
        f"{bot['answered']:.1f} s; then its processes ("
        + ", ".join(name for name, _ in tree)
        + "): RSS "
        + " + ".join(f"{m['rss']:.0f}" for _, m in tree)
        + f" = {sum(m['rss'] for _, m in tree):.0f} MB, PSS "
        + " + ".join(f"{m['pss']:.0f}" for _, m in tree)
        + f" = {sum(m['pss'] for _, m in tree):.0f} MB"
    )
    late = {
        key: "not within 300 s" if found[key] is None else f"{found[key]:.1f} s"
        for key in ("dense", "full")
    }
    print(
        f"1,000 new passages: Store.write (commit, FAISS in memory, lexical segment saved) "
        f"took {wrote:.1f} s; the FAISS index saved {saved:.1f} s after it; found by the "
        f"answering process {late['dense']} after Store.write returned (dense), "
        f"{late['full']} (dense + lexical); its RSS then {found['rss']:.0f} MB (PSS "
        f"{found['pss']:.0f} MB)"
    )
    lexical = LexicalIndex(settings.index_dir / "lexical")
    lexical.refresh()
    print(f"lexical index: segments of {lexical.segment_sizes()} passages")
    if args.compare:
        print("FAISS shapes on the same vectors:")
        compare(vectors, ids, queries, truth)
    print(f"whole run: {time.perf_counter() - began:.0f} s")
    if not args.keep:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
