"""Daily digests: building and sending them, and the jobs that do it (the commands that set
them up are in bot/telegram/digest_commands.py).

Each subscribed chat has one job in PTB's JobQueue, set with `run_once` for the next delivery
instant that bot/telegram/schedule.py computes (time zones and DST changes handled there, as pure,
tested functions), and set again after each run; a change of time or time zone replaces it.
Jobs are re-created from the database at start-up, where a digest missed while the bot was
down is sent once if it is at most DIGEST_GRACE_HOURS late, and brought in line with it every
minute (`sync_jobs`): with several instances on one database, a /subscribe taken by one
gives every instance its job, and a job whose subscription another instance moved or ended
sends nothing. Every instance then runs each digest job; the claim lets one send it.
Every delivery is built, then claimed in the delivery log (unique per chat and date), then
sent: a digest is never sent twice, even across a restart mid-send or two bot processes on
one PostgreSQL (at most once). A bot killed while building loses nothing (no claim yet: the
restart sends it); one killed during a send itself leaves that chat's claim unfinished, and
the restart says so in the log rather than risk a second copy. At most DIGEST_SENDS digests
are claimed and unsent at any time, so a kill loses at most that many.

A chat that refuses the bot (403: a user who blocked it, a group that kicked it, a channel
that removed it) has its subscription ended at the first refused send, and the log says so;
a group or channel that removes the bot while it runs ends it at once (`on_removed`, on the
my_chat_member update Telegram sends).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from telegram import ChatMember, Update
from telegram.error import Forbidden
from telegram.ext import Job

from bot.telegram import schedule
from bot.telegram.context import BotApplication, Context
from bot.telegram.digest_html import NOTHING_NEW, digest_html
from bot.telegram.send import send_html
from retrieval.digest.stories import articles_since, filter_by_topics, group_stories
from retrieval.digest.subscriptions import EMPTY, FAILED, SENT, Subscribed
from retrieval.service import Services

__all__ = [
    "DEFAULT_TIME",
    "SYNC_EVERY",
    "SYNC_JOB",
    "WINDOW",
    "build",
    "cancel_job",
    "deliver",
    "end_subscription",
    "now",
    "on_removed",
    "restore",
    "schedule_job",
    "sync_jobs",
]

logger = logging.getLogger(__name__)

DEFAULT_TIME = time(8, 0)
SYNC_EVERY = 60.0  # seconds: how soon another instance's /subscribe reaches this one's jobs
SYNC_JOB = "digest-sync"
WINDOW = timedelta(hours=24)
# The bot's statuses in a chat that has removed it.
_GONE = (ChatMember.LEFT, ChatMember.BANNED)


def now(context: Context | BotApplication) -> datetime:
    """The bot's clock (another one in tests)."""
    return context.bot_data.clock()


def _services(source: Context | BotApplication) -> Services:
    return source.bot_data.services


# -- building and sending --------------------------------------------------------------------


def build(
    source: Context | BotApplication,
    topics: tuple[str, ...],
    since: datetime,
    until: datetime,
    day: date,
) -> tuple[str | None, int]:
    """The digest's HTML (None when nothing is new) and its number of stories; its texts
    are encoded where answers are computed (`Answers.embedder`)."""
    embedder = source.bot_data.answers.embedder
    articles = articles_since(_services(source).store, since, until)
    stories = group_stories(articles, embedder)
    if topics:
        stories = filter_by_topics(stories, topics, embedder)
    if not stories:
        return None, 0
    return digest_html(stories, day, len(articles), topics), len(stories)


async def deliver(application: BotApplication, chat_id: int) -> str:
    """Send the chat's digest for today (its local date) unless the log says it went already;
    returns what happened: sent / empty / skipped / failed / unsubscribed."""
    services = _services(application)
    subscriptions = services.subscriptions
    sub = await asyncio.to_thread(subscriptions.get, chat_id)
    if sub is None:
        return "unsubscribed"
    instant = now(application)
    day = schedule.local_date(instant, sub.timezone or "UTC")
    return await _deliver(application, sub, day, instant)


async def _deliver(
    application: BotApplication,
    sub: Subscribed,
    day: date,
    instant: datetime,
) -> str:
    services = _services(application)
    subscriptions = services.subscriptions
    previous = await asyncio.to_thread(subscriptions.last_delivery, sub.chat_id)
    if previous is not None and previous[0] == day:
        logger.info("digest of %s for chat %s was already claimed", day, sub.chat_id)
        return "skipped"
    # Since the last digest, at most a day back. Built before the claim, so that a crash
    # while building (seconds of work) leaves no claim: the digest is still sent after a
    # restart within the grace window. Only a crash during the send itself loses it.
    since = max(previous[1], instant - WINDOW) if previous else instant - WINDOW
    text, stories = await asyncio.to_thread(build, application, sub.topics, since, instant, day)
    # Claimed only when it can go out at once: a claim waiting behind other chats' sends
    # would be lost with them in a kill (30 jobs of one minute, all claimed, lost 18 of 30).
    async with application.bot_data.digest_sends:
        return await _claim_and_send(application, sub, day, text, stories)


async def _claim_and_send(
    application: BotApplication, sub: Subscribed, day: date, text: str | None, stories: int
) -> str:
    subscriptions = _services(application).subscriptions
    if not await asyncio.to_thread(subscriptions.claim, sub.chat_id, day):
        logger.info("digest of %s for chat %s was already claimed", day, sub.chat_id)
        return "skipped"
    try:
        if text is None and sub.quiet:
            status = EMPTY
        else:
            await send_html(application.bot, sub.chat_id, text or NOTHING_NEW)
            status = SENT if text else EMPTY
    except Forbidden as exc:
        # Blocked by the user, kicked from the group, removed from the channel: for good.
        await asyncio.to_thread(subscriptions.finish, sub.chat_id, day, FAILED)
        await end_subscription(application, sub.chat_id, f"Telegram refused the digest: {exc}")
        return "unsubscribed"
    except Exception:
        await asyncio.to_thread(subscriptions.finish, sub.chat_id, day, FAILED)
        raise
    await asyncio.to_thread(subscriptions.finish, sub.chat_id, day, status, stories)
    return status


async def end_subscription(application: BotApplication, chat_id: int, why: str) -> bool:
    """End a chat's subscription (its log stays) and its job, logging why; whether there was
    one."""
    subscriptions = _services(application).subscriptions
    had = await asyncio.to_thread(subscriptions.get, chat_id) is not None
    await asyncio.to_thread(subscriptions.forget_chat, chat_id)
    cancel_job(application, chat_id)
    if had:
        logger.warning("chat %s: %s; its digest subscription is ended", chat_id, why)
    return had


async def on_removed(update: Update, context: Context) -> None:
    """The bot's own membership changed (my_chat_member): removed from a group or channel,
    or blocked in a private chat, it ends that chat's digest at once."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in _GONE:
        return
    by = change.from_user.id if change.from_user else None
    await end_subscription(
        context.application, change.chat.id, f"the bot was removed from the chat (by user {by})"
    )


# -- the jobs --------------------------------------------------------------------------------


def _job_name(chat_id: int) -> str:
    return f"digest:{chat_id}"


def cancel_job(application: BotApplication, chat_id: int) -> None:
    """Remove the chat's digest job, if any."""
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name(_job_name(chat_id)):
        job.schedule_removal()


def schedule_job(application: BotApplication, sub: Subscribed, after: datetime) -> datetime:
    """(Re)place the chat's job at its next delivery after `after`; returns that instant."""
    assert application.job_queue is not None
    cancel_job(application, sub.chat_id)
    when = schedule.next_delivery(sub.at, sub.timezone or "UTC", after)
    application.job_queue.run_once(
        _run_job, when=when, name=_job_name(sub.chat_id), chat_id=sub.chat_id,
        data=_planned(sub),
    )  # fmt: skip
    return when


def _planned(sub: Subscribed) -> tuple[time, str | None]:
    """What a job was set for: a job whose subscription now says otherwise is out of date."""
    return sub.at, sub.timezone


def sync_jobs(application: BotApplication, subs: list[Subscribed], instant: datetime) -> int:
    """Make this process's digest jobs those of `subs` (the database's subscriptions): a job
    set for each at its next delivery after `instant`, unless one is set for its time and zone
    already; none for a chat not among them. Returns how many jobs were set or removed."""
    assert application.job_queue is not None
    wanted = {sub.chat_id for sub in subs}
    current: dict[int, list[Job[Any]]] = {}  # one pass over the jobs, not one per chat
    changed = 0
    for job in application.job_queue.jobs():
        if not (job.name or "").startswith("digest:") or job.chat_id is None:
            continue
        if job.chat_id in wanted:
            current.setdefault(job.chat_id, []).append(job)
        else:
            job.schedule_removal()
            changed += 1
    for sub in subs:
        if not any(job.data == _planned(sub) for job in current.get(sub.chat_id, ())):
            schedule_job(application, sub, instant)
            changed += 1
    return changed


async def _sync(context: Context) -> None:
    """The repeating job: the digest jobs in line with the database."""
    application = context.application
    subs = await asyncio.to_thread(_services(application).subscriptions.all)
    if changed := sync_jobs(application, subs, now(application)):
        logger.info("digest jobs: %d set or removed for subscriptions changed elsewhere", changed)


async def _run_job(context: Context) -> None:
    """A digest job: send, then set the next one."""
    job: Job[Any] = context.job  # type: ignore[assignment]
    assert job.chat_id is not None
    application = context.application
    try:
        sub = await asyncio.to_thread(_services(application).subscriptions.get, job.chat_id)
        if sub is not None and job.data != _planned(sub):
            # Moved by another instance since this job was set: the new time sends it.
            logger.info("digest for chat %s: moved to %s; not now", job.chat_id, sub.at)
            return
        outcome = await deliver(application, job.chat_id)
        logger.info("digest for chat %s: %s", job.chat_id, outcome)
    finally:
        sub = await asyncio.to_thread(_services(application).subscriptions.get, job.chat_id)
        if sub is not None:
            # From the later of the clock and the instant this run was for: a run a little
            # early must not be scheduled again for the same delivery.
            planned = job.next_t or now(application)
            schedule_job(application, sub, max(now(application), planned) + timedelta(seconds=1))


async def restore(application: BotApplication) -> list[str]:
    """At start-up: a job for every subscription, each digest missed while the bot was down
    sent once if it is within the grace window, and the job that keeps the digest jobs in line
    with the database (`sync_jobs`, every SYNC_EVERY seconds); returns what the catch-ups did."""
    services = _services(application)
    grace = timedelta(hours=services.settings.digests.grace_hours)
    instant = now(application)
    outcomes = []
    for chat_id, claimed_day, claimed in await asyncio.to_thread(services.subscriptions.unfinished):
        logger.warning(
            "digest of %s for chat %s was claimed at %s and never recorded as sent: if the bot "
            "was stopped while sending it, it may not have arrived (it is not sent twice)",
            claimed_day, chat_id, claimed.isoformat(timespec="seconds"),
        )  # fmt: skip
    for sub in await asyncio.to_thread(services.subscriptions.all):
        last = await asyncio.to_thread(services.subscriptions.last_delivery, sub.chat_id)
        day = schedule.missed(sub.at, sub.timezone or "UTC", instant, last[0] if last else None,
                              grace)  # fmt: skip
        if day is not None:
            outcomes.append(await _deliver(application, sub, day, instant))
        if await asyncio.to_thread(services.subscriptions.get, sub.chat_id):
            schedule_job(application, sub, instant)
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name(SYNC_JOB):
        job.schedule_removal()
    application.job_queue.run_repeating(_sync, interval=SYNC_EVERY, first=SYNC_EVERY,
                                        name=SYNC_JOB)  # fmt: skip
    return outcomes
