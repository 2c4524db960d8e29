"""Daily digests end to end: the real bot and JobQueue against the fake Bot API, with the
bot's clock injected (no sleeping for a day)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.telegram import digests, feeds
from bot.telegram.loopback import FakeBotApi, polling, wait
from ingest.pipeline import ingest
from retrieval.digest.subscriptions import Subscriptions
from retrieval.service import Services, open_services
from retrieval.store.models import Article
from tests.support.feeds import FeedServer, serve_feed
from tests.support.settings import ROOT, make_settings

SAMPLES = ROOT / "samples" / "articles"
TOKEN = "777:DIGEST"
LONDON, NEW_YORK = 301, 302


def expected(at: time, zone: str, now: datetime) -> datetime:
    """The next local `at` after `now`, worked out independently of bot/telegram/schedule.py (valid
    away from DST changes, which tests/bot/test_schedule.py covers)."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), at, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=tz)
    return candidate.astimezone(UTC)


@pytest.fixture
def data_dir(tmp_path: Path, bot_api: tuple[FakeBotApi, str]) -> Path:
    """The sample articles, ingested now: they are what the next digest covers."""
    services = open_services(make_settings(tmp_path / "data", EXTRACT_EVENTS="true"))
    ingest([str(SAMPLES)], services.settings.ingest, services.store, services.embedder)
    services.close()
    return tmp_path / "data"


def _services(data_dir: Path, base_url: str, db_url: str | None = None) -> Services:
    return open_services(
        make_settings(data_dir, db_url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url)
    )


def _run(services: Services, clock: Callable[[], datetime], scenario: Any) -> list[str]:
    """One life of the bot: start (restoring the digests by `clock`), the scenario, stop;
    what the restore's catch-ups did."""

    async def main() -> list[str]:
        async with polling(services) as application:
            application.bot_data.clock = clock
            restored = await digests.restore(application)
            await scenario(application)
            return restored

    return asyncio.run(main())


def _ingested(services: Services, at: datetime) -> None:
    """Pretend the articles were ingested at `at`."""
    with services.store.sessions() as session:
        session.execute(update(Article).values(ingested_at=at))
        session.commit()


def _jobs(application: Any) -> dict[int, Any]:
    return {j.chat_id: j for j in application.job_queue.jobs() if j.name.startswith("digest:")}


async def _say(api: FakeBotApi, chat: int, text: str) -> str:
    before = api.count_sent(chat)
    api.push_text(chat, text)
    await wait(lambda: api.count_sent(chat) > before)
    return api.sent_to(chat)[-1].text


def test_digests_arrive_at_local_time_in_two_zones_once(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    start = datetime.now(UTC)
    clock = [start]
    when: dict[int, datetime] = {}

    async def scenario(application: Any) -> None:
        await _say(api, LONDON, "/timezone london")
        reply = await _say(api, LONDON, "/subscribe 08:00")
        assert "08:00 (Europe/London)" in reply
        await _say(api, NEW_YORK, "/timezone America/New_York")
        await _say(api, NEW_YORK, "/subscribe 6:30pm")
        jobs = _jobs(application)
        when[LONDON] = expected(time(8, 0), "Europe/London", start)
        when[NEW_YORK] = expected(time(18, 30), "America/New_York", start)
        assert jobs[LONDON].next_t == when[LONDON]
        assert jobs[NEW_YORK].next_t == when[NEW_YORK]
        for chat in (LONDON, NEW_YORK):
            clock[0] = when[chat]
            before = api.count_sent(chat)
            await jobs[chat].run(application)
            await wait(lambda chat=chat, before=before: api.count_sent(chat) > before)
            # Set again for the same local time the next day.
            assert _jobs(application)[chat].next_t == expected(
                time(8, 0) if chat == LONDON else time(18, 30),
                "Europe/London" if chat == LONDON else "America/New_York",
                when[chat],
            )
        # The same delivery again (a second bot process, a retry): refused by the log.
        clock[0] = when[LONDON] + timedelta(minutes=5)
        assert await digests.deliver(application, LONDON) == "skipped"

    services = _services(data_dir, base_url)
    _run(services, lambda: clock[0], scenario)
    for chat in (LONDON, NEW_YORK):
        parts = [s for s in api.sent_to(chat) if s.html.count("<a href=")]
        assert parts[0].text.startswith("Your news digest — ")
        assert "stories from 12 new articles; the top 8" in parts[0].text
        assert "1. Solvang and Delorme agree" in parts[0].text  # two outlets: first
        assert "Northern Ledger · The Harbour Times" in parts[0].text

    # A restart an hour after the London digest: nothing is sent again.
    clock[0] = when[LONDON] + timedelta(hours=1)
    sent = len(api.sent)

    async def after_restart(application: Any) -> None:
        assert _jobs(application)[LONDON].next_t > clock[0]

    assert _run(services, lambda: clock[0], after_restart) == []
    services.close()
    assert [(m.chat_id, m.text[:40]) for m in api.sent[sent:]] == []


def test_a_missed_digest_is_caught_up_once_within_the_grace_window(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    services = _services(data_dir, base_url)
    subscriptions = Subscriptions(services.store.sessions)
    subscriptions.set_timezone(LONDON, "Europe/London")
    subscriptions.subscribe(LONDON, time(8, 0), ["energy grid", "shipping"])
    api.chats[LONDON] = api.private(LONDON)
    api.chats[NEW_YORK] = api.private(NEW_YORK)
    now = datetime.now(UTC)
    # The bot was down at London's 08:00 two hours ago, and at New York's digest ten hours
    # ago: beyond the six hours' grace, so that one is skipped.
    london_due = expected(time(8, 0), "Europe/London", now)
    clock = [london_due + timedelta(hours=2)]
    _ingested(services, london_due - timedelta(hours=3))
    ten_ago = (clock[0] - timedelta(hours=10)).astimezone(ZoneInfo("America/New_York"))
    subscriptions.set_timezone(NEW_YORK, "America/New_York")
    subscriptions.subscribe(NEW_YORK, time(ten_ago.hour, ten_ago.minute), [])

    async def idle(application: Any) -> None:
        pass

    assert _run(services, lambda: clock[0], idle) == ["sent"]
    assert _run(services, lambda: clock[0], idle) == []
    services.close()
    assert len(api.sent_to(LONDON)) == 1 and not api.sent_to(NEW_YORK)
    digest = api.sent_to(LONDON)[0]
    assert digest.text.startswith("Your news digest on energy grid, shipping")
    assert "Solvang" in digest.text and "Harbour City" not in digest.text


def test_a_chat_that_blocked_the_bot_is_unsubscribed(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    clock = [datetime.now(UTC)]

    async def scenario(application: Any) -> None:
        await _say(api, LONDON, "/subscribe 08:00")
        api.block(LONDON)
        job = _jobs(application)[LONDON]
        clock[0] = job.next_t
        await job.run(application)
        await asyncio.sleep(0.2)
        assert LONDON not in _jobs(application)

    services = _services(data_dir, base_url)
    _run(services, lambda: clock[0], scenario)
    assert Subscriptions(services.store.sessions).get(LONDON) is None
    services.close()
    assert api.calls.count("sendMessage") == 2  # the subscribe reply, and one refused try


def test_subscription_commands(data_dir: Path, bot_api: tuple[FakeBotApi, str]) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        assert "No digest yet" in await _say(api, 303, "/subscriptions")
        reply = await _say(api, 303, "/subscribe climate, central banks")
        assert "08:00 (UTC)" in reply and "climate, central banks" in reply
        assert "I don't know your time zone yet" in reply
        assert "Did you mean" in await _say(api, 303, "/timezone Europe/Londn")
        assert "Time zone set: UTC+02:00" in await _say(api, 303, "/timezone UTC+2")
        moved = _jobs(application)[303].next_t.astimezone(timezone(timedelta(hours=2)))
        assert moved.time() == time(8, 0)  # the job follows the new zone
        assert "Usage: /subscribe" in await _say(api, 303, "/subscribe 25:99")
        listed = await _say(api, 303, "/subscriptions")
        assert "Daily at 08:00 UTC+02:00: climate, central banks" in listed
        assert "no topic “sport”; it covers climate, central banks" in await _say(
            api, 303, "/unsubscribe sport"
        )
        assert "covers climate" in await _say(api, 303, "/unsubscribe central banks")
        assert "nothing when" not in await _say(api, 303, "/quiet on")
        assert "Unsubscribed" in await _say(api, 303, "/unsubscribe")
        assert "You have no digest" in await _say(api, 303, "/unsubscribe")
        assert 303 not in _jobs(application)
        await _say(api, 304, "/digest")
        assert api.sent_to(304)[0].text.startswith("Your news digest")

    services = _services(data_dir, base_url)
    _run(services, lambda: datetime.now(UTC), scenario)
    services.close()


def test_two_processes_claim_a_digest_once(db_url: str, tmp_path: Path) -> None:
    from retrieval.store import Store

    settings = make_settings(tmp_path / "data", db_url)
    stores = [Store.open(settings.db_url, settings.index_dir, "hash:384", 384) for _ in range(2)]
    claims = [Subscriptions(s.sessions) for s in stores]
    day = date(2026, 3, 29)

    async def race() -> list[bool]:
        return list(await asyncio.gather(*(asyncio.to_thread(c.claim, 9, day) for c in claims * 4)))

    won = asyncio.run(race())
    for store in stores:
        store.close()
    assert won.count(True) == 1


@pytest.mark.slow
def test_the_bot_polls_a_changing_feed_and_a_304_adds_nothing(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    server = FeedServer()
    with serve_feed(server) as url:
        settings = make_settings(
            tmp_path / "data", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url, FEEDS=url,
            FETCH_ALLOW_PRIVATE="true", EXTRACT_EVENTS="false", FEED_INTERVAL="0.01",
        )  # fmt: skip
        services = open_services(settings)
        reports: list[Any] = []

        async def scenario(application: Any) -> None:
            reports.append(await feeds.poll(application))
            await asyncio.sleep(1.0)  # FEED_INTERVAL is 0.6 s here
            reports.append(await feeds.poll(application))
            assert server.requests[-1].get("If-None-Match") == '"v2"'
            server.titles.append("Lighthouse reopens")  # the feed changes
            await asyncio.sleep(1.0)
            reports.append(await feeds.poll(application))
            # What the child process added is in this bot's digest.
            assert "Lighthouse reopens" in await _say(api, 305, "/digest")

        _run(services, lambda: datetime.now(UTC), scenario)
        articles = services.store.stats()["articles"]
        services.close()
    first, second, third = (r["feeds"][0] for r in reports)
    assert (first["status"], first["new"]) == ("new", 2)
    assert (second["status"], second["new"]) == ("not-modified", 0)
    assert (third["status"], third["new"]) == ("new", 1)
    assert articles == 3


def test_only_due_feeds_start_a_poll(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from retrieval.state.feeds import FeedStates
    from retrieval.store import Store

    settings = make_settings(
        tmp_path / "data", FEEDS="https://a.example/rss https://b.example/rss https://c.example/rss"
    )
    store = Store.open(settings.db_url, settings.index_dir, "hash:384", 384)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    states = FeedStates(store.sessions)
    for url, next_poll in (("https://a.example/rss", now + timedelta(minutes=5)),
                           ("https://b.example/rss", now - timedelta(seconds=1))):  # fmt: skip
        states.record(url, etag=None, last_modified=None, failures=0, next_poll_at=next_poll,
                      status="new")  # fmt: skip
    services: Any = SimpleNamespace(settings=settings, feed_states=lambda: states)
    try:
        # b is overdue and c was never polled; a waits five more minutes.
        assert feeds.due(services, now) == ["https://b.example/rss", "https://c.example/rss"]
        assert feeds.due(services, now + timedelta(minutes=5)) == list(settings.feeds.urls)
    finally:
        store.close()


@pytest.mark.parametrize(("quiet", "sent"), [(False, ["Nothing new since your last digest."]),
                                              (True, [])])  # fmt: skip
def test_nothing_new_is_a_note_or_nothing(
    data_dir: Path, bot_api: tuple[FakeBotApi, str], quiet: bool, sent: list[str]
) -> None:
    api, base_url = bot_api
    services = _services(data_dir, base_url)
    _ingested(services, datetime(2020, 1, 1, tzinfo=UTC))  # nothing in the last day
    subscriptions = Subscriptions(services.store.sessions)
    subscriptions.subscribe(LONDON, time(8, 0), [])
    subscriptions.set_quiet(LONDON, quiet)
    api.chats[LONDON] = api.private(LONDON)

    async def scenario(application: Any) -> None:
        assert await digests.deliver(application, LONDON) == "empty"

    # Before the 08:00 delivery, so that start-up has no missed digest to catch up (at the
    # wall clock's time the test failed after 08:00 London time: the catch-up took the day).
    before_delivery = datetime(2026, 1, 12, 7, 0, tzinfo=UTC)
    _run(services, lambda: before_delivery, scenario)
    services.close()
    assert [s.text for s in api.sent_to(LONDON)] == sent
