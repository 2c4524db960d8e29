"""Running the real bot (python-telegram-bot's Application and HTTP client) against the fake
Bot API on loopback, for the end-to-end tests, the benchmark and docs/conversation.md."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.telegram import app as telegram
from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.service import Services, open_services

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "articles"


@asynccontextmanager
async def polling(services: Services) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The bot, long polling the server named by the services' settings, for a block."""
    application = telegram.build(services)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            application.bot_data["answers"].close()


async def wait(predicate: Any, timeout: float = 30.0) -> None:
    """Wait, without blocking the bot's loop, until predicate() is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)


@contextmanager
def sample_services(token: str, base_url: str) -> Iterator[Services]:
    """The real services (bundled model, spaCy) on the sample articles, in a temporary data
    dir, set to talk to the Bot API at `base_url` (for the documents generated in docs/)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, NEWSBOT_DATA_DIR=Path(tmp), TELEGRAM_BOT_TOKEN=token,
            TELEGRAM_BASE_URL=base_url,
        )  # fmt: skip
        services = open_services(settings)
        try:
            ingest([str(SAMPLES)], settings, services.store, services.embedder)
            yield services
        finally:
            services.close()
