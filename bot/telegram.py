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
from bot.render import hits_as_html

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
    """Answer a question with the best passages and their sources."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await message.chat.send_action(ChatAction.TYPING)
    services = _services(context)
    services.store.reload_if_changed()
    hits = await asyncio.to_thread(services.searcher.search, message.text, 3)
    await message.reply_text(
        hits_as_html(hits), parse_mode=ParseMode.HTML, disable_web_page_preview=True
    )


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
