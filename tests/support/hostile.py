"""Hostile inputs shared by the tests of several modules: feeds that declare entities."""

from __future__ import annotations

__all__ = ["LAUGHS", "hostile_feeds"]


# Billion laughs: lol9 would expand to 10^9 "lol"s.
LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
)
_CHANNEL = '<rss version="2.0"><channel><title>T</title><item><title>{x}</title>'
_CHANNEL += "<link>https://h.example/a</link><description>{x}</description></item></channel></rss>"


def hostile_feeds(base: str) -> dict[str, str]:
    """Feeds whose DOCTYPE declares entities: exponential ones, and ones naming a file or a
    loopback URL (XXE), with the root named by the DOCTYPE or only after a long subset."""
    xml = '<?xml version="1.0"?>\n'
    return {
        "laughs.xml": f"{xml}<!DOCTYPE rss [{LAUGHS}]>{_CHANNEL.format(x='&lol9;')}",
        "laughs-other-name.xml": f"{xml}<!DOCTYPE lolz [{LAUGHS}]>{_CHANNEL.format(x='&lol9;')}",
        "long-subset.xml": (
            f"{xml}<!-- c --><!DOCTYPE x [{LAUGHS * 20}]>\n<!-- c -->{_CHANNEL.format(x='&lol;')}"
        ),
        "xxe-file.xml": (
            f'{xml}<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + _CHANNEL.format(x="&x;")
        ),
        "xxe-url.xml": (
            f'<!DOCTYPE feed [<!ENTITY x SYSTEM "{base}/articles/0">]>'
            '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title></entry></feed>'
        ),
        "xxe-dtd.xml": (
            f'{xml}<!DOCTYPE rss [<!ENTITY % d SYSTEM "{base}/evil.dtd"> %d;]>'
            + _CHANNEL.format(x="y")
        ),
    }
