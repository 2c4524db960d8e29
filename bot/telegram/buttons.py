"""Inline buttons and their callback data. Telegram gives a button 64 bytes of data, so the
data names an action and a question id (the question log lives in the database, so a button
still works after a restart or on another bot instance); an example question fits whole."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

__all__ = [
    "ASK",
    "DOWN",
    "MAX_DATA_BYTES",
    "MORE",
    "SOURCES",
    "UP",
    "VOTE",
    "Press",
    "answer_keyboard",
    "ask_data",
    "examples_keyboard",
    "fits",
    "more_keyboard",
    "parse",
    "vote_of",
]

MAX_DATA_BYTES = 64
ASK, SOURCES, MORE, VOTE = "ask", "src", "more", "fb"
UP, DOWN = 1, -1


@dataclass(frozen=True)
class Press:
    """A decoded button press."""

    action: str
    question_id: int = 0
    value: int = 0  # MORE: passages already shown; VOTE: +1 or -1
    text: str = ""  # ASK: the question


def fits(data: str) -> bool:
    """Whether `data` is acceptable as callback data."""
    return 1 <= len(data.encode()) <= MAX_DATA_BYTES


def ask_data(question: str) -> str | None:
    """The data of an example-question button, or None when the question is too long."""
    data = f"{ASK}:{question}"
    return data if fits(data) else None


def parse(data: str | None) -> Press | None:
    """Decode callback data; None for anything this bot did not make."""
    if not data:
        return None
    action, _, rest = data.partition(":")
    try:
        if action == ASK and rest.strip():
            return Press(ASK, text=rest)
        if action == SOURCES:
            return Press(SOURCES, int(rest))
        if action == MORE:
            question_id, shown = rest.split(":")
            return Press(MORE, int(question_id), int(shown))
        if action == VOTE:
            question_id, value = rest.split(":")
            if int(value) in (UP, DOWN):
                return Press(VOTE, int(question_id), int(value))
    except ValueError:
        return None
    return None


def examples_keyboard(questions: list[str]) -> InlineKeyboardMarkup | None:
    """One button per example question; pressing it asks it."""
    rows = [
        [InlineKeyboardButton(question, callback_data=data)]
        for question in questions
        if (data := ask_data(question))
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def answer_keyboard(
    question_id: int, sources: bool, shown: int, vote: int = 0
) -> InlineKeyboardMarkup:
    """Under an answer: Sources (when it cites any), More like this, and 👍 / 👎 (the vote
    given, if any, is ticked)."""
    first = [
        InlineKeyboardButton("🔎 More like this", callback_data=f"{MORE}:{question_id}:{shown}")
    ]
    if sources:
        first.insert(
            0, InlineKeyboardButton("📄 Sources", callback_data=f"{SOURCES}:{question_id}")
        )
    votes = [
        InlineKeyboardButton(
            f"{label} ✓" if vote == value else label,
            callback_data=f"{VOTE}:{question_id}:{value}",
        )
        for label, value in (("👍", UP), ("👎", DOWN))
    ]
    return InlineKeyboardMarkup([first, votes])


def more_keyboard(question_id: int, shown: int) -> InlineKeyboardMarkup:
    """Under a page of related passages: the next page."""
    button = InlineKeyboardButton("🔎 More", callback_data=f"{MORE}:{question_id}:{shown}")
    return InlineKeyboardMarkup([[button]])


def vote_of(markup: InlineKeyboardMarkup | None) -> int:
    """The vote ticked on an answer's keyboard (0 if none)."""
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            press = parse(str(button.callback_data)) if button.callback_data else None
            if press and press.action == VOTE and button.text.endswith("✓"):
                return press.value
    return 0
