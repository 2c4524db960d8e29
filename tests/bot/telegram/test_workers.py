"""Answer worker processes (bot/telegram/workers.py): many requests in hand at once, each
reply reaching the caller that asked, errors included; texts encoded there for the bot; a
worker that cannot load stopping the start with its error, and one that dies failing what it
had in hand instead of leaving it waiting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from bot.telegram.workers import InProcesses, WorkerGone
from retrieval.config import DEFAULT_MODEL, Settings
from retrieval.errors import ConfigError
from retrieval.service import open_services
from retrieval.store.embedder import HashEmbedder
from retrieval.store.onnx import MANIFEST_FILE, ONNX_FILE
from tests.support.stores import sample_store

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Who met whom in Oslo?",
    "What did the harbour council decide?",
    "When were interest rates held?",
    "Where did the ministers meet?",
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return sample_store(tmp_path_factory.mktemp("data"))


def test_requests_in_hand_together_each_get_their_own_reply(settings: Settings) -> None:
    workers = InProcesses(settings, 2)

    async def scenario() -> None:
        asked = [f"{q} ({n})" for n in range(6) for q in QUESTIONS]
        answers, hits, failed = await asyncio.wait_for(
            asyncio.gather(
                asyncio.gather(*(workers.ask(q, None) for q in asked)),
                asyncio.gather(*(workers.search(q, k) for k, q in enumerate(QUESTIONS, 1))),
                asyncio.gather(asyncio.wrap_future(workers._submit("no such call")),
                               return_exceptions=True),
            ),
            60,
        )  # fmt: skip
        assert [a.question for a in answers] == asked
        assert [len(h) for h in hits] == [1, 2, 3, 4]
        assert isinstance(failed[0], KeyError)  # raised in the worker, reaching its caller
        # The same answer as computed in this process.
        here = open_services(settings)
        try:
            assert here.ask(asked[0]).to_json() == answers[0].to_json()
        finally:
            here.close()
        # Texts encoded by a worker (the digests'), from a thread as the bot asks.
        encoded = await asyncio.to_thread(workers.embedder.encode_documents, QUESTIONS)
        assert np.array_equal(encoded, HashEmbedder(384).encode_documents(QUESTIONS))
        assert (workers.embedder.name, workers.embedder.dim) == ("hash:384", 384)

    try:
        asyncio.run(scenario())
    finally:
        workers.close()


def test_a_worker_that_cannot_load_stops_the_start_with_its_error(
    settings: Settings, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / ONNX_FILE).write_bytes(b"graph")
    (models / MANIFEST_FILE).write_text("{not json")
    broken = settings.model_copy(update={"embedding_model": DEFAULT_MODEL, "encoder_dir": models})
    with pytest.raises(ConfigError, match=r"manifest .* is corrupt"):
        InProcesses(broken, 1)


def test_a_worker_that_dies_fails_what_it_had_in_hand(settings: Settings) -> None:
    workers = InProcesses(settings, 1)
    (worker,) = workers._workers

    async def scenario() -> None:
        waiting = [asyncio.ensure_future(workers.ask(q, None)) for q in QUESTIONS * 4]
        await asyncio.sleep(0)
        worker.process.kill()
        done = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), 30)
        assert any(isinstance(d, WorkerGone) for d in done)
        with pytest.raises(WorkerGone):
            await asyncio.wait_for(workers.ask("Anyone there?", None), 5)

    try:
        asyncio.run(scenario())
    finally:
        workers.close()
