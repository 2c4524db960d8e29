"""Meeting timelines end to end: the real bot against the strict fake Bot API, on invented
articles (tests/support/timelines.py): pages of ten turned with ◀ ▶, also after a restart;
a shared surname asked back with buttons; the questions that ask for a list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.loopback import FakeBotApi, Sent, html_error, wait
from bot.telegram.timeline import parse_page
from retrieval.service import Services, open_services
from tests.support.polling import run_polling
from tests.support.settings import make_settings

TOKEN = "4321:TIMELINE"
ANN = 301


def _services(timeline_dir: Path, base_url: str) -> Services:
    return open_services(
        make_settings(timeline_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url)
    )


def _lines(sent: Sent) -> list[str]:
    return [line for line in sent.text.splitlines() if re.match(r"\d+\. ", line)]


def _labels(sent: Sent) -> list[str]:
    return [b["text"] for b in sent.buttons]


def test_pages_of_ten_turn_and_survive_a_restart(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def first_run(application: Any) -> None:
        api.push_text(ANN, "/meetings Odile Varga")
        await wait(lambda: api.count_sent(ANN) == 1)
        page = api.sent_to(ANN)[0]
        api.press(page, page.buttons[0]["callback_data"])  # ▶
        await wait(lambda: page.edits == 1)

    run_polling(_services(timeline_dir, base_url), first_run)
    (message,) = api.sent_to(ANN)  # turned in place: no new message
    assert _labels(message) == ["◀"]
    assert [line.split(".")[0] for line in _lines(message)] == ["11", "12", "13"]
    assert "Page 2 of 2" in message.text

    async def after_restart(application: Any) -> None:
        api.press(message, message.buttons[0]["callback_data"])  # ◀, pressed on a new process
        await wait(lambda: message.edits == 2)

    run_polling(_services(timeline_dir, base_url), after_restart)
    lines = _lines(message)
    assert len(lines) == 10 and lines[0].startswith(
        "1. Wed 26 Nov 2025 — with Thabo Ndlovu (Energy Minister), in Harare; announced:"
    )
    assert message.text.startswith(
        "Meetings of Odile Varga (Foreign Minister): 13 meetings, newest first. Page 1 of 2."
    )
    assert _labels(message) == ["▶"]
    lima = next(line for line in lines if "Lima" in line)
    # Two outlets on one meeting: one line, both cited, each a link.
    assert (
        "Elena Quispe (Fisheries Minister)" in lima
        and "Harbour Post" in lima
        and "Meridian Daily" in lima
    )
    assert (
        message.html.count("harbourpost.example/2025-06-11/varga-and-quispe-sign-fisheries-deal")
        == 1
    )
    assert message.html.count("meridiandaily.example/2025-06-11/fisheries-deal-signed-in-lima") == 1
    # An outlet's "&" and "<" are escaped in the HTML, and shown as written.
    assert "Quay &amp; Co &lt;Weekly&gt;" in message.html and "Quay & Co <Weekly>" in message.text
    assert html_error(message.html) is None
    assert all(len(b["callback_data"].encode()) <= 64 and parse_page(b["callback_data"])
               for b in message.buttons)  # fmt: skip
    assert len(api.callback_answers) == 2


def test_a_shared_surname_is_asked_back_with_buttons(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(ANN, "/meetings Kovacs")
        await wait(lambda: api.count_sent(ANN) == 1)
        asked = api.sent_to(ANN)[0]
        bela = next(b for b in asked.buttons if b["text"].startswith("Bela"))
        api.press(asked, bela["callback_data"])
        await wait(lambda: asked.edits == 1)

    run_polling(_services(timeline_dir, base_url), scenario)
    (message,) = api.sent_to(ANN)
    assert message.text.startswith("Meetings of Bela Kovacs (Mayor): 1 meeting, newest first.")
    (line,) = _lines(message)
    assert line.startswith(
        "1. Tue 14 Oct 2025 — with Odile Varga (Foreign Minister), in Szeged; reported:"
    )
    assert message.buttons == []


def test_the_first_answer_of_an_ambiguous_name(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(ANN, "Whom has Kovacs met?")
        await wait(lambda: api.count_sent(ANN) == 1)

    run_polling(_services(timeline_dir, base_url), scenario)
    (asked,) = api.sent_to(ANN)
    assert asked.html == "Several people in the articles are called <b>Kovacs</b>. Which one?"
    assert _labels(asked) == ["Anna Kovacs (Finance Minister)", "Bela Kovacs (Mayor)"]


@pytest.mark.parametrize(
    ("question", "first_line", "lines"),
    [
        ("Who did Varga meet in November 2025?",
         "Meetings of Odile Varga (Foreign Minister) in November 2025: 2 meetings, newest first.",
         2),
        ("Has Odile Varga met Elena Quispe in 2025?",
         "Yes: Odile Varga met Elena Quispe in Lima on 10 Jun 2025.", 1),
        ("Has Varga met Thabo Ndlovu?",
         "Odile Varga and Thabo Ndlovu were due to meet on 26 Nov 2025; no article I hold "
         "reports that they did.", 1),
        ("Has Varga met Jonas Lindqvist since March 2025?",
         "Not that I can find: no article I hold reports a meeting of Odile Varga and Jonas "
         "Lindqvist since 1 Mar 2025.", 0),
    ],
)  # fmt: skip
def test_questions_that_ask_for_a_list(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str], question: str, first_line: str, lines: int
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(ANN, question)
        await wait(lambda: api.count_sent(ANN) == 1)

    run_polling(_services(timeline_dir, base_url), scenario)
    (answer,) = api.sent_to(ANN)
    assert answer.text.splitlines()[0] == first_line
    assert len(_lines(answer)) == lines


def test_meetings_without_a_name_gets_usage(
    timeline_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(ANN, "/meetings")
        api.push_text(ANN, "/meetings Nobody Atall")
        await wait(lambda: api.count_sent(ANN) == 2)

    run_polling(_services(timeline_dir, base_url), scenario)
    usage, none = sorted(api.sent_to(ANN), key=lambda sent: not sent.text.startswith("Usage"))
    assert usage.text.startswith("Usage: /meetings name")
    assert none.text == "I found no meetings of Nobody Atall in the articles."
