"""Calls made from several threads at once, run together in one batch: the query encoder's
forward pass (retrieval/store/embedder.py) and spaCy reading questions (retrieval/nlp.py).
Under load a batch costs little more than one call (bench/bot.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Batcher"]

_In = TypeVar("_In")
_Out = TypeVar("_Out")


class Batcher(Generic[_In, _Out]):
    """`batcher(item)` returns `run([item, ...])`'s result for that item. No thread of its
    own: whichever caller finds `run` idle runs everything waiting (at most `max_batch`),
    then hands over. Alone, an item is run at once. `run` is never called from two threads
    at once."""

    def __init__(self, run: Callable[[list[_In]], Sequence[_Out]], max_batch: int = 64) -> None:
        self.run = run
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._waiting: list[_Pending[_In, _Out]] = []
        self._busy = False

    def __call__(self, item: _In) -> _Out:
        mine: _Pending[_In, _Out] = _Pending(item)
        with self._cond:
            self._waiting.append(mine)
        while True:
            with self._cond:
                while not mine.done and self._busy:
                    self._cond.wait()
                if mine.done:
                    return mine.value()
                self._busy = True
                batch = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
            try:
                results = self.run([p.item for p in batch])
                for pending, result in zip(batch, results, strict=True):
                    pending.result = result
                    pending.ok = True
            except BaseException as exc:  # every waiter gets the error, not a hang
                for pending in batch:
                    pending.error = exc
                raise
            finally:
                with self._cond:
                    for pending in batch:
                        pending.done = True
                    self._busy = False
                    self._cond.notify_all()


class _Pending(Generic[_In, _Out]):
    """One item waiting for its result."""

    __slots__ = ("done", "error", "item", "ok", "result")

    def __init__(self, item: _In) -> None:
        self.item = item
        self.result: _Out | None = None
        self.ok = False
        self.error: BaseException | None = None
        self.done = False

    def value(self) -> _Out:
        if self.error is not None:
            raise self.error
        assert self.ok
        return self.result  # type: ignore[return-value]  # set when ok
