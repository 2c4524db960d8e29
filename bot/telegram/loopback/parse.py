"""Telegram's HTML parse mode as the fake Bot API checks it: the tags and entities it accepts,
the error texts it answers with, and the text a user sees."""

from __future__ import annotations

import html
from html.parser import HTMLParser

__all__ = ["ALLOWED_TAGS", "html_error", "utf16_len", "visible_text"]

ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "blockquote", "tg-spoiler", "span", "tg-emoji"}  # fmt: skip


class _Parser(HTMLParser):
    """Telegram's HTML parse mode: a few tags, four named entities, numeric ones; collects the
    visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.error: str | None = None
        self.text: list[str] = []

    def _fail(self, error: str) -> None:
        self.error = self.error or error

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._fail(f'Unsupported start tag "{tag}"')
        if tag == "a" and not dict(attrs).get("href"):
            self._fail('Can\'t find "href" attribute of tag "a"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self._fail(f'Unexpected end tag "{tag}"')

    def handle_data(self, data: str) -> None:
        if "<" in data:  # html.parser passes a lone "<" through as data; Telegram does not
            self._fail("Unexpected end of name token at byte offset 0")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self._fail(f'Unsupported entity "&{name};"')
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))


def _parse(text: str) -> _Parser:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser.rawdata:  # an unterminated tag such as "<b" is left unparsed
        parser._fail("Unclosed start tag")
    return parser


def html_error(text: str) -> str | None:
    """Telegram's complaint about text in parse mode HTML, or None."""
    parser = _parse(text)
    if parser.error:
        return parser.error
    if parser.stack:
        return f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    return None


def visible_text(text: str) -> str:
    """The text a user sees of an HTML message (what Telegram returns as `text`)."""
    return "".join(_parse(text).text).strip()


def utf16_len(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
