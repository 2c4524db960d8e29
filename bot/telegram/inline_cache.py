"""The inline answers' cache (bot/telegram/inline.py): results by query text for a few
minutes, and the answers still being worked out, in the bot's shared state."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import InlineQueryResultArticle

__all__ = ["CACHE_SECONDS", "InlineCache", "Results"]

CACHE_SECONDS = 300
Results = tuple[InlineQueryResultArticle, ...]


@dataclass
class InlineCache:
    """Inline results by query text for `seconds`, and the answers being worked out."""

    seconds: float = CACHE_SECONDS
    size: int = 512
    clock: Callable[[], float] = time.monotonic
    _kept: OrderedDict[str, tuple[float, Results]] = field(default_factory=OrderedDict)
    pending: dict[str, asyncio.Task[Results]] = field(default_factory=dict)

    def get(self, key: str) -> Results | None:
        """The results kept for a query, if not expired."""
        kept = self._kept.get(key)
        if kept is None or self.clock() - kept[0] > self.seconds:
            self._kept.pop(key, None)
            return None
        return kept[1]

    def put(self, key: str, results: Results) -> None:
        """Keep a query's results (the oldest dropped beyond `size`)."""
        self._kept[key] = (self.clock(), results)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
