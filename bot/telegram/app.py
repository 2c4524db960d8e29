"""The Telegram bot's wiring: handlers, rate limits and retries, long polling or a webhook.
The handlers are in bot/telegram/handlers.py (the conversation) and bot/telegram/admin.py."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlparse, urlsplit

import httpx
from telegram import Bot, BotCommand, Update
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.logs import redact
from bot.telegram import admin, digest_commands, digests, feeds, handlers, inline, links, timeline
from bot.telegram.context import BotApplication, BotData, Context
from bot.telegram.limits import RetryingRateLimiter
from bot.telegram.workers import answers_for
from retrieval.config import TelegramSettings
from retrieval.errors import BotApiError
from retrieval.service import Services

__all__ = [
    "COMMANDS",
    "POLL_READ_TIMEOUT",
    "READ_TIMEOUT",
    "build",
    "check_bot_api",
    "run",
    "start_up_error",
    "webhook_options",
]

logger = logging.getLogger(__name__)

# Seconds to wait for the Bot API's answer to a call (READ_TIMEOUT) and to getUpdates beyond
# its long-poll time (POLL_READ_TIMEOUT, python-telegram-bot's default); module constants so
# that the fault tests can shorten them.
READ_TIMEOUT = 15.0
POLL_READ_TIMEOUT = 5.0

COMMANDS = [
    BotCommand("ask", "Ask a question (in groups)"),
    BotCommand("sources", "The outlets I read"),
    BotCommand("latest", "The latest headlines"),
    BotCommand("meetings", "Someone's meetings: /meetings NAME [since DATE]"),
    BotCommand("reset", "Forget the conversation"),
    BotCommand("subscribe", "A daily digest: /subscribe 08:00 [topics]"),
    BotCommand("subscriptions", "Your digest"),
    BotCommand("unsubscribe", "Stop the digest, or one topic"),
    BotCommand("timezone", "Your time zone, e.g. /timezone Europe/London"),
    BotCommand("digest", "Today's digest now"),
    BotCommand("help", "What I can do"),
]

_Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
# Every command and its handler (COMMANDS above is the menu: the public ones, described).
_COMMAND_HANDLERS: tuple[tuple[str, _Handler], ...] = (
    ("start", handlers.start),
    ("help", handlers.help_command),
    ("ask", handlers.ask_command),
    ("sources", handlers.sources_command),
    ("latest", handlers.latest_command),
    ("reset", handlers.reset),
    ("meetings", timeline.meetings_command),
    ("subscribe", digest_commands.subscribe),
    ("unsubscribe", digest_commands.unsubscribe),
    ("subscriptions", digest_commands.subscriptions_command),
    ("timezone", digest_commands.timezone_command),
    ("quiet", digest_commands.quiet_command),
    ("digest", digest_commands.digest_now),
    ("ingest", admin.ingest_command),
    ("stats", admin.stats_command),
)


async def _post_init(application: BotApplication) -> None:
    """Put the commands in Telegram's menu; schedule the digests (sending any missed ones)."""
    await application.bot.set_my_commands(COMMANDS)
    outcomes = await digests.restore(application)
    feeds.schedule(application)
    logger.info("digests scheduled; %d missed ones caught up: %s", len(outcomes), outcomes)


async def _post_shutdown(application: BotApplication) -> None:
    """Stop the answer workers, if any."""
    application.bot_data.answers.close()


def build(services: Services) -> BotApplication:
    """The Application with every handler; nothing is sent until it starts."""
    settings = services.settings.telegram
    if settings.token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    token = settings.token.get_secret_value()
    redact(token)
    pool = settings.concurrency + 4  # answers, chat actions and callbacks in flight
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.base_url)
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .rate_limiter(RetryingRateLimiter(overall_max_rate=settings.rate_limit))
        .concurrent_updates(settings.concurrency)
        .connection_pool_size(pool)
        .pool_timeout(10.0)
        .connect_timeout(5.0)
        .read_timeout(READ_TIMEOUT)
        .write_timeout(15.0)
        .get_updates_read_timeout(POLL_READ_TIMEOUT)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.attach(services, answers_for(services, settings.workers))
    # New messages only: an edited message is not asked again.
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    application.add_handler(TypeHandler(Update, admin.gate), group=-1)
    for command, callback in _COMMAND_HANDLERS:
        application.add_handler(CommandHandler(command, callback))
    application.add_handler(ChatMemberHandler(digests.on_removed))
    # A link written out or behind a word, in a text or (forwarded media) a caption.
    linked = filters.Entity("url") | filters.Entity("text_link")
    linked |= filters.CaptionEntity("url") | filters.CaptionEntity("text_link")
    new = filters.UpdateType.MESSAGE & ~filters.COMMAND
    application.add_handler(MessageHandler(private & new & linked, links.on_link))
    application.add_handler(MessageHandler(private & text, handlers.private_message))
    application.add_handler(MessageHandler(groups & text, handlers.group_message))
    application.add_handler(CallbackQueryHandler(timeline.on_page, pattern=r"^tl:"))
    application.add_handler(CallbackQueryHandler(handlers.on_button))
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    application.add_error_handler(handlers.on_error)
    return application


def webhook_options(settings: TelegramSettings) -> dict[str, Any]:
    """How to listen for Telegram's POSTs: WEBHOOK_URL's path on WEBHOOK_LISTEN:WEBHOOK_PORT,
    with a secret token Telegram sends back in a header (WEBHOOK_SECRET, or a fresh random
    one per start, since Telegram is told it at each start anyway)."""
    if not settings.webhook_url:
        raise ValueError("WEBHOOK_URL is not set")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": (
            settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else secrets.token_urlsafe(32)
        ),
        "allowed_updates": Update.ALL_TYPES,
    }


def start_up_error(error: TelegramError, settings: TelegramSettings) -> BotApiError:
    """A Bot API failure at start-up as one plain line. python-telegram-bot's own message for
    a rejected token quotes the token in full, so none of its text is used unredacted."""
    parts = urlsplit(settings.base_url)
    where = f"the Bot API at {parts.scheme}://{parts.hostname or ''}"
    where += f":{parts.port}" if parts.port else ""
    detail = str(error)
    token = settings.token.get_secret_value() if settings.token else ""
    for secret in filter(None, (token,)):
        detail = detail.replace(secret, "[token]")
    detail = re.sub(r"\s+", " ", detail).strip()[:200]
    if isinstance(error, InvalidToken):
        message = f"{where} rejected TELEGRAM_BOT_TOKEN; get a valid one from @BotFather"
    elif isinstance(error, TimedOut):
        message = f"{where} did not answer in time"
    elif isinstance(error, NetworkError) and isinstance(error.__cause__, httpx.TransportError):
        cause = error.__cause__
        message = f"cannot reach {where}: {str(cause) or type(cause).__name__}"
    elif isinstance(error, NetworkError) and ". Parsing the server response" in detail:
        message = f"{where} answered {detail.split('. Parsing the server response')[0]}"
    elif detail == "Invalid server response":
        message = f"{where} sent something that is not a Bot API answer (not JSON)"
    else:
        message = f"{where} refused to start the bot: {detail}"
    return BotApiError(message)


async def check_bot_api(settings: TelegramSettings) -> None:
    """One getMe without retries, so that a bad token, a dead network or a broken proxy is
    reported in one line at start-up, before python-telegram-bot's retry loop logs it."""
    request = HTTPXRequest(connect_timeout=5.0, read_timeout=15.0)
    token = settings.token.get_secret_value() if settings.token else ""
    bot = Bot(token, base_url=settings.base_url,
              request=request)  # fmt: skip
    quiet = logging.getLogger("telegram")  # it logs a bad answer with a traceback: told below
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        await bot.initialize()  # getMe
    except TelegramError as exc:
        raise start_up_error(exc, settings) from None
    finally:
        quiet.setLevel(level)
        await request.shutdown()


def run(services: Services) -> None:
    """Run until interrupted: a webhook when WEBHOOK_URL is set, long polling otherwise. A Bot
    API that refuses or cannot be reached at start-up raises BotApiError (one line, no token)."""
    settings = services.settings.telegram
    asyncio.run(check_bot_api(settings))
    application = build(services)
    try:
        if settings.webhook_url:
            application.run_webhook(**webhook_options(settings))
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except TelegramError as exc:
        application.bot_data.answers.close()
        raise start_up_error(exc, settings) from None
