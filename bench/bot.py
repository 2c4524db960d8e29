"""The bot under load: N chats each ask M questions through a local Bot API server.

The bot runs as users run it — `newsbot bot` in its own process, python-telegram-bot's real
HTTP client long-polling the strict fake Bot API (bot/telegram/loopback/) that this script
serves on 127.0.0.1. Each chat sends a question, waits for the answer, then sends the next
(as people do); all chats at once. Printed: answered/s, p50/p95 latency from the question
arriving at the server to the answer arriving there, and how many were lost (never answered,
or refused by the server). Four runs: answers in threads (ANSWER_WORKERS=0) and in worker
processes (one per core, the default), each with the bot's 30 messages/s limit (Telegram's
own limit for a bot, as deployed) and with that limit lifted (what the bot itself can do).
Same-run reference: `Services.ask` alone, no Telegram, with as many threads as the bot uses.

    .venv/bin/python bench/bot.py [--data-dir data/eval-multihop] [--chats 100] [--questions 5]

The data dir is built from the MultiHop-RAG corpus the first time (about 7 minutes), as by
bench/ask.py. The machine is shared and noisy: compare figures of one run with each other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.telegram.loopback import FakeBotApi, serve  # noqa: E402
from ingest.pipeline import ingest  # noqa: E402
from retrieval.config import Settings  # noqa: E402
from retrieval.service import open_services  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "multihop-rag" / "corpus.json"
TOKEN = "4242:BENCH"
MEETINGS = [
    "Who did Sam Bankman-Fried meet?",
    "When did Joe Biden meet Xi Jinping?",
    "Where did Biden and Xi meet?",
]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def reference(settings: Settings, questions: list[str], threads: int) -> float:
    """Answers per second from `Services.ask` alone, in `threads` threads."""
    services = open_services(settings)
    for question in questions[:20]:
        services.ask(question)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(services.ask, questions))
    elapsed = time.perf_counter() - started
    services.close()
    return len(questions) / elapsed


def load(
    api: FakeBotApi, chats: int, per_chat: int, questions: list[str], timeout: float
) -> tuple[list[float], int, float]:
    """Every chat asks its questions one after another; returns latencies (ms), lost, seconds."""
    latencies: list[float] = []
    lost = 0
    lock = threading.Lock()

    def converse(chat: int) -> None:
        nonlocal lost
        chat_id = 10_000 + chat
        arrived = api.arrival(chat_id)
        for n in range(per_chat):
            question = questions[(chat * per_chat + n) % len(questions)]
            arrived.clear()
            api.push_text(chat_id, question)
            asked = time.monotonic()
            deadline = asked + timeout
            while api.count_sent(chat_id) <= n and time.monotonic() < deadline:
                arrived.wait(max(0.0, deadline - time.monotonic()))
                arrived.clear()
            if api.count_sent(chat_id) <= n:
                with lock:
                    lost += per_chat - n
                return
            answered = api.sent_to(chat_id)[n].at
            with lock:
                latencies.append((answered - asked) * 1000)

    started = time.monotonic()
    workers = [threading.Thread(target=converse, args=(c,)) for c in range(chats)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, lost, time.monotonic() - started


def run_bot(
    settings: Settings, base_url: str, rate_limit: float, concurrency: int, workers: int
) -> subprocess.Popen[bytes]:
    """`newsbot bot` in its own process, polling the local server."""
    env = {
        **os.environ,
        **settings.as_env(),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": base_url,
        "TELEGRAM_RATE_LIMIT": str(rate_limit),
        "BOT_CONCURRENCY": str(concurrency),
        "ANSWER_WORKERS": str(workers),
    }
    log = open(settings.data_dir / "bench-bot.log", "ab")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "bot", "bot"], env=env, stderr=log, cwd=ROOT)


def measure(
    settings: Settings,
    args: argparse.Namespace,
    questions: list[str],
    rate_limit: float,
    workers: int,
) -> str:
    """One load run against a fresh bot process; one printed line."""
    with serve(TOKEN) as (api, base_url):
        process = run_bot(settings, base_url, rate_limit, args.concurrency, workers)
        try:
            api.wait_for(lambda a: "getUpdates" in a.calls, timeout=180)
            # Warm up (BM25, first queries) outside the measurement.
            warm_up = questions[:5] + MEETINGS + questions[5 : 5 + 4 * workers]
            for n, question in enumerate(warm_up):
                api.push_text(1, question)
                api.wait_for(lambda a, n=n: len(a.sent_to(1)) > n, timeout=120)
            cpu = time.process_time()
            latencies, lost, seconds = load(
                api, args.chats, args.questions, questions, args.timeout
            )
            cpu = time.process_time() - cpu
        finally:
            process.terminate()
            process.wait(30)
        refused = sum(1 for call in api.calls if call == "sendMessage") - len(api.sent)
    answered = len(latencies)
    limit = f"{rate_limit:g} msg/s" if rate_limit else "no limit"
    where = f"{workers} workers" if workers else "threads"
    name = f"bot, {where}, {limit}"
    if not latencies:
        return f"{name:<30} nothing answered; lost {lost}"
    return (
        f"{name:<30} {answered / seconds:6.1f} answered/s   "
        f"p50 {statistics.median(latencies):7.1f} ms   p95 {percentile(latencies, 0.95):7.1f} ms   "
        f"answered {answered}/{args.chats * args.questions}   lost {lost}   refused {refused}   "
        f"(server and users: {cpu / seconds:.2f} cores)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-multihop"))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--questions", type=int, default=5, help="per chat")
    parser.add_argument("--concurrency", type=int, default=16, help="BOT_CONCURRENCY")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="ANSWER_WORKERS")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per answer")
    args = parser.parse_args()

    settings = Settings(_env_file=None, NEWSBOT_DATA_DIR=args.data_dir.resolve())  # type: ignore[call-arg]
    services = open_services(settings)
    ingest([str(args.corpus)], settings.ingest, services.store, services.embedder)
    stats = services.store.stats()
    services.close()
    queries = json.loads((args.corpus.parent / "queries-dev.json").read_text())
    questions = [q["query"] for q in queries] + MEETINGS * 20

    total = args.chats * args.questions
    ref = reference(settings, questions[:total], threads=args.concurrency)
    runs = [
        measure(settings, args, questions, rate_limit, workers)
        for workers in (0, args.workers)
        for rate_limit in (30.0, 0.0)
    ]

    print(
        f"# bench/bot.py  {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"corpus: {stats['articles']} articles, {stats['passages']} passages; {args.chats} chats "
        f"x {args.questions} questions (MultiHop-RAG dev queries and meeting questions), "
        f"BOT_CONCURRENCY {args.concurrency}"
    )
    print(
        f"{'ask alone (ref)':<30} {ref:6.1f} answered/s   ({args.concurrency} threads, no Telegram)"
    )
    for line in runs:
        print(line)


if __name__ == "__main__":
    main()
