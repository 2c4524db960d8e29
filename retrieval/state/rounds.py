"""Work that one process at a time does for every process on the database (a feed poll
round): on PostgreSQL, a session-level advisory lock (`pg_try_advisory_lock`) on a connection
of its own, held for the round; a process that does not get it leaves that round to the
holder. The server releases the lock when the holder's connection ends, a killed process
included, so a crash never leaves the round taken.

On SQLite every round is run: one machine, and the callers have their own guards (the bot
polls feeds one round at a time; the store's writer lock orders ingests)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import func

__all__ = ["FEED_POLL", "lock_key", "one_at_a_time"]

logger = logging.getLogger(__name__)

FEED_POLL = "feed-poll"


def lock_key(name: str) -> int:
    """The advisory lock's 64-bit key for a round's name (the same in every process and
    version: the first 8 bytes of a SHA-256, signed as PostgreSQL's bigint is)."""
    digest = hashlib.sha256(f"newsbot:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def one_at_a_time(sessions: sessionmaker[Session], name: str) -> Iterator[bool]:
    """Whether this process runs the round `name` now: True while it holds the round (always
    on SQLite), False when another process on the PostgreSQL database holds it."""
    with sessions() as session:
        engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    # Autocommit: the round's own transactions run on other connections; this one only holds
    # the lock and must not sit "idle in transaction" for the minutes a round may take.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        held = bool(conn.execute(select(func.pg_try_advisory_lock(key))).scalar_one())
        try:
            yield held
        finally:
            if held:
                try:
                    conn.execute(select(func.pg_advisory_unlock(key)))
                except SQLAlchemyError:
                    # Back in the pool still holding the lock it would stop every later round:
                    # closed instead, which releases it.
                    logger.warning("could not release the %s lock: dropping its connection", name)
                    conn.invalidate()
