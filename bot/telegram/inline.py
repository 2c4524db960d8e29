"""Inline mode: "@yourbot who met whom in Geneva?" typed in any chat gets up to three results,
the first the short answer with its first citation as a link, the others the next articles
on it (the answer's other sources, then the best passages of a search). Inline mode is off
until the bot's owner sends /setinline to @BotFather.

Telegram waits about ten seconds for an answer, and sends a new query as the user types, so
an answer is given within INLINE_BUDGET seconds of the query's arrival, and answers are kept
per query text for CACHE_SECONDS (the same question from anyone is computed once, and the
same question typed again while it is being worked out waits for that work, not its own).
A question not answered within the budget gets no results and a button to ask in a private
chat; its answer is still finished and cached, so asking again shows it.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import re
import textwrap
from collections.abc import Sequence

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode

from bot.render import quote, related, source_line
from bot.telegram.context import Context
from bot.telegram.inline_cache import CACHE_SECONDS, Results
from bot.telegram.send import NO_PREVIEW
from retrieval.qa.answer import Answer
from retrieval.qa.search import Hit

__all__ = [
    "INLINE_BUDGET",
    "MAX_QUERY_CHARS",
    "MAX_RESULTS",
    "MIN_QUERY_CHARS",
    "START_PARAMETER",
    "inline_results",
    "on_inline_query",
]

logger = logging.getLogger(__name__)

INLINE_BUDGET = 7.0  # seconds from a query's arrival to its answer (Telegram waits ~10)
MAX_RESULTS = 3
MIN_QUERY_CHARS = 4  # "who" is someone still typing
MAX_QUERY_CHARS = 256  # Telegram's limit on an inline query's text
START_PARAMETER = "inline"  # /start inline, when the button above the results is tapped


def _result_id(key: str, n: int, passage_id: int) -> str:
    """Unique within one answer and 1 to 64 bytes, as Telegram requires."""
    return hashlib.sha1(f"{key}|{n}|{passage_id}".encode()).hexdigest()[:32]


def _linked(hit: Hit) -> str:
    title = html.escape(source_line(hit))
    return f'<a href="{html.escape(hit.url, quote=True)}">{title}</a>' if hit.url else title


def _first_citation_only(text: str) -> str:
    """The answer's words with the markers of its other citations left out (only [1] is
    linked under it)."""
    return re.sub(r"\s*\[(?!1\])\d+\]", "", text)


def inline_results(key: str, answer: Answer, more: Sequence[Hit] = ()) -> Results:
    """Up to MAX_RESULTS results: the answer with its first citation, when it found one,
    then the next articles on the question (its other citations, the passages it offers,
    then `more`: a search's best), each article once."""
    results: list[InlineQueryResultArticle] = []
    shown: set[int] = set()
    if answer.found and answer.citations:
        first = answer.citations[0]
        # (a message holds 4,096 characters: the link's text and a long answer must fit)
        words = textwrap.shorten(_first_citation_only(answer.text), 3000, placeholder=" …")
        results.append(
            InlineQueryResultArticle(
                id=_result_id(key, 0, first.hit.passage_id),
                title=textwrap.shorten(words, 100, placeholder=" …"),
                description=source_line(first.hit),
                input_message_content=InputTextMessageContent(
                    f"{html.escape(words)}\n[1] {_linked(first.hit)}",
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        )
        shown.add(first.hit.article_id)
    further = [c.hit for c in answer.citations[1:]] + related(answer) + list(more)
    for hit in further:
        if len(results) >= MAX_RESULTS:
            break
        if hit.article_id in shown:
            continue
        shown.add(hit.article_id)
        lead = "Related" if answer.found else "Nearest article (no direct answer)"
        results.append(
            InlineQueryResultArticle(
                id=_result_id(key, len(results), hit.passage_id),
                title=textwrap.shorten(hit.title, 100, placeholder=" …"),
                description=f"{lead}: {source_line(hit)}",
                input_message_content=InputTextMessageContent(
                    f"{_linked(hit)}\n<blockquote>{html.escape(quote(hit.text, 300))}</blockquote>",
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                ),
            )
        )
    return tuple(results)


def _ask_privately(text: str) -> InlineQueryResultsButton:
    return InlineQueryResultsButton(text, start_parameter=START_PARAMETER)


async def on_inline_query(update: Update, context: Context) -> None:
    """Answer an inline query within the budget, from the cache when it can."""
    inline = update.inline_query
    if inline is None:
        return
    loop = asyncio.get_running_loop()
    arrived = loop.time()
    # A private bot's answers are for its users only: Telegram must not share them.
    personal = bool(context.services.settings.telegram.allowed_user_ids)
    text = " ".join(inline.query.split())[:MAX_QUERY_CHARS]
    if len(text) < MIN_QUERY_CHARS:
        await inline.answer(
            [], cache_time=CACHE_SECONDS, is_personal=personal,
            button=_ask_privately("Type a question about the news"),
        )  # fmt: skip
        return
    cache = context.bot_data.inline
    key = text.casefold()
    results = cache.get(key)
    if results is None:
        task = cache.pending.get(key)
        if task is None:
            task = asyncio.create_task(_compute(context, key, text))
            # Retrieved here, so that a failure after the budget is not "never retrieved"
            # (it is logged by _compute).
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            cache.pending[key] = task
        left = INLINE_BUDGET - (loop.time() - arrived)
        try:
            results = await asyncio.wait_for(asyncio.shield(task), timeout=max(left, 0.0))
        except TimeoutError:
            logger.info("inline query over its %.1f s budget; answered later", INLINE_BUDGET)
            await inline.answer(
                [], cache_time=0, is_personal=personal,
                button=_ask_privately("Still looking; tap to ask me in a private chat"),
            )  # fmt: skip
            return
    button = None if results else _ask_privately("Nothing found; ask me in a private chat")
    await inline.answer(
        list(results), cache_time=CACHE_SECONDS, is_personal=personal, button=button
    )


async def _compute(context: Context, key: str, text: str) -> Results:
    """Answer the question (no conversation: an inline query has none) and cache it."""
    cache = context.bot_data.inline
    try:
        answer = await context.answers.ask(text, None)
        # A meeting answer cites one article or two: the best passages fill the rest.
        more = await context.answers.search(text, MAX_RESULTS * 3)
        results = inline_results(key, answer, more)
        cache.put(key, results)
        return results
    except Exception:
        logger.exception("inline answer to %r failed", text)
        raise
    finally:
        cache.pending.pop(key, None)
