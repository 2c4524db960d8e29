"""The commands that answer: `search`, `ask`, the terminal `chat`, the Telegram `bot`, and
`run` (the bot when a token is set, otherwise the chat)."""

from __future__ import annotations

import io
import json
import sys
from typing import Annotated

import typer

from bot.commands.common import fail, input_lines, load_settings, open_or_fail, with_mode
from retrieval.errors import NewsbotError

__all__ = ["BOTFATHER_HELP", "ask", "bot_command", "chat_command", "run", "search"]

BOTFATHER_HELP = (
    "No TELEGRAM_BOT_TOKEN is set, so here is the terminal chat instead.\n"
    "To run the Telegram bot: talk to @BotFather in Telegram, send /newbot, and put the token it\n"
    "gives you in .env as TELEGRAM_BOT_TOKEN=..., then `make run` again."
)


def search(
    query: Annotated[str, typer.Argument(help="The query, or - to read one per line from stdin.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many passages.")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per query).")
    ] = False,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="hybrid, dense or lexical (default: the SEARCH_MODE setting).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Find the passages nearest in meaning to QUERY."""
    from bot.render import hits_as_text
    from retrieval.qa.search import search_json

    settings = load_settings()
    services = open_or_fail(with_mode(settings, mode) if mode else settings, create=False)
    try:
        for q in input_lines(query):
            if not q:
                continue
            hits = services.search(q, k)
            typer.echo(
                json.dumps(search_json(q, hits), ensure_ascii=False)
                if as_json
                else hits_as_text(hits)
            )
    finally:
        services.close()


def ask(
    question: Annotated[
        str, typer.Argument(help="The question, or - to read one per line from stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer as JSON (one object per line).")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show how the question was read and why.")
    ] = False,
) -> None:
    """Answer QUESTION from the articles, with numbered citations.

    Who / when / where questions about meetings are answered from the events found at ingest;
    other questions with the best sentences of the best passages. Questions read from stdin
    are answered in turn, each a follow-up of the one before only if it needs to be (a
    question without names, such as "And when?").
    """
    from bot.render import answer_as_text

    services = open_or_fail(load_settings(), create=False)
    batch = question == "-"
    previous = None
    try:
        for q in input_lines(question):
            if not q:
                continue
            answer = services.ask(q, previous=previous, explain=explain)
            previous = answer
            if as_json:
                typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))
                continue
            typer.echo(answer_as_text(answer))
            if explain:
                for line in answer.explanation:
                    typer.echo(f"  why: {line}")
            if batch:
                typer.echo("")
    finally:
        services.close()


def chat_command() -> None:
    """A terminal chat over the same retrieval service as the Telegram bot."""
    from bot.chat import chat

    if isinstance(sys.stdin, io.TextIOWrapper):
        # A line that is not UTF-8 is read with U+FFFD (what `input_lines` does for ask and
        # search), not a UnicodeDecodeError that ends the chat.
        sys.stdin.reconfigure(errors="replace")
    services = open_or_fail(load_settings())
    try:
        chat(services)
    finally:
        services.close()


def bot_command() -> None:
    """Run the Telegram bot (long polling). Needs TELEGRAM_BOT_TOKEN."""
    from bot.telegram import app as telegram

    settings = load_settings()
    if settings.telegram.token is None:
        raise fail("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
    # With answer workers, this process needs no model, index or spaCy of its own.
    services = open_or_fail(settings, answering=settings.telegram.workers == 0)
    try:
        telegram.run(services)
    except NewsbotError as exc:
        raise fail(str(exc)) from None
    finally:
        services.close()


def run() -> None:
    """The Telegram bot when TELEGRAM_BOT_TOKEN is set, otherwise the terminal chat."""
    if load_settings().telegram.token is not None:
        bot_command()
    else:
        typer.echo(BOTFATHER_HELP)
        chat_command()
