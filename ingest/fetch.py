"""Fetching URLs safely: http(s) only, public addresses only (checked on every redirect hop),
timeouts, a size cap and an honest User-Agent."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from retrieval.errors import FetchError

__all__ = ["MAX_REDIRECTS", "Fetched", "Fetcher", "check_url"]

MAX_REDIRECTS = 5


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


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise FetchError unless url is http(s) to a host whose every address is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    host = parts.hostname
    if not host:
        raise FetchError(f"{url}: no host in URL")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"{url}: cannot resolve {host}: {exc.strerror}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast or _tunnels_to_private(address):
            raise FetchError(
                f"{url}: refusing to fetch from {address} (a loopback, private or link-local "
                "address; set FETCH_ALLOW_PRIVATE=true for local testing)"
            )


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")


def _tunnels_to_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """IPv6 forms that reach an IPv4 address (NAT64, 6to4, mapped): judge that address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return False
    inner: ipaddress.IPv4Address | None = address.ipv4_mapped or address.sixtofour
    if inner is None and address in _NAT64:
        inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if inner is None and address in _SIX_TO_FOUR:
        return True
    return inner is not None and (not inner.is_global or inner.is_multicast)


class Fetcher:
    """An httpx client with newsbot's safety rules; reuse one for many URLs."""

    def __init__(
        self,
        user_agent: str,
        timeout: float = 15.0,
        max_bytes: int = 10_000_000,
        allow_private: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.allow_private = allow_private
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            transport=transport,
        )

    def get(self, url: str, headers: dict[str, str] | None = None) -> Fetched:
        """GET url, following up to MAX_REDIRECTS redirects, each hop checked; the whole
        exchange, redirects and a slow body included, must end within the timeout. With
        If-None-Match / If-Modified-Since headers, a 304 comes back as `not_modified` (no
        content; the validators it repeats, if any). Every answer carries its ETag and
        Last-Modified for the caller to send next time."""
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, self.allow_private)
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    etag = response.headers.get("etag")
                    last_modified = response.headers.get("last-modified")
                    if response.status_code == 304:
                        return Fetched(str(response.url), b"", "", None, etag, last_modified,
                                       not_modified=True)  # fmt: skip
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        url = urljoin(url, location)
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
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
