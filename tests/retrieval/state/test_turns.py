"""Chats' last questions in the database, on each database: stored and read back whole, by
another process's engine too, forgotten after the TTL or on /reset."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from retrieval.qa.questions import Period, Question
from retrieval.state.turns import TTL, ChatTurns, question_from_json, question_to_json
from retrieval.store import Store
from retrieval.store.db import make_engine, session_factory
from retrieval.store.models import ChatTurn

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

FULL = Question(
    text="When did Ilse Marten meet Tomas Ferreira in Oporto in March 2024?",
    kind="when",
    meeting=True,
    names=("Ilse Marten", "Tomas Ferreira"),
    persons=frozenset({"Ilse Marten", "Tomas Ferreira"}),
    entities=frozenset({"Oporto"}),
    topics=frozenset({"Ferreira's budget"}),
    place="Oporto",
    period=Period(date(2024, 3, 1), date(2024, 3, 31)),
    sources=("the Quayside Courier",),
    follow_up=True,
    future=True,
)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> datetime:
        return self.at


@pytest.mark.parametrize(
    "question",
    [
        FULL,
        Question(text="What happened at the harbour?", kind="other", meeting=False),
        Question(text="Who met Ana Kowal?", kind="who", meeting=True, names=("Ana Kowal",)),
    ],
)
def test_a_question_survives_its_stored_form(question: Question) -> None:
    assert question_from_json(question_to_json(question)) == question


def test_the_stored_form_has_every_field_of_a_question() -> None:
    # A field added to Question and not stored would be silently lost between instances.
    assert set(question_to_json(FULL)) == {f.name for f in dataclasses.fields(Question)}
    assert all(getattr(FULL, f.name) != f.default for f in dataclasses.fields(Question)
               if f.default is not dataclasses.MISSING)  # fmt: skip


def test_an_older_writer_missing_keys_gets_the_defaults() -> None:
    stored = question_to_json(FULL)
    for key in ("topics", "sources", "future", "period"):
        del stored[key]
    read = question_from_json(stored)
    assert read.names == FULL.names and read.topics == frozenset()
    assert read.period is None and read.future is False


@pytest.mark.parametrize(
    "broken",
    [{}, {"text": "x", "kind": "why", "meeting": False}, {"text": "x", "kind": "when"}],
)
def test_what_is_not_a_question_is_refused(broken: dict[str, object]) -> None:
    with pytest.raises((KeyError, ValueError)):
        question_from_json(broken)


def test_put_get_replace_and_forget(store: Store) -> None:
    clock = Clock()
    turns = ChatTurns(store.sessions, now=clock)
    assert turns.get(31) is None
    turns.put(31, FULL)
    assert turns.get(31) == FULL
    again = Question(text="And where?", kind="where", meeting=True, names=FULL.names)
    turns.put(31, again)
    assert turns.get(31) == again and turns.count() == 1
    assert turns.get(-1000032) is None  # another chat (a group's id is negative)
    assert turns.forget(31) is True
    assert turns.get(31) is None
    assert turns.forget(31) is False


def test_a_turn_older_than_the_ttl_is_no_context_and_is_pruned(store: Store) -> None:
    clock = Clock()
    turns = ChatTurns(store.sessions, now=clock)
    turns.put(41, FULL)
    clock.at += TTL
    assert turns.get(41) == FULL  # six hours exactly: still the conversation
    turns.put(42, FULL)
    clock.at += timedelta(seconds=1)
    assert turns.get(41) is None
    assert turns.forget(41) is False  # nothing current was forgotten
    turns.put(41, FULL)
    clock.at += TTL + timedelta(seconds=1)
    turns.put(43, FULL)
    assert turns.prune() == 2  # 41 and 42, not the one just written
    assert turns.count() == 1 and turns.get(43) == FULL


def test_another_process_on_the_same_database_reads_the_turn(store: Store, db_url: str) -> None:
    # Its own engine and connections, as a second bot instance has.
    engine = make_engine(db_url)
    try:
        mine, theirs = ChatTurns(store.sessions), ChatTurns(session_factory(engine))
        mine.put(51, FULL)
        assert theirs.get(51) == FULL
        assert theirs.forget(51) is True
        assert mine.get(51) is None
    finally:
        engine.dispose()


def test_an_unreadable_row_is_no_context(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    turns = ChatTurns(store.sessions)
    turns.put(61, FULL)
    with store.sessions() as session:
        session.execute(update(ChatTurn).values(question={"kind": "someday"}))
        session.commit()
    assert turns.get(61) is None
    assert "chat 61: its stored turn is unreadable" in caplog.text
