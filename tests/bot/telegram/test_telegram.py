"""End to end: the real python-telegram-bot Application, with its real HTTP client, against the
strict fake Bot API on loopback (bot/telegram/loopback/)."""

from __future__ import annotations

import asyncio
import http.server
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.telegram import admin
from bot.telegram import app as telegram
from bot.telegram.loopback import BOT, FakeBotApi, Sent, html_error, wait
from bot.telegram.split import utf16_len
from ingest.pipeline import ingest
from retrieval.service import Services, open_services
from retrieval.state.activity import Activity
from tests.support.http import loopback
from tests.support.polling import run_polling
from tests.support.settings import ROOT, make_settings

SAMPLES = ROOT / "samples" / "articles"
TOKEN = "123456:SECRET-token_never_logged"
ADMIN = 7
SCRIPT_TITLE = """\
date 2025-05-02 <script>alert("x")</script> & the harbour toll vote
outlet: Quay & Co <Weekly>
url: https://quay.example/news/toll-vote?id=1&src=rss

Harbour councillors voted on Thursday to scrap the toll on the old quay bridge after a \
two-year campaign by ferry workers and residents of the east bank.
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample articles plus one whose title and outlet hold `<script>` and `&`."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in SAMPLES.glob("*.txt"):
        (folder / path.name).write_text(path.read_text())
    (folder / "13_script-title.txt").write_text(SCRIPT_TITLE)
    return folder


@pytest.fixture(scope="module")
def data_dir(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the corpus ingested once for the module (fake embedder, real spaCy)."""
    data = tmp_path_factory.mktemp("data")
    services = open_services(make_settings(data))
    ingest([str(corpus)], services.settings.ingest, services.store, services.embedder)
    services.close()
    return data


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _services(data_dir: Path, base_url: str, db_url: str | None = None, **extra: Any) -> Services:
    settings = make_settings(
        data_dir, db_url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url,
        ADMIN_IDS=str(ADMIN), **extra,
    )  # fmt: skip
    return open_services(settings)


def _valid(api: FakeBotApi) -> None:
    """Everything the bot sent is what Telegram accepts (the fake would have refused it)."""
    for sent in api.sent:
        assert html_error(sent.html) is None if sent.params.get("parse_mode") == "HTML" else True
        assert 0 < utf16_len(sent.text) <= 4096


def test_start_offers_examples_that_ask_when_pressed(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(101, "/start")
        await wait(lambda: len(api.sent_to(101)) == 1)
        welcome = api.sent_to(101)[0]
        assert len(welcome.buttons) == 3
        api.press(welcome, welcome.buttons[0]["callback_data"])
        await wait(lambda: len(api.sent_to(101)) == 2)

    run_polling(_services(data_dir, base_url), scenario)
    welcome, answer = api.sent_to(101)
    assert "13</b> news articles" in welcome.html and "Northern Ledger" in welcome.text
    asked = welcome.buttons[0]["callback_data"].removeprefix("ask:")
    assert asked.endswith("?") and all(
        b["callback_data"].startswith("ask:") for b in welcome.buttons
    )
    assert "[1]" in answer.text and "couldn't find" not in answer.text
    assert [b["text"] for b in answer.buttons] == ["📄 Sources", "🔎 More like this", "👍", "👎"]
    assert api.callback_answers, "the button press was answered"
    _valid(api)


def test_question_answered_in_html_as_telegram_parses_it(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(102, "Who did Ingrid Solvang meet in Oslo?")
        await wait(lambda: len(api.sent_to(102)) == 1)

    run_polling(_services(data_dir, base_url), scenario)
    (answer,) = api.sent_to(102)
    assert answer.params["parse_mode"] == "HTML"
    assert answer.params["link_preview_options"] == {"is_disabled": True}
    assert "Marc Delorme" in answer.text and "[1]" in answer.text
    assert '<a href="https://northernledger.example/' in answer.html
    assert "Northern Ledger, 13 Mar 2025" in answer.text
    assert "<blockquote expandable>" in answer.html
    assert "sendChatAction" in api.calls
    _valid(api)


def test_article_text_with_script_and_ampersand_is_escaped(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(103, "Why did harbour councillors scrap the quay bridge toll?")
        api.push_text(104, "/latest")
        await wait(lambda: len(api.sent_to(103)) == 1 and len(api.sent_to(104)) == 1)

    run_polling(_services(data_dir, base_url), scenario)
    (answer,) = api.sent_to(103)
    (latest,) = api.sent_to(104)
    for sent in (answer, latest):
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the harbour" in sent.html
        assert '<script>alert("x")</script> & the harbour toll vote' in sent.text
        assert 'href="https://quay.example/news/toll-vote?id=1&amp;src=rss"' in sent.html
    assert "Quay & Co <Weekly>" in answer.text
    _valid(api)


def test_group_answers_mentions_replies_and_ask_and_ignores_chatter(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    group = api.group(-500)
    at = "@" + BOT["username"]

    async def scenario(application: Any) -> None:
        api.push_text(group, "morning all, anyone seen the match?", user_id=11)
        api.push_text(group, "@someone_else who met in Oslo?", user_id=11)
        mention = api.push_text(group, f"{at} who did Arjun Mehra meet?", user_id=12)
        await wait(lambda: len(api.sent_to(-500)) == 1)
        api.push_text(group, "/ask@newsbot_test_bot where did Mehra meet Wulandari?", user_id=13)
        await wait(lambda: len(api.sent_to(-500)) == 2)
        api.push_text(group, "and when?", user_id=12, reply_to=api.sent_to(-500)[1])
        await wait(lambda: len(api.sent_to(-500)) == 3)
        api.push_text(group, "thanks bot", user_id=11)  # chatter again
        await asyncio.sleep(0.5)
        assert (
            mention["message_id"] == api.sent_to(-500)[0].params["reply_parameters"]["message_id"]
        )

    run_polling(_services(data_dir, base_url), scenario)
    who, where, when = api.sent_to(-500)
    assert "Sari Wulandari" in who.text
    assert "Jakarta" in where.text
    assert "27 January 2025" in when.text  # "yesterday" in an article of 28 Jan 2025
    _valid(api)


def test_buttons_sources_more_and_feedback(
    data_dir: Path, bot_api: tuple[FakeBotApi, str], db_url: str, tmp_path: Path
) -> None:
    api, base_url = bot_api
    data = tmp_path / "data"
    services = _services(data, base_url, db_url)
    ingest([str(SAMPLES)], services.settings.ingest, services.store, services.embedder)

    async def scenario(application: Any) -> None:
        api.push_text(105, "Who did Ingrid Solvang meet?")
        await wait(lambda: len(api.sent_to(105)) == 1)
        answer = api.sent_to(105)[0]
        api.press(answer, answer.buttons[0]["callback_data"])  # Sources
        await wait(lambda: len(api.sent_to(105)) == 2)
        api.press(answer, answer.buttons[1]["callback_data"])  # More like this
        await wait(lambda: len(api.sent_to(105)) == 3)
        more = api.sent_to(105)[2]
        api.press(more, more.buttons[0]["callback_data"])  # the next page
        await wait(lambda: len(api.sent_to(105)) == 4)
        api.press(answer, answer.buttons[2]["callback_data"])  # 👍
        await wait(lambda: answer.edits == 1)
        api.press(answer, answer.buttons[2]["callback_data"])  # 👍 again: nothing to change
        await wait(lambda: len(api.callback_answers) == 5)
        api.press(answer, answer.buttons[3]["callback_data"])  # 👎 instead
        await wait(lambda: answer.edits == 2)

    activity = Activity(services.store.sessions)
    run_polling(services, scenario)
    answer, sources, more, next_page = api.sent_to(105)
    assert sources.params["reply_parameters"]["message_id"] == answer.message_id
    assert "Sources" in sources.text and "<b>" in sources.html
    assert "Marc Delorme" in sources.text
    assert more.text.startswith("1. ") and next_page.text.startswith("4. ")
    assert [b["text"] for b in answer.buttons][2:] == ["👍", "👎 ✓"]
    assert "Thanks for the feedback!" in [a.get("text") for a in api.callback_answers.values()]
    counts = activity.counts()
    assert (counts.helpful, counts.unhelpful, counts.questions) == (0, 1, 1)
    _valid(api)


def test_follow_up_uses_the_previous_turn_until_reset(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        for n, text in enumerate(["When did Elena Brandt meet Kenji Arakawa?", "And where?",
                                  "/reset", "And where?"], 1):  # fmt: skip
            api.push_text(107, text)
            await wait(lambda n=n: len(api.sent_to(107)) == n)

    run_polling(_services(data_dir, base_url), scenario)
    when, where, reset, alone = api.sent_to(107)
    assert "14 May 2024" in when.text  # "Tuesday" in an article of Thursday 16 May 2024
    assert "Berlin" in where.text
    assert reset.text == "Forgotten; ask away."
    assert "Berlin" not in alone.text.split("\n")[0]


def test_sources_and_latest_commands(data_dir: Path, bot_api: tuple[FakeBotApi, str]) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(108, "/sources")
        api.push_text(109, "/latest")
        api.push_text(110, "/help")
        await wait(lambda: all(api.sent_to(c) for c in (108, 109, 110)))

    run_polling(_services(data_dir, base_url), scenario)
    (sources,) = api.sent_to(108)
    assert "13 articles from 10 outlets" in sources.text
    assert "The Harbour Times — 2 articles, newest 14 Apr 2025" in sources.text
    (latest,) = api.sent_to(109)
    assert latest.text.count("•") == 10 and "Pretoria" in latest.text
    (helped,) = api.sent_to(110)
    assert "/sources" in helped.text and "/ingest" not in helped.text


def test_admin_commands_refused_to_others(data_dir: Path, bot_api: tuple[FakeBotApi, str]) -> None:
    api, base_url = bot_api
    refusal = "Sorry, only the bot's admins can do that."

    def is_stats(sent: Sent) -> bool:
        return "articles 13" in sent.text and "MB on disk" in sent.text

    def is_usage(sent: Sent) -> bool:
        return sent.text.startswith("Usage: /ingest URL")

    async def scenario(application: Any) -> None:
        api.push_text(111, "/stats")
        api.push_text(111, "/ingest https://example.com/feed.xml")
        api.push_text(ADMIN, "/stats")
        api.push_text(ADMIN, "/ingest")
        # By what arrived, not how many or in which order: updates are handled concurrently,
        # and on a busy machine a timed-out request may be retried (and a reply repeated).
        await wait(
            lambda: (
                len(api.sent_to(111)) >= 2
                and any(map(is_stats, api.sent_to(ADMIN)))
                and any(map(is_usage, api.sent_to(ADMIN)))
            )
        )

    run_polling(_services(data_dir, base_url), scenario)
    assert {s.text for s in api.sent_to(111)} == {refusal}
    assert all(is_stats(s) or is_usage(s) for s in api.sent_to(ADMIN))


def test_admin_ingest_takes_urls_only_parsed_once(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/ingest http:/articles` is no URL, even with an `http:/articles` folder right here; the
    child is given each URL in the form that was checked (no child runs: its call is recorded)."""
    api, base_url = bot_api
    folder = tmp_path / "http:" / "articles"
    folder.mkdir(parents=True)
    (folder / "local.txt").write_text(SCRIPT_TITLE)
    monkeypatch.chdir(tmp_path)
    calls: list[list[str]] = []

    async def child(settings: Any, args: list[str], timeout: float) -> dict[str, Any]:
        calls.append(args)
        return {"new": 0, "failed": 0}

    monkeypatch.setattr(admin, "run_json", child)
    services = _services(tmp_path / "data", base_url)
    refused = ["http:/articles", "http:articles", "https:///articles", "http://news.example:99999/",
               "http://news.example:abc/", "file:///etc/passwd", "javascript:alert(1)"]  # fmt: skip

    async def scenario(application: Any) -> None:
        for n, source in enumerate(refused, start=1):
            api.push_text(ADMIN, f"/ingest {source}")
            await wait(lambda n=n: len(api.sent_to(ADMIN)) == n)
        api.push_text(ADMIN, "/ingest HTTP://News.Example/feed.xml")
        await wait(lambda: len(api.sent_to(ADMIN)) == len(refused) + 2)

    run_polling(services, scenario)
    texts = [s.text for s in api.sent_to(ADMIN)]
    assert all(t.startswith("Usage: /ingest") for t in texts[: len(refused)])
    assert texts[len(refused) :] == [
        "Ingesting 1 source(s)… I'll report here when done.",
        "Ingest done in 0.0 s: 0 new, 0 updated, 0 unchanged, 0 failed; 0 passages added.",
    ]
    assert calls == [["ingest", "--json", "http://news.example/feed.xml"]]


@pytest.fixture
def article_server(tmp_path: Path) -> Iterator[str]:
    """One article page on loopback, for /ingest."""
    page = tmp_path / "site" / "lighthouse.html"
    page.parent.mkdir()
    page.write_text(
        "<html><head><title>Keepers reopen the Skerry lighthouse</title>"
        '<meta property="og:site_name" content="Skerry Gazette">'
        '<meta property="article:published_time" content="2025-08-01T09:00:00Z"></head><body>'
        "<article><h1>Keepers reopen the Skerry lighthouse</h1>"
        "<p>The Skerry lighthouse reopened to visitors on Friday after a restoration of its "
        "lantern room that took three years and cost the island trust nearly two million "
        "pounds, the keepers said.</p></article></body></html>"
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    with loopback(lambda *a: Quiet(*a, directory=str(page.parent))) as base:
        yield f"{base}/lighthouse.html"


@pytest.mark.slow
def test_admin_ingest_runs_in_the_background_and_is_picked_up(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str], article_server: str
) -> None:
    api, base_url = bot_api
    services = _services(tmp_path / "data", base_url, FETCH_ALLOW_PRIVATE="true")

    async def scenario(application: Any) -> None:
        api.push_text(ADMIN, f"/ingest {article_server}")
        api.push_text(ADMIN, "/ingest not-a-url")
        await wait(lambda: len(api.sent_to(ADMIN)) == 3, timeout=120)
        api.push_text(ADMIN, "When did the Skerry lighthouse reopen?")
        await wait(lambda: len(api.sent_to(ADMIN)) == 4)

    run_polling(services, scenario)
    texts = [s.text for s in api.sent_to(ADMIN)]
    assert texts[0] == "Ingesting 1 source(s)… I'll report here when done."
    assert texts[1].startswith("Usage: /ingest")
    assert texts[2].startswith("Ingest done") and "1 new" in texts[2]
    assert "Keepers reopen the Skerry lighthouse" in texts[3]


def test_private_deployment_refuses_strangers(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    async def scenario(application: Any) -> None:
        api.push_text(112, "Who did Arjun Mehra meet?")
        api.push_text(113, "Who did Arjun Mehra meet?")
        await wait(lambda: api.sent_to(112) and api.sent_to(113))

    run_polling(_services(data_dir, base_url, ALLOWED_USER_IDS="113"), scenario)
    assert api.sent_to(112)[0].text.startswith("Sorry, this is a private bot")
    assert "Sari Wulandari" in api.sent_to(113)[0].text


def test_flood_control_and_server_errors_are_retried(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    api.fail("sendMessage", 429, retry_after=1)
    api.fail("sendMessage", 502, times=2)

    async def scenario(application: Any) -> None:
        api.push_text(114, "Who did Arjun Mehra meet?")
        await wait(lambda: api.sent_to(114))

    run_polling(_services(data_dir, base_url), scenario)
    assert "Sari Wulandari" in api.sent_to(114)[0].text
    assert api.calls.count("sendMessage") == 4  # 429, 502, 502, then delivered


def test_an_answer_too_long_for_one_message_is_split(
    tmp_path: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api
    sentence = (
        "The lagoon ferry & its <new> timetable drew complaints from commuters on the island "
        "of Port Amsel, who said the crossing now takes far longer than before. "
    )
    articles = tmp_path / "long"
    articles.mkdir()
    for n in range(3):
        (articles / f"{n}.txt").write_text(
            f"date 2025-02-0{n + 1} Lagoon ferry timetable row, part {n + 1}\n"
            f"outlet: Amsel Courier\nurl: https://amsel.example/{n}\n\n" + sentence * 12 + "\n"
        )
    services = _services(tmp_path / "data", base_url, PASSAGE_MAX_WORDS="1000")
    ingest([str(articles)], services.settings.ingest, services.store, services.embedder)

    async def scenario(application: Any) -> None:
        api.push_text(115, "What did commuters on Port Amsel say about the lagoon ferry?")
        await wait(lambda: len(api.sent_to(115)) == 1)
        answer = api.sent_to(115)[0]
        api.press(answer, answer.buttons[0]["callback_data"])  # Sources: three long passages
        await wait(lambda: len(api.sent_to(115)) >= 3)
        await asyncio.sleep(0.3)

    run_polling(services, scenario)
    _, *parts = api.sent_to(115)
    assert len(parts) >= 2
    assert all(len(p.html) <= 4096 and html_error(p.html) is None for p in parts)
    assert all(
        p.html.count("<blockquote expandable>") == p.html.count("</blockquote>") for p in parts
    )
    assert sum(p.text.count("The lagoon ferry & its <new> timetable") for p in parts) == 36
    assert parts[0].params.get("reply_parameters") and not parts[1].params.get("reply_parameters")


def test_errors_are_logged_told_to_the_user_and_the_token_never_logged(
    data_dir: Path, bot_api: tuple[FakeBotApi, str], caplog: pytest.LogCaptureFixture
) -> None:
    api, base_url = bot_api
    services = _services(data_dir, base_url)

    def broken(text: str, previous: object = None) -> object:
        raise RuntimeError("the answerer broke")

    services.ask = broken  # type: ignore[method-assign]
    caplog.set_level(logging.DEBUG)

    async def scenario(application: Any) -> None:
        api.push_text(116, "Who did Arjun Mehra meet?")
        await wait(lambda: api.sent_to(116))

    run_polling(services, scenario)
    assert api.sent_to(116)[0].text.startswith("Sorry, something went wrong on my side.")
    assert "the answerer broke" in caplog.text
    assert "/bot[token]/" in caplog.text  # httpx logged its URLs, redacted
    assert TOKEN not in caplog.text


def test_webhook_mode_accepts_telegram_only(
    data_dir: Path, bot_api: tuple[FakeBotApi, str], free_port: int
) -> None:
    api, base_url = bot_api
    services = _services(
        data_dir, base_url, WEBHOOK_URL="https://bot.example/telegram/hook",
        WEBHOOK_SECRET="s3cret-Token", WEBHOOK_PORT=str(free_port),
    )  # fmt: skip
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1, "date": 1700000000, "text": "Who did Arjun Mehra meet?",
            "chat": api.private(117), "from": {"id": 117, "is_bot": False, "first_name": "A"},
        },
    }  # fmt: skip
    api.chats[117] = api.private(117)
    url = f"http://127.0.0.1:{free_port}/telegram/hook"

    async def main() -> None:
        application = telegram.build(services)
        async with application:
            await application.start()
            assert application.updater is not None
            options = telegram.webhook_options(services.settings.telegram)
            await application.updater.start_webhook(**options)
            async with httpx.AsyncClient() as client:
                forged = await client.post(url, json=update)
                real = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token"}
                )
            await wait(lambda: api.sent_to(117))
            await application.updater.stop()
            await application.stop()
        assert forged.status_code == 403 and real.status_code == 200

    try:
        asyncio.run(main())
    finally:
        services.close()
    assert api.webhook == {
        "url": "https://bot.example/telegram/hook",
        "secret_token": "s3cret-Token",
    }
    assert len(api.sent_to(117)) == 1 and "Sari Wulandari" in api.sent_to(117)[0].text


@pytest.mark.slow
def test_answers_computed_in_a_worker_process(
    data_dir: Path, bot_api: tuple[FakeBotApi, str]
) -> None:
    api, base_url = bot_api

    # Opened as `newsbot bot` opens them with workers: the answering parts left unloaded.
    settings = make_settings(
        data_dir, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url, ANSWER_WORKERS="1"
    )
    services = open_services(settings, answering=False)

    async def scenario(application: Any) -> None:
        api.push_text(118, "Who did Arjun Mehra meet?")
        await wait(lambda: api.sent_to(118))
        answer = api.sent_to(118)[0]
        api.press(answer, answer.buttons[1]["callback_data"])  # More like this: a search
        await wait(lambda: len(api.sent_to(118)) == 2)
        api.push_text(119, "/start")  # example questions, each asked of the worker
        api.push_text(120, "/digest")  # its stories grouped by vectors the worker encodes
        await wait(lambda: api.sent_to(119) and api.sent_to(120))

    run_polling(services, scenario)
    answer, more = api.sent_to(118)
    assert "Sari Wulandari" in answer.text and more.text.startswith("1. ")
    (welcome,) = api.sent_to(119)
    assert "13</b> news articles" in welcome.html and len(welcome.buttons) == 3
    assert api.sent_to(120)[0].text
    assert not services.answers_loaded
