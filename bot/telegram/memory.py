"""Each chat's previous turn, the context of a follow-up ("And where?"), kept in the database
(`retrieval/state/turns.py`): two bot instances behind a balancer answer a chat's follow-up
alike, whichever took the question before, and a restart forgets nothing. The same on SQLite:
one small upsert beside the question log's insert, so there is no second, in-process kind to
choose between. (The terminal chat is one conversation in one process: it keeps its previous
answer in a local.)

The calls block on the database: handlers run them off the event loop."""

from __future__ import annotations

from retrieval.qa.answer import Answer
from retrieval.state.turns import TTL, ChatTurns

__all__ = ["TTL", "Turns"]


class Turns:
    """The last turn per chat, for `Answerer.ask(text, previous)`, which reads the previous
    answer's `understood` question only: that is what is stored, and what `get` gives back,
    inside an `Answer` with no text or citations of its own."""

    def __init__(self, turns: ChatTurns) -> None:
        self.turns = turns

    def get(self, chat_id: int) -> Answer | None:
        """The chat's previous turn, if recent."""
        question = self.turns.get(chat_id)
        if question is None:
            return None
        return Answer(question=question.text, text="", found=False, kind="none",
                      understood=question)  # fmt: skip

    def put(self, chat_id: int, answer: Answer) -> None:
        """Remember the chat's latest turn (an answer without a question read, such as the
        reply to an empty message, leaves the turn before in place)."""
        if answer.understood is not None:
            self.turns.put(chat_id, answer.understood)

    def forget(self, chat_id: int) -> bool:
        """Drop the chat's context (/reset); returns whether there was one."""
        return self.turns.forget(chat_id)
