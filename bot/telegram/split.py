"""Splitting a long message in Telegram's HTML parse mode into parts that each fit one message.

Telegram refuses text over 4096 characters (counted in UTF-16 code units) and refuses HTML it
can't parse, so a long answer can't be cut at an arbitrary offset: a cut must fall outside tags
and entities, and formatting open at the cut is closed at the end of one part and reopened at
the start of the next.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = ["TELEGRAM_LIMIT", "split_html", "utf16_len"]

TELEGRAM_LIMIT = 4096

# A tag (a quoted attribute value may hold ">"), an entity, or else a single character of text.
_TOKEN = re.compile(
    r"""<(?P<slash>/?)(?P<name>[A-Za-z][\w-]*)(?:[^>"']|"[^"]*"|'[^']*')*>"""
    r"|&(?:[A-Za-z]+|#[0-9]+|#[xX][0-9A-Fa-f]+);"
    r"|.",
    re.DOTALL,
)

# Kinds of break, better ones higher; the worst splits one visible symbol (an accent from its
# letter, a joined or skin-toned emoji) and is there only so that progress is always possible.
_IN_SYMBOL, _ANYWHERE, _SPACE, _NEWLINE, _BLANK_LINE = range(5)


class _Token(NamedTuple):
    raw: str
    size: int  # UTF-16 code units
    tag: str | None  # the tag's name; None for a character or an entity
    closing: bool


class _Cut(NamedTuple):
    at: int  # index of the first token of the next part
    stack: list[_Token]  # opening tags still open at the cut
    size: int  # size of the part if cut here, closing tags included


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, as Telegram counts it (an emoji is 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split HTML-mode text into parts of at most `limit` UTF-16 code units of raw HTML each,
    every part valid on its own and with visible text; text that fits comes back as [text].

    Cuts fall at a blank line, else a newline, else a space, else inside a word, never inside
    a tag or an entity. Raises ValueError when `limit` is too small to make progress.
    """
    if utf16_len(text) <= limit:
        return [text]
    tokens = [
        _Token(m[0], utf16_len(m[0]), m["name"] and m["name"].lower(), bool(m["slash"]))
        for m in _TOKEN.finditer(text)
    ]
    parts: list[str] = []
    stack: list[_Token] = []
    start = 0
    while start < len(tokens):
        cut = _next_cut(tokens, start, stack, limit)
        body = _trim(tokens[start : cut.at])
        # A tail of bare tags and whitespace carries nothing to see: Telegram would reject it.
        if any(t.tag is None and not t.raw.isspace() for t in body):
            reopen = "".join(t.raw for t in stack)
            close = "".join(f"</{t.tag}>" for t in reversed(cut.stack))
            parts.append(reopen + "".join(t.raw for t in body) + close)
        stack, start = cut.stack, cut.at
        # Whitespace at the head of the next part would be trimmed anyway; skipping it here
        # keeps it from crowding out text that would fit.
        while start < len(tokens) and tokens[start].tag is None and tokens[start].raw.isspace():
            start += 1
    return parts


def _next_cut(tokens: list[_Token], start: int, stack: list[_Token], limit: int) -> _Cut:
    """Where the part beginning at tokens[start] (inside the tags of `stack`) should end."""
    stack = list(stack)
    used = sum(t.size for t in stack)  # the reopened tags count against the limit too
    closers = sum(len(t.tag or "") + 3 for t in stack)  # "</name>" for each open tag
    best: dict[int, _Cut] = {}  # the latest cut of each kind
    seen_text = False  # a cut before any visible text would make an empty part
    prev = ""
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token.tag is None and seen_text:
            best[_kind(prev, token.raw)] = _Cut(i, list(stack), used + closers)
        closer = len(token.tag) + 3 if token.tag else 0
        grow = token.size + (0 if token.tag is None else -closer if token.closing else closer)
        if used + closers + grow > limit:
            if not best:
                raise ValueError(f"limit {limit} is too small to split this text")
            return _back_off(_pick(best, limit), tokens)
        used += token.size
        if token.tag is None:
            prev = token.raw
            seen_text = seen_text or not token.raw.isspace()
        elif not token.closing:
            stack.append(token)
            closers += closer
        elif any(t.tag == token.tag for t in stack):
            # Pop back to the matching opening tag (valid input closes the innermost one).
            while stack.pop().tag != token.tag:
                pass
            closers = sum(len(t.tag or "") + 3 for t in stack)
    return _Cut(len(tokens), stack, used + closers)


def _kind(prev: str, char: str) -> int:
    """The kind of break before `char` (a character or an entity) that follows `prev`."""
    if char == "\n":
        return _BLANK_LINE if prev == "\n" else _NEWLINE
    if char.isspace():
        return _SPACE
    joins = len(char) == 1 and (
        unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")  # accents, ZWJ, variation selectors
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
        or prev == "\u200d"
    )
    return _IN_SYMBOL if joins else _ANYWHERE


def _pick(best: dict[int, _Cut], limit: int) -> _Cut:
    """The best kind of cut, unless it leaves the part less than half full and a lesser kind
    doesn't: a blank line near the top isn't worth a string of short messages. Splitting a
    symbol stays the last resort however full the part."""
    roomy = [kind for kind, cut in best.items() if cut.size * 2 >= limit and kind > _IN_SYMBOL]
    return best[max(roomy or best)]


def _back_off(cut: _Cut, tokens: list[_Token]) -> _Cut:
    """Move a cut back before the opening tags just ahead of it, so a part doesn't end in an
    empty element like <b></b> (the tags open the next part instead)."""
    at, stack = cut.at, list(cut.stack)
    while tokens[at - 1].tag is not None and not tokens[at - 1].closing:
        at -= 1
        stack.pop()
    return _Cut(at, stack, cut.size)


def _trim(body: list[_Token]) -> list[_Token]:
    """Body without whitespace before the first or after the last visible character; tags
    are kept wherever they are."""
    seen = [k for k, t in enumerate(body) if t.tag is None and not t.raw.isspace()]
    if not seen:
        return [t for t in body if t.tag is not None]
    return [t for k, t in enumerate(body) if t.tag is not None or seen[0] <= k <= seen[-1]]
