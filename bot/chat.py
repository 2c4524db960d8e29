"""`newsbot chat`: the same retrieval service as the bot, in a terminal."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import Services
from bot.render import hits_as_text

PROMPT = "newsbot> "


def chat(
    services: Services, read: Callable[[str], str] = input, write: Callable[[str], None] = print
) -> None:
    """Answer questions until end of input or `/quit`."""
    stats = services.store.stats()
    write(
        f"newsbot: {stats['articles']} articles, {stats['passages']} passages. "
        "Ask about the news; /quit to leave."
    )
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
        write(hits_as_text(services.searcher.search(question, k=3)))
