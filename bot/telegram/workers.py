"""Where the bot's answers are computed: in worker processes (ANSWER_WORKERS, by default one
per core), or in threads of the bot's process (ANSWER_WORKERS=0). spaCy, BM25 and the answer
composition hold Python's GIL, so threads of one process share about one core's worth of that
work; processes use every core (bench/bot.py measures both), at the cost of a copy of the
model and indexes per worker. Each worker has one encoder session with its share of the
cores as threads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from retrieval.config import Settings
from retrieval.qa.answer import Answer
from retrieval.qa.search import Hit
from retrieval.service import Services, open_services

__all__ = ["Answers", "InProcesses", "InThreads", "answers_for"]

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


def _serve(settings: Settings, conn: Connection) -> None:
    """A worker process: its own services, answering the requests of its pipe in turn until
    the bot closes it. The services are this function's own: no module state."""
    services = open_services(settings)
    services.refresh()  # build BM25 now, not at the first question
    conn.send(os.getpid())  # loaded
    calls: dict[str, Callable[..., object]] = {"ask": services.ask, "search": services.search}
    try:
        while (request := conn.recv()) is not None:
            method, args = request
            try:
                conn.send((True, calls[method](*args)))
            except Exception as exc:  # the bot's error handler reports it
                conn.send((False, exc))
    except EOFError:
        pass  # the bot went away
    finally:
        services.close()


class InProcesses:
    """Answers computed by `workers` processes, each with its own services (started with
    "spawn": forking a process that runs the encoder's and the bot's threads is unsafe), each
    serving one request at a time over a pipe. Each worker picks up new ingests by itself,
    as any process does."""

    def __init__(self, settings: Settings, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        if not settings.encoder_threads:
            # The cores shared out: oversubscribed encoder threads spin against each other.
            threads = max(1, (os.cpu_count() or 1) // workers)
            settings = settings.model_copy(update={"encoder_threads": threads})
        self._workers: list[tuple[BaseProcess, Connection]] = []
        for _ in range(workers):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(settings, theirs), daemon=True)
            process.start()
            theirs.close()
            self._workers.append((process, mine))
        # One thread per worker waits on its pipe, off the event loop and outside the default
        # executor (which the handlers' own `to_thread` calls need).
        self._waiters = ThreadPoolExecutor(workers, thread_name_prefix="answer-worker")
        self._idle: queue.SimpleQueue[Connection] = queue.SimpleQueue()
        # Start and load every worker now, not on the first questions.
        started = time.monotonic()
        for _, conn in self._workers:
            conn.recv()
            self._idle.put(conn)
        logger.info("%d answer workers ready in %.1fs", workers, time.monotonic() - started)

    def _call(self, method: str, *args: object) -> Any:
        conn = self._idle.get()
        try:
            conn.send((method, args))
            ok, value = conn.recv()
        finally:
            self._idle.put(conn)
        if not ok:
            raise value
        return value

    async def ask(self, text: str, previous: Answer | None) -> Answer:
        loop = asyncio.get_running_loop()
        answer: Answer = await loop.run_in_executor(
            self._waiters, self._call, "ask", text, previous
        )
        return answer

    async def search(self, text: str, k: int) -> list[Hit]:
        hits: list[Hit] = await self._run("search", text, k)
        return hits

    async def _run(self, method: str, *args: object) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._waiters, self._call, method, *args)

    def close(self) -> None:
        self._waiters.shutdown(wait=True, cancel_futures=True)
        for process, conn in self._workers:
            with contextlib.suppress(OSError):  # already gone
                conn.send(None)
            process.join(10)
            if process.is_alive():
                process.terminate()
            conn.close()


def answers_for(services: Services, workers: int) -> Answers:
    """Threads (`workers` 0), or `workers` worker processes each with services like these
    (ANSWER_WORKERS, by default one per core)."""
    return InProcesses(services.settings, workers) if workers else InThreads(services)
