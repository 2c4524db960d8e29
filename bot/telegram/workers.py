"""Where the bot's answers are computed: in threads of the bot's process (the default), or in
worker processes (ANSWER_WORKERS). spaCy, BM25 and the answer composition hold Python's GIL,
so threads of one process share about one core's worth of that work; processes use every core
(bench/bot.py measures both), at the cost of a copy of the model and indexes per worker."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from retrieval.config import Settings
from retrieval.qa.answer import Answer
from retrieval.qa.search import Hit
from retrieval.service import Services, open_services
from retrieval.store.embedder import limit_threads

logger = logging.getLogger(__name__)


class Answers(Protocol):
    """Answers and searches, awaited without blocking the event loop."""

    async def ask(self, text: str, previous: Answer | None) -> Answer:
        """Answer a question (`previous`: the chat's last answer, for a follow-up)."""
        ...

    async def search(self, text: str, k: int) -> list[Hit]:
        """The k best passages."""
        ...

    def close(self) -> None:
        """Stop any workers."""
        ...


class InThreads:
    """Answers computed in threads of this process, on its services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def ask(self, text: str, previous: Answer | None) -> Answer:
        return await asyncio.to_thread(self.services.ask, text, previous)

    async def search(self, text: str, k: int) -> list[Hit]:
        return await asyncio.to_thread(self.services.search, text, k)

    def close(self) -> None:
        pass


_worker: Services | None = None


def _start_worker(settings: Settings, threads: int) -> None:
    global _worker
    limit_threads(threads)
    _worker = open_services(settings)
    _worker.refresh()  # build BM25 now, not at the first question


def _ask(text: str, previous: Answer | None) -> Answer:
    assert _worker is not None
    return _worker.ask(text, previous)


def _ready(pause: float) -> int:
    """Report this worker loaded, holding it a moment so that every worker gets one."""
    time.sleep(pause)
    return os.getpid()


def _search(text: str, k: int) -> list[Hit]:
    assert _worker is not None
    return _worker.search(text, k)


class InProcesses:
    """Answers computed by `workers` processes, each with its own services (started with
    "spawn": forking a process that runs torch's and the bot's threads is unsafe). Each
    worker picks up new ingests by itself, as any process does."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            # The cores shared out: oversubscribed torch threads spin against each other.
            initargs=(settings, max(1, (os.cpu_count() or 1) // workers)),
        )
        # Start and load every worker now, not on the first questions.
        started = time.monotonic()
        pids = set(self._pool.map(_ready, [0.5] * workers))
        logger.info("%d answer workers ready in %.1fs", len(pids), time.monotonic() - started)

    async def ask(self, text: str, previous: Answer | None) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self._pool, _ask, text, previous)

    async def search(self, text: str, k: int) -> list[Hit]:
        return await asyncio.get_running_loop().run_in_executor(self._pool, _search, text, k)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def answers_for(services: Services) -> Answers:
    """Threads, or worker processes when ANSWER_WORKERS is set."""
    workers = services.settings.answer_workers
    return InProcesses(services.settings, workers) if workers else InThreads(services)
