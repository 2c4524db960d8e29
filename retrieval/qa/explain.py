"""Why an answer is what it is: one collector per question, filled as the answer is built.

Each step of the answer service notes its decision ("3 events involve A and B", "chose event
12: ..."); `newsbot ask --explain` prints them. Nothing is kept unless asked for.
"""

from __future__ import annotations

__all__ = ["Explain"]


class Explain:
    """The decisions behind one answer, in order."""

    def __init__(self, wanted: bool = False) -> None:
        self.wanted = wanted
        self._lines: list[str] = []

    def __call__(self, line: str) -> None:
        """Note one decision."""
        if self.wanted:
            self._lines.append(line)

    @property
    def lines(self) -> tuple[str, ...]:
        """The decisions noted (none unless they were asked for)."""
        return tuple(self._lines)
