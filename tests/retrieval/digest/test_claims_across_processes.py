"""The delivery log's claim with several processes on one database: of claims of the same
chat and day made at the same instant, each through its own engine, exactly one wins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from retrieval.digest.subscriptions import Subscriptions
from retrieval.store import Store
from retrieval.store.db import make_engine, session_factory

PROCESSES = 4
DAYS = 15


def test_of_simultaneous_claims_one_wins(store: Store, db_url: str) -> None:
    engines = [make_engine(db_url) for _ in range(PROCESSES)]  # as many bot processes
    logs = [Subscriptions(session_factory(engine)) for engine in engines]
    start = threading.Barrier(PROCESSES)

    def claim(log: Subscriptions, day: date) -> bool:
        start.wait(30)
        return log.claim(-100777, day)

    try:
        with ThreadPoolExecutor(PROCESSES) as pool:
            for n in range(DAYS):
                day = date(2026, 5, 1) + timedelta(days=n)
                won = list(pool.map(claim, logs, [day] * PROCESSES))
                assert won.count(True) == 1, (day, won)
    finally:
        for engine in engines:
            engine.dispose()
    assert Subscriptions(store.sessions).unfinished()[-1][1] == date(2026, 5, DAYS)
