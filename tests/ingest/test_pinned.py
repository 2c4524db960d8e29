"""DNS rebinding: the fetcher connects to the address it checked, never to a second answer.

No real DNS and no real network: the names resolve through a fake resolver, and a fake
`socket.create_connection` routes the "public" address to an HTTP(S) server on loopback (a name
it is asked to connect to is resolved through the same fake DNS, as the system would)."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from ingest.fetch import Fetcher
from retrieval.errors import FetchError
from tests.support.http import QuietHandler
from tests.support.settings import ROOT

PUBLIC = "93.184.216.34"
TLS = ROOT / "tests" / "support" / "tls"  # a test CA and a certificate for news.example


@dataclass
class Site:
    """A loopback HTTP server that records the Host header and TLS SNI of every request."""

    name: str
    hosts: list[str] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)
    port: int = 0


def _serve(site: Site, tls: bool = False) -> ThreadingHTTPServer:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            site.hosts.append(self.headers.get("host", ""))
            if self.path == "/hop":
                self.send_response(302)
                self.send_header("Location", "http://other.example/b")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.reply(200, site.name.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS / "news.example.pem")

        def record(sock: ssl.SSLObject, name: str, ctx: ssl.SSLContext) -> None:
            site.sni.append(name)

        context.sni_callback = record
        server.socket = context.wrap_socket(server.socket, server_side=True)
    site.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A public site (PUBLIC:80 and :443) and an internal one (127.0.0.1:80), both on loopback;
    `answers[name]` is what the fake DNS answers, one entry per lookup (the last one repeats)."""
    public, secure, internal = Site("public page"), Site("secure page"), Site("internal secret")
    servers = [_serve(public), _serve(secure, tls=True), _serve(internal)]
    routes = {
        (PUBLIC, 80): public.port,
        (PUBLIC, 443): secure.port,
        ("127.0.0.1", 80): internal.port,
    }
    answers: dict[str, list[str]] = {}
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        queue = answers[host]
        return [queue.pop(0) if len(queue) > 1 else queue[0]]

    real_connect = socket.create_connection

    def connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address
        try:
            ipaddress.ip_address(host)
        except ValueError:
            host = resolve(host, port)[0]  # what a fetch by name would do: ask DNS again
        if (host, port) not in routes:
            raise ConnectionRefusedError(f"no route to {host}:{port} in this test")
        return real_connect(("127.0.0.1", routes[host, port]), *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    yield {"answers": answers, "lookups": lookups, "resolve": resolve, "public": public,
           "secure": secure, "internal": internal}  # fmt: skip
    for server in servers:
        server.shutdown()
        server.server_close()


def _fetcher(internet: dict[str, Any], **kwargs: Any) -> Fetcher:
    resolve: Callable[[str, int], list[str]] = internet["resolve"]
    return Fetcher("newsbot-test", timeout=5, resolver=resolve, **kwargs)


def test_a_rebinding_name_never_reaches_loopback(internet: dict[str, Any]) -> None:
    internet["answers"]["news.example"] = [PUBLIC, "127.0.0.1"]  # public once, then loopback
    fetched = _fetcher(internet).get("http://news.example/a")
    assert fetched.content == b"public page"
    assert internet["internal"].hosts == [] and internet["public"].hosts == ["news.example"]
    assert internet["lookups"] == ["news.example"]  # one lookup: the one that was checked
    # And again on the same fetcher (a pooled connection or a new one): still never loopback.
    with pytest.raises(FetchError, match=r"refusing to fetch from 127\.0\.0\.1"):
        _fetcher(internet).get("http://news.example/a")
    assert internet["internal"].hosts == []


def test_every_redirect_hop_is_resolved_and_checked_once(internet: dict[str, Any]) -> None:
    internet["answers"].update({"news.example": [PUBLIC], "other.example": ["10.0.0.1"]})
    with pytest.raises(FetchError, match=r"refusing to fetch from 10\.0\.0\.1"):
        _fetcher(internet).get("http://news.example/hop")
    assert internet["lookups"] == ["news.example", "other.example"]
    internet["answers"]["other.example"] = [PUBLIC, "127.0.0.1"]
    assert _fetcher(internet).get("http://news.example/hop").content == b"public page"
    assert internet["public"].hosts[-2:] == ["news.example", "other.example"]
    assert internet["internal"].hosts == []


def test_tls_keeps_the_name_for_sni_and_the_certificate(
    internet: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))  # httpx trusts the test CA
    internet["answers"].update({"news.example": [PUBLIC], "other.example": [PUBLIC]})
    fetcher = _fetcher(internet)
    assert fetcher.get("https://news.example/a").content == b"secure page"
    assert internet["secure"].hosts == ["news.example"] and internet["secure"].sni == [
        "news.example"
    ]
    # The same address under a name the certificate does not carry: refused by TLS.
    with pytest.raises(FetchError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        fetcher.get("https://other.example/a")
    assert internet["secure"].sni[-1] == "other.example"
