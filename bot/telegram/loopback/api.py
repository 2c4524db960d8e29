"""The Bot API as the bot sees it: the state Telegram keeps for one bot (updates waiting, chats,
messages sent, queries to answer, commands, webhook) and the methods the bot calls, answered or
refused as Telegram does (the checks and the texts are in bot/telegram/loopback/rules.py; the
members' methods in members.py). `handle` answers one call, injecting the fault due, if any.

Methods: getMe, long-polled getUpdates, sendMessage (parse mode HTML checked, length counted
after parsing, inline keyboards checked), editMessageText / editMessageReplyMarkup,
answerCallbackQuery, answerInlineQuery (results checked, each query answered once within ten
seconds), sendChatAction, setMyCommands, setWebhook / deleteWebhook / getWebhookInfo, close;
getChat, getChatMember, getChatAdministrators (members.py). What users do and what tests control
is in server.py (`FakeBotApi`)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.telegram.loopback.faults import TIMEOUT, Faults, Late
from bot.telegram.loopback.members import ChatMembers, kicked_text
from bot.telegram.loopback.messages import BOT, Sent, bot_message
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

__all__ = ["BotApi"]


class BotApi:
    """The fake's state, and its answer to each Bot API call (`handle`)."""

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
        return bot_message(sent, self.chats[sent.chat_id])

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
            self._arrivals.setdefault(sent.chat_id, threading.Event()).set()
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
