"""Sending HTML safely: long text split under Telegram's 4,096 characters without breaking a
tag or an entity, buttons on the last part, and "typing…" while an answer is computed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.telegram.limits import maybe_done
from bot.telegram.split import split_html

__all__ = ["NO_PREVIEW", "TYPING_EVERY", "send_html", "typing"]

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TYPING_EVERY = 4.5  # seconds; Telegram shows an action for 5 seconds


async def send_html(
    bot: ExtBot[None],
    chat_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> list[Message]:
    """Send `html` as one or more messages; the buttons go under the last part, and only the
    first part replies to `reply_to`. Returns the messages whose answer came back: a part
    that timed out once sent (`maybe_done`) is taken as delivered, as Telegram most likely
    delivered it, and the next parts still go."""
    parts = split_html(html)
    sent = []
    for n, part in enumerate(parts):
        try:
            message = await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=markup if n == len(parts) - 1 else None,
                reply_parameters=(
                    ReplyParameters(reply_to, allow_sending_without_reply=True)
                    if reply_to and n == 0
                    else None
                ),
            )
        except TimedOut as exc:
            if not maybe_done(exc):
                raise
            logger.warning("part %d/%d to chat %s timed out: taken as delivered",
                           n + 1, len(parts), chat_id)  # fmt: skip
            continue
        sent.append(message)
    return sent


@contextlib.asynccontextmanager
async def typing(bot: ExtBot[None], chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends, renewed every few seconds. The first
    action is sent alongside the work, not before it, and is let finish even when the work
    was quicker; a failure to show it is logged and never stops the answer."""

    async def action() -> bool:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
            return True
        except TelegramError as exc:
            logger.info("chat action failed: %s", exc)
            return False

    first = asyncio.create_task(action())

    async def renew() -> None:
        if await asyncio.shield(first):
            while True:
                await asyncio.sleep(TYPING_EVERY)
                if not await action():
                    return

    renewing = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
            await asyncio.wait_for(first, timeout=5)
