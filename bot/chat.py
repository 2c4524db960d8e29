"""`newsbot chat`: the same answer service as the bot, in a terminal."""

from __future__ import annotations

from collections.abc import Callable

from bot.render import answer_as_text
from retrieval.qa.answer import Answer
from retrieval.service import Services

__all__ = ["PROMPT", "chat"]

PROMPT = "newsbot> "


def chat(
    services: Services, read: Callable[[str], str] = input, write: Callable[[str], None] = print
) -> None:
    """Answer questions until end of input or `/quit`; each answer is the context of the next
    question (a follow-up such as "And when?"); `/reset` forgets it."""
    stats = services.store.stats()
    write(
        f"newsbot: {stats['articles']} articles, {stats['passages']} passages. "
        "Ask about the news; /reset to start over, /quit to leave."
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
        previous = services.ask(question, previous=previous)
        write(answer_as_text(previous))
