"""Subscriptions, chat settings and the delivery log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from retrieval.digest.subscriptions import EMPTY, SENT, Subscriptions
from retrieval.store import Store


def test_subscribe_topics_and_unsubscribe(store: Store) -> None:
    subs = Subscriptions(store.sessions)
    assert subs.get(1) is None and subs.all() == []
    first = subs.subscribe(1, time(8, 0), ["climate"])
    assert (first.at, first.topics, first.timezone, first.quiet) == (
        time(8),
        ("climate",),
        None,
        False,
    )
    subs.set_timezone(1, "Europe/London")
    again = subs.subscribe(1, time(7, 30), ["Ukraine", "climate"])
    assert again.at == time(7, 30) and again.topics == ("climate", "Ukraine")
    assert again.timezone == "Europe/London"
    everything = subs.subscribe(2, time(9), [])
    assert everything.topics == ()
    assert [s.chat_id for s in subs.all()] == [1, 2]
    left = subs.unsubscribe(1, "CLIMATE")
    assert left is not None and left.topics == ("Ukraine",)
    assert subs.unsubscribe(1, "ukraine") is None  # the last topic takes the subscription
    assert subs.unsubscribe(2) is None and subs.all() == []
    assert subs.timezone(1) == "Europe/London"  # settings outlive the subscription


def test_the_delivery_log_allows_one_claim_per_chat_and_day(store: Store) -> None:
    clock = [datetime(2026, 3, 29, 7, 0, tzinfo=UTC)]
    subs = Subscriptions(store.sessions, now=lambda: clock[0])
    assert subs.last_delivery(5) is None
    assert subs.claim(5, date(2026, 3, 29)) is True
    assert subs.claim(5, date(2026, 3, 29)) is False
    assert subs.claim(6, date(2026, 3, 29)) is True  # another chat
    subs.finish(5, date(2026, 3, 29), SENT, stories=4)
    clock[0] = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert subs.claim(5, date(2026, 3, 30)) is True
    subs.finish(5, date(2026, 3, 30), EMPTY)
    assert subs.last_delivery(5) == (date(2026, 3, 30), clock[0])


def test_a_blocked_chat_is_forgotten(store: Store) -> None:
    subs = Subscriptions(store.sessions)
    subs.subscribe(7, time(8), [])
    subs.set_quiet(7, True)
    assert subs.get(7) is not None and subs.get(7).quiet  # type: ignore[union-attr]
    subs.forget_chat(7)
    assert subs.get(7) is None


def test_excluded_topics_are_kept_and_cancel_their_opposite(store: Store) -> None:
    subs = Subscriptions(store.sessions)
    subs.subscribe(3, time(8), ["climate", "football"])
    sub = subs.subscribe(3, time(8), ["-football"])
    assert sub.topics == ("climate", "-football")
    left = subs.unsubscribe(3, "-football")
    assert left is not None and left.topics == ("climate",)
    subs.subscribe(3, time(8), ["-golf"])
    # The last wanted topic gone: not "all news but golf", but no digest.
    assert subs.unsubscribe(3, "climate") is None
    subs.subscribe(4, time(8), ["-golf", "-tennis"])
    left = subs.unsubscribe(4, "-golf")
    assert left is not None and left.topics == ("-tennis",)
