"""What the fake Bot API's messages look like in JSON: the bot's own user (`BOT`), a message
the bot sent (`Sent`), a message as an update carries it, and the entities Telegram adds to a
user's text (commands, @mentions, URLs)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from bot.telegram.loopback.parse import utf16_len

__all__ = ["BOT", "Sent", "bot_message", "entities"]

BOT: dict[str, Any] = {
    "id": 1000,
    "is_bot": True,
    "first_name": "newsbot",
    "username": "newsbot_test_bot",
}


@dataclass
class Sent:
    """A message the bot sent (or edited): what it asked for and what a user sees."""

    message_id: int
    chat_id: int
    html: str
    text: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    edits: int = 0

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row after row."""
        markup = self.params.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


def bot_message(sent: Sent, chat: dict[str, Any]) -> dict[str, Any]:
    """`sent` as Telegram returns it (and quotes it in a reply or a callback query)."""
    message: dict[str, Any] = {
        "message_id": sent.message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": BOT,
        "text": sent.text,
    }
    if sent.params.get("reply_markup"):
        message["reply_markup"] = sent.params["reply_markup"]
    if sent.edits:
        message["edit_date"] = int(time.time())
    return message


def entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram adds to a user's text: commands, @mentions (at a word's start)
    and URLs with a scheme, in order, offsets and lengths in UTF-16 code units."""
    found = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for kind, pattern in (
            ("bot_command", r"(?<!\S)/\w+(@\w+)?"),
            ("mention", r"@\w+"),
            ("url", r"(?<!\S)(?:https?|ftp)://\S+"),
        )
        for m in re.finditer(pattern, text)
        if not (kind == "mention" and m.start() > 0 and text[m.start() - 1] not in " \n")
    ]
    return sorted(found, key=lambda e: e["offset"])
