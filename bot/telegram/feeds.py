"""FEEDS polled by the bot: a JobQueue job checks every minute which feeds are due (their
state is in the database) and, if any, runs `newsbot ingest --watch --once` in a child
process; the bot then picks up what it added."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from bot.child import run_json
from bot.telegram.context import BotApplication, Context
from retrieval.service import Services

__all__ = ["CHECK_EVERY", "POLL_TIMEOUT", "due", "poll", "schedule"]

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0  # seconds
POLL_TIMEOUT = 1800.0


def due(services: Services, now: datetime) -> list[str]:
    """The feeds whose next poll is due (never polled ones included)."""
    states = {state.url: state for state in services.feed_states().all()}
    urls = services.settings.feeds.urls
    return [url for url in urls if url not in states or states[url].due(now)]


async def poll(application: BotApplication) -> dict[str, Any] | None:
    """Poll the due feeds in a child process (one poll at a time); its JSON report."""
    state = application.bot_data
    services = state.services
    if state.polling_feeds:
        return None
    if not await asyncio.to_thread(due, services, state.clock()):
        return None
    state.polling_feeds = True
    try:
        report = await run_json(
            services.settings, ["ingest", "--watch", "--once", "--json"], POLL_TIMEOUT
        )
    finally:
        state.polling_feeds = False
    polled = (report or {}).get("feeds", [])
    if report is not None and not polled:
        # Due here, yet no feed in the round: another instance on the database holds it.
        logger.info("feeds due, but another instance is polling them")
    for feed in polled:
        logger.info("feed %s: %s, %s new", feed["url"], feed["status"], feed["new"])
    await asyncio.to_thread(services.refresh)
    return report


async def _job(context: Context) -> None:
    await poll(context.application)


def schedule(application: BotApplication) -> None:
    """Check the feeds every minute, when FEEDS is set."""
    services = application.bot_data.services
    if services.settings.feeds.urls and application.job_queue is not None:
        application.job_queue.run_repeating(_job, interval=CHECK_EVERY, first=5.0, name="feeds")
