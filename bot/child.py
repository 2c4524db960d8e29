"""`newsbot` subcommands run in a child process with the bot's settings: ingests write the
index under its writer lock there, while the bot keeps answering and picks up the saved index
like any other process's."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from typing import Any

from retrieval.config import Settings

__all__ = ["run_json"]

logger = logging.getLogger(__name__)


async def run_json(settings: Settings, args: list[str], timeout: float) -> dict[str, Any] | None:
    """Run `newsbot ARGS` (which prints JSON last); its JSON, or None if it failed or took
    longer than `timeout` seconds (then it is killed)."""
    env = {**os.environ, **settings.as_env(), "DATABASE_URL": settings.db_url}
    env.pop("TELEGRAM_BOT_TOKEN", None)  # the child needs no token
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        logger.error("newsbot %s took over %.0fs and was stopped", args[0], timeout)
        return None
    try:
        result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    except (IndexError, ValueError):
        logger.error("newsbot %s failed (exit %s): %s", args[0], process.returncode,
                     err.decode()[-2000:])  # fmt: skip
        return None
    return result
