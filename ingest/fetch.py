"""Fetching URLs safely: http(s) only, public addresses only (checked on every redirect hop),
timeouts, a size cap and an honest User-Agent."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from ingest.addresses import IPAddress, is_public, literal_address
from retrieval.errors import FetchError

__all__ = ["MAX_REDIRECTS", "Fetched", "Fetcher", "check_url", "parse_url"]

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


def check_url(url: str | httpx.URL, allow_private: bool = False) -> list[IPAddress]:
    """The addresses url's host stands for, or FetchError unless url is http(s) to a host whose
    every address is public (ingest/addresses.py)."""
    parsed = parse_url(url)
    host = parsed.raw_host.decode("ascii")
    address = literal_address(host)
    if address is not None:
        addresses = [address]
    else:
        try:
            infos = socket.getaddrinfo(host, parsed.port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise FetchError(f"{url}: cannot resolve {host}: {reason}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0])) for info in infos]
    for address in addresses:
        if not allow_private and not is_public(address):
            raise FetchError(
                f"{url}: refusing to fetch from {address} (a loopback, private, link-local or "
                "otherwise non-global address; set FETCH_ALLOW_PRIVATE=true for local testing)"
            )
    return addresses


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
