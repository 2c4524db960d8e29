"""Faults the fake Bot API injects on a fraction of calls, as a hostile network and a busy
Telegram produce them: 429 with `parameters.retry_after`, 502 Bad Gateway, and a timeout.

A timeout is what Telegram does when it received a request and its answer is late: the call
is carried out (a message is delivered) and the answer comes after the client stopped
waiting. A client that repeats such a call repeats its effect.

Which calls fail is decided by the seed, the method, the chat and how many calls of that
method the chat made before (not by the order in which threads happen to arrive), so that a
run can be repeated."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["KINDS", "TIMEOUT", "Faults", "Late"]

TIMEOUT = "timeout"
KINDS = (429, 502, TIMEOUT)


@dataclass(frozen=True)
class Late:
    """A timeout: the call is carried out, and answered `delay` seconds late."""

    delay: float


@dataclass(frozen=True)
class Faults:
    """Fail `rate` of the calls of `methods` (every method when empty), each fault one of
    `kinds` drawn evenly; a 429 asks to wait `retry_after` seconds; a timed-out call answers
    `delay` seconds late (more than the client's read timeout: PTB's default 5 s for
    getUpdates plus its long-poll timeout, the bot's 15 s for other calls)."""

    rate: float
    seed: int = 0
    kinds: tuple[int | str, ...] = KINDS
    methods: frozenset[str] = frozenset()
    retry_after: int = 1
    delay: float = 16.0

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError(f"a fault rate is between 0 and 1, not {self.rate}")
        if not self.kinds or any(kind not in KINDS for kind in self.kinds):
            raise ValueError(f"fault kinds are some of {KINDS}, not {self.kinds}")

    def pick(self, method: str, chat_id: object, n: int) -> int | str | None:
        """The fault for the `n`th call of `method` about `chat_id` (None: answer normally)."""
        if self.methods and method not in self.methods:
            return None
        digest = hashlib.blake2b(f"{self.seed}:{method}:{chat_id}:{n}".encode(), digest_size=8)
        draw = int.from_bytes(digest.digest(), "big") / 2**64
        if draw >= self.rate:
            return None
        # The same draw, spread over the kinds: below rate/len(kinds) the first, and so on.
        return self.kinds[min(int(draw / self.rate * len(self.kinds)), len(self.kinds) - 1)]
