"""The part of docs/conversation.md about links sent to the bot and digests in groups and
channels (docs/conversation.py runs it after the conversation): an invented article served on
127.0.0.1, pages that are not articles, a group's digest set by its admin and refused to a
member, a channel's set from a private chat, and the bot removed from the group.

Invented text only; the page server is this module's own (docs/ never imports tests/)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.telegram.loopback import FakeBotApi, wait

__all__ = ["ARTICLE_PATH", "Step", "digests_in_groups", "links", "private_address", "serve_pages"]

ANN, BEN = 501, 502
GROUP, CHANNEL = -777, -1001777
ARTICLE_PATH = "/world/2025/04/03/reykjavik-fisheries-talks"
_TITLE = "Solvang and Delorme meet again in Reykjavik on fisheries"
_PARAGRAPHS = [
    "Norwegian Foreign Minister Ingrid Solvang met her Canadian counterpart Marc Delorme in "
    "Reykjavik on Wednesday for a second round of talks, this time on fisheries quotas in the "
    "North Atlantic.",
    "The two ministers spent most of the day with officials from the Icelandic coast guard, "
    "who briefed them on the movement of mackerel stocks towards colder waters and on the "
    "patrols that count the catch.",
    "Delorme said after the meeting that Canada would share its survey data with both Nordic "
    "governments from the summer, and Solvang said a working group would report back before "
    "the end of the year on a common approach to quotas.",
    "Fishing associations in the three countries welcomed the talks but asked to be heard "
    "before any quota is changed, saying that their members had already lost two seasons to "
    "the shifting stocks and to rising fuel costs.",
]
_PAGES = {
    ARTICLE_PATH: (
        "text/html; charset=utf-8",
        (
            f"<!doctype html><html><head><title>{_TITLE}</title>"
            '<meta property="og:site_name" content="Harbour Wire">'
            '<meta property="article:published_time" content="2025-04-03T09:00:00Z">'
            f"</head><body><article><h1>{_TITLE}</h1>"
            + "".join(f"<p>{p}</p>" for p in _PARAGRAPHS)
            + "</article></body></html>"
        ).encode(),
    ),
    "/reports/quota-review.pdf": ("application/pdf", b"%PDF-1.7\n%%EOF\n"),
    "/": (
        "text/html",
        (
            "<!doctype html><html><head><title>Harbour Wire</title></head><body><ul>"
            + "".join(f"<li><a href='/story/{n}'>Story {n}</a></li>" for n in range(20))
            + "</ul></body></html>"
        ).encode(),
    ),
}

Step = Callable[[str, Callable[[], Any], int], Awaitable[None]]


@contextmanager
def serve_pages() -> Iterator[str]:
    """The invented pages on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = _PAGES.get(self.path)
            if found is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", found[0])
            self.send_header("Content-Length", str(len(found[1])))
            self.end_headers()
            self.wfile.write(found[1])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def links(api: FakeBotApi, step: Step, base: str) -> None:
    """Ann sends an article's link, asks about it, then sends pages that are not articles."""
    await step(f"Ann sends a link: {base}{ARTICLE_PATH}",
               lambda: api.push_text(ANN, f"{base}{ARTICLE_PATH}"), ANN)  # fmt: skip
    await step("Ann: Where did they meet?", lambda: api.push_text(ANN, "Where did they meet?"), ANN)
    for path in ("/reports/quota-review.pdf", "/"):
        await step(f"Ann sends {base}{path}", lambda path=path: api.push_text(ANN, base + path),
                   ANN)  # fmt: skip


async def private_address(api: FakeBotApi, step: Step, base: str) -> None:
    """The same link with FETCH_ALLOW_PRIVATE off (the default): refused before any fetch."""
    await step(f"Ann sends {base}{ARTICLE_PATH} (FETCH_ALLOW_PRIVATE off, the default)",
               lambda: api.push_text(ANN, f"{base}{ARTICLE_PATH}"), ANN)  # fmt: skip


def _job(application: Any, chat_id: int) -> Any:
    return next(j for j in application.job_queue.jobs() if j.name == f"digest:{chat_id}")


async def digests_in_groups(api: FakeBotApi, application: Any, step: Step, out: list[str]) -> None:
    """A group's digest (its admin Ann; Ben, a member, is refused), a channel's, and the bot
    kicked from the group."""
    group = api.group(GROUP, "Newsroom")
    api.members.set(group, ANN, "creator", "Ann")
    api.members.set(group, BEN, "member", "Ben")
    channel = api.members.channel(CHANNEL, "harbour_morning", "Harbour morning")
    api.members.set(channel, ANN, "administrator", "Ann")
    await step("Ben, a member of the group: /subscribe 07:00 climate",
               lambda: api.push_text(group, "/subscribe 07:00 climate", user_id=BEN),
               GROUP)  # fmt: skip
    await step("Ann, the group's creator: /subscribe 07:00 -football (all news but football)",
               lambda: api.push_text(group, "/subscribe 07:00 -football", user_id=ANN),
               GROUP)  # fmt: skip
    job = _job(application, GROUP)
    application.bot_data.clock = lambda: job.next_t
    await step("07:00 UTC: the group's digest", lambda: asyncio.ensure_future(job.run(application)),
               GROUP)  # fmt: skip
    await step("Ann, privately: /subscribe @harbour_morning 08:00",
               lambda: api.push_text(ANN, "/subscribe @harbour_morning 08:00"), ANN)  # fmt: skip
    job = _job(application, CHANNEL)
    application.bot_data.clock = lambda: job.next_t
    await step("08:00 UTC: the channel's digest, posted in @harbour_morning",
               lambda: asyncio.ensure_future(job.run(application)), CHANNEL)  # fmt: skip
    ended: list[str] = []
    handler = _Collect(ended)
    logging.getLogger("bot.telegram.digests").addHandler(handler)
    try:
        api.kick(GROUP, by=ANN)
        await wait(lambda: bool(ended), timeout=30)
    finally:
        logging.getLogger("bot.telegram.digests").removeHandler(handler)
    out.append("### Ann removes the bot from the group\n")
    out.append("Telegram sends the bot a my_chat_member update; the bot's log says:\n")
    out.append(f"```\n{ended[0]}\n```\n")


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(f"WARNING {record.name}: {record.getMessage()}")
