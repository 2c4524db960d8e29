"""Write docs/conversation.md: a real conversation with the bot, through the local Bot API
server, showing the HTML it sent and what a user sees.

The bot is the real one (python-telegram-bot's Application and HTTP client, the bundled
MiniLM model, spaCy) on the sample articles in samples/articles; the server is the strict fake
in bot/telegram/loopback/, which would have refused any message Telegram refuses.

    .venv/bin/python docs/conversation.py > docs/conversation.md
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.logs import configure_logging  # noqa: E402
from bot.telegram.loopback import (  # noqa: E402
    BOT,
    FakeBotApi,
    Sent,
    polling,
    sample_services,
    serve,
    visible_text,
    wait,
)
from docs import conversation_links  # noqa: E402

TIMELINE = ROOT / "samples" / "timeline"
TOKEN = "4242:DOCS"
ANN = 501
GROUP = -777


def show(sent: Sent) -> str:
    """One bot message: the HTML sent, its buttons, and the text as a user sees it."""
    lines = ["```html", sent.html, "```"]
    if sent.buttons:
        labels = " · ".join(f"[{b['text']}] `{b['callback_data']}`" for b in sent.buttons)
        lines.append(f"Buttons: {labels}")
    quoted = "\n".join(f"> {line}" if line else ">" for line in sent.text.splitlines())
    lines += ["", "As shown:", "", quoted, ""]
    return "\n".join(lines)


async def _step(
    api: FakeBotApi, out: list[str], title: str, act: Callable[[], Any], chat: int, replies: int
) -> None:
    """Do something as a user, wait for the bot's replies, show them under `title`."""
    before = api.count_sent(chat)
    act()
    await wait(lambda: api.count_sent(chat) >= before + replies, timeout=120)
    await asyncio.sleep(0.2)
    out.append(f"### {title}\n")
    for sent in api.sent_to(chat)[before:]:
        out.append(show(sent))


async def _press_edit(api: FakeBotApi, out: list[str], title: str, sent: Sent, text: str) -> None:
    """Press the button labelled `text` under `sent`; show the message as the bot edits it."""
    data = next(b["callback_data"] for b in sent.buttons if b["text"] == text)
    before = sent.edits
    api.press(sent, data)
    await wait(lambda: sent.edits > before, timeout=60)
    out.append(f"### {title}\n")
    out.append("The bot edits the message in place:\n")
    out.append(show(sent))


async def inline_mode(api: FakeBotApi, out: list[str]) -> None:
    """An inline query, and the results the bot answers it with."""
    question = "where did Elena Brandt meet Kenji Arakawa?"
    query_id = api.push_inline(ANN, question)
    await wait(lambda: query_id in api.inline_answers, timeout=60)
    answer = api.inline_answers[query_id]
    out.append("## Inline mode\n")
    out.append(
        "Switched on for the bot with @BotFather's `/setinline`. In any chat, Ann types "
        f"`@{BOT['username']} {question}`; the bot answers the inline query within its "
        "7-second budget with these results (Telegram shows the title and description; "
        "tapping one sends its message into the chat):\n"
    )
    for n, result in enumerate(answer["results"], 1):
        content = result["input_message_content"]
        out.append(f"### Result {n}: {result['title']}\n")
        out.append(f"Description: {result['description']}\n")
        out.append("\n".join(["```html", content["message_text"], "```", ""]))
        shown = visible_text(content["message_text"])
        out.append("As sent:\n\n" + "\n".join(f"> {line}" for line in shown.splitlines()) + "\n")


async def timelines(api: FakeBotApi, out: list[str]) -> None:
    """Meeting timelines: paging, a shared surname asked back, the questions for a list."""
    out.append("## Meeting timelines\n")
    out.append(
        "On the invented articles of `samples/timeline` (fourteen reports of 2025 on one foreign "
        "minister's meetings). Several outlets on one meeting are one line citing each; ◀ ▶ "
        "edit the message in place, and work after a restart (the request is in the question "
        "log, and the button says which page and which person).\n"
    )

    async def say(text: str) -> Sent:
        await _step(api, out, f"Ann: {text}", lambda: api.push_text(ANN, text), ANN, 1)
        return api.sent_to(ANN)[-1]

    first = await say("/meetings Odile Varga")
    await _press_edit(api, out, "Ann taps ▶", first, "▶")
    asked = await say("Whom has Kovacs met?")
    await _press_edit(api, out, "Ann taps “Anna Kovacs (Finance Minister)”", asked,
                      "Anna Kovacs (Finance Minister)")  # fmt: skip
    await say("Who did Varga meet in November 2025?")
    await say("Has Odile Varga met Elena Quispe in 2025?")


def stepper(
    api: FakeBotApi, out: list[str]
) -> Callable[[str, Callable[[], Any], int], Awaitable[None]]:
    """A step of the conversation: do something, wait for the bot's reply in `chat`, show it."""

    async def step(title: str, act: Callable[[], Any], chat: int = ANN, replies: int = 1) -> None:
        await _step(api, out, title, act, chat, replies)

    return step


async def converse(api: FakeBotApi, out: list[str]) -> None:
    """The scripted conversation; each step waits for the bot's reply."""
    group = api.group(GROUP, "Newsroom")
    step = stepper(api, out)

    def last(chat: int = ANN) -> Sent:
        return api.sent_to(chat)[-1]

    async def say(text: str, note: str = "") -> None:
        await step(f"Ann: {text}{note}", lambda: api.push_text(ANN, text))

    await step("/start", lambda: api.push_text(ANN, "/start"))
    welcome = last()
    first = welcome.buttons[0]
    await step(
        f"Ann taps the example “{first['text']}”",
        lambda: api.press(welcome, first["callback_data"]),
    )
    await step(
        "Ann: Who did Arjun Mehra meet?", lambda: api.push_text(ANN, "Who did Arjun Mehra meet?")
    )
    await step("Ann: When?", lambda: api.push_text(ANN, "When?"))
    answer = last()
    await step("Ann: And where?", lambda: api.push_text(ANN, "And where?"))
    await step("Ann taps 📄 Sources under the “When?” answer",
               lambda: api.press(answer, answer.buttons[0]["callback_data"]))  # fmt: skip
    await step("Ann taps 🔎 More like this",
               lambda: api.press(answer, answer.buttons[1]["callback_data"]))  # fmt: skip
    before = answer.edits
    api.press(answer, answer.buttons[2]["callback_data"])
    await wait(lambda: answer.edits > before)
    out.append("### Ann taps 👍\n")
    out.append("The bot answers the callback (“Thanks for the feedback!”) and ticks the button:\n")
    out.append(show(answer))
    await say("What did the central bank decide about interest rates?")
    await say("Did Ingrid Solvang meet Marc Delorme?")
    await say("Did Grace Mulenga meet Marc Delorme?", " (the articles never say so)")
    await say("/sources")
    await say("/latest")
    await say("/stats", " (Ann is not an admin)")
    out.append("## In a group\n")
    out.append("Chatter is ignored; a mention, a reply to the bot or /ask is answered.\n")
    api.push_text(group, "Anyone watching the cup tonight?", user_id=ANN)
    at = "@" + BOT["username"]
    await step(
        f"Ann, in the group: {at} where did Elena Brandt meet Kenji Arakawa?",
        lambda: api.push_text(
            group, f"{at} where did Elena Brandt meet Kenji Arakawa?", user_id=ANN
        ),
        chat=GROUP,
    )
    answer = last(GROUP)
    await step(
        "Ben replies to the bot's answer: and when?",
        lambda: api.push_text(group, "and when?", user_id=ANN + 1, reply_to=answer),
        chat=GROUP,
    )


def main() -> None:
    configure_logging()
    out: list[str] = []
    # Links: anyone may send one here, and the invented pages are served on 127.0.0.1.
    extra = {"LINK_INGEST": "everyone", "FETCH_ALLOW_PRIVATE": "true"}
    with (
        serve(TOKEN) as (api, base_url),
        sample_services(TOKEN, base_url, **extra) as services,
        conversation_links.serve_pages() as pages,
    ):
        step = stepper(api, out)

        async def run() -> None:
            async with polling(services) as application:
                await converse(api, out)
                await inline_mode(api, out)
                out.append(LINKS)
                await conversation_links.links(api, step, pages)
            # The same bot and store with the default FETCH_ALLOW_PRIVATE=false.
            strict = dataclasses.replace(
                services,
                settings=services.settings.model_copy(update={"fetch_allow_private": False}),
            )
            async with polling(strict):
                await conversation_links.private_address(api, step, pages)
            async with polling(services) as application:
                out.append(GROUPS)
                await conversation_links.digests_in_groups(api, application, step, out)

        asyncio.run(run())
        called = {c for c in api.calls if c != "getUpdates"}
    with serve(TOKEN) as (api, base_url), sample_services(TOKEN, base_url, TIMELINE) as services:

        async def run_timelines() -> None:
            async with polling(services):
                await timelines(api, out)

        asyncio.run(run_timelines())
        calls = sorted({c for c in api.calls if c != "getUpdates"} | called)
    print(HEADER)
    print("\n".join(out))
    print(f"Bot API methods the bot called: {', '.join(calls)}.")


HEADER = """\
# A conversation with newsbot

Generated by `docs/conversation.py` (`.venv/bin/python docs/conversation.py >
docs/conversation.md`): the real bot — python-telegram-bot's Application and HTTP client, the
bundled MiniLM model, spaCy — on the twelve sample articles in `samples/articles`, talking to
the strict local Bot API server of the tests (`bot/telegram/loopback/`), which refuses
whatever Telegram refuses (bad HTML, over-long or empty text, oversized button data). Each
reply is shown as the HTML the bot sent (parse mode HTML) and as the text a user sees. The
sample articles and their sites are invented for the project; their links lead nowhere.

Note how dates are read: an article of Tuesday 28 Jan 2025 that says “yesterday” means
27 January 2025; an announcement is reported as “was due to”, and a later report of the same
meeting is cited beside it.

The last sections show inline mode (on the same sample articles) and meeting timelines, on
the fourteen invented articles of `samples/timeline`.
"""

LINKS = """\
## Links

Sent in a private chat, a news link is fetched and stored, and later follow-ups look in that
article first. (This conversation runs with `LINK_INGEST=everyone`, since Ann is no admin, and
`FETCH_ALLOW_PRIVATE=true`: the invented pages are served on 127.0.0.1.)
"""

GROUPS = """\
## Digests in a group and a channel

Ann created the group "Newsroom", where Ben is a member, and is an admin of the channel
@harbour_morning, where the bot is an admin too. The bot's clock is set to each delivery.
"""

if __name__ == "__main__":
    main()
