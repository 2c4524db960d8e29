"""The activity log on each database: users, questions, feedback and their counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from retrieval.state.activity import Activity, ActivityCounts, AskedQuestion
from retrieval.store import Store
from retrieval.store.db import MIGRATIONS, make_engine, migrate
from retrieval.store.models import Base, BotUser, Feedback

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _clock() -> Callable[[], datetime]:
    """A clock that moves one minute on every reading."""
    ticks = iter(range(10_000))
    return lambda: START + timedelta(minutes=next(ticks))


@pytest.fixture
def activity(store: Store) -> Activity:
    return Activity(store.sessions, now=_clock())


def _ask(activity: Activity, chat_id: int = -100123, found: bool = True) -> int:
    return activity.record_question(
        chat_id, 42, "Who met Blinken?", "who" if found else "none", found, [], []
    )


def test_seen_twice_keeps_first_seen_and_moves_last_seen(store: Store, activity: Activity) -> None:
    big_id = 7_000_000_000  # Telegram ids outgrow 32 bits
    activity.seen(big_id)
    activity.seen(big_id)
    activity.seen(5)
    with store.sessions() as session:
        user = session.get(BotUser, big_id)
        assert user is not None
        assert user.first_seen == START
        assert user.last_seen == START + timedelta(minutes=1)
    assert activity.counts().users == 2


def test_question_round_trips(activity: Activity) -> None:
    cited = [(3, "Blinken met Wang Yi in Beijing."), (9, "«Talks» were “frank”.")]
    qid = activity.record_question(
        -1001234567890, None, "Who met Wang Yi?", "who", True, cited, [9, 4]
    )
    asked = activity.question(qid)
    assert asked == AskedQuestion(
        id=qid,
        chat_id=-1001234567890,
        user_id=None,
        text="Who met Wang Yi?",
        kind="who",
        found=True,
        cited=tuple(cited),
        related=(9, 4),
        asked_at=START,
    )
    assert asked.asked_at.tzinfo is not None
    assert activity.question(qid + 1000) is None
    second = activity.record_question(1, 2, "x" * 5000, "none", False, [], [])
    stored = activity.question(second)
    assert stored is not None and stored.text == "x" * 4096
    assert (stored.cited, stored.related, stored.found) == ((), (), False)


def test_feedback_upsert_changes_the_vote(store: Store, activity: Activity) -> None:
    qid = _ask(activity)
    assert activity.record_feedback(qid, 1, 1)
    assert activity.record_feedback(qid, 2, 1)
    counts = activity.counts()
    assert (counts.helpful, counts.unhelpful) == (2, 0)
    assert activity.record_feedback(qid, 1, -1)  # changes user 1's vote, adds none
    counts = activity.counts()
    assert (counts.helpful, counts.unhelpful) == (1, 1)
    with store.sessions() as session:
        votes = session.execute(
            select(Feedback.user_id, Feedback.value).order_by(Feedback.user_id)
        ).all()
    assert [tuple(v) for v in votes] == [(1, -1), (2, 1)]


def test_feedback_on_missing_question_writes_nothing(store: Store, activity: Activity) -> None:
    assert activity.record_feedback(999, 1, 1) is False
    with store.sessions() as session:
        assert session.scalars(select(Feedback)).all() == []


@pytest.mark.parametrize("value", [0, 2, -2, 10])
def test_bad_feedback_value_raises(activity: Activity, value: int) -> None:
    qid = _ask(activity)
    with pytest.raises(ValueError):
        activity.record_feedback(qid, 1, value)


def test_too_long_kind_raises(activity: Activity) -> None:
    with pytest.raises(ValueError):
        activity.record_question(1, 1, "q", "k" * 21, True, [], [])


def test_counts(activity: Activity) -> None:
    assert activity.counts() == ActivityCounts(0, 0, 0, 0, 0)
    activity.seen(1)
    activity.seen(2)
    activity.seen(1)
    answered = _ask(activity)
    _ask(activity, found=False)
    unanswered = _ask(activity, found=False)
    activity.record_feedback(answered, 1, 1)
    activity.record_feedback(unanswered, 1, -1)
    activity.record_feedback(unanswered, 2, -1)
    assert activity.counts() == ActivityCounts(
        users=2, questions=3, answered=1, helpful=1, unhelpful=2
    )


def test_migration_down_and_up(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert not {"bot_users", "questions", "feedback"} & set(inspect(engine).get_table_names())
    migrate(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()
