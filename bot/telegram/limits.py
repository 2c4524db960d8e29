"""Talking to the Bot API politely and persistently: Telegram's flood limits, 429 retried
after the `retry_after` it gives, 5xx and timeouts retried with back-off."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

__all__ = ["UNTHROTTLED", "RetryingRateLimiter"]

logger = logging.getLogger(__name__)

# A chat action is not a message: it does not spend the 30 messages/s budget here (answers
# would otherwise be held to 15/s, each one preceded by "typing").
UNTHROTTLED = frozenset({"sendChatAction"})


class RetryingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (overall and per-group limits, RetryAfter honoured) that also
    retries what Telegram's servers fail on their side — 5xx answers and timeouts — up to
    `network_retries` times, waiting `backoff`, 2×`backoff`, … seconds. A 400 is our fault
    and is never retried. A timed-out send may have been delivered: a retry can then repeat a
    message, which is better than losing an answer."""

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
                delay = self.backoff * 2**attempt
                logger.warning(
                    "%s failed (%s); retry %d in %.1fs", endpoint, exc, attempt + 1, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
