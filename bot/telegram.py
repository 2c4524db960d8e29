"""The Telegram bot: long polling, /start, /help, and any text as a question."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.app import Services
from bot.render import answer_as_html
from retrieval.answer import Answer

logger = logging.getLogger(__name__)


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services: Services = context.bot_data["services"]
    return services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet and say what the bot knows."""
    stats = _services(context).store.stats()
    if update.effective_message:
        await update.effective_message.reply_text(
            f"Hello! I answer questions about {stats['articles']} news articles, with sources. "
            "Ask me anything, e.g. “Who did Liz Truss meet in Washington?”"
        )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.effective_message:
        await update.effective_message.reply_text(
            "/start – what I know\n/help – this list\nAny other message is a question."
        )


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a question, with numbered sources; the chat's last answer is the context of a
    follow-up."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await message.chat.send_action(ChatAction.TYPING)
    services = _services(context)
    previous = context.chat_data.get("previous") if context.chat_data is not None else None
    answer = await asyncio.to_thread(_answer, services, message.text, previous)
    if context.chat_data is not None:
        context.chat_data["previous"] = answer
    await message.reply_text(
        answer_as_html(answer), parse_mode=ParseMode.HTML, disable_web_page_preview=True
    )


def _answer(services: Services, text: str, previous: Answer | None) -> Answer:
    """Off the event loop: pick up an index another process saved, then answer."""
    services.store.reload_if_changed()
    return services.answerer.ask(text, previous=previous)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user in plain words."""
    logger.error("error handling update %s", update, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        await update.effective_message.reply_text("Sorry, something went wrong. Please try again.")


def build(services: Services) -> Application:
    """Wire the handlers; nothing else."""
    settings = services.settings
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    application.bot_data["services"] = services
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, question))
    application.add_error_handler(on_error)
    return application


def run(services: Services) -> None:
    """Run the bot with long polling until interrupted."""
    build(services).run_polling(allowed_updates=Update.ALL_TYPES)
