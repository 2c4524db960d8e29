"""Inline mode end to end: "@bot question" answered through the strict fake Bot API within the
time budget, with at most three results (the short answer and its first citation as a link
first), from the cache when asked again; an answer over the budget is given later."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import inline
from bot.telegram.loopback import FakeBotApi, wait
from bot.telegram.loopback.rules import INLINE_ANSWER_SECONDS
from bot.telegram.workers import Answers
from retrieval.qa.answer import Answer
from retrieval.qa.search import Hit
from retrieval.service import Services, open_services
from tests.support.polling import run_polling
from tests.support.settings import make_settings

TOKEN = "4321:INLINE"
QUESTION = "Where did Odile Varga meet Elena Quispe?"


class Counting:
    """The bot's answers, counted, and slowed down when a test says so."""

    def __init__(self, inner: Answers, delay: float = 0.0) -> None:
        self.inner, self.delay, self.asked = inner, delay, 0

    async def ask(self, text: str, previous: Answer | None) -> Answer:
        self.asked += 1
        await asyncio.sleep(self.delay)
        return await self.inner.ask(text, previous)

    async def search(self, text: str, k: int) -> list[Hit]:
        return await self.inner.search(text, k)

    def close(self) -> None:
        self.inner.close()


def _services(timeline_dir: Path, base_url: str, **extra: Any) -> Services:
    return open_services(
        make_settings(timeline_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url, **extra)
    )


def test_an_inline_query_is_answered_within_budget_then_from_the_cache(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    counted: list[Counting] = []

    async def scenario(application: Any) -> None:
        counting = Counting(application.bot_data.answers)
        application.bot_data.answers = counting
        counted.append(counting)
        first = api.push_inline(41, QUESTION)
        await wait(lambda: first in api.inline_answers)
        again = api.push_inline(42, "  where did odile varga MEET elena quispe? ", "group")
        await wait(lambda: again in api.inline_answers)

    run_polling(_services(timeline_dir, base_url), scenario)
    first, again = api.inline_answers.values()
    assert counted[0].asked == 1, "the second query was answered from the cache"
    assert first["results"] == again["results"]
    assert first["after"] < inline.INLINE_BUDGET < INLINE_ANSWER_SECONDS
    results = first["results"]
    assert len(results) == inline.MAX_RESULTS  # the answer, then the best other articles
    assert all(r["description"].startswith("Related: ") for r in results[1:])
    answer = results[0]["input_message_content"]
    assert answer["parse_mode"] == "HTML"
    text, cited = answer["message_text"].split("\n[1] ")
    assert "Lima" in text and "Elena Quispe" in text
    assert cited.startswith('<a href="https://') and cited.endswith("</a>")
    assert results[0]["title"] in text or results[0]["title"].endswith("…")
    assert len({r["id"] for r in results}) == len(results)
    # Form fields arrive as text, as python-telegram-bot sends them.
    assert int(first["cache_time"]) == inline.CACHE_SECONDS and "button" not in first


def test_an_answer_over_budget_is_given_when_asked_again(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    api, base_url = bot_api
    monkeypatch.setattr(inline, "INLINE_BUDGET", 0.2)

    async def scenario(application: Any) -> None:
        application.bot_data.answers = Counting(application.bot_data.answers, delay=1.0)
        first = api.push_inline(41, QUESTION)
        await wait(lambda: first in api.inline_answers)
        await wait(lambda: application.bot_data.inline.get(QUESTION.casefold()) is not None)
        again = api.push_inline(41, QUESTION)
        await wait(lambda: again in api.inline_answers)

    run_polling(_services(timeline_dir, base_url), scenario)
    late, again = api.inline_answers.values()
    assert late["results"] == [] and int(late["cache_time"]) == 0  # Telegram must ask again
    assert late["button"]["start_parameter"] == inline.START_PARAMETER
    assert late["after"] < 1.0  # within the budget, not after the answer's second
    assert (
        again["results"] and "Lima" in again["results"][0]["input_message_content"]["message_text"]
    )


def test_short_queries_and_strangers_to_a_private_bot_get_no_results(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        short = api.push_inline(41, "who")
        stranger = api.push_inline(99, QUESTION)
        await wait(lambda: {short, stranger} <= api.inline_answers.keys())

    run_polling(_services(timeline_dir, base_url, ALLOWED_USER_IDS="41"), scenario)
    short, stranger = api.inline_answers.values()
    assert short["results"] == [] and short["button"]["text"] == "Type a question about the news"
    assert (
        str(short["is_personal"]).lower() == "true"
    )  # a private bot's answers are for its users only
    assert stranger["results"] == [] and str(stranger["is_personal"]).lower() == "true"
