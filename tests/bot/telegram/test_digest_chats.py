"""Digests to groups and channels, end to end over the fake Bot API: a group's digest set by
one of its admins and refused to a member who is not; a channel's set from a private chat by
its admin; a digest refused with 403 (the bot kicked) or a my_chat_member removal ends the
subscription, and the log says so."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import digests
from bot.telegram.loopback import BOT, FakeBotApi, polling, wait
from ingest.pipeline import ingest
from retrieval.service import Services, open_services
from tests.support.settings import ROOT, make_settings

SAMPLES = ROOT / "samples" / "articles"
TOKEN = "778:GROUPS"
ADMIN, MEMBER = 401, 402
GROUP, CHANNEL = -4010, -1004020


@pytest.fixture
def services(tmp_path: Path, bot_api: tuple[FakeBotApi, str]) -> Iterator[Services]:
    _, base_url = bot_api
    settings = make_settings(
        tmp_path / "data", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url,
        EXTRACT_EVENTS="false",
    )  # fmt: skip
    opened = open_services(settings)
    ingest([str(SAMPLES)], settings.ingest, opened.store, opened.embedder)
    yield opened
    opened.close()


def _run(services: Services, scenario: Any) -> None:
    async def main() -> None:
        async with polling(services) as application:
            await digests.restore(application)
            await scenario(application)

    asyncio.run(main())


async def _say(api: FakeBotApi, chat: int | dict[str, Any], text: str, user: int) -> str:
    chat_id = chat if isinstance(chat, int) else chat["id"]
    before = api.count_sent(chat_id)
    api.push_text(chat, text, user_id=user)
    await wait(lambda: api.count_sent(chat_id) > before)
    return api.sent_to(chat_id)[-1].text


def _jobs(application: Any) -> dict[int, Any]:
    return {j.chat_id: j for j in application.job_queue.jobs() if j.name.startswith("digest:")}


def test_a_groups_digest_is_set_by_its_admins_only_and_delivered_there(
    services: Services, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, _ = bot_api
    group = api.group(GROUP, "Newsroom")
    api.members.set(group, ADMIN, "administrator")
    api.members.set(group, MEMBER, "member")

    async def scenario(application: Any) -> None:
        refused = await _say(api, group, "/subscribe 07:00 climate", MEMBER)
        assert refused == "Only this group's admins can change its digest."
        assert services.subscriptions.get(GROUP) is None
        reply = await _say(api, group, "/subscribe 07:00 climate, -football", ADMIN)
        assert reply.startswith(
            "Subscribed: a daily digest at 07:00 (UTC) on climate, not football"
        )
        # Reading it is open to every member; changing it is not.
        assert "Daily at 07:00 UTC: climate, not football" in await _say(
            api, group, "/subscriptions", MEMBER
        )
        assert (
            "only this group's admins" in (await _say(api, group, "/unsubscribe", MEMBER)).lower()
        )
        assert "admins" in await _say(api, group, "/timezone Europe/Paris", MEMBER)
        assert services.subscriptions.get(GROUP) is not None
        job = _jobs(application)[GROUP]
        application.bot_data.clock = lambda: job.next_t
        before = api.count_sent(GROUP)
        await job.run(application)
        await wait(lambda: api.count_sent(GROUP) > before)

    _run(services, scenario)
    digest = api.sent_to(GROUP)[-1].text
    assert digest.startswith("Your news digest on climate, not football — ")
    assert api.calls.count("getChatMember") == 4  # each change asked again, never cached


def test_a_channels_digest_is_set_from_a_private_chat_by_its_admin(
    services: Services, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, _ = bot_api
    channel = api.members.channel(CHANNEL, "morning_wire", "Morning wire")
    api.members.set(channel, ADMIN, "creator")
    api.members.set(channel, MEMBER, "member")

    async def scenario(application: Any) -> None:
        await _say(api, ADMIN, "/timezone Europe/Oslo", ADMIN)
        assert "Only the admins of @morning_wire" in await _say(
            api, MEMBER, "/subscribe @morning_wire 08:00", MEMBER
        )
        assert "I can't reach @nowhere" in await _say(
            api, ADMIN, "/subscribe @nowhere 08:00", ADMIN
        )
        reply = await _say(api, ADMIN, "/subscribe @morning_wire 08:00 central bank, -golf", ADMIN)
        # The channel had no time zone: it takes its admin's.
        assert reply.startswith(
            "Subscribed: a daily digest at 08:00 (Europe/Oslo) on central bank, not golf, "
            "posted in @morning_wire."
        )
        assert services.subscriptions.get(ADMIN) is None  # the admin's own chat: nothing
        assert "@morning_wire's digest has no topic “sport”" in await _say(
            api, ADMIN, "/unsubscribe @morning_wire sport", ADMIN
        )
        job = _jobs(application)[CHANNEL]
        application.bot_data.clock = lambda: job.next_t
        await job.run(application)
        await wait(lambda: api.count_sent(CHANNEL) > 0)

    _run(services, scenario)
    assert api.sent_to(CHANNEL)[0].text.startswith("Your news digest on central bank, not golf — ")


def test_a_bot_that_is_not_the_channels_admin_is_told_so(
    services: Services, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, _ = bot_api
    channel = api.members.channel(CHANNEL, "morning_wire")
    api.members.set(channel, BOT["id"], "member")
    api.members.set(channel, ADMIN, "administrator")

    async def scenario(application: Any) -> None:
        reply = await _say(api, ADMIN, "/subscribe @morning_wire", ADMIN)
        assert reply == "I'm not an admin of @morning_wire: make me one who may post."

    _run(services, scenario)
    assert services.subscriptions.get(CHANNEL) is None


@pytest.mark.parametrize("notified", [False, True])
def test_a_kicked_bots_subscription_ends_and_is_logged(
    services: Services,
    bot_api: tuple[FakeBotApi, str],
    caplog: pytest.LogCaptureFixture,
    notified: bool,
) -> None:
    api, _ = bot_api
    group = api.group(GROUP, "Newsroom")
    api.members.set(group, ADMIN, "creator")

    async def scenario(application: Any) -> None:
        await _say(api, group, "/subscribe 09:00", ADMIN)
        job = _jobs(application)[GROUP]
        api.kick(GROUP, by=ADMIN, notify=notified)
        if notified:  # Telegram tells the bot at once: the subscription ends then
            await wait(lambda: services.subscriptions.get(GROUP) is None)
        else:  # the bot missed that update: the digest's 403 ends it
            application.bot_data.clock = lambda: job.next_t
            assert await digests.deliver(application, GROUP) == "unsubscribed"
        await asyncio.sleep(0.1)
        assert GROUP not in _jobs(application)

    with caplog.at_level(logging.WARNING, logger="bot.telegram.digests"):
        _run(services, scenario)
    assert services.subscriptions.get(GROUP) is None
    ended = [r.getMessage() for r in caplog.records if "subscription is ended" in r.getMessage()]
    why = (
        "the bot was removed from the chat (by user 401)"
        if notified
        else "Telegram refused the digest: Forbidden: bot was kicked from the group chat"
    )
    assert ended == [f"chat {GROUP}: {why}; its digest subscription is ended"]
    assert api.sent_to(GROUP)[-1].text.startswith("Subscribed")  # no digest got through


def test_a_channel_without_a_time_zone_is_told_how_to_set_one(
    services: Services, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, _ = bot_api
    channel = api.members.channel(CHANNEL, "evening_wire")
    api.members.set(channel, ADMIN, "creator")
    seen: list[str] = []

    async def scenario(application: Any) -> None:
        seen.append(await _say(api, ADMIN, "/subscribe @evening_wire 18:00", ADMIN))
        seen.append(await _say(api, ADMIN, "/timezone @evening_wire Lisbon", ADMIN))
        seen.append(await _say(api, MEMBER, "/timezone @evening_wire", MEMBER))

    _run(services, scenario)
    assert "Tell me with /timezone @evening_wire Europe/London" in seen[0]
    assert seen[1].startswith("Time zone set: Europe/Lisbon. @evening_wire's next digest: ")
    assert seen[2] == "Only the admins of @evening_wire can see or change its digest."
    assert services.subscriptions.timezone(CHANNEL) == "Europe/Lisbon"
