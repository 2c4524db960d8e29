"""The typed callback context of every handler: the services live in `bot_data`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.telegram.memory import Turns
from bot.telegram.workers import Answers
from retrieval.service import Services


class BotData(dict[str, Any]):
    """`application.bot_data`: the process's services and the chats' last answers."""


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
        services: Services = self.bot_data["services"]
        return services

    @property
    def answers(self) -> Answers:
        """Where answers are computed: threads, or worker processes."""
        answers: Answers = self.bot_data["answers"]
        return answers

    @property
    def turns(self) -> Turns:
        """Each chat's previous answer, for follow-up questions."""
        turns: Turns = self.bot_data["turns"]
        return turns
