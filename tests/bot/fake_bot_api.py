"""A small, strict Bot API server on loopback: enough of Telegram's HTTP protocol for the bot's
tests, rejecting what Telegram rejects (bad HTML in parse mode HTML, empty or over-long text)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "blockquote", "tg-spoiler", "span", "tg-emoji"}  # fmt: skip


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.error = f'Unexpected end tag "{tag}"'

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.error = f'Unsupported entity "&{name};"'


def html_error(text: str) -> str | None:
    """Telegram's complaint about text in parse mode HTML, or None."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.error:
        return checker.error
    if checker.stack:
        return f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
    return None


class FakeBotApi:
    """State of the fake server: queued updates in, sent messages out."""

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self._next_update = 1
        self._lock = threading.Condition()

    def push_text(self, chat_id: int, text: str) -> None:
        """Queue a private-chat message from user chat_id (commands carry their entity)."""
        message: dict[str, Any] = {}
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        with self._lock:
            self.updates.append(
                {
                    "update_id": self._next_update,
                    "message": {
                        "message_id": self._next_update,
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private", "first_name": "Ann"},
                        "from": {"id": chat_id, "is_bot": False, "first_name": "Ann"},
                        "text": text,
                        **message,
                    },
                }
            )
            self._next_update += 1
            self._lock.notify_all()

    def wait_sent(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Block until `count` messages were sent."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.sent) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"only {len(self.sent)} of {count} messages sent")
                self._lock.wait(left)
            return list(self.sent)

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append(method)
        if method == "getMe":
            bot = {"id": 1, "is_bot": True, "first_name": "newsbot", "username": "newsbot_test_bot"}
            return 200, {"ok": True, "result": bot}
        if method in ("deleteWebhook", "sendChatAction", "close", "logOut"):
            return 200, {"ok": True, "result": True}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                if not [u for u in self.updates if u["update_id"] >= offset]:
                    self._lock.wait(min(float(params.get("timeout") or 0), 0.5))
                fresh = [u for u in self.updates if u["update_id"] >= offset]
            return 200, {"ok": True, "result": fresh}
        if method == "sendMessage":
            text = str(params.get("text") or "")
            if not text.strip():
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                }
            if len(text) > 4096:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message is too long",
                }
            if params.get("parse_mode") == "HTML" and (error := html_error(text)):
                description = f"Bad Request: can't parse entities: {error}"
                return 400, {"ok": False, "error_code": 400, "description": description}
            with self._lock:
                message = {
                    "message_id": 1000 + len(self.sent),
                    "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "text": text,
                }
                self.sent.append({**params, "text": text})
                self._lock.notify_all()
            return 200, {"ok": True, "result": message}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


@contextmanager
def serve() -> Iterator[tuple[FakeBotApi, str]]:
    """Run the fake on 127.0.0.1; yields it and the base URL for TELEGRAM_BASE_URL."""
    api = FakeBotApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            kind = self.headers.get("Content-Type", "")
            params: dict[str, Any] = json.loads(raw) if "json" in kind and raw else {}
            if "x-www-form-urlencoded" in kind:
                params = dict(parse_qsl(raw))
            method = self.path.rstrip("/").rsplit("/", 1)[-1]
            status, payload = api.handle(method, params)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield api, f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()
