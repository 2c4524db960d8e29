"""The digest commands: /subscribe, /unsubscribe, /subscriptions, /timezone, /quiet and
/digest, for a private chat, a group (changed by its admins only) or a channel named first
(`/subscribe @channel 08:00 climate, -football`, by an admin of the channel): whose digest it
is, and who may change it, is bot/telegram/digest_chats.py's; sending and scheduling are
bot/telegram/digests.py's."""

from __future__ import annotations

import asyncio
import html
from datetime import datetime

from telegram import Message, Update

from bot.telegram import schedule
from bot.telegram.context import Context
from bot.telegram.digest_chats import DigestChat, digest_chat
from bot.telegram.digest_html import NOTHING_NEW
from bot.telegram.digests import DEFAULT_TIME, WINDOW, build, cancel_job, now, schedule_job
from bot.telegram.send import send_html
from retrieval.digest import topics as digest_topics
from retrieval.digest.subscriptions import Subscribed

__all__ = [
    "ASK_ZONE",
    "digest_now",
    "quiet_command",
    "subscribe",
    "subscriptions_command",
    "timezone_command",
    "unsubscribe",
]

ASK_ZONE = (
    "I don't know your time zone yet, so I'll use UTC. Tell me with /timezone "
    "<i>Europe/London</i> (a city such as <i>Paris</i>, or <i>UTC+2</i>, works too)."
)
_USAGE = (
    "Usage: /subscribe [<i>HH:MM</i>] [<i>topics</i>], e.g. /subscribe 07:30 climate, "
    "central banks, -football (a minus leaves a topic out); /subscribe @<i>channel</i> "
    "<i>HH:MM</i> [<i>topics</i>] for a channel you and I both admin"
)


async def _target(
    update: Update, context: Context, change: bool
) -> tuple[Message, DigestChat, list[str]] | None:
    """The message, the chat it is about and the arguments left; None when it may not."""
    message = update.effective_message
    if message is None:
        return None
    target, args = await digest_chat(message, context, list(context.args or []), change)
    return (message, target, args) if target is not None else None


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [@channel] [HH:MM] [topics]: a daily digest at that local time (default
    08:00), for all news or for the topics (commas between them, or single words; a minus
    excludes one)."""
    found = await _target(update, context, change=True)
    if found is None:
        return
    message, target, args = found
    at = schedule.parse_time(args[0]) if args else None
    if at is not None:
        args = args[1:]
    elif args and any(c.isdigit() for c in args[0]):
        await message.reply_html(_USAGE)
        return
    subscriptions = context.services.subscriptions
    if target.channel is not None and message.from_user is not None:
        await _zone_from_user(context, target.chat_id, message.from_user.id)
    sub = await asyncio.to_thread(
        subscriptions.subscribe, target.chat_id, at or DEFAULT_TIME, digest_topics.parse(args)
    )
    when = schedule_job(context.application, sub, now(context))
    reply = (
        f"Subscribed: a daily digest at {sub.at:%H:%M} ({html.escape(sub.timezone or 'UTC')}) "
        f"on {html.escape(digest_topics.describe(sub.topics))}"
        + (f", posted in {target.channel}" if target.channel else "")
        + f". The next one: {_local(when, sub)}."
    )
    if sub.timezone is None:
        # A channel's zone is set from here too: the command names it.
        named = f" {target.channel}" if target.channel else ""
        reply += "\n\n" + ASK_ZONE.replace("/timezone", f"/timezone{named}")
    await message.reply_html(reply)


async def _zone_from_user(context: Context, channel_id: int, user_id: int) -> None:
    """A channel without a time zone takes the zone of the admin subscribing it."""
    subscriptions = context.services.subscriptions
    if await asyncio.to_thread(subscriptions.timezone, channel_id) is None:
        zone = await asyncio.to_thread(subscriptions.timezone, user_id)
        if zone is not None:
            await asyncio.to_thread(subscriptions.set_timezone, channel_id, zone)


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe [@channel] [topic]: stop the digest, or drop one topic from it."""
    found = await _target(update, context, change=True)
    if found is None:
        return
    message, target, args = found
    topic = " ".join(args).strip() or None
    subscriptions = context.services.subscriptions
    before = await asyncio.to_thread(subscriptions.get, target.chat_id)
    if before is None:
        none = "You have no digest" if target.owner == "your" else f"{target.whose('digest')}: none"
        await message.reply_html(f"{none}. /subscribe <i>HH:MM</i> [<i>topics</i>]")
        return
    if topic and topic.lower() not in (t.lower() for t in before.topics):
        covers = digest_topics.describe(before.topics)
        await message.reply_html(
            f"{target.whose('digest')} has no topic “{html.escape(topic)}”; it covers "
            f"{html.escape(covers)}."
        )
        return
    left = await asyncio.to_thread(subscriptions.unsubscribe, target.chat_id, topic)
    if left is None:
        cancel_job(context.application, target.chat_id)
        await message.reply_text("Unsubscribed: no more daily digests.")
    else:
        covers = html.escape(digest_topics.describe(left.topics))
        await message.reply_html(f"Done: {target.owner} digest now covers {covers}.")


async def subscriptions_command(update: Update, context: Context) -> None:
    """/subscriptions [@channel]: the digest, its topics, time and next delivery."""
    found = await _target(update, context, change=False)
    if found is None:
        return
    message, target, _ = found
    sub = await asyncio.to_thread(context.services.subscriptions.get, target.chat_id)
    if sub is None:
        await message.reply_html("No digest yet. /subscribe <i>HH:MM</i> [<i>topics</i>]")
        return
    nothing = "nothing" if sub.quiet else "a one-line note"
    when = schedule.next_delivery(sub.at, sub.timezone or "UTC", now(context))
    await message.reply_html(
        f"Daily at {sub.at:%H:%M} {html.escape(sub.timezone or 'UTC')}: "
        f"{html.escape(digest_topics.describe(sub.topics))}. Next: {_local(when, sub)}. "
        f"When there is nothing new: {nothing} (/quiet to change)."
    )


async def timezone_command(update: Update, context: Context) -> None:
    """/timezone [@channel] NAME: an IANA name, a city, or an offset such as UTC+2."""
    # Naming a zone changes it; asking for the current one (maybe a channel's) is open to all.
    change = any(not arg.startswith("@") for arg in context.args or [])
    found = await _target(update, context, change=change)
    if found is None:
        return
    message, target, args = found
    text = " ".join(args).strip()
    subscriptions = context.services.subscriptions
    if not text:
        current = await asyncio.to_thread(subscriptions.timezone, target.chat_id)
        await message.reply_html(
            f"{target.whose('time zone')}: {html.escape(current or 'not set (UTC)')}. Change "
            "it with /timezone <i>Europe/London</i>, a city, or <i>UTC+2</i>."
        )
        return
    name = schedule.resolve_timezone(text)
    if name is None:
        guesses = schedule.suggest_timezones(text)
        hint = f" Did you mean {', '.join(guesses)}?" if guesses else ""
        await message.reply_text(f"I don't know the time zone “{text}”.{hint}")
        return
    await asyncio.to_thread(subscriptions.set_timezone, target.chat_id, name)
    sub = await asyncio.to_thread(subscriptions.get, target.chat_id)
    reply = f"Time zone set: {name}."
    if sub is not None:
        when = schedule_job(context.application, sub, now(context))
        reply += f" {target.whose('next digest')}: {_local(when, sub)}."
    await message.reply_text(reply)


async def quiet_command(update: Update, context: Context) -> None:
    """/quiet [@channel] on|off: with nothing new, send nothing (on) or a one-line note."""
    found = await _target(update, context, change=True)
    if found is None:
        return
    message, target, args = found
    choice = (args or [""])[0].lower()
    if choice not in ("on", "off"):
        await message.reply_html("Usage: /quiet <i>on</i> (nothing when there is nothing new) "
                                 "or /quiet <i>off</i> (a one-line note)")  # fmt: skip
        return
    subscriptions = context.services.subscriptions
    await asyncio.to_thread(subscriptions.set_quiet, target.chat_id, choice == "on")
    await message.reply_text(
        "Nothing will be sent on days with nothing new."
        if choice == "on"
        else "On days with nothing new you'll get a one-line note."
    )


async def digest_now(update: Update, context: Context) -> None:
    """/digest: the digest of the last 24 hours now, here (the scheduled one still comes)."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    sub = await asyncio.to_thread(services.subscriptions.get, message.chat_id)
    topics = sub.topics if sub else ()
    instant = now(context)
    day = schedule.local_date(instant, sub.timezone or "UTC") if sub else instant.date()
    text, _ = await asyncio.to_thread(build, context, topics, instant - WINDOW, instant, day)
    await send_html(context.bot, message.chat_id, text or NOTHING_NEW)


def _local(when: datetime, sub: Subscribed) -> str:
    local = when.astimezone(schedule.zone(sub.timezone or "UTC"))
    return local.strftime("%a %-d %b, %H:%M")
