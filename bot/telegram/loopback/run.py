"""Running the real bot (python-telegram-bot's Application and HTTP client) against the fake
Bot API on loopback: the server itself (`serve`), the bot polling it for a block (`polling`),
and the real services on the sample articles (`sample_services`)."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application

from bot.telegram import app as telegram
from bot.telegram.loopback.faults import Faults
from bot.telegram.loopback.rules import JSON_FIELDS
from bot.telegram.loopback.server import FakeBotApi
from ingest.pipeline import ingest
from retrieval.config import Settings
from retrieval.service import Services, open_services

__all__ = ["SAMPLES", "polling", "sample_services", "serve", "wait"]

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "articles"


def _params(raw: str, kind: str) -> dict[str, Any]:
    """Bot API parameters: JSON bodies, or form fields whose nested values are JSON."""
    if "json" in kind:
        return dict(json.loads(raw)) if raw else {}
    params: dict[str, Any] = dict(parse_qsl(raw)) if "x-www-form-urlencoded" in kind else {}
    for key in JSON_FIELDS & params.keys():
        params[key] = json.loads(params[key])
    return params


@contextmanager
def serve(
    token: str = "123:TEST", faults: Faults | None = None
) -> Iterator[tuple[FakeBotApi, str]]:
    """Run the fake on 127.0.0.1 (failing a fraction of calls if `faults` say so); yields it
    and the base URL for TELEGRAM_BASE_URL."""
    api = FakeBotApi(token, faults)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Telegram's servers do

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            match = re.fullmatch(r"/bot([^/]+)/(\w+)/?", self.path.split("?")[0])
            if match is None:
                status, payload = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            else:
                params = _params(raw, self.headers.get("Content-Type", ""))
                status, payload = api.handle(match[1], match[2], params)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a long poll cut short at shutdown)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield api, f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        api.close()
        server.shutdown()
        server.server_close()


@asynccontextmanager
async def polling(services: Services) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The bot, long polling the server named by the services' settings, for a block."""
    application = telegram.build(services)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            application.bot_data.answers.close()


async def wait(predicate: Any, timeout: float = 30.0) -> None:
    """Wait, without blocking the bot's loop, until predicate() is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)


@contextmanager
def sample_services(
    token: str, base_url: str, folder: Path = SAMPLES, **extra: Any
) -> Iterator[Services]:
    """The real services (bundled model, spaCy) on the sample articles (or those of another
    folder), in a temporary data dir, set to talk to the Bot API at `base_url` (for the
    documents generated in docs/); `extra`: more settings, by their variables' names."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, NEWSBOT_DATA_DIR=Path(tmp), TELEGRAM_BOT_TOKEN=SecretStr(token),
            TELEGRAM_BASE_URL=base_url, **extra,
        )  # fmt: skip
        services = open_services(settings)
        try:
            ingest([str(folder)], settings.ingest, services.store, services.embedder)
            yield services
        finally:
            services.close()
