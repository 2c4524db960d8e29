"""Formatting search hits for people: plain text for the terminal, HTML for Telegram."""

from __future__ import annotations

import html
import textwrap

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
