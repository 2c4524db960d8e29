"""HTTP servers on loopback for the tests: `loopback` runs a request handler on 127.0.0.1 in a
thread for a block and yields its base URL; `QuietHandler` is a handler that logs nothing and
answers in one call (`reply`). The fake Bot API has its own (bot.telegram.loopback.run)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseRequestHandler
from typing import Any

__all__ = ["QuietHandler", "loopback"]


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean and answers with `reply`."""

    def reply(self, status: int, body: bytes, content_type: str | None = None) -> None:
        """One answer: the status, the Content-Type if given, the length and the body."""
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def loopback(handler: Callable[..., BaseRequestHandler]) -> Iterator[str]:
    """`handler` serving on 127.0.0.1 (a free port) for the block; yields
    "http://127.0.0.1:PORT". Requests still in flight at the end are not waited for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
