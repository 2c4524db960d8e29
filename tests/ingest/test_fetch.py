from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from ingest.fetch import Fetched, Fetcher, check_url
from retrieval.errors import FetchError

PUBLIC = "http://93.184.216.34"  # a literal global address: no DNS; MockTransport answers


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/x",
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://0.0.0.0/",
    ],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://10.1.2.3/", "http://[::1]/"])
def test_loopback_allowed_only_by_opt_in(url: str) -> None:
    with pytest.raises(FetchError, match="refusing"):
        check_url(url)
    check_url(url, allow_private=True)  # the opt-in lets it through: no error
    with pytest.raises(FetchError, match="only http and https"):
        check_url(url.replace("http", "ftp", 1), allow_private=True)  # but never another scheme


def _fetcher(handler: httpx.MockTransport, **kwargs: object) -> Fetcher:
    return Fetcher("newsbot-test", transport=handler, **kwargs)  # type: ignore[arg-type]


def test_redirect_to_private_address_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://169.254.169.254/secret"})

    with pytest.raises(FetchError, match="refusing"):
        _fetcher(httpx.MockTransport(answer)).get(f"{PUBLIC}/a")


def test_redirects_followed_and_user_agent_sent() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        if request.url.path == "/a":
            return httpx.Response(301, headers={"location": "/b"})
        return httpx.Response(200, text="ok", headers={"content-type": "text/plain"})

    fetched = _fetcher(httpx.MockTransport(answer)).get(f"{PUBLIC}/a")
    assert fetched.content == b"ok" and fetched.url.endswith("/b")
    assert seen == ["newsbot-test", "newsbot-test"]


def test_size_cap() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 5000)

    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        _fetcher(httpx.MockTransport(answer), max_bytes=1000).get(f"{PUBLIC}/big")


def test_http_error_status() -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        _fetcher(httpx.MockTransport(lambda r: httpx.Response(404))).get(f"{PUBLIC}/missing")


@pytest.fixture
def local_server() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/slow":
                threading.Event().wait(2)
            body = b"hello"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_real_loopback_server(local_server: str) -> None:
    with pytest.raises(FetchError, match="refusing"):
        Fetcher("ua").get(f"{local_server}/x")
    assert Fetcher("ua", allow_private=True).get(f"{local_server}/x").content == b"hello"
    with pytest.raises(FetchError, match="timed out"):
        Fetcher("ua", timeout=0.3, allow_private=True).get(f"{local_server}/slow")


@pytest.mark.parametrize(
    "url",
    ["http://[64:ff9b::7f00:1]/", "http://[::ffff:127.0.0.1]/", "http://[2002:7f00:1::]/"],
)
def test_ipv6_forms_of_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="refusing"):
        check_url(url)


def test_slow_body_hits_the_overall_deadline() -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(20):
            threading.Event().wait(0.1)
            yield b"x"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())

    with pytest.raises(FetchError, match="timed out"):
        _fetcher(httpx.MockTransport(answer), timeout=0.5).get(f"{PUBLIC}/slow")


def test_conditional_get_answered_304() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"etag": '"v1"'})
        return httpx.Response(
            200,
            text="<rss/>",
            headers={"etag": '"v1"', "last-modified": "Mon, 10 Mar 2025 09:00:00 GMT"},
        )

    fetcher = _fetcher(httpx.MockTransport(answer))
    full = fetcher.get(f"{PUBLIC}/feed.xml")
    assert (full.content, full.not_modified) == (b"<rss/>", False)
    assert (full.etag, full.last_modified) == ('"v1"', "Mon, 10 Mar 2025 09:00:00 GMT")
    headers = {"If-None-Match": '"v1"', "If-Modified-Since": "Mon, 10 Mar 2025 09:00:00 GMT"}
    again = fetcher.get(f"{PUBLIC}/feed.xml", headers)
    # The 304's own validators: it repeated the ETag but not Last-Modified.
    assert again == Fetched(f"{PUBLIC}/feed.xml", b"", "", None, '"v1"', None, not_modified=True)
    assert seen[-1].headers["if-modified-since"] == "Mon, 10 Mar 2025 09:00:00 GMT"
    assert seen[-1].headers["user-agent"] == "newsbot-test"


def test_conditional_get_keeps_the_safety_checks() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed.xml":
            return httpx.Response(302, headers={"location": "http://10.0.0.1/feed.xml"})
        return httpx.Response(304)

    with pytest.raises(FetchError, match="refusing"):
        _fetcher(httpx.MockTransport(answer)).get(f"{PUBLIC}/feed.xml", {"If-None-Match": '"a"'})
    with pytest.raises(FetchError, match="only http and https"):
        _fetcher(httpx.MockTransport(answer)).get("file:///etc/passwd", {"If-None-Match": '"a"'})
