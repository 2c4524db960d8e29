"""The `newsbot` command line: the parser, and which command runs which function.

The commands themselves are in `bot/commands/`, by group: `ingest` (ingest, link, reindex,
encoder, status), `answers` (search, ask, chat, bot, run), `meetings`, `evaluation` (eval ...).
Each parses its arguments, calls one service and prints."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.commands.answers import ask, bot_command, chat_command, run, search
from bot.commands.evaluation import eval_answerability, eval_meetings, eval_multihop
from bot.commands.ingest import encoder, ingest, link, reindex, status
from bot.commands.meetings import meetings
from bot.logs import configure_logging

__all__ = ["app", "eval_app", "main"]

app = typer.Typer(
    help="Ask questions about news articles and get answers with citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug detail.")] = False,
) -> None:
    configure_logging(verbose)


# In this order in `newsbot --help`.
app.command()(ingest)
app.command()(link)
app.command()(search)
app.command()(ask)
app.command()(meetings)
app.command()(reindex)
app.command()(encoder)
app.command()(status)
app.command("chat")(chat_command)
app.command("bot")(bot_command)
app.command()(run)

eval_app = typer.Typer(
    help="Measure retrieval and answers on evaluation sets.", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")
eval_app.command("multihop")(eval_multihop)
eval_app.command("answerability")(eval_answerability)
eval_app.command("meetings")(eval_meetings)


def main() -> None:
    """Console-script entry point."""
    app()
