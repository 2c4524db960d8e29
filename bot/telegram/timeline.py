"""Meeting timelines in Telegram: `/meetings NAME [PERIOD]` and the questions that ask for a
list ("Whom has X met?", "Who did X meet in November?", "Has X met Y this year?").

The request is logged like any question (kind "timeline"), and its buttons carry the log's
id, a page number and the key of the person chosen: `tl:<question id>:<page>:<key>`, at most
33 bytes. A press reads the logged request again with the day it was asked as "today", so a
page turned after a restart, or on another instance, shows the same list. A name that
stands for several people is asked back with one button per person.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.render_timeline import MAX_CHOICES, page_count, timeline_html, which_one_html
from bot.telegram.context import Context
from bot.telegram.send import NO_PREVIEW, send_html, typing
from retrieval.meetings.timeline import Timeline, TimelineQuery
from retrieval.qa.timeline_questions import read_meetings_args, read_timeline_question
from retrieval.service import Services

__all__ = [
    "COMMAND_PREFIX",
    "DATA_PREFIX",
    "GONE",
    "KIND",
    "USAGE",
    "Page",
    "keyboard",
    "meetings_command",
    "on_page",
    "page_data",
    "parse_page",
    "read_request",
    "send_timeline",
    "timeline_request",
]

logger = logging.getLogger(__name__)

DATA_PREFIX = "tl"
COMMAND_PREFIX = "/meetings "
USAGE = (
    "Usage: /meetings <i>name</i> [<i>period</i>], e.g. /meetings Odile Varga, "
    "/meetings Varga since March, /meetings Varga in 2025"
)
GONE = "That list is no longer available; ask again."
KIND = "timeline"  # the kind of answer the question log records


@dataclass(frozen=True)
class Page:
    """A decoded press: which logged request, which page, which person."""

    question_id: int
    page: int
    key: str


def page_data(question_id: int, page: int, key: str) -> str:
    """A timeline button's callback data (always well under Telegram's 64 bytes)."""
    return f"{DATA_PREFIX}:{question_id}:{page}:{key}"


def parse_page(data: str | None) -> Page | None:
    """Decode a timeline button's data; None for anything else."""
    parts = (data or "").split(":")
    if len(parts) != 4 or parts[0] != DATA_PREFIX:
        return None
    try:
        question_id, page = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    key = parts[3]
    if page < 0 or len(key) != 8 or any(c not in "0123456789abcdef" for c in key):
        return None
    return Page(question_id, page, key)


def keyboard(question_id: int, timeline: Timeline, page: int) -> InlineKeyboardMarkup | None:
    """◀ ▶ under a page of a timeline, or one button per person when the name is ambiguous."""
    if timeline.ambiguous:
        rows = [
            [InlineKeyboardButton(p.label[:60], callback_data=page_data(question_id, 0, p.key))]
            for p in timeline.candidates[:MAX_CHOICES]
        ]
        return InlineKeyboardMarkup(rows)
    if timeline.person is None:
        return None
    key, row = timeline.person.key, []
    if page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=page_data(question_id, page - 1, key)))
    if page + 1 < page_count(timeline):
        row.append(InlineKeyboardButton("▶", callback_data=page_data(question_id, page + 1, key)))
    return InlineKeyboardMarkup([row]) if row else None


def timeline_request(text: str, today: date) -> TimelineQuery | None:
    """The timeline a message asks for (a question, or `/meetings ...` as logged), or None."""
    if text.startswith(COMMAND_PREFIX):
        return read_meetings_args(text.removeprefix(COMMAND_PREFIX), today)
    return read_timeline_question(text, today)


def read_request(services: Services, text: str) -> TimelineQuery | None:
    """`timeline_request` with today as the question log counts days (UTC)."""
    return timeline_request(text, services.activity.now().date())


async def meetings_command(update: Update, context: Context) -> None:
    """/meetings NAME [PERIOD]: someone's meetings, newest first, ten a page."""
    message = update.effective_message
    if message is None:
        return
    text = COMMAND_PREFIX + " ".join(context.args or [])
    query = read_request(context.services, text)
    if query is None:
        await message.reply_html(USAGE)
        return
    group = message.chat.type != Chat.PRIVATE
    await send_timeline(
        context, message.chat, update, text, query, message.message_id if group else None
    )


async def send_timeline(
    context: Context,
    chat: Chat,
    update: Update,
    text: str,
    query: TimelineQuery,
    reply_to: int | None,
) -> None:
    """Work out the timeline off the event loop, log the request, send its first page (or
    the question back, when the name stands for several people)."""
    services = context.services
    user = update.effective_user
    async with typing(context.bot, chat.id):
        timeline = await asyncio.to_thread(services.timeline, query)
        question_id = await asyncio.to_thread(
            _log, services, chat.id, user.id if user else None, text, timeline
        )
    html = which_one_html(timeline) if timeline.ambiguous else timeline_html(timeline, 0)
    await send_html(
        context.bot, chat.id, html, keyboard(question_id, timeline, 0), reply_to=reply_to
    )


def _log(
    services: Services, chat_id: int, user_id: int | None, text: str, timeline: Timeline
) -> int:
    if user_id is not None:
        services.activity.seen(user_id)
    cited = [(s.hit.passage_id, s.quote) for m in timeline.meetings for s in m.sources]
    return services.activity.record_question(
        chat_id, user_id, text, KIND, bool(timeline.meetings), cited, []
    )


async def on_page(update: Update, context: Context) -> None:
    """◀ ▶, or a person chosen: the message is edited into that page of the timeline."""
    callback = update.callback_query
    chat = update.effective_chat
    if callback is None or chat is None:
        return
    press = parse_page(callback.data)
    if press is None:
        await callback.answer("This button no longer works; ask again.")
        return
    services = context.services
    asked = await asyncio.to_thread(services.activity.question, press.question_id)
    listed = asked is not None and asked.kind == KIND and asked.chat_id == chat.id
    query = timeline_request(asked.text, asked.asked_at.date()) if asked and listed else None
    if asked is None or query is None:
        await callback.answer(GONE)
        return
    timeline = await asyncio.to_thread(services.timeline, query, press.key)
    if timeline.person is None:
        await callback.answer(GONE)
        return
    await callback.answer()
    page = min(press.page, page_count(timeline) - 1)
    html = timeline_html(timeline, page)
    markup = keyboard(asked.id, timeline, page)
    message = callback.message
    if not isinstance(message, Message):  # too old to edit: send the page anew
        await send_html(context.bot, chat.id, html, markup)
        return
    try:
        await message.edit_text(
            html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW, reply_markup=markup
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # a second press on the same button
            raise
