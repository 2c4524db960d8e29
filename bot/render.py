"""Formatting answers and search hits for people: plain text for the terminal, HTML for
Telegram (every piece of article or user text escaped)."""

from __future__ import annotations

import html
import textwrap
from datetime import datetime
from typing import Any

from retrieval.qa.answer import Answer
from retrieval.qa.search import Hit
from retrieval.state.activity import ActivityCounts
from retrieval.store.browse import Headline, OutletCount

__all__ = [
    "ADMIN_HELP",
    "HELP",
    "LINKS_HELP",
    "answer_as_html",
    "answer_as_text",
    "day",
    "full_sources_html",
    "headlines_html",
    "hits_as_html",
    "hits_as_text",
    "more_html",
    "outlets_html",
    "quote",
    "related",
    "source_line",
    "stats_html",
    "welcome_html",
]


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
        lines.extend(f"  - {source_line(hit)}" for hit in related(answer))
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
        parts.extend(f"• {_linked(hit)}" for hit in related(answer))
    return "\n".join(parts)


def related(answer: Answer) -> list[Hit]:
    """The passages offered as related reading, one per article."""
    first: dict[int, Hit] = {}
    for hit in answer.passages:
        first.setdefault(hit.article_id, hit)
    return list(first.values())


def _linked(hit: Hit) -> str:
    title = html.escape(source_line(hit))
    return f'<a href="{html.escape(hit.url, quote=True)}">{title}</a>' if hit.url else title


# -- Telegram messages -------------------------------------------------------------------------

HELP = (
    "<b>Ask me about the news.</b> I answer from the articles I hold, with numbered sources.\n"
    "In a group, mention me, reply to me, or use /ask. In any chat, type my @username and a "
    "question to answer it there.\n\n"
    "/ask <i>question</i> – ask (in groups)\n"
    "/sources – the outlets I read\n"
    "/latest – the latest headlines\n"
    "/meetings <i>name</i> [<i>since March</i>] – someone's meetings, newest first\n"
    "/reset – forget the conversation (follow-ups use your last question)\n"
    "/subscribe [<i>HH:MM</i>] [<i>topics</i>, -<i>topic left out</i>] – a daily digest (a "
    "group's: its admins; a channel's you admin: /subscribe @<i>channel</i> …); /timezone "
    "<i>Europe/London</i>\n"
    "/subscriptions, /unsubscribe [<i>topic</i>], /digest (now), /quiet on|off\n"
    "/help – this list"
)
LINKS_HELP = "\n\nSend me a news link in a private chat and I'll add the article."
ADMIN_HELP = (
    "\n\nAdmins: /ingest <i>URL or feed</i> – add articles (or send me an article's link); "
    "/stats – usage and index."
)


def day(value: datetime | None) -> str:
    """'8 Mar 2022', or an empty string."""
    return value.strftime("%-d %b %Y") if value else ""


def welcome_html(stats: dict[str, Any]) -> str:
    """/start: what the bot knows and how to ask."""
    articles = int(stats["articles"])
    if not articles:
        return (
            "Hello! I answer questions about news articles, with sources — but I hold none "
            "yet. An admin can add some with /ingest."
        )
    outlets: list[str] = list(stats["outlets"])
    span = ""
    if stats.get("first_published") and stats.get("last_published"):
        span = f", {day(stats['first_published'])} – {day(stats['last_published'])}"
    shown = ", ".join(html.escape(o) for o in outlets[:5])
    more = f" and {len(outlets) - 5} more" if len(outlets) > 5 else ""
    source = f" from {shown}{more}" if outlets else ""
    return (
        f"Hello! I answer questions about <b>{articles}</b> news articles{source}{span}, "
        "with sources.\n\nAsk me who met whom, when and where — or tap an example:"
    )


def full_sources_html(sources: list[tuple[int, Hit, str]]) -> str:
    """Sources button (sent as a reply to the answer): each cited passage whole, the quoted
    sentence in bold."""
    parts = ["<b>Sources</b>"]
    for n, hit, cited in sources:
        text = " ".join(hit.text.split())
        marked = " ".join(cited.split())
        # Found and bolded in the raw text, each piece escaped after: searched for in the
        # escaped text, a quote starting with "lt;" would put the tag inside "&lt;".
        before, found, after = text.partition(marked) if marked else (text, "", "")
        body = html.escape(before) + (
            f"<b>{html.escape(found)}</b>{html.escape(after)}" if found else ""
        )
        parts.append(f"[{n}] {_linked(hit)}\n<blockquote expandable>{body}</blockquote>")
    return "\n".join(parts)


def more_html(hits: list[Hit], first: int) -> str:
    """More like this: passages numbered from `first`."""
    if not hits:
        return "No more passages on that."
    return "\n".join(
        f"{n}. {_linked(hit)}\n<blockquote expandable>{html.escape(quote(hit.text))}</blockquote>"
        for n, hit in enumerate(hits, first)
    )


def outlets_html(rows: list[OutletCount]) -> str:
    """/sources: outlets, article counts, newest date."""
    if not rows:
        return "No articles yet."
    lines = [f"<b>{sum(r.articles for r in rows)} articles from {len(rows)} outlets</b>"]
    lines.extend(
        f"• {html.escape(r.outlet)} — {r.articles} article{'s' if r.articles != 1 else ''}"
        + (f", newest {day(r.newest)}" if r.newest else "")
        for r in rows
    )
    return "\n".join(lines)


def headlines_html(rows: list[Headline]) -> str:
    """/latest: the latest headlines as links."""
    if not rows:
        return "No articles yet."
    lines = ["<b>Latest headlines</b>"]
    for row in rows:
        meta = ", ".join(p for p in (row.outlet, day(row.published_at)) if p)
        title = html.escape(row.title)
        link = f'<a href="{html.escape(row.url, quote=True)}">{title}</a>' if row.url else title
        lines.append(f"• {link}" + (f" — {html.escape(meta)}" if meta else ""))
    return "\n".join(lines)


def stats_html(stats: dict[str, Any], counts: ActivityCounts, index_bytes: int) -> str:
    """/stats for admins."""
    return "\n".join(
        [
            "<b>Usage</b>",
            f"users {counts.users}, questions {counts.questions} "
            f"({counts.answered} answered), feedback 👍 {counts.helpful} 👎 {counts.unhelpful}",
            "<b>Store</b>",
            f"articles {stats['articles']}, passages {stats['passages']}, "
            f"events {stats['events']}, outlets {len(stats['outlets'])}",
            f"index {stats['indexed']} vectors, {index_bytes / 1e6:.1f} MB on disk",
            f"published {day(stats['first_published']) or '?'} – "
            f"{day(stats['last_published']) or '?'}",
        ]
    )
