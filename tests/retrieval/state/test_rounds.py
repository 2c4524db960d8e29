"""One process at a time: the PostgreSQL advisory lock around a round of shared work (a feed
poll), taken by one connection and refused to every other until released or dropped."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from retrieval.state.rounds import FEED_POLL, lock_key, one_at_a_time
from retrieval.store import Store
from retrieval.store.db import make_engine, session_factory


def test_the_key_is_a_fixed_signed_bigint_per_name() -> None:
    key = lock_key(FEED_POLL)
    assert -(2**63) <= key < 2**63
    assert key == lock_key("feed-poll") != lock_key("digests")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_on_sqlite_every_round_runs(store: Store) -> None:
    with (
        one_at_a_time(store.sessions, FEED_POLL) as first,
        one_at_a_time(store.sessions, FEED_POLL) as second,
    ):
        assert first and second


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_on_postgresql_one_process_holds_the_round(store: Store, db_url: str) -> None:
    other = make_engine(db_url)  # another process's engine
    theirs = session_factory(other)
    try:
        with one_at_a_time(store.sessions, FEED_POLL) as mine:
            assert mine
            with one_at_a_time(theirs, FEED_POLL) as held_elsewhere:
                assert not held_elsewhere
            with one_at_a_time(theirs, "another-round") as unrelated:
                assert unrelated
        with one_at_a_time(theirs, FEED_POLL) as after:
            assert after  # released at the end of the round
        with one_at_a_time(store.sessions, FEED_POLL) as again:
            assert again  # and released by them in turn: nothing left held in the pool
        with store.sessions() as session:
            advisory = (
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            assert session.scalar(text(advisory)) == 0
    finally:
        other.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_killed_holder_leaves_the_round_free(store: Store, db_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, sqlalchemy as sa\n"
            "e = sa.create_engine(sys.argv[1])\n"
            "c = e.connect().execution_options(isolation_level='AUTOCOMMIT')\n"
            "print(c.execute(sa.select(sa.func.pg_try_advisory_lock(int(sys.argv[2])))).scalar(),"
            " flush=True)\n"
            "sys.stdin.read()\n"
        ), db_url, str(lock_key(FEED_POLL))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        with one_at_a_time(store.sessions, FEED_POLL) as mine:
            assert not mine
    finally:
        holder.kill()
        holder.wait(30)
    # The server notices the closed connection at once; poll, with a deadline, for it.
    deadline = time.monotonic() + 30
    while True:
        with one_at_a_time(store.sessions, FEED_POLL) as mine:
            if mine:
                break
        assert time.monotonic() < deadline, "the killed holder's lock was never released"
        time.sleep(0.05)
