"""A small, strict Bot API server on loopback: enough of Telegram's HTTP protocol for the bot's
tests and benchmark, rejecting what Telegram rejects with Telegram's error texts (the checks
and the texts are in bot/telegram/loopback/rules.py; this module keeps the state).

It speaks the real protocol to python-telegram-bot's real HTTP client: long-polled getUpdates,
sendMessage (parse mode HTML checked, length counted after parsing, inline keyboards checked),
editMessageText / editMessageReplyMarkup, answerCallbackQuery, answerInlineQuery (results
checked, each query answered once within ten seconds), sendChatAction, setWebhook,
setMyCommands; getChat, getChatMember, getChatAdministrators (members.py). Private and group
chats, channels, commands and mentions with their entities, replies, callback queries, inline
queries. Faults can be injected: 429 with retry_after, 5xx, a timeout (the call carried out,
its answer late) and a chat that blocked the bot (403), on the next calls of a method (`fail`)
or on a seeded fraction of all calls (`Faults`, bot/telegram/loopback/faults.py).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.telegram.loopback.faults import TIMEOUT, Faults, Late
from bot.telegram.loopback.members import ChatMembers, kicked_text
from bot.telegram.loopback.parse import utf16_len
from bot.telegram.loopback.rules import (
    INLINE_ANSWER_SECONDS,
    NOT_MODIFIED,
    QUERY_INVALID,
    ApiError,
    check_chat_action,
    check_commands,
    check_inline_answer,
    check_markup,
    check_webhook,
    error_answer,
    message_text,
)

__all__ = ["BOT", "FakeBotApi", "Sent"]

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


class FakeBotApi:
    """State of the fake server: queued updates in, sent messages out, faults to inject."""

    def __init__(self, token: str = "123:TEST", faults: Faults | None = None) -> None:
        self.token = token
        self.faults = faults
        # Every fault answered: (method, chat_id or None, kind), for the tests' counts.
        self.injected: list[tuple[str, Any, int | str]] = []
        # Called with each delivered message before the bot gets its answer (a test's hook).
        self.on_send: Callable[[Sent], None] | None = None
        self.updates: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self._sent_by_chat: dict[int, list[Sent]] = {}
        self._arrivals: dict[int, threading.Event] = {}
        self.calls: list[str] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.webhook: dict[str, Any] = {}
        self.commands: list[dict[str, Any]] = []
        self.members = ChatMembers(self.chats, BOT)
        self.callback_answers: dict[str, dict[str, Any]] = {}
        # Inline queries: when each was sent (monotonic), and the answers, by query id.
        self._inline_sent: dict[str, float] = {}
        self.inline_answers: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, list[ApiError | Late]] = {}
        self._call_counts: dict[tuple[str, Any], int] = {}
        self._closing = threading.Event()
        self._pending_queries: set[str] = set()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(5000)
        self._lock = threading.Condition()

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
        entities = [
            {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
            for kind, pattern in (
                ("bot_command", r"(?<!\S)/\w+(@\w+)?"),
                ("mention", r"@\w+"),
                ("url", r"(?<!\S)(?:https?|ftp)://\S+"),
            )
            for m in re.finditer(pattern, text)
            if not (kind == "mention" and m.start() > 0 and text[m.start() - 1] not in " \n")
        ]
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "User"},
            "text": text,
        }
        if entities:
            message["entities"] = sorted(entities, key=lambda e: e["offset"])
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

    # -- the protocol ----------------------------------------------------------------------

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        fault = self._fault(method, params, draw=token == self.token)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if isinstance(fault, ApiError):
                raise fault
            handler = getattr(self, f"_api_{method}", None) or getattr(
                self.members, f"api_{method}", None
            )
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            answer: tuple[int, Any] = 200, {"ok": True, "result": handler(params)}
        except ApiError as error:
            answer = error.status, error.payload()
        if isinstance(fault, Late):
            # Done, as Telegram does with a request it received; the answer is late.
            self._closing.wait(fault.delay)
        return answer

    def _fault(self, method: str, params: dict[str, Any], draw: bool) -> ApiError | Late | None:
        """The fault for this call: the next one `fail` queued, else the seeded draw."""
        chat_id = params.get("chat_id") or params.get("callback_query_id")
        with self._lock:
            self.calls.append(method)
            queued = self._faults.get(method)
            fault: ApiError | Late | None = queued.pop(0) if queued else None
            key = (method, str(chat_id) if chat_id is not None else None)
            n = self._call_counts[key] = self._call_counts.get(key, -1) + 1
            if fault is None and self.faults is not None and draw:
                kind = self.faults.pick(method, key[1], n)
                if kind == TIMEOUT:
                    fault = Late(self.faults.delay)
                elif kind is not None:
                    fault = error_answer(int(kind), self.faults.retry_after)
            if fault is not None:
                kind = fault.status if isinstance(fault, ApiError) else TIMEOUT
                self.injected.append((method, key[1], kind))
        return fault

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self.members.resolve(params.get("chat_id"))
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if self.members.removed(chat_id):
            raise ApiError(403, kicked_text(self.chats[chat_id]))
        return self.chats[chat_id]

    def _as_message(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self.chats[sent.chat_id],
            "from": BOT,
            "text": sent.text,
        }
        if sent.params.get("reply_markup"):
            message["reply_markup"] = sent.params["reply_markup"]
        if sent.edits:
            message["edit_date"] = int(time.time())
        return message

    def _api_getMe(self, params: dict[str, Any]) -> Any:
        return BOT

    def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + timeout
        with self._lock:
            # As Telegram does: an offset confirms every earlier update, which is then gone
            # for good (a restarted bot does not see it again).
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while True:
                fresh = [u for u in self.updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if fresh or left <= 0:
                    return fresh[: int(params.get("limit") or 100)]
                self._lock.wait(left)

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(params)
            raw, text = message_text(params)
            sent = Sent(next(self._message_ids), chat["id"], raw, text, params)
            self.sent.append(sent)
            self._sent_by_chat.setdefault(sent.chat_id, []).append(sent)
            self.arrival(sent.chat_id).set()
            self._lock.notify_all()
            message = self._as_message(sent)
        if self.on_send is not None:
            self.on_send(sent)
        return message

    def _edited(self, params: dict[str, Any]) -> Sent:
        self._chat(params)
        for sent in self.sent:
            if sent.message_id == int(params.get("message_id") or 0):
                return sent
        raise ApiError(400, "Bad Request: message to edit not found")

    def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        with self._lock:
            sent = self._edited(params)
            raw, text = message_text(params)
            if raw == sent.html and params.get("reply_markup") == sent.params.get("reply_markup"):
                raise ApiError(400, NOT_MODIFIED)
            sent.html, sent.text, sent.params, sent.edits = raw, text, params, sent.edits + 1
            self._lock.notify_all()
            return self._as_message(sent)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        with self._lock:
            sent = self._edited(params)
            check_markup(params.get("reply_markup"))
            if params.get("reply_markup") == sent.params.get("reply_markup"):
                raise ApiError(400, NOT_MODIFIED)
            sent.params = {**sent.params, "reply_markup": params.get("reply_markup")}
            sent.edits += 1
            self._lock.notify_all()
            return self._as_message(sent)

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        with self._lock:
            query_id = str(params.get("callback_query_id"))
            if query_id not in self._pending_queries:
                raise ApiError(400, QUERY_INVALID)
            if len(str(params.get("text") or "")) > 200:
                raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
            self._pending_queries.discard(query_id)
            self.callback_answers[query_id] = params
            self._lock.notify_all()
        return True

    def _api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        with self._lock:
            query_id = str(params.get("inline_query_id"))
            sent = self._inline_sent.get(query_id)
            # Answered once only, and within Telegram's wait.
            if sent is None or time.monotonic() - sent > INLINE_ANSWER_SECONDS:
                raise ApiError(400, QUERY_INVALID)
            check_inline_answer(params)
            del self._inline_sent[query_id]
            self.inline_answers[query_id] = {**params, "after": time.monotonic() - sent}
            self._lock.notify_all()
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        with self._lock:
            self._chat(params)
        check_chat_action(params.get("action"))
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        check_commands(params.get("commands") or [])
        self.commands = list(params.get("commands") or [])
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        check_webhook(url, secret)
        self.webhook = {"url": url, "secret_token": secret}
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}  # fmt: skip

    def _api_close(self, params: dict[str, Any]) -> Any:
        return True
