"""The real python-telegram-bot Application, over HTTP, against the fake Bot API on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import telegram
from bot.app import open_services
from ingest.pipeline import ingest
from tests.bot.fake_bot_api import html_error, serve
from tests.conftest import ROOT, make_settings

SAMPLES = ROOT / "samples" / "articles"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ('<a href="x">t</a> <blockquote>q &amp; a</blockquote>', True),
        ("<script>x</script>", False),
        ("<b>unclosed", False),
        ("a & b", True),  # Telegram tolerates a bare ampersand followed by a space
        ("&nbsp;", False),
    ],
)
def test_fake_rejects_what_telegram_rejects(text: str, ok: bool) -> None:
    assert (html_error(text) is None) is ok


def test_question_answered_with_escaped_html_over_the_bot_api(tmp_path: Path) -> None:
    with serve() as (api, base_url):
        settings = make_settings(
            tmp_path / "data", TELEGRAM_BOT_TOKEN="123:TEST", TELEGRAM_BASE_URL=base_url
        )
        services = open_services(settings)
        ingest([str(SAMPLES)], settings, services.store, services.embedder)

        async def scenario() -> None:
            application = telegram.build(services)
            async with application:
                await application.start()
                assert application.updater is not None
                await application.updater.start_polling(poll_interval=0.05, timeout=1)
                api.push_text(42, "/start")
                api.push_text(42, "Chipmakers regulators export rules")
                await asyncio.to_thread(api.wait_sent, 2)
                await application.updater.stop()
                await application.stop()

        asyncio.run(scenario())
        services.close()
    welcome, answer = api.sent
    assert "12 news articles" in welcome["text"]
    assert answer["parse_mode"] == "HTML" and answer["chat_id"] in (42, "42")
    assert "&lt;next&gt;" in answer["text"] and "Chipmakers &amp; regulators" in answer["text"]
    assert "[1]" in answer["text"] and "<blockquote expandable>" in answer["text"]
    assert "sendChatAction" in api.calls
