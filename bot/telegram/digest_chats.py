"""Whose digest a command changes, and whether its sender may change it: a private chat's own
digest; a group's, by one of the group's admins only; a channel's (`/subscribe @channel …`
from a private chat), by an admin of that channel, with the bot an admin there too so that it
can post. Admins are asked of Telegram (getChatMember) at each change, never remembered: a
demoted admin loses the right at once.

A group's anonymous admins write as the group itself (`sender_chat` is the chat): they are
admins."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from telegram import Chat, ChatMember, Message
from telegram.error import BadRequest, Forbidden

from bot.telegram.context import Context

__all__ = [
    "ADMINS_ONLY",
    "ADMIN_STATUSES",
    "DigestChat",
    "digest_chat",
    "is_chat_admin",
]

logger = logging.getLogger(__name__)

ADMIN_STATUSES = (ChatMember.OWNER, ChatMember.ADMINISTRATOR)
ADMINS_ONLY = "Only this group's admins can change its digest."


@dataclass(frozen=True)
class DigestChat:
    """The chat a digest command is about: `chat_id` gets the digest; `owner` says whose it
    is in replies ("your", "this group's", "@wire's"; HTML-escaped); `channel` is a channel's
    @name."""

    chat_id: int
    owner: str
    channel: str | None = None

    def whose(self, thing: str) -> str:
        """'Your digest', 'This group's time zone', '@wire's digest'."""
        text = f"{self.owner} {thing}"
        return text[:1].upper() + text[1:]


async def is_chat_admin(context: Context, chat_id: int | str, user_id: int) -> bool:
    """Whether the user is the chat's creator or one of its administrators (getChatMember)."""
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in ADMIN_STATUSES


async def digest_chat(
    message: Message, context: Context, args: list[str], change: bool
) -> tuple[DigestChat | None, list[str]]:
    """The chat the command is about and the arguments left after an `@channel` first one;
    None (the sender told why) when it may not. `change`: the command changes the digest (in
    a group, admins only); reading it is open to every member."""
    chat = message.chat
    user = message.from_user
    if chat.type == Chat.PRIVATE:
        if args and args[0].startswith("@") and len(args[0]) > 1:
            return await _channel(message, context, args[0]), args[1:]
        return DigestChat(chat.id, "your"), args
    if chat.type == Chat.CHANNEL:
        return None, args  # commands posted in a channel have no sender to check
    target = DigestChat(chat.id, "this group's")
    if not change:
        return target, args
    anonymous = message.sender_chat is not None and message.sender_chat.id == chat.id
    if anonymous or (user is not None and await is_chat_admin(context, chat.id, user.id)):
        return target, args
    await message.reply_text(ADMINS_ONLY)
    return None, args


async def _channel(message: Message, context: Context, name: str) -> DigestChat | None:
    """A channel named by @username, if the bot may post there and the sender is its admin."""
    user = message.from_user
    shown = html.escape(name)
    try:
        chat = await context.bot.get_chat(name)
        if chat.type != Chat.CHANNEL:
            await message.reply_html(f"{shown} is not a channel.")
            return None
        bot_admin = await is_chat_admin(context, chat.id, context.bot.id)
        user_admin = user is not None and await is_chat_admin(context, chat.id, user.id)
    except (BadRequest, Forbidden) as exc:
        logger.info("channel %s: %s", name, exc.message)
        await message.reply_html(
            f"I can't reach {shown}: add me to the channel as an admin who may post, then "
            "try again."
        )
        return None
    if not bot_admin:
        await message.reply_html(f"I'm not an admin of {shown}: make me one who may post.")
        return None
    if not user_admin:
        await message.reply_html(f"Only the admins of {shown} can see or change its digest.")
        return None
    handle = html.escape(f"@{chat.username}") if chat.username else shown
    return DigestChat(chat.id, f"{handle}'s", channel=handle)
