"""`newsbot bot` against a Bot API that refuses it: one clear line on stderr, never the token."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.telegram.loopback import serve
from tests.support.http import QuietHandler, loopback
from tests.support.settings import ROOT

TOKEN = "424242:HOSTILE-token_never_shown"
UNAUTHORIZED = b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
NOT_FOUND = b'{"ok":false,"error_code":404,"description":"Not Found"}'


@contextmanager
def canned(status: int, body: bytes) -> Iterator[str]:
    """A loopback server that answers every request with one status and body."""

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.reply(status, body)

        do_GET = do_POST

    with loopback(Handler) as base:
        yield f"{base}/bot"


@contextmanager
def nothing_listening() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}/bot"


def _bot(tmp_path: Path, base_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(tmp_path / "data"), "EMBEDDING_MODEL": "hash:384",
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url}  # fmt: skip
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "bot"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("server", "expected"),
    [
        (lambda: canned(401, UNAUTHORIZED), "rejected TELEGRAM_BOT_TOKEN"),
        (lambda: canned(404, NOT_FOUND), "rejected TELEGRAM_BOT_TOKEN"),
        (lambda: canned(502, b"<html>Bad Gateway</html>"), "Bad Gateway (502)"),
        (lambda: canned(200, b"hello, not JSON"), "not a Bot API answer"),
        (nothing_listening, "cannot reach the Bot API"),
    ],
    ids=["401", "404", "502", "not-json", "nothing-listening"],
)
def test_start_up_failure_is_one_line_without_the_token(
    tmp_path: Path, server: object, expected: str
) -> None:
    with server() as base_url:  # type: ignore[operator]
        done = _bot(tmp_path, base_url)
    assert done.returncode == 2
    assert TOKEN not in done.stdout + done.stderr
    assert TOKEN.split(":")[1] not in done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("newsbot: ") and expected in lines[0], lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_good_token_gets_past_the_check_and_polls(tmp_path: Path) -> None:
    with serve(TOKEN) as (api, base_url):
        env = {**os.environ, "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
               "EMBEDDING_MODEL": "hash:384", "TELEGRAM_BOT_TOKEN": TOKEN,
               "TELEGRAM_BASE_URL": base_url}  # fmt: skip
        env.pop("DATABASE_URL", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "bot"], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            api.wait_for(lambda fake: "getUpdates" in fake.calls, timeout=60)
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
    assert api.calls.count("getMe") >= 1 and "setMyCommands" in api.calls
    assert TOKEN not in stderr
