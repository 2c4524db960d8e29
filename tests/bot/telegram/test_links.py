"""Links sent to the bot in a private chat, end to end: the real bot over the fake Bot API, the
real `newsbot link` child process, pages served on loopback (let through by the explicit
FETCH_ALLOW_PRIVATE opt-in, as for any test ingest; without it the same link is refused before
anything is fetched)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Chat, Message, MessageEntity

from bot.telegram import links
from bot.telegram.loopback import FakeBotApi, wait
from ingest.pipeline import ingest
from retrieval.service import Services, open_services
from retrieval.state.links import ADDED, KNOWN, REFUSED
from tests.support.pages import ARTICLE, NOT_ARTICLES, PageServer, serve_pages
from tests.support.polling import run_polling
from tests.support.settings import ROOT, make_settings

SAMPLES = ROOT / "samples" / "articles"
TOKEN = "779:LINKS"
ADMIN, USER = 501, 502


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with serve_pages() as served:
        yield served


def _services(tmp_path: Path, base_url: str, samples: bool = False, **extra: str) -> Services:
    settings = make_settings(
        tmp_path / "data", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url,
        ADMIN_IDS=str(ADMIN), **extra,
    )  # fmt: skip
    services = open_services(settings)
    if samples:
        ingest([str(SAMPLES)], settings.ingest, services.store, services.embedder)
    return services


def _stored(services: Services, status: str) -> tuple[int, int]:
    """What the database holds after the bot stopped: articles, and links with that status
    (read by services of its own: the bot's are closed)."""
    check = open_services(services.settings)
    try:
        return int(check.store.stats()["articles"]), check.links().count(status)
    finally:
        check.close()


async def _say(api: FakeBotApi, user: int, text: str, timeout: float = 120.0) -> Any:
    before = api.count_sent(user)
    api.push_text(user, text)
    await wait(lambda: api.count_sent(user) > before, timeout)
    return api.sent_to(user)[-1]


@pytest.mark.slow
def test_a_link_is_stored_described_and_its_follow_ups_prefer_it(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str], pages: PageServer
) -> None:
    api, base_url = bot_api
    services = _services(tmp_path, base_url, samples=True, FETCH_ALLOW_PRIVATE="true")
    url = f"{pages.base}/world/reykjavik-talks"
    before = services.store.stats()["articles"]
    seen: dict[str, Any] = {}

    async def scenario(application: Any) -> None:
        seen["reply"] = await _say(api, ADMIN, f"Have a look: {url}")
        seen["follow_up"] = await _say(api, ADMIN, "Where did they meet?")
        seen["again"] = await _say(api, ADMIN, url)

    run_polling(services, scenario)
    reply, follow_up = seen["reply"], seen["follow_up"]
    assert reply.html.startswith(f'📰 Added: <b><a href="{url}">{ARTICLE[0]}</a></b>\n')
    assert "Harbour Wire · 3 Apr 2025" in reply.text
    # The meeting once, from the sentence that says most (the article tells of it twice).
    assert reply.text.count("🤝") == 1
    assert "🤝 Ingrid Solvang and Marc Delorme met in Reykjavik on Wednesday 2 April 2025" in (
        reply.text
    )
    assert "Ask me about it" in reply.text
    assert [b["text"] for b in reply.buttons] == list(links.FOLLOW_UPS)
    # The samples hold the two ministers' Oslo talks too: the follow-up cites the link's.
    assert "Reykjavik" in follow_up.text.split("\n")[0]
    assert f'<a href="{url}">' in follow_up.html
    assert seen["again"].text.startswith("📰 I have this one already: ")
    assert pages.requested.count("/world/reykjavik-talks") == 2  # once per link, never twice
    assert _stored(services, ADDED) == (before + 1, 1)
    assert _stored(services, KNOWN)[1] == 1


def test_a_link_to_a_private_address_is_refused_without_a_fetch(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str], pages: PageServer
) -> None:
    api, base_url = bot_api
    services = _services(tmp_path, base_url)  # no FETCH_ALLOW_PRIVATE: the default
    seen: dict[str, Any] = {}

    async def scenario(application: Any) -> None:
        seen["reply"] = await _say(api, ADMIN, f"{pages.base}/world/reykjavik-talks")
        seen["ftp"] = await _say(api, ADMIN, "ftp://files.example/report")

    run_polling(services, scenario)
    assert seen["reply"].text == "That address is private or local: I only fetch public pages."
    assert seen["ftp"].text == "I only fetch http and https links."
    assert pages.requested == []


@pytest.mark.slow
def test_pages_that_are_not_articles_get_a_one_line_reason(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str], pages: PageServer
) -> None:
    api, base_url = bot_api
    services = _services(tmp_path, base_url, FETCH_ALLOW_PRIVATE="true")
    replies: dict[str, str] = {}

    async def scenario(application: Any) -> None:
        for path in NOT_ARTICLES:
            replies[path] = (await _say(api, ADMIN, f"{pages.base}{path}")).text

    run_polling(services, scenario)
    assert replies == {path: reason for path, (_, _, reason) in NOT_ARTICLES.items()}
    # Nothing stored (not an empty article), and each link recorded as refused.
    assert _stored(services, REFUSED) == (0, len(NOT_ARTICLES))


def test_who_may_send_links_and_the_hourly_limit(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str], pages: PageServer
) -> None:
    api, base_url = bot_api
    seen: dict[str, Any] = {}

    async def admins_only(application: Any) -> None:
        seen["refused"] = await _say(api, USER, "https://wire.example/news/1")
        seen["help"] = await _say(api, USER, "/help")

    run_polling(_services(tmp_path / "a", base_url), admins_only)
    assert seen["refused"].text == links.NOT_ALLOWED
    assert "news link" not in seen["help"].text  # not offered to whom it is refused

    async def limited(application: Any) -> None:
        # Each refused before any fetch (a private address), yet each counts.
        for n in range(2):
            seen[n] = await _say(api, USER, f"{pages.base}/story/{n}")
        seen["over"] = await _say(api, USER, f"{pages.base}/story/3")
        seen["admin"] = await _say(api, ADMIN, f"{pages.base}/story/4")  # not counted
        seen["help"] = await _say(api, USER, "/help")

    services = _services(tmp_path / "b", base_url, LINK_INGEST="everyone", LINK_LIMIT_PER_HOUR="2")
    run_polling(services, limited)
    assert seen[0].text == seen[1].text == seen["admin"].text
    assert seen["over"].text.startswith("That's 2 links in the last hour, the most I take: ")
    assert seen["help"].text.endswith(
        "Send me a news link in a private chat and I'll add the article."
    )


@pytest.mark.parametrize(
    ("text", "entities", "caption", "found"),
    [("see https://wire.example/a now", [("url", 4, 22, None)], None,
      "https://wire.example/a"),
     ("wire.example/b", [("url", 0, 14, None)], None, "https://wire.example/b"),  # no scheme
     ("read this", [("text_link", 5, 4, "https://wire.example/c")], None,
      "https://wire.example/c"),
     (None, [("url", 0, 22, None)], "https://wire.example/d", "https://wire.example/d"),
     ("no link here", [], None, None)],
)  # fmt: skip
def test_first_link_of_a_message(
    text: str | None, entities: list[tuple[str, int, int, str | None]], caption: str | None,
    found: str | None,
) -> None:  # fmt: skip
    made = [MessageEntity(kind, offset, length, url=url) for kind, offset, length, url in entities]
    message = Message(
        1, datetime.now(UTC), Chat(USER, "private"), text=text, caption=caption,
        entities=made if text else None, caption_entities=made if caption else None,
    )  # fmt: skip
    assert links.first_link(message) == found
