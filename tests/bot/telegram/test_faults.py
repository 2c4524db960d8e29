"""The bot under load through a hostile Bot API: 100 chats asking at once while the strict fake
fails 10 % of the calls with 429 (retry_after), 502 or a timeout (carried out, answered late,
as Telegram does with a request it received), seeded so that a run can be repeated. Every
question is answered exactly once, and so is every digest."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.telegram import app as telegram
from bot.telegram import digests
from bot.telegram.loopback import TIMEOUT, FakeBotApi, Faults, Sent, serve, wait
from bot.telegram.send import send_html
from ingest.pipeline import ingest
from retrieval.service import Services, open_services
from tests.support.polling import run_polling
from tests.support.settings import ROOT, make_settings

TOKEN = "4242:FAULTS"
SAMPLES = ROOT / "samples" / "articles"
QUESTIONS = [
    "Who did Arjun Mehra meet?",
    "What did Norway and Canada discuss in Oslo?",
    "What did Germany and Japan pledge?",
    "Why is the UN climate envoy visiting Nairobi?",
    "What did the central bank decide on rates?",
    "How much ice did the Alpine glaciers lose?",
    "What did Chile and Argentina agree in Mendoza?",
    "Who broke the Lakeshore Marathon course record?",
    "Who will host the talks on a shared power grid?",
    "Which team reached the cup quarter-finals?",
]
PRIVATE = list(range(1001, 1051))  # one question each, answered in the chat
GROUPS = list(range(-2001, -2051, -1))  # two questions each (/ask), answered in reply
FAULTS = Faults(rate=0.10, seed=12, delay=4.0)
READ_TIMEOUT = 2.0  # the bot's, shortened: a timeout fault answers 4 s late


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram, "READ_TIMEOUT", READ_TIMEOUT)
    monkeypatch.setattr(telegram, "POLL_READ_TIMEOUT", READ_TIMEOUT)


def _services(tmp_path: Path, base_url: str) -> Services:
    services = open_services(
        make_settings(tmp_path / "data", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url)
    )
    ingest([str(SAMPLES)], services.settings.ingest, services.store, services.embedder)
    return services


def _reply_to(sent: Sent) -> int | None:
    reply = sent.params.get("reply_parameters") or {}
    return reply.get("message_id")


def _answers(api: FakeBotApi, asked: dict[tuple[int, int | None], str]) -> Counter[Any]:
    """Answers sent, by (chat, the message replied to), for the questions asked."""
    return Counter(
        (s.chat_id, _reply_to(s))
        for s in list(api.sent)
        if (s.chat_id, _reply_to(s)) in asked and not s.text.startswith("Your news digest")
    )


@pytest.mark.slow
def test_100_chats_through_faults_get_every_answer_and_digest_exactly_once(
    tmp_path: Path, short_timeouts: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with serve(TOKEN) as (api, base_url):
        services = _services(tmp_path, base_url)
        asked: dict[tuple[int, int | None], str] = {}
        outcomes: list[str] = []

        async def scenario(application: Any) -> None:
            api.inject(FAULTS)
            for n, chat in enumerate(PRIVATE):
                question = QUESTIONS[n % len(QUESTIONS)]
                api.push_text(chat, question)
                asked[(chat, None)] = question
            for n, chat in enumerate(GROUPS):
                room = api.group(chat, f"Desk {n}")
                for k in range(2):
                    question = QUESTIONS[(n + k) % len(QUESTIONS)]
                    message = api.push_text(room, f"/ask {question}", user_id=5000 + n)
                    asked[(chat, message["message_id"])] = question
            with contextlib.suppress(TimeoutError):  # a lost answer: told by the asserts
                await wait(lambda: len(_answers(api, asked)) == len(asked), timeout=240)
            # Then the digests of all 100 chats at once, as jobs due at the same minute are.
            for chat in PRIVATE + GROUPS:
                services.subscriptions.subscribe(chat, digests.DEFAULT_TIME, [])
            done = await asyncio.gather(
                *(digests.deliver(application, chat) for chat in PRIVATE + GROUPS),
                return_exceptions=True,
            )
            outcomes.extend(map(str, done))
            # Long enough for any repeat of a timed-out call to arrive.
            await asyncio.sleep(2 * FAULTS.delay)

        run_polling(services, scenario)

    answers = _answers(api, asked)
    repeated = {key: count for key, count in answers.items() if count != 1}
    digest_firsts = Counter(s.chat_id for s in api.sent if s.text.startswith("Your news digest"))
    kinds = Counter(kind for _, _, kind in api.injected)
    by_method = Counter(f"{method} {kind}" for method, _, kind in api.injected)
    print(  # the figures in docs/reliability.md (pytest -s)
        f"fault run: {len(api.calls)} calls, {sum(kinds.values())} faults {dict(kinds)}, "
        f"{dict(sorted(by_method.items()))}; {len(asked)} questions: {len(answers)} answered, "
        f"{len(repeated)} more than once; {len(digest_firsts)} of 100 chats got a digest, "
        f"{sum(n > 1 for n in digest_firsts.values())} more than once"
    )
    assert not repeated, f"{len(repeated)} of {len(asked)} questions answered more than once"
    assert set(answers) == set(asked)
    for sent in api.sent:
        assert not sent.text.startswith("Sorry"), sent.text
        if (sent.chat_id, _reply_to(sent)) in asked and "digest" not in sent.text:
            assert sent.buttons, sent.text  # an answer, with its buttons
    assert outcomes == ["sent"] * len(PRIVATE + GROUPS)
    assert digest_firsts == Counter(PRIVATE + GROUPS)
    # The faults really happened, of every kind, on about a tenth of the calls.
    assert set(kinds) == {429, 502, TIMEOUT}
    assert 0.05 <= sum(kinds.values()) / len(api.calls) <= 0.15


def test_a_long_reply_whose_first_part_timed_out_is_sent_whole_once(
    tmp_path: Path, short_timeouts: None
) -> None:
    paragraph = "<b>Harbour</b> " + "ferry timetable row & more " * 30
    html = "\n\n".join([paragraph] * 30)  # about 24,000 characters: several messages
    with serve(TOKEN) as (api, base_url):
        api.chats[1] = api.private(1)
        api.fail("sendMessage", TIMEOUT, delay=READ_TIMEOUT + 1)
        returned: list[Any] = []

        async def scenario(application: Any) -> None:
            returned.extend(await send_html(application.bot, 1, html))
            await asyncio.sleep(READ_TIMEOUT + 1.5)  # a repeat of the first part would be in

        run_polling(_services(tmp_path, base_url), scenario)
    parts = api.sent_to(1)
    assert len(parts) >= 3 and len(returned) == len(parts) - 1  # the first one's answer was late
    assert sum(p.text.count("ferry timetable row") for p in parts) == 30 * 30
    assert [kind for _, _, kind in api.injected] == [TIMEOUT]


def test_a_timed_out_reply_gets_no_apology_after_it(tmp_path: Path, short_timeouts: None) -> None:
    with serve(TOKEN) as (api, base_url):
        api.fail("sendMessage", TIMEOUT, delay=READ_TIMEOUT + 1)

        async def scenario(application: Any) -> None:
            api.push_text(2, "/sources")
            await wait(lambda: api.sent_to(2))
            await asyncio.sleep(READ_TIMEOUT + 1.5)  # an apology would be in by now

        run_polling(_services(tmp_path, base_url), scenario)
    assert [s.text.split("\n")[0][:20] for s in api.sent_to(2)] == [
        api.sent_to(2)[0].text.split("\n")[0][:20]
    ]
    assert not api.sent_to(2)[0].text.startswith("Sorry")
