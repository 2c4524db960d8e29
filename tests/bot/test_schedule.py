"""Digest times and zones: parsing what users type, and the next delivery across DST changes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import (
    local_date,
    missed,
    next_delivery,
    parse_time,
    resolve_timezone,
    suggest_timezones,
    zone,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8", time(8)), ("08:00", time(8)), ("8:05", time(8, 5)), ("8am", time(8)),
     ("12am", time(0)), ("12pm", time(12)), ("8:30pm", time(20, 30)), ("20h15", time(20, 15)),
     ("23:59", time(23, 59)), ("24:00", None), ("25:00", None), ("8:61", None), ("13pm", None),
     ("soon", None), ("", None)],
)  # fmt: skip
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Europe/London", "Europe/London"), ("europe/london", "Europe/London"),
     ("London", "Europe/London"), ("new york", "America/New_York"),
     ("New_York", "America/New_York"), ("são paulo", "America/Sao_Paulo"),
     ("UTC", "UTC"), ("gmt", "UTC"), ("UTC+2", "UTC+02:00"), ("UTC+02:00", "UTC+02:00"),
     ("GMT-5", "UTC-05:00"), ("+05:30", "UTC+05:30"), ("UTC−3", "UTC-03:00"),
     ("UTC+0", "UTC"), ("UTC+15", None), ("UTC+05:20", None), ("Atlantis", None), ("", None)],
)  # fmt: skip
def test_resolve_timezone(text: str, expected: str | None) -> None:
    assert resolve_timezone(text) == expected


def test_suggestions_for_a_typo() -> None:
    assert "Europe/London" in suggest_timezones("Europe/Londn")


@pytest.mark.parametrize(
    ("at", "zone_name", "now", "expected"),
    [
        # London, the day before British Summer Time starts (Sun 29 Mar 2026): GMT.
        (time(8), "Europe/London", utc(2026, 3, 28, 9), utc(2026, 3, 29, 7)),
        (time(8), "Europe/London", utc(2026, 3, 27, 12), utc(2026, 3, 28, 8)),
        # 01:30 does not exist on 29 March: delivered just after the gap, at 02:30 BST.
        (time(1, 30), "Europe/London", utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 30)),
        # 01:30 happens twice on 25 October: the first time only (BST, 00:30 UTC) ...
        (time(1, 30), "Europe/London", utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30)),
        # ... and not again an hour later: the next one is the day after.
        (time(1, 30), "Europe/London", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)),
        # New York: EST before 8 March 2026, EDT after; EDT before 1 November, EST after.
        (time(8), "America/New_York", utc(2026, 3, 7, 14), utc(2026, 3, 8, 12)),
        (time(2, 30), "America/New_York", utc(2026, 3, 7, 14), utc(2026, 3, 8, 7, 30)),
        (time(8), "America/New_York", utc(2026, 10, 31, 14), utc(2026, 11, 1, 13)),
        (time(1, 30), "America/New_York", utc(2026, 10, 31, 14), utc(2026, 11, 1, 5, 30)),
        (time(8), "Asia/Kolkata", utc(2026, 6, 1), utc(2026, 6, 1, 2, 30)),
        (time(8), "UTC+02:00", utc(2026, 6, 1, 7), utc(2026, 6, 2, 6)),
        # Exactly at the delivery: the next one.
        (time(8), "UTC", utc(2026, 6, 1, 8), utc(2026, 6, 2, 8)),
        # `now` given in another zone.
        (time(8), "Europe/London",
         datetime(2026, 6, 1, 3, tzinfo=ZoneInfo("America/New_York")), utc(2026, 6, 2, 7)),
    ],
)  # fmt: skip
def test_next_delivery(at: time, zone_name: str, now: datetime, expected: datetime) -> None:
    assert next_delivery(at, zone_name, now) == expected


def test_next_delivery_properties_across_zones_and_days() -> None:
    rng = random.Random(0)
    zones = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
             "America/Sao_Paulo", "Pacific/Chatham", "UTC", "UTC-03:30"]  # fmt: skip
    for _ in range(2000):
        name = rng.choice(zones)
        at = time(rng.randrange(24), rng.choice([0, 15, 30, 45]))
        now = utc(2026, 1, 1) + timedelta(minutes=rng.randrange(365 * 24 * 60))
        when = next_delivery(at, name, now)
        assert now < when <= now + timedelta(hours=25)
        local = when.astimezone(zone(name))
        gap = abs(datetime.combine(local.date(), local.time()) - datetime.combine(local.date(), at))
        assert gap <= timedelta(hours=1)  # the wall time, or just after a DST gap


@pytest.mark.parametrize(
    ("now", "last", "expected"),
    [
        (utc(2026, 6, 1, 9), None, date(2026, 6, 1)),  # an hour late, never delivered
        (utc(2026, 6, 1, 13), date(2026, 5, 31), date(2026, 6, 1)),  # five hours late
        (utc(2026, 6, 1, 15), date(2026, 5, 31), None),  # seven hours: beyond grace
        (utc(2026, 6, 1, 9), date(2026, 6, 1), None),  # already delivered
        (utc(2026, 6, 1, 7), date(2026, 5, 30), None),  # yesterday's is 23 h late
        (utc(2026, 6, 2, 1), date(2026, 5, 31), None),
    ],
)
def test_missed(now: datetime, last: date | None, expected: date | None) -> None:
    assert missed(time(8), "UTC", now, last, timedelta(hours=6)) == expected


def test_missed_yesterday_within_grace() -> None:
    # 22:00 in New York is 03:00 UTC the next day; at 05:00 UTC it is two hours late.
    assert missed(time(22), "America/New_York", utc(2026, 6, 2, 4), None,
                  timedelta(hours=6)) == date(2026, 6, 1)  # fmt: skip


def test_local_date_across_midnight() -> None:
    instant = utc(2026, 6, 1, 23, 30)
    assert local_date(instant, "Europe/London") == date(2026, 6, 2)
    assert local_date(instant, "America/New_York") == date(2026, 6, 1)
