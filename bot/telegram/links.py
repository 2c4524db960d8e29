"""News links sent (or forwarded) to the bot in a private chat: the article is fetched and
stored, and the bot answers with its headline, outlet, date and the meetings it reports, and
asks for questions about it; the chat's next follow-ups prefer it.

Who may add articles so is LINK_INGEST (`settings.links`); everyone but the admins may send
LINK_LIMIT_PER_HOUR links an hour (counted in the database, so on every instance). A link is
checked here first, cheaply (http(s), a host, every address public, unless FETCH_ALLOW_PRIVATE
is on, as for any ingest), then fetched, checked to be one article and stored by `newsbot
link --json` in a child process, as /ingest does: the index is written under its writer lock
there, while this process keeps answering and picks the article up at its next refresh. A page
that is not an article gets its one-line reason (ingest/pages.py)."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram import Message, MessageEntity, Update, User

from bot.child import run_json
from bot.render import day
from bot.telegram import buttons
from bot.telegram.context import Context
from bot.telegram.digest_html import event_line
from bot.telegram.send import send_html, typing
from ingest.fetch import check_url, parse_url
from ingest.link import fetch_reason
from retrieval.config import LinkSettings, TelegramSettings
from retrieval.errors import FetchError
from retrieval.qa.answer import Answer
from retrieval.state.links import FAILED, KNOWN, REFUSED, LinkedArticle, Links, link_turn
from retrieval.store.events import ANNOUNCED, StoredEvent, normalize_name

__all__ = [
    "FOLLOW_UPS",
    "LIMITED",
    "LINK_TIMEOUT",
    "NOT_ALLOWED",
    "first_link",
    "linked_html",
    "may_add",
    "on_link",
]

logger = logging.getLogger(__name__)

LINK_TIMEOUT = 300.0  # seconds for the child: start-up (model, spaCy), one fetch, one article
LIMITED = "limited"  # a link refused by the hourly limit: not counted against it
NOT_ALLOWED = (
    "I can't add articles from links for you, sorry: only the bot's admins can. Ask me about "
    "the news I have instead."
)
# Offered under an article with meetings: each a follow-up that borrows its people.
FOLLOW_UPS = ("Who met whom?", "When did they meet?", "Where did they meet?")
_HOUR = timedelta(hours=1)


def first_link(message: Message) -> str | None:
    """The message's first link: a URL written out, or a text link's target (in its text or,
    for a forwarded photo or video, its caption)."""
    for entity, text in (*message.parse_entities().items(),
                         *message.parse_caption_entities().items()):  # fmt: skip
        if entity.type == MessageEntity.URL:
            return text if "://" in text else f"https://{text}"
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            return entity.url
    return None


def may_add(user: User | None, telegram: TelegramSettings, links: LinkSettings) -> bool:
    """Whether LINK_INGEST lets the user add articles: admins always; `allowed`, whoever may
    use the bot (ALLOWED_USER_IDS; everyone when it is empty); `everyone`, everyone; no one
    but the admins when LINK_LIMIT_PER_HOUR is 0."""
    if user is None:
        return False
    if user.id in telegram.admin_ids:
        return True
    if links.per_hour == 0:
        return False  # the hourly limit leaves the others none
    if links.who == "everyone":
        return True
    if links.who == "allowed":
        return not telegram.allowed_user_ids or user.id in telegram.allowed_user_ids
    return False


async def on_link(update: Update, context: Context) -> None:
    """A private message with a link: add the article, or say in one line why not."""
    message = update.effective_message
    user = update.effective_user
    url = first_link(message) if message is not None else None
    if message is None or url is None:
        return
    settings = context.services.settings
    if not may_add(user, settings.telegram, settings.links):
        await message.reply_text(NOT_ALLOWED)
        return
    assert user is not None
    try:
        url = str(parse_url(url))
    except FetchError as exc:
        await message.reply_text(fetch_reason(exc))
        return
    links = context.services.links()
    submission = await asyncio.to_thread(links.start, user.id, message.chat_id, url)
    if user.id not in settings.telegram.admin_ids:
        wait_until = await asyncio.to_thread(_over_limit, links, user.id, settings.links.per_hour)
        if wait_until is not None:
            await asyncio.to_thread(links.finish, submission, LIMITED)
            await message.reply_text(
                f"That's {settings.links.per_hour} links in the last hour, the most I take: "
                f"send it again after {wait_until:%H:%M} UTC."
            )
            return
    try:
        # The cheap check first: no child process for a link that would be refused anyway.
        await asyncio.to_thread(check_url, url, settings.fetch.allow_private)
    except FetchError as exc:
        await asyncio.to_thread(links.finish, submission, REFUSED, str(exc))
        await message.reply_text(fetch_reason(exc))
        return
    async with context.bot_data.link_fetches, typing(context.bot, message.chat_id):
        outcome = await run_json(settings, ["link", "--json", url], LINK_TIMEOUT)
    await _reply(context, message, links, submission, outcome)


def _over_limit(links: Links, user_id: int, per_hour: int) -> datetime | None:
    """When the user may send a link again, if the one just recorded is over the limit: the
    hour is a sliding one, so when enough of the counted ones are an hour old."""
    counted = links.sent_since(user_id, links.now() - _HOUR, exclude=LIMITED)
    if len(counted) <= per_hour:
        return None
    return counted[len(counted) - per_hour - 1] + _HOUR


async def _reply(
    context: Context,
    message: Message,
    links: Links,
    submission: int,
    outcome: dict[str, object] | None,
) -> None:
    """Record what came of the link and tell the user."""
    article_id = outcome.get("article_id") if outcome else None
    if outcome is None or not isinstance(article_id, int):
        reason = str(outcome.get("reason")) if outcome else "I couldn't add that page just now."
        status = str(outcome.get("status")) if outcome else FAILED
        await asyncio.to_thread(links.finish, submission, status, reason)
        await message.reply_text(reason)
        return
    status = str(outcome.get("status"))
    await asyncio.to_thread(links.finish, submission, status, None, article_id)
    await asyncio.to_thread(context.services.refresh)
    article = await asyncio.to_thread(links.article, article_id)
    if article is None:  # deleted since (another process re-ingesting it): rare
        await message.reply_text("That article is no longer stored; send the link again.")
        return
    turn = link_turn(article)
    previous = Answer(question=turn.text, text="", found=False, kind="none", understood=turn)
    await asyncio.to_thread(context.turns.put, message.chat_id, previous)
    markup = buttons.examples_keyboard(list(FOLLOW_UPS)) if article.events else None
    await send_html(context.bot, message.chat_id, linked_html(article, status == KNOWN), markup)


def _one_per_meeting(events: Sequence[StoredEvent]) -> list[StoredEvent]:
    """One event per group of people, the one that says most (a day and a place, reported
    rather than announced): an article tells of its meeting in several sentences."""
    best: dict[frozenset[str], StoredEvent] = {}
    for event in events:
        key = frozenset(normalize_name(p) for p in event.people)
        if key not in best or _says(event) > _says(best[key]):
            best[key] = event
    return list(best.values())


def _says(event: StoredEvent) -> tuple[int, bool]:
    return (event.when is not None) + (event.where is not None), event.status != ANNOUNCED


def linked_html(article: LinkedArticle, known: bool) -> str:
    """The reply to a link: the article's headline (linked), outlet and date, the meetings
    it reports, and an invitation to ask about it."""
    title = html.escape(article.title)
    if article.url:
        title = f'<a href="{html.escape(article.url, quote=True)}">{title}</a>'
    lines = [f"{'📰 I have this one already' if known else '📰 Added'}: <b>{title}</b>"]
    about = " · ".join(
        html.escape(part) for part in (article.outlet or "", day(article.published_at)) if part
    )
    if about:
        lines.append(about)
    meetings = _one_per_meeting(article.events)
    lines.extend(f"🤝 {html.escape(event_line(event))}" for event in meetings[:5])
    if len(meetings) > 5:
        lines.append(f"… and {len(meetings) - 5} more meetings")
    if not meetings:
        lines.append("<i>No meetings that I can read in it.</i>")
    lines.append("")
    lines.append(
        "Ask me about it: a follow-up such as “When?” or “What did they agree?” looks in this "
        "article first."
    )
    return "\n".join(lines)
