"""Running the real bot (python-telegram-bot's Application and HTTP client) against the fake
Bot API on loopback, for the end-to-end tests, the benchmark and docs/conversation.md."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot import telegram
from bot.app import Services


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
