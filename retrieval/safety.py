"""Rules for text from outside (articles, feeds, users) that every layer applies alike: no
control characters, no lone surrogates, and links only to the web."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["replace_surrogates", "strip_controls", "web_url"]

# C0 controls but newline and tab, DEL, and the C1 block: ESC, BEL, CSI, OSC and friends
# retitle a terminal window or hide text; nothing in an article needs them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# A str can hold UTF-16 surrogates on their own: an undecodable byte of a command line or of
# stdin kept by surrogateescape ("\udcff"), or half a pair from JSON ("\ud83d"). They cannot be
# encoded, so spaCy, the tokenizer and every writer of UTF-8 raise on them.
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """text with each lone surrogate replaced by U+FFFD, the replacement character."""
    return _SURROGATES.sub("\ufffd", text)


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
