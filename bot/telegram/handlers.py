"""The conversation: /start with example questions, questions in private chats and groups,
the buttons under an answer, /sources, /latest, /reset, /help, and the error handler. Each
handler parses the update, calls the services off the event loop, formats and replies."""

from __future__ import annotations

import asyncio
import logging
import re

from telegram import Chat, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.render import (
    ADMIN_HELP,
    HELP,
    LINKS_HELP,
    answer_as_html,
    full_sources_html,
    headlines_html,
    more_html,
    outlets_html,
    welcome_html,
)
from bot.telegram import buttons, timeline
from bot.telegram.context import Context
from bot.telegram.limits import maybe_done
from bot.telegram.links import may_add
from bot.telegram.send import send_html, typing
from retrieval.qa.answer import Answer
from retrieval.service import Services
from retrieval.store.browse import example_questions, latest, outlet_counts

__all__ = [
    "EXAMPLE",
    "MAX_QUESTION_CHARS",
    "MORE_PAGE",
    "addressed_text",
    "answer",
    "ask_command",
    "group_message",
    "help_command",
    "latest_command",
    "on_button",
    "on_error",
    "private_message",
    "reset",
    "sources_command",
    "start",
]

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
MORE_PAGE = 3
EXAMPLE = "Who met whom this week?"


async def start(update: Update, context: Context) -> None:
    """Greet, say what the bot knows, offer three example questions as buttons."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    stats = await asyncio.to_thread(services.store.stats)
    examples = await _examples(context)
    await message.reply_html(welcome_html(stats), reply_markup=buttons.examples_keyboard(examples))


async def _examples(context: Context) -> list[str]:
    """Example questions the store answers, worked out again only when it changed."""
    services = context.services
    state = await asyncio.to_thread(services.store.db_state)
    cached = context.bot_data.examples
    if cached is None or cached[0] != state:
        loop = asyncio.get_running_loop()

        def ask(question: str) -> Answer:  # where answers are computed (workers or threads)
            asking = context.answers.ask(question, None)
            return asyncio.run_coroutine_threadsafe(asking, loop).result()

        questions = await asyncio.to_thread(example_questions, services.store, ask)
        cached = context.bot_data.examples = (state, questions)
    return cached[1]


async def help_command(update: Update, context: Context) -> None:
    """List the commands (admins also see theirs)."""
    if update.effective_message is None:
        return
    user = update.effective_user
    settings = context.services.settings
    admin = user is not None and user.id in settings.telegram.admin_ids
    extra = (
        ADMIN_HELP
        if admin
        else LINKS_HELP
        if may_add(user, settings.telegram, settings.links)
        else ""
    )
    await update.effective_message.reply_html(HELP + extra)


async def private_message(update: Update, context: Context) -> None:
    """In a private chat, any text is a question."""
    message = update.effective_message
    if message is not None and message.text:
        await answer(context, message.chat, update, message.text, reply_to=None)


async def group_message(update: Update, context: Context) -> None:
    """In a group, answer only when mentioned or replied to; other chatter is ignored."""
    message = update.effective_message
    if message is None or not message.text:
        return
    question = addressed_text(message, context.bot.username, context.bot.id)
    if question is not None:
        await answer(context, message.chat, update, question, reply_to=message.message_id)


def addressed_text(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message addressed to the bot (mention removed), or None when
    the message is not for the bot."""
    text = message.text or ""
    mention = f"@{username}".lower()
    mentions = [
        entity
        for entity in message.entities
        if entity.type == MessageEntity.MENTION and message.parse_entity(entity).lower() == mention
    ]
    replied = message.reply_to_message
    to_bot = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    if not mentions and not to_bot:
        return None
    return re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip(" ,:\n")


async def ask_command(update: Update, context: Context) -> None:
    """/ask QUESTION, in any chat."""
    message = update.effective_message
    if message is None:
        return
    question = " ".join(context.args or [])
    if not question.strip():
        await message.reply_html(f"Usage: /ask <i>question</i>, e.g. /ask {EXAMPLE}")
        return
    group = message.chat.type != Chat.PRIVATE
    await answer(
        context, message.chat, update, question, reply_to=message.message_id if group else None
    )


async def answer(
    context: Context, chat: Chat, update: Update, question: str, reply_to: int | None
) -> None:
    """Answer a question in a chat: typing while it is worked out off the event loop, then
    the HTML answer (split if long) with its buttons. The answer is logged for the buttons
    and kept as the chat's context for a follow-up."""
    question = " ".join(question.split())
    if not question:
        await context.bot.send_message(
            chat.id, f"Ask me something about the news, e.g. “{EXAMPLE}”"
        )
        return
    if len(question) > MAX_QUESTION_CHARS:
        await context.bot.send_message(
            chat.id, "That is long for a question: please ask it in a sentence or two."
        )
        return
    if (listing := timeline.read_request(context.services, question)) is not None:
        # "Whom has X met?": a list of meetings, not one answer (bot/telegram/timeline.py).
        await timeline.send_timeline(context, chat, update, question, listing, reply_to)
        return
    user = update.effective_user
    previous = await asyncio.to_thread(context.turns.get, chat.id)
    services = context.services
    user_id = user.id if user else None
    async with typing(context.bot, chat.id):
        result = await context.answers.ask(question, previous)
        question_id = await asyncio.to_thread(_log, services, chat.id, user_id, question, result)
    await asyncio.to_thread(context.turns.put, chat.id, result)
    markup = buttons.answer_keyboard(question_id, sources=bool(result.citations), shown=0)
    await send_html(context.bot, chat.id, answer_as_html(result), markup, reply_to=reply_to)


def _log(
    services: Services, chat_id: int, user_id: int | None, question: str, result: Answer
) -> int:
    """Record the user and the question with what it cited; the question's id."""
    if user_id is not None:
        services.activity.seen(user_id)
    return services.activity.record_question(
        chat_id,
        user_id,
        question,
        result.kind,
        result.found,
        [(c.hit.passage_id, c.quote) for c in result.citations],
        [hit.passage_id for hit in result.passages],
    )


async def on_button(update: Update, context: Context) -> None:
    """A button: an example question, Sources, More like this, or a vote."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    press = buttons.parse(query.data)
    if press is None:
        await query.answer("This button no longer works; ask again.")
        return
    if press.action == buttons.ASK:
        await query.answer()
        await answer(context, chat, update, press.text, reply_to=None)
        return
    services = context.services
    asked = await asyncio.to_thread(services.activity.question, press.question_id)
    if asked is None or asked.chat_id != chat.id:
        await query.answer("That answer is no longer available; ask again.")
        return
    reply_to = query.message.message_id if query.message else None
    if press.action == buttons.SOURCES:
        await query.answer()
        ids = [passage_id for passage_id, _ in asked.cited]
        hits = await asyncio.to_thread(services.hits, ids)
        cited = [
            (n, hits[pid], quote) for n, (pid, quote) in enumerate(asked.cited, 1) if pid in hits
        ]
        if not cited:
            await context.bot.send_message(chat.id, "Those articles are no longer stored.")
            return
        await send_html(context.bot, chat.id, full_sources_html(cited), reply_to=reply_to)
    elif press.action == buttons.MORE:
        await query.answer()
        shown = {pid for pid, _ in asked.cited} | set(asked.related)
        # Like the answer's evidence, not like the words of the question: a follow-up such as
        # "When?" says nothing by itself.
        like = " ".join(quote for _, quote in asked.cited) or asked.text
        found = await context.answers.search(like, press.value + MORE_PAGE + len(shown) + 1)
        fresh = [hit for hit in found if hit.passage_id not in shown]
        page = fresh[press.value : press.value + MORE_PAGE]
        end = press.value + len(page)
        markup = buttons.more_keyboard(asked.id, end) if len(fresh) > end else None
        await send_html(context.bot, chat.id, more_html(page, press.value + 1), markup, reply_to)
    elif press.action == buttons.VOTE:
        user = update.effective_user
        if user is None:
            return
        await asyncio.to_thread(services.activity.record_feedback, asked.id, user.id, press.value)
        await query.answer("Thanks for the feedback!")
        message = query.message
        # The tick shows your own vote: only in a private chat is the message yours alone.
        private = chat.type == Chat.PRIVATE
        if (
            private
            and isinstance(message, Message)
            and buttons.vote_of(message.reply_markup) != press.value
        ):
            markup = buttons.answer_keyboard(
                asked.id, sources=bool(asked.cited), shown=0, vote=press.value
            )
            await message.edit_reply_markup(markup)


async def sources_command(update: Update, context: Context) -> None:
    """/sources: outlets, their article counts, the newest date."""
    if update.effective_message:
        rows = await asyncio.to_thread(outlet_counts, context.services.store)
        await update.effective_message.reply_html(outlets_html(rows))


async def latest_command(update: Update, context: Context) -> None:
    """/latest: the latest headlines as links."""
    if update.effective_message:
        rows = await asyncio.to_thread(latest, context.services.store, 10)
        await send_html(context.bot, update.effective_message.chat_id, headlines_html(rows))


async def reset(update: Update, context: Context) -> None:
    """/reset: forget the chat's previous question."""
    if update.effective_message:
        await asyncio.to_thread(context.turns.forget, update.effective_message.chat_id)
        await update.effective_message.reply_text("Forgotten; ask away.")


async def on_error(update: object, context: Context) -> None:
    """Log the error with its update and tell the user, in plain words — unless a reply timed
    out once sent: it has most likely arrived, and an apology after it would be wrong."""
    if context.error is not None and maybe_done(context.error):
        logger.warning("a reply to update %s timed out: taken as delivered", update)
        return
    logger.error("error handling update %s", update, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query:
            await update.callback_query.answer("Sorry, something went wrong.")
        elif update.effective_chat:
            await context.bot.send_message(
                update.effective_chat.id,
                "Sorry, something went wrong on my side. Please try again in a moment.",
                parse_mode=ParseMode.HTML,
            )
    except TelegramError:
        logger.warning("could not tell the user about the error", exc_info=True)
