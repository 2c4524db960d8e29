"""Who may use the bot, and the admins' commands: /ingest (in a child process, reported when
done) and /stats."""

from __future__ import annotations

import asyncio
import functools
import html
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Chat, Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.child import run_json
from bot.render import stats_html
from bot.telegram.context import Context
from bot.telegram.send import send_html
from ingest.fetch import parse_url
from ingest.sources import is_url
from retrieval.errors import FetchError

__all__ = [
    "INGEST_TIMEOUT",
    "NOT_ADMIN",
    "PRIVATE_BOT",
    "admin_only",
    "gate",
    "ingest_command",
    "ingest_report",
    "is_admin",
    "run_ingest",
    "stats_command",
]

logger = logging.getLogger(__name__)

NOT_ADMIN = "Sorry, only the bot's admins can do that."
PRIVATE_BOT = "Sorry, this is a private bot. Ask its owner to add your Telegram id."
INGEST_TIMEOUT = 3600.0


async def gate(update: Update, context: Context) -> None:
    """With ALLOWED_USER_IDS set, everyone else gets a polite refusal (in private chats; in
    groups they are ignored) and nothing more."""
    settings = context.services.settings.telegram
    if not settings.allowed_user_ids:
        return
    user = update.effective_user
    if user is not None and (user.id in settings.allowed_user_ids or user.id in settings.admin_ids):
        return
    if update.callback_query:
        await update.callback_query.answer(PRIVATE_BOT, show_alert=True)
    elif update.inline_query:
        # No results, and none that Telegram may show to anyone else.
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.effective_chat and update.effective_chat.type == Chat.PRIVATE:
        await context.bot.send_message(update.effective_chat.id, PRIVATE_BOT)
    raise ApplicationHandlerStop


def is_admin(update: Update, context: Context) -> bool:
    """Whether the sender's id is in ADMIN_IDS."""
    user = update.effective_user
    return user is not None and user.id in context.services.settings.telegram.admin_ids


def admin_only(
    handler: Callable[[Update, Context, Message], Awaitable[None]],
) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A command for admins only: others get a polite refusal."""

    @functools.wraps(handler)
    async def checked(update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        if not is_admin(update, context):
            await message.reply_text(NOT_ADMIN)
            return
        await handler(update, context, message)

    return checked


@admin_only
async def stats_command(update: Update, context: Context, message: Message) -> None:
    """/stats: users, questions, feedback, articles, index size."""
    services = context.services
    stats = await asyncio.to_thread(services.store.stats)
    counts = await asyncio.to_thread(services.activity.counts)
    size = await asyncio.to_thread(_directory_bytes, services.settings.store.index_dir)
    await message.reply_html(stats_html(stats, counts, size))


def _directory_bytes(path: os.PathLike[str]) -> int:
    try:
        return sum(entry.stat().st_size for entry in os.scandir(path) if entry.is_file())
    except OSError:
        return 0


@admin_only
async def ingest_command(update: Update, context: Context, message: Message) -> None:
    """/ingest URL...: fetch pages or feeds in the background and report the summary (one
    ingest at a time)."""
    args = list(context.args or [])
    sources = _urls(args)
    if not args or len(sources) < len(args):
        await message.reply_html(
            "Usage: /ingest <i>URL</i> [<i>URL</i>…] — article pages or RSS/Atom feeds, "
            "http(s) only."
        )
        return
    if context.bot_data.ingesting:
        await message.reply_text("An ingest is already running; I'll report when it ends.")
        return
    context.bot_data.ingesting = True
    await message.reply_text(f"Ingesting {len(sources)} source(s)… I'll report here when done.")
    context.application.create_task(
        _ingest_and_report(context, message.chat_id, sources), update=update
    )


def _urls(args: list[str]) -> list[str]:
    """The arguments that are http(s) URLs with a host, each parsed once, as the fetcher
    parses it, and passed on in that parsed form: the child reads exactly what was checked
    as a URL, never as a local path (`http:/articles` is no URL, even if that folder exists)."""
    urls = []
    for arg in args:
        try:
            url = str(parse_url(arg))
        except FetchError:
            continue
        if is_url(url):
            urls.append(url)
    return urls


async def _ingest_and_report(context: Context, chat_id: int, sources: list[str]) -> None:
    try:
        report = await run_ingest(context, sources)
        await asyncio.to_thread(context.services.refresh)
        await send_html(context.bot, chat_id, report)
    finally:
        context.bot_data.ingesting = False


async def run_ingest(context: Context, sources: list[str]) -> str:
    """Run `newsbot ingest --json` in a child process (bot/child.py) and describe its
    summary in HTML."""
    summary = await run_json(
        context.services.settings, ["ingest", "--json", *sources], INGEST_TIMEOUT
    )
    if summary is None:
        return "The ingest failed or took too long; see the bot's log."
    return ingest_report(summary)


def ingest_report(summary: dict[str, Any]) -> str:
    """An ingest summary for Telegram."""
    lines = [
        f"<b>Ingest done</b> in {float(summary.get('seconds') or 0):.1f} s: "
        f"{summary.get('new', 0)} new, {summary.get('updated', 0)} updated, "
        f"{summary.get('unchanged', 0)} unchanged, {summary.get('failed', 0)} failed; "
        f"{summary.get('passages_added', 0)} passages added."
    ]
    errors = summary.get("errors") or []
    for error in errors[:5] if isinstance(errors, list) else []:
        source, reason = html.escape(str(error.get("source"))), html.escape(str(error.get("error")))
        lines.append(f"• {source}: {reason}")
    return "\n".join(lines)
