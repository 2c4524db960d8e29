"""`newsbot chat`: the same answer service as the bot, in a terminal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.render import answer_as_text
from bot.render_timeline import timeline_text
from retrieval.qa.answer import Answer
from retrieval.qa.timeline_questions import read_meetings_args, read_timeline_question
from retrieval.service import Services

__all__ = ["PROMPT", "chat"]

PROMPT = "newsbot> "


def chat(
    services: Services, read: Callable[[str], str] = input, write: Callable[[str], None] = print
) -> None:
    """Answer questions until end of input or `/quit`; each answer is the context of the next
    question (a follow-up such as "And when?"); `/reset` forgets it. `/meetings NAME` and
    the questions that ask for someone's meetings get the list, as in the bot."""
    stats = services.store.stats()
    write(
        f"newsbot: {stats['articles']} articles, {stats['passages']} passages. "
        "Ask about the news; /meetings NAME lists someone's meetings; /reset to start over, "
        "/quit to leave."
    )
    previous: Answer | None = None
    while True:
        try:
            question = read(PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if question in ("/quit", "/exit", "quit", "exit"):
            return
        if not question:
            continue
        if question == "/reset":
            previous = None
            write("Forgotten; ask away.")
            continue
        today = datetime.now(UTC).date()
        if question.startswith("/meetings"):
            listing = read_meetings_args(question.removeprefix("/meetings"), today)
            if listing is None:
                write("Usage: /meetings NAME [PERIOD], e.g. /meetings Odile Varga since March")
                continue
        else:
            listing = read_timeline_question(question, today)
        if listing is not None:
            # "Whom has X met?": every meeting, as the bot's /meetings lists them.
            write(timeline_text(services.timeline(listing)))
            continue
        previous = services.ask(question, previous=previous)
        write(answer_as_text(previous))
