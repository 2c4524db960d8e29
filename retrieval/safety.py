"""Rules for text from outside (articles, feeds, users) that every layer applies alike: no
control characters, and links only to the web."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["strip_controls", "web_url"]

# C0 controls but newline and tab, DEL, and the C1 block: ESC, BEL, CSI, OSC and friends
# retitle a terminal window or hide text; nothing in an article needs them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """text without control characters; carriage returns become newlines first."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def web_url(url: str | None) -> str | None:
    """url (trimmed) when it is an http(s) URL with a host, else None: `javascript:`, `data:`,
    `file:` and the like are never a link target. A URL with a control character or a space
    in it is refused whole, as browsers would strip some of them and read another URL."""
    if not url:
        return None
    url = url.strip()
    if _CONTROLS.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url
