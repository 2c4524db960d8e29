"""Formatting answers and search hits for people: plain text for the terminal, HTML for
Telegram (every piece of article or user text escaped)."""

from __future__ import annotations

import html
import textwrap

from retrieval.answer import Answer
from retrieval.search import Hit


def source_line(hit: Hit) -> str:
    """'Title — Outlet, 8 Mar 2022' (parts that are unknown are left out)."""
    day = hit.published_at.strftime("%-d %b %Y") if hit.published_at else None
    meta = ", ".join(part for part in (hit.outlet, day) if part)
    return f"{hit.title} — {meta}" if meta else hit.title


def quote(text: str, limit: int = 400) -> str:
    """A passage shortened at a word boundary."""
    return textwrap.shorten(" ".join(text.split()), width=limit, placeholder=" …")


def hits_as_text(hits: list[Hit]) -> str:
    """Numbered passages with their sources, for the terminal."""
    if not hits:
        return "Nothing in the articles matches that."
    lines = []
    for n, hit in enumerate(hits, 1):
        lines.append(f"[{n}] {source_line(hit)}")
        if hit.url:
            lines.append(f"    {hit.url}")
        lines.append(textwrap.indent(textwrap.fill(quote(hit.text), 96), "    "))
    return "\n".join(lines)


def hits_as_html(hits: list[Hit]) -> str:
    """Numbered passages with linked sources for Telegram's HTML parse mode; all text escaped."""
    if not hits:
        return "Nothing in the articles matches that."
    blocks = []
    for n, hit in enumerate(hits, 1):
        title = html.escape(source_line(hit))
        head = f'<a href="{html.escape(hit.url, quote=True)}">{title}</a>' if hit.url else title
        blocks.append(f"[{n}] {head}\n<blockquote>{html.escape(quote(hit.text))}</blockquote>")
    return "\n".join(blocks)


def answer_as_text(answer: Answer) -> str:
    """The answer, then its numbered sources with the quoted sentence; for a refusal, the
    nearest passages as related reading."""
    lines = [textwrap.fill(answer.text, 96)]
    for citation in answer.citations:
        lines.append(f"[{citation.n}] {source_line(citation.hit)}")
        if citation.hit.url:
            lines.append(f"    {citation.hit.url}")
        lines.append(textwrap.indent(textwrap.fill(f"“{quote(citation.quote)}”", 92), "    "))
    if not answer.found and answer.passages:
        lines.append("Related reading:")
        lines.extend(f"  - {source_line(hit)}" for hit in answer.passages)
    return "\n".join(lines)


def answer_as_html(answer: Answer) -> str:
    """The answer for Telegram's HTML parse mode: text with [n] markers, each source a link,
    its quote in an expandable blockquote."""
    parts = [html.escape(answer.text)]
    for citation in answer.citations:
        parts.append(f"[{citation.n}] {_linked(citation.hit)}")
        parts.append(f"<blockquote expandable>{html.escape(quote(citation.quote))}</blockquote>")
    if not answer.found and answer.passages:
        parts.append("Related reading:")
        parts.extend(f"• {_linked(hit)}" for hit in answer.passages)
    return "\n".join(parts)


def _linked(hit: Hit) -> str:
    title = html.escape(source_line(hit))
    return f'<a href="{html.escape(hit.url, quote=True)}">{title}</a>' if hit.url else title
