"""Digest jobs with several bot instances on one database: a subscription made, moved or
ended through one instance reaches the other's jobs at its next sync, and a job the other
instance set for a time no longer subscribed sends nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import app as telegram
from bot.telegram import digests
from bot.telegram.loopback import FakeBotApi, serve
from retrieval.service import Services, open_services
from tests.support.settings import make_settings

TOKEN = "4242:SYNCED"
CHAT = 401
# The bot's clock, two days ahead of the real one: the JobQueue drops a job set in its past.
START = (datetime.now(UTC) + timedelta(days=2)).replace(hour=6, minute=0, second=0, microsecond=0)


@pytest.fixture
def bot_api() -> Iterator[tuple[FakeBotApi, str]]:
    with serve(TOKEN) as served:
        served[0].chats[CHAT] = served[0].private(CHAT)
        yield served


def _instance(tmp_path: Path, name: str, db_url: str, base_url: str) -> Services:
    return open_services(make_settings(tmp_path / name, db_url, TELEGRAM_BOT_TOKEN=TOKEN,
                                       TELEGRAM_BASE_URL=base_url))  # fmt: skip


def _job(application: Any) -> Any:
    jobs = application.job_queue.get_jobs_by_name(f"digest:{CHAT}")
    return jobs[0] if jobs else None


def _running(services: Services, clock: Callable[[], datetime], scenario: Any) -> None:
    """Instance two, started (its JobQueue running, no updates polled), for the scenario."""

    async def main() -> None:
        application = telegram.build(services)
        application.bot_data.clock = clock
        async with application:
            await application.start()
            try:
                await digests.restore(application)
                await scenario(application)
            finally:
                await application.stop()
                application.bot_data.answers.close()

    asyncio.run(main())


def test_the_other_instances_jobs_follow_the_database(
    tmp_path: Path, db_url: str, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    one = _instance(tmp_path, "one", db_url, base_url)
    two = _instance(tmp_path, "two", db_url, base_url)
    clock = [START]
    subs = one.subscriptions  # what /subscribe on instance one writes

    async def scenario(application: Any) -> None:
        assert _job(application) is None
        assert [j.name for j in application.job_queue.jobs()] == [digests.SYNC_JOB]
        subs.set_timezone(CHAT, "UTC")
        subs.subscribe(CHAT, time(9, 15), [])

        def sync() -> int:
            return digests.sync_jobs(application, two.subscriptions.all(), clock[0])

        assert sync() == 1
        assert _job(application).next_t == START.replace(hour=9, minute=15)
        assert sync() == 0  # already in line: left as it is
        stale = _job(application)

        # Moved through instance one; instance two's job fires at the old time before its
        # next sync: nothing is sent, and the job is set for the new time.
        subs.subscribe(CHAT, time(10, 45), [])
        clock[0] = START.replace(hour=9, minute=15)
        await stale.run(application)
        assert api.sent_to(CHAT) == []
        assert _job(application).next_t == START.replace(hour=10, minute=45)
        assert sync() == 0

        subs.set_timezone(CHAT, "Asia/Tokyo")  # UTC+9: 10:45 there is 01:45 UTC
        assert sync() == 1
        assert _job(application).next_t == (START + timedelta(days=1)).replace(hour=1, minute=45)

        subs.unsubscribe(CHAT)
        assert sync() == 1
        await asyncio.sleep(0)  # removals take effect on the loop
        assert _job(application) is None

    try:
        _running(two, lambda: clock[0], scenario)
    finally:
        one.close()
        two.close()
