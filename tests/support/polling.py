"""Run a test's scenario against the bot while it long-polls a fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.telegram.loopback import polling
from retrieval.service import Services

__all__ = ["run_polling"]


def run_polling(services: Services, scenario: Callable[[Any], Awaitable[None]]) -> None:
    """Run an async scenario with the bot polling; the services are closed after."""

    async def main() -> None:
        async with polling(services) as application:
            await scenario(application)

    try:
        asyncio.run(main())
    finally:
        services.close()
