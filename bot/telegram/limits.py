"""Talking to the Bot API politely and persistently: Telegram's flood limits, 429 retried
after the `retry_after` it gives, 5xx and timeouts retried with back-off — except a call
that Telegram may already have carried out: a message is never sent twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

__all__ = ["REPEATABLE", "UNTHROTTLED", "RetryingRateLimiter", "maybe_done"]

logger = logging.getLogger(__name__)

# A chat action is not a message: it does not spend the 30 messages/s budget here (answers
# would otherwise be held to 15/s, each one preceded by "typing").
UNTHROTTLED = frozenset({"sendChatAction"})
# Calls whose repetition does no harm, besides the get* ones: retried even when Telegram may
# have carried out the first attempt. A second sendMessage is a second message; a second edit
# or callback answer is refused (400) and would reach the user as an error.
REPEATABLE = frozenset({"sendChatAction", "setMyCommands", "setWebhook", "deleteWebhook"})


def maybe_done(exc: BaseException) -> bool:
    """Whether a failed call may have been carried out all the same: its request was sent
    whole and the answer did not come in time (httpx's ReadTimeout). Telegram carries out a
    request it received, late answer or not. A connect, write or pool timeout, a 429 or a 5xx
    means it was not (a 502 is the gateway's, before the request reached the Bot API)."""
    return isinstance(exc, TimedOut) and isinstance(exc.__cause__, httpx.ReadTimeout)


class RetryingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (overall and per-group limits, RetryAfter honoured) that also
    retries what Telegram's servers fail on their side — 5xx answers and timeouts — up to
    `network_retries` times, waiting `backoff`, 2×`backoff`, … seconds. A 400 is our fault
    and is never retried. A call that timed out after it was sent whole (`maybe_done`) is
    retried only if it is REPEATABLE: Telegram has most likely delivered a timed-out
    sendMessage, and repeating it showed the user the same answer twice (tests/bot/telegram/
    test_faults.py); the TimedOut is raised instead, for the caller to treat as sent."""

    def __init__(
        self, network_retries: int = 3, backoff: float = 0.5, max_retries: int = 3, **limits: Any
    ) -> None:
        super().__init__(max_retries=max_retries, **limits)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in range(self.network_retries + 1):
            try:
                if endpoint in UNTHROTTLED:
                    return await callback(*args, **kwargs)
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or attempt == self.network_retries:
                    raise
                if maybe_done(exc) and not _repeatable(endpoint):
                    logger.warning("%s timed out; not repeated (it may have been done)", endpoint)
                    raise
                delay = self.backoff * 2**attempt
                logger.warning(
                    "%s failed (%s); retry %d in %.1fs", endpoint, exc, attempt + 1, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


def _repeatable(endpoint: str) -> bool:
    return endpoint.startswith("get") or endpoint in REPEATABLE
