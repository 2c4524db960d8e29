"""The bot's typed state and the callback context every handler receives.

`BotData` is `application.bot_data` (python-telegram-bot creates it, empty, through
`ContextTypes`): the services and where answers are computed, attached once by
`bot.telegram.app.build`, and the little state the handlers and jobs share, each a typed
field rather than a string key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.telegram.inline_cache import InlineCache
from bot.telegram.memory import Turns
from bot.telegram.workers import Answers
from retrieval.service import Services

__all__ = ["DIGEST_SENDS", "LINK_FETCHES", "BotApplication", "BotData", "Context", "utc_now"]

# Digests being sent at once (claimed in the delivery log and not yet recorded as sent): the
# most a kill can lose, since a claimed digest is never sent again. Four sends in flight
# already go faster than Telegram's 30 messages a second at a ~100 ms round trip.
DIGEST_SENDS = 4
# Links added at once: each child loads the model and spaCy (a few hundred MB); more would
# only share the same two cores.
LINK_FETCHES = 2


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(eq=False)
class BotData:
    """What the handlers and jobs of one bot process share."""

    # Attached by `attach` before the bot starts (PTB builds this object with no arguments).
    services: Services = field(init=False)
    answers: Answers = field(init=False)
    # Each chat's previous turn, for follow-up questions (in the database: `attach`).
    turns: Turns = field(init=False)
    # The clock digests and feed polls go by; tests set another.
    clock: Callable[[], datetime] = field(default=utc_now)
    # One /ingest and one feed poll at a time.
    ingesting: bool = False
    polling_feeds: bool = False
    # The example questions of /start, with the database state they were worked out for.
    examples: tuple[object, list[str]] | None = None
    # Links being added at once, each in a child process (bot/telegram/links.py).
    link_fetches: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(LINK_FETCHES))
    # Inline answers by query, for a few minutes (bot/telegram/inline.py).
    inline: InlineCache = field(default_factory=InlineCache)
    # Held from a digest's claim until its send is recorded (bot/telegram/digests.py).
    digest_sends: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(DIGEST_SENDS))

    def attach(self, services: Services, answers: Answers) -> None:
        """Give the bot its services and where its answers are computed."""
        self.services = services
        self.answers = answers
        self.turns = Turns(services.chat_turns())


BotApplication = Application[Any, Any, Any, Any, BotData, Any]


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context handlers receive, with typed access to what they share."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        """Store, search and answers, built once at start-up."""
        return self.bot_data.services

    @property
    def answers(self) -> Answers:
        """Where answers are computed: threads, or worker processes."""
        return self.bot_data.answers

    @property
    def turns(self) -> Turns:
        """Each chat's previous answer, for follow-up questions."""
        return self.bot_data.turns
