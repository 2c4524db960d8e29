"""Fetching URLs safely: http(s) only, public addresses only (checked on every redirect hop),
timeouts, a size cap and an honest User-Agent.

A host is resolved once per hop: the addresses checked are the ones connected to (a name that
answers a public address to the check and 127.0.0.1 to the connect, DNS rebinding, never
reaches loopback). httpx's transport keeps the name for the Host header, TLS SNI and the
certificate check; only its network backend is given the checked addresses.

One deadline covers a whole fetch: the name lookup, every connect and TLS handshake, and every
read and write of headers and body (httpx's timeouts are per operation: headers trickled a byte
a second would never trip them)."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from ingest.addresses import IPAddress, is_public, literal_address
from retrieval.config import FetchSettings
from retrieval.errors import FetchError

__all__ = [
    "MAX_REDIRECTS",
    "Fetched",
    "Fetcher",
    "Resolver",
    "check_url",
    "make_fetcher",
    "parse_url",
    "system_resolver",
]

MAX_REDIRECTS = 5

# (host, port) -> the host's addresses; injected by tests, which must not ask real DNS.
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """host's addresses from the system resolver (getaddrinfo)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


@dataclass(frozen=True)
class Fetched:
    """A fetched resource."""

    url: str  # after redirects
    content: bytes
    content_type: str
    encoding: str | None
    # Validators for a conditional GET next time, and whether this was a 304.
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """url as httpx reads it (the check and the fetch use this one parse): http(s), a host and
    a port in range, else FetchError ("bad URL" for a port like 99999 or abc)."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"{url}: bad URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    if not parsed.host:
        raise FetchError(f"{url}: no host in URL")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError(f"{url}: bad URL (port {parsed.port} out of range)")
    return parsed


def check_url(
    url: str | httpx.URL, allow_private: bool = False, resolver: Resolver = system_resolver
) -> list[IPAddress]:
    """The addresses url's host stands for (the ones to connect to), or FetchError unless url
    is http(s) to a host whose every address is public (ingest/addresses.py)."""
    parsed = parse_url(url)
    host = parsed.raw_host.decode("ascii")
    address = literal_address(host)
    if address is not None:
        addresses = [address]
    else:
        try:
            addresses = [ipaddress.ip_address(a) for a in resolver(host, _port(parsed))]
        except (OSError, UnicodeError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise FetchError(f"{url}: cannot resolve {host}: {reason}") from exc
        if not addresses:
            raise FetchError(f"{url}: cannot resolve {host}: no address")
    for address in addresses:
        if not allow_private and not is_public(address):
            raise FetchError(
                f"{url}: refusing to fetch from {address} (a loopback, private, link-local or "
                "otherwise non-global address; set FETCH_ALLOW_PRIVATE=true for local testing)"
            )
    return addresses


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


@dataclass(frozen=True)
class _Exchange:
    """The hop being fetched: its host (as httpcore will name it), its checked addresses and
    the fetch's deadline (time.monotonic())."""

    host: str
    port: int
    addresses: list[IPAddress]
    deadline: float


# Set by Fetcher.get around each hop, read by the backend in the same thread when it connects.
_EXCHANGE: ContextVar[_Exchange | None] = ContextVar("newsbot_fetch_exchange", default=None)


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    """An operation's timeout, cut to what is left of the current fetch's deadline."""
    exchange = _EXCHANGE.get()
    if exchange is None:
        return timeout
    left = exchange.deadline - time.monotonic()
    if left <= 0:
        raise expired("the fetch's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.SyncBackend):
    """Connects only to the addresses the current hop checked, never resolving the name."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        exchange = _EXCHANGE.get()
        if exchange is None or (exchange.host, exchange.port) != (host, port):
            raise FetchError(f"{host}:{port}: refusing a connection that was not checked")
        failure: httpcore.ConnectError | None = None
        for address in exchange.addresses:
            try:
                left = _left(timeout, httpcore.ConnectTimeout)
                stream = super().connect_tcp(
                    str(address), port, left, local_address, socket_options
                )
                return _DeadlineStream(stream)
            except httpcore.ConnectError as exc:  # the next address, as create_connection does
                failure = exc
        assert failure is not None  # check_url never returns no address
        raise failure


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport (TLS, HTTP/1.1, pooling, error mapping) over the pinned backend.
    HTTPTransport takes no network backend, so its connection pool is replaced."""

    def __init__(self) -> None:
        super().__init__()
        limits = httpx.Limits()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(),
        )


class Fetcher:
    """An httpx client with newsbot's safety rules; reuse one for many URLs."""

    def __init__(
        self,
        user_agent: str,
        timeout: float = 15.0,
        max_bytes: int = 10_000_000,
        allow_private: bool = False,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        """`transport`: for tests (httpx.MockTransport); `resolver`: the one name lookup per
        hop. Proxies from the environment are not used: the proxy would resolve the name."""
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.allow_private = allow_private
        self._resolver = resolver
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            transport=transport or _PinnedTransport(),
        )

    def get(self, url: str | httpx.URL, headers: dict[str, str] | None = None) -> Fetched:
        """GET url, following up to MAX_REDIRECTS redirects, each hop checked; the whole
        exchange, redirects and a slow body included, must end within the timeout. With
        If-None-Match / If-Modified-Since headers, a 304 comes back as `not_modified` (no
        content; the validators it repeats, if any). Every answer carries its ETag and
        Last-Modified for the caller to send next time."""
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            parsed = parse_url(url)
            addresses = check_url(parsed, self.allow_private, self._lookup(deadline))
            host = parsed.raw_host.decode("ascii")
            pinned = _EXCHANGE.set(_Exchange(host, _port(parsed), addresses, deadline))
            try:
                with self._client.stream("GET", parsed, headers=headers) as response:
                    etag = response.headers.get("etag")
                    last_modified = response.headers.get("last-modified")
                    if response.status_code == 304:
                        return Fetched(str(response.url), b"", "", None, etag, last_modified,
                                       not_modified=True)  # fmt: skip
                    if response.is_redirect:
                        url = parsed.join(response.headers.get("location", ""))
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"{url}: HTTP {response.status_code}")
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.max_bytes:
                        raise FetchError(f"{url}: larger than {self.max_bytes} bytes")
                    chunks, size = [], 0
                    for chunk in response.iter_bytes():
                        if time.monotonic() > deadline:
                            raise FetchError(f"{url}: timed out")
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise FetchError(f"{url}: larger than {self.max_bytes} bytes")
                        chunks.append(chunk)
                    return Fetched(
                        url=str(response.url),
                        content=b"".join(chunks),
                        content_type=response.headers.get("content-type", ""),
                        encoding=response.charset_encoding,
                        etag=etag,
                        last_modified=last_modified,
                    )
            except httpx.TimeoutException as exc:
                raise FetchError(f"{url}: timed out") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from exc
            except httpx.InvalidURL as exc:  # a redirect's Location
                raise FetchError(f"{url}: bad URL in redirect ({exc})") from exc
            finally:
                _EXCHANGE.reset(pinned)
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _lookup(self, deadline: float) -> Resolver:
        """The resolver, given until the deadline (getaddrinfo has no timeout of its own: it
        runs in a thread, left to finish by itself if the deadline passes)."""

        def lookup(host: str, port: int) -> list[str]:
            answer: list[list[str]] = []
            failure: list[BaseException] = []

            def run() -> None:
                try:
                    answer.append(self._resolver(host, port))
                except BaseException as exc:  # handed to the caller's thread
                    failure.append(exc)

            thread = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
            thread.start()
            thread.join(max(0.0, deadline - time.monotonic()))
            if failure:
                raise failure[0]
            if not answer:
                raise FetchError(f"{host}: timed out looking up the name")
            return answer[0]

        return lookup

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def make_fetcher(settings: FetchSettings) -> Fetcher:
    """A Fetcher with the settings' user agent, timeout, size cap and address rule."""
    return Fetcher(
        settings.user_agent,
        timeout=settings.timeout,
        max_bytes=settings.max_bytes,
        allow_private=settings.allow_private,
    )
