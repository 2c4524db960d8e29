"""Each chat's previous answer, the context of a follow-up ("And where?"): kept in memory for a
while, for a bounded number of chats."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from retrieval.qa.answer import Answer

__all__ = ["MAX_CHATS", "TTL_SECONDS", "Turns"]

MAX_CHATS = 10_000
TTL_SECONDS = 6 * 3600  # a follow-up the next day is a new question


class Turns:
    """The last answer per chat: least recently used chats are forgotten beyond `max_chats`,
    and any answer older than `ttl` seconds."""

    def __init__(
        self,
        max_chats: int = MAX_CHATS,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_chats = max_chats
        self.ttl = ttl
        self._clock = clock
        self._turns: OrderedDict[int, tuple[float, Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, chat_id: int) -> Answer | None:
        """The chat's previous answer, if recent."""
        with self._lock:
            entry = self._turns.get(chat_id)
            if entry is None:
                return None
            if self._clock() - entry[0] > self.ttl:
                del self._turns[chat_id]
                return None
            self._turns.move_to_end(chat_id)
            return entry[1]

    def put(self, chat_id: int, answer: Answer) -> None:
        """Remember the chat's latest answer."""
        with self._lock:
            self._turns[chat_id] = (self._clock(), answer)
            self._turns.move_to_end(chat_id)
            while len(self._turns) > self.max_chats:
                self._turns.popitem(last=False)

    def forget(self, chat_id: int) -> bool:
        """Drop the chat's context (/reset); returns whether there was one."""
        with self._lock:
            return self._turns.pop(chat_id, None) is not None

    def __len__(self) -> int:
        return len(self._turns)
