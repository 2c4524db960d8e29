"""Where the bot's answers are computed: in worker processes (ANSWER_WORKERS, by default one
per core), or in threads of the bot's process (ANSWER_WORKERS=0). spaCy, BM25 and the answer
composition hold Python's GIL, so threads of one process share about one core's worth of that
work; processes use every core (bench/bot.py measures both), at the cost of a copy of the
model and indexes per worker. Each worker has one encoder session with its share of the
cores as threads, and computes several requests at once in threads of its own, so that the
questions it has in hand are read and encoded in one batch, as in the threads mode.

With workers, the bot's own process loads none of the answering parts (retrieval/service.py):
what it would compute with them goes to a worker too, the digests' texts to encode included
(`Answers.embedder`)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from retrieval.config import Settings
from retrieval.errors import NewsbotError
from retrieval.qa.answer import Answer
from retrieval.qa.search import Hit
from retrieval.service import Services, open_services
from retrieval.store.embedder import DelegatingEmbedder, Embedder

__all__ = ["WORKER_THREADS", "Answers", "InProcesses", "InThreads", "WorkerGone", "answers_for"]

logger = logging.getLogger(__name__)


class Answers(Protocol):
    """Answers and searches, awaited without blocking the event loop; and the embedder
    that encodes the digests' texts (called from a thread, never the event loop)."""

    embedder: Embedder

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
        self.embedder: Embedder = services.embedder

    async def ask(self, text: str, previous: Answer | None) -> Answer:
        return await asyncio.to_thread(self.services.ask, text, previous)

    async def search(self, text: str, k: int) -> list[Hit]:
        return await asyncio.to_thread(self.services.search, text, k)

    def close(self) -> None:
        pass


# Requests a worker computes at once, in threads: the questions waiting together are read
# by spaCy in one batch and encoded in one forward pass (retrieval/batching.py), which costs
# much less than one at a time (bench/bot.py).
WORKER_THREADS = 8


def _serve(settings: Settings, conn: Connection) -> None:
    """A worker process: its own services, answering the requests of its pipe in threads
    (at most WORKER_THREADS at once) until the bot closes it. A reply carries its request's
    number. The services are this function's own: no module state. Once loaded it sends
    its pid and its embedder's (name, dim, runtime), or the error that stopped it loading."""
    try:
        services = open_services(settings)
    except NewsbotError as exc:  # the bot reports it as it would its own
        conn.send(exc)
        return
    services.refresh()  # build BM25 now, not at the first question
    embedder = services.embedder
    conn.send((os.getpid(), (embedder.name, embedder.dim, embedder.runtime)))  # loaded
    calls: dict[str, Callable[..., object]] = {
        "ask": services.ask,
        "search": services.search,
        "encode": embedder.encode_documents,
    }
    sending = threading.Lock()

    def answer(number: int, method: str, args: tuple[object, ...]) -> None:
        try:
            reply: tuple[int, bool, object] = (number, True, calls[method](*args))
        except Exception as exc:  # the bot's error handler reports it
            reply = (number, False, exc)
        with sending, contextlib.suppress(OSError):  # OSError: the bot went away
            try:
                conn.send(reply)
            except Exception as exc:  # a result or error that does not pickle
                conn.send((number, False, RuntimeError(f"{method}: {exc!r}")))

    try:
        with ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="answer") as pool:
            while (request := conn.recv()) is not None:
                pool.submit(answer, *request)
    except EOFError:
        pass  # the bot went away
    finally:
        services.close()


class WorkerGone(RuntimeError):
    """An answer worker process ended before it answered."""


class _Worker:
    """One worker process seen from the bot: requests sent over its pipe, each with a
    number; one thread reads the replies and completes the waiting futures."""

    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self._lock = threading.Lock()
        self._pending: dict[int, Future[Any]] = {}
        self._numbers = itertools.count()
        self._gone = False
        self._reader = threading.Thread(
            target=self._read, name=f"answer-worker-{process.pid}", daemon=True
        )

    @property
    def load(self) -> int:
        return len(self._pending)

    def start(self) -> tuple[str, int, str]:
        """Wait until the worker has loaded; its embedder's (name, dim, runtime)."""
        try:
            ready = self.conn.recv()
        except EOFError:
            raise WorkerGone(f"answer worker {self.process.pid} ended while loading") from None
        if isinstance(ready, BaseException):
            raise ready
        self._reader.start()
        space: tuple[str, int, str] = ready[1]
        return space

    def submit(self, method: str, args: tuple[object, ...]) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            if self._gone:
                future.set_exception(WorkerGone(f"answer worker {self.process.pid} ended"))
                return future
            number = next(self._numbers)
            self._pending[number] = future
            try:
                self.conn.send((number, method, args))
            except Exception as exc:  # a closed pipe, or arguments that do not pickle
                del self._pending[number]
                future.set_exception(exc)
        return future

    def _read(self) -> None:
        try:
            while True:
                number, ok, value = self.conn.recv()
                with self._lock:
                    future = self._pending.pop(number)
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        except (EOFError, OSError):
            pass  # the worker ended, or close() closed the pipe
        with self._lock:
            self._gone = True
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.set_exception(WorkerGone(f"answer worker {self.process.pid} ended"))

    def close(self) -> None:
        with self._lock, contextlib.suppress(OSError):  # already gone
            self.conn.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self._reader.ident is not None:  # started: the worker had loaded
            self._reader.join(5)
        self.conn.close()


class InProcesses:
    """Answers computed by `workers` processes, each with its own services (started with
    "spawn": forking a process that runs the encoder's and the bot's threads is unsafe), each
    computing several requests at once (WORKER_THREADS); a request goes to the worker with
    the fewest in hand. Each worker picks up new ingests by itself, as any process does. A
    worker that cannot load (a corrupt model, say) stops the start with its error."""

    def __init__(self, settings: Settings, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        if not settings.encoder_threads:
            # The cores shared out: oversubscribed encoder threads spin against each other.
            threads = max(1, (os.cpu_count() or 1) // workers)
            settings = settings.model_copy(update={"encoder_threads": threads})
        self._workers: list[_Worker] = []
        for _ in range(workers):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(settings, theirs), daemon=True)
            process.start()
            theirs.close()
            self._workers.append(_Worker(process, mine))
        # Start and load every worker now, not on the first questions.
        started = time.monotonic()
        try:
            spaces = {worker.start() for worker in self._workers}
        except BaseException:
            self.close()
            raise
        logger.info("%d answer workers ready in %.1fs", workers, time.monotonic() - started)
        (space,) = spaces  # the same settings: the same embedder
        # Texts encoded by the worker with the fewest requests in hand; it blocks: for a
        # thread, never the event loop.
        self.embedder: Embedder = DelegatingEmbedder(
            lambda texts: self._submit("encode", texts).result(), *space
        )

    def _submit(self, method: str, *args: object) -> Future[Any]:
        worker = min(self._workers, key=lambda w: w.load)
        return worker.submit(method, args)

    async def ask(self, text: str, previous: Answer | None) -> Answer:
        answer: Answer = await asyncio.wrap_future(self._submit("ask", text, previous))
        return answer

    async def search(self, text: str, k: int) -> list[Hit]:
        hits: list[Hit] = await asyncio.wrap_future(self._submit("search", text, k))
        return hits

    def close(self) -> None:
        for worker in self._workers:
            worker.close()


def answers_for(services: Services, workers: int) -> Answers:
    """Threads (`workers` 0), or `workers` worker processes each with services like these
    (ANSWER_WORKERS, by default one per core)."""
    return InProcesses(services.settings, workers) if workers else InThreads(services)
