from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from ingest.fetch import Fetched, Fetcher, check_url
from ingest.sources import read_source
from retrieval.errors import FetchError
from tests.support.http import QuietHandler, loopback

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
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path == "/slow":
                threading.Event().wait(2)
            self.reply(200, b"hello")

    with loopback(Handler) as base:
        yield base


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


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/",  # IPv4-compatible, deprecated: never routed
        "http://[::7f00:1]/",
        "http://[::8.8.8.8]/",
        "http://[::ffff:8.8.8.8]/",  # IPv4-mapped: refused whole
        "http://[::ffff:7f00:1]/",
        "http://[64:ff9b:1::7f00:1]/",  # local-use NAT64 (RFC 8215): refused whole
        "http://[64:ff9b:1::808:808]/",
        "http://[64:ff9b::a00:1]/",  # well-known NAT64 to 10.0.0.1
        "http://[64:ff9b::192.168.1.1]/",
        "http://2130706433/",  # 127.0.0.1 as one integer, in hex, shortened
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://192.0.0.8/",  # IETF protocol assignments
        "http://[3fff::1]/",  # documentation (2024)
        "http://[4000::1]/",  # outside global unicast
    ],
)
def test_more_forms_of_non_global_addresses_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="refusing"):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::808:808]/",  # well-known NAT64 to 8.8.8.8
        "http://[2002:808:808::1]/",  # 6to4 from 8.8.8.8
        "http://134744072/",  # 8.8.8.8 as one integer
        "http://192.0.0.9/",  # a reachable anycast service
        "http://[2001:4860:4860::8888]/",
    ],
)
def test_public_addresses_in_any_form_are_let_through(url: str) -> None:
    assert check_url(url)  # literal addresses: no DNS


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://news.example:99999/", "port 99999 out of range"),
        ("http://news.example:0/", "port 0 out of range"),
        ("http://news.example:abc/", "Invalid port"),
        ("http://300.1.1.1/", "Invalid IPv4"),
    ],
)
def test_bad_url_is_a_clear_error(url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=f"bad URL .*{reason}"):
        check_url(url)
    result = read_source(url, Fetcher("ua"), 1000)
    assert result.error and "bad URL" in result.error and "unexpected" not in result.error


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


@pytest.fixture
def trickling_server() -> Iterator[str]:
    """Answers every request with headers trickled a byte at a time, each well within the
    per-read timeout, for five seconds at most (then it hangs up)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"z" * 1000:
                if stop.wait(0.2) or time.monotonic() - started > 5:
                    return
                conn.sendall(bytes([byte]))

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    started = time.monotonic()
    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()


def test_slow_headers_hit_the_overall_deadline(trickling_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        Fetcher("ua", timeout=1.0, allow_private=True).get(f"{trickling_server}/slow-headers")
    assert time.monotonic() - started < 2.5


def test_slow_name_lookup_hits_the_overall_deadline() -> None:
    release = threading.Event()

    def stalled(host: str, port: int) -> list[str]:
        release.wait(10)
        return ["127.0.0.1"]

    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="timed out"):
            Fetcher("ua", timeout=0.5, allow_private=True, resolver=stalled).get(
                "http://news.example/"
            )
        assert time.monotonic() - started < 2
    finally:
        release.set()
