"""The bot's memory of follow-ups: what `Answerer.ask` reads of the previous answer, through
the database, on each database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.telegram.memory import TTL, Turns
from retrieval.qa.answer import Answer
from retrieval.qa.questions import Question
from retrieval.state.turns import ChatTurns
from retrieval.store import Store

ASKED = Question(text="Who did Mira Solberg meet?", kind="who", meeting=True,
                 names=("Mira Solberg",), persons=frozenset({"Mira Solberg"}))  # fmt: skip


def _answer(understood: Question | None) -> Answer:
    return Answer(question="Who did Mira Solberg meet?", text="Jon Aune [1]", found=True,
                  kind="who", understood=understood)  # fmt: skip


def test_the_previous_turn_is_the_question_understood(store: Store) -> None:
    now = [datetime(2025, 2, 3, 10, tzinfo=UTC)]
    turns = Turns(ChatTurns(store.sessions, now=lambda: now[0]))
    assert turns.get(5) is None
    turns.put(5, _answer(ASKED))
    previous = turns.get(5)
    assert previous is not None and previous.understood == ASKED
    turns.put(5, _answer(None))  # nothing understood (an empty message): the turn stays
    assert (turns.get(5) or _answer(None)).understood == ASKED
    now[0] += TTL + timedelta(seconds=1)
    assert turns.get(5) is None
    turns.put(5, _answer(ASKED))
    assert turns.forget(5) is True and turns.forget(5) is False
    assert turns.get(5) is None
