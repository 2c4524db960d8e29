"""A small, strict Bot API server on loopback: enough of Telegram's HTTP protocol for the bot's
tests and benchmark, rejecting what Telegram rejects with Telegram's error texts.

It speaks the real protocol to python-telegram-bot's real HTTP client (run.py serves it over
HTTP): the state and the methods are in api.py (`BotApi`), the chats' members in members.py,
the checks and error texts in rules.py, the messages' JSON in messages.py. This module adds
what users do (private and group chats, commands and mentions with their entities, replies,
callback queries, inline queries) and what tests control: faults injected (429 with
retry_after, 5xx, a timeout: the call carried out, its answer late; a chat that blocked the
bot: 403) on the next calls of a method (`fail`) or on a seeded fraction of all calls
(`Faults`, bot/telegram/loopback/faults.py), and waits for what the bot sent.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from bot.telegram.loopback.api import BotApi
from bot.telegram.loopback.faults import TIMEOUT, Faults, Late
from bot.telegram.loopback.messages import Sent, entities
from bot.telegram.loopback.rules import error_answer

__all__ = ["FakeBotApi"]


class FakeBotApi(BotApi):
    """The fake server: queued updates in, sent messages out, faults to inject."""

    # -- what users do ---------------------------------------------------------------------

    def private(self, user_id: int, name: str = "Ann") -> dict[str, Any]:
        """A private chat with a user (its id is the user's)."""
        return {"id": user_id, "type": "private", "first_name": name}

    def group(self, chat_id: int, title: str = "News desk") -> dict[str, Any]:
        """A group chat (negative id)."""
        return {"id": chat_id, "type": "group", "title": title}

    def push_text(
        self,
        chat: int | dict[str, Any],
        text: str,
        user_id: int | None = None,
        reply_to: Sent | None = None,
    ) -> dict[str, Any]:
        """Queue a message from a user; commands, @mentions and URLs (with a scheme) carry
        their entities, as Telegram adds them. An int chat is a private chat with that user."""
        chat = self.private(chat) if isinstance(chat, int) else chat
        user_id = user_id if user_id is not None else chat["id"]
        found = entities(text)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "User"},
            "text": text,
        }
        if found:
            message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = self._as_message(reply_to)
        self._queue({"message": message}, chat)
        return message

    def press(self, sent: Sent, data: str, user_id: int | None = None) -> str:
        """Queue a callback query: a user pressed the button with `data` under `sent`."""
        if data not in [b.get("callback_data") for b in sent.buttons]:
            raise AssertionError(f"no button with callback_data {data!r} under that message")
        query_id = str(next(self._ids) * 7919)
        chat = self.chats[sent.chat_id]
        query = {
            "id": query_id,
            "from": {"id": user_id or sent.chat_id, "is_bot": False, "first_name": "User"},
            "message": self._as_message(sent),
            "chat_instance": f"ci{sent.chat_id}",
            "data": data,
        }
        with self._lock:
            self._pending_queries.add(query_id)
        self._queue({"callback_query": query}, chat)
        return query_id

    def push_inline(self, user_id: int, query: str, chat_type: str = "private") -> str:
        """Queue an inline query ("@bot query" typed in a chat of `chat_type`); its id."""
        query_id = str(next(self._ids) * 104729)
        inline = {
            "id": query_id,
            "from": {"id": user_id, "is_bot": False, "first_name": "User"},
            "query": query,
            "offset": "",
            "chat_type": chat_type,
        }
        with self._lock:
            self._inline_sent[query_id] = time.monotonic()
            self.updates.append({"update_id": next(self._ids), "inline_query": inline})
            self._lock.notify_all()
        return query_id

    def _queue(self, body: dict[str, Any], chat: dict[str, Any]) -> None:
        with self._lock:
            self.chats[chat["id"]] = chat
            self.updates.append({"update_id": next(self._ids), **body})
            self._lock.notify_all()

    # -- what tests control ----------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int | str,
        times: int = 1,
        retry_after: int = 1,
        delay: float = 16.0,
    ) -> None:
        """Make the next `times` calls of `method` fail: 429 with retry_after, a 5xx, or
        TIMEOUT (carried out, answered `delay` seconds late)."""
        error = Late(delay) if status == TIMEOUT else error_answer(int(status), retry_after)
        with self._lock:
            self._faults.setdefault(method, []).extend([error] * times)

    def inject(self, faults: Faults | None) -> None:
        """From now on, fail a seeded fraction of the calls (None: no more)."""
        with self._lock:
            self.faults = faults

    def close(self) -> None:
        """Answer every late call now (the server is stopping)."""
        self._closing.set()

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to that chat get 403."""
        self.blocked.add(chat_id)

    def kick(self, chat_id: int, by: int, notify: bool = True) -> None:
        """A group's or channel's admin `by` removed the bot: its sends there get 403 and,
        with `notify`, the bot gets the my_chat_member update Telegram sends it."""
        update = self.members.kick(chat_id, by)
        if notify:
            self._queue({"my_chat_member": update}, update["chat"])

    def wait_sent(self, count: int, timeout: float = 30.0) -> list[Sent]:
        """Block until at least `count` messages were sent; returns them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.sent) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"only {len(self.sent)} of {count} messages sent")
                self._lock.wait(left)
            return list(self.sent)

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> None:
        """Block until predicate(self) is true."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("condition not met in time")
                self._lock.wait(min(left, 0.1))

    def sent_to(self, chat_id: int) -> list[Sent]:
        """Messages sent to one chat, in order."""
        with self._lock:
            return list(self._sent_by_chat.get(chat_id, ()))

    def arrival(self, chat_id: int) -> threading.Event:
        """An event set whenever a message is sent to the chat (clear it, then act, then wait:
        cheaper than `wait_for` when many threads each wait for their own chat)."""
        with self._lock:
            return self._arrivals.setdefault(chat_id, threading.Event())

    def count_sent(self, chat_id: int) -> int:
        """How many messages were sent to one chat."""
        with self._lock:
            return len(self._sent_by_chat.get(chat_id, ()))
