"""Digest times and zones: parsing what users type, and the delivery instants across DST
changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.telegram.schedule import (
    delivery_for,
    local_date,
    missed,
    next_delivery,
    parse_time,
    resolve_timezone,
    suggest_timezones,
    zone,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant, briefly."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8:00", time(8)), ("08:00", time(8)), ("8", time(8)), ("8am", time(8)),
     ("8 AM", time(8)), ("8:30pm", time(20, 30)), ("20:15", time(20, 15)),
     ("20h15", time(20, 15)), ("20h", time(20)), ("8.30", time(8, 30)), (" 7:05 ", time(7, 5)),
     ("0:00", time(0)), ("23:59", time(23, 59)), ("12am", time(0)), ("12pm", time(12)),
     ("24:00", None), ("25:00", None), ("8:61", None), ("8:5", None), ("0am", None),
     ("13pm", None), ("20:15pm", None), ("123", None), ("8:00:00", None), ("soon", None),
     ("", None)],
)  # fmt: skip
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Europe/London", "Europe/London"), ("europe/london", "Europe/London"),
     ("EUROPE/LONDON", "Europe/London"), ("London", "Europe/London"),
     ("  london ", "Europe/London"), ("new york", "America/New_York"),
     ("New_York", "America/New_York"), ("NEW YORK", "America/New_York"),
     ("Sao Paulo", "America/Sao_Paulo"), ("são paulo", "America/Sao_Paulo"),
     ("SÃO_PAULO", "America/Sao_Paulo"), ("Zürich", "Europe/Zurich"),
     ("port au prince", "America/Port-au-Prince"), ("Kolkata", "Asia/Kolkata"),
     # A city that is also a legacy zone name: the regional zone.
     ("Singapore", "Asia/Singapore"),
     # Ambiguous (a canonical zone and a legacy alias): the first in sorted order.
     ("buenos aires", "America/Argentina/Buenos_Aires"),
     ("UTC", "UTC"), ("gmt", "UTC"), ("Z", "UTC"), ("UTC+0", "UTC"), ("GMT-00:00", "UTC"),
     ("UTC+2", "UTC+02:00"), ("UTC+02:00", "UTC+02:00"), ("utc +2", "UTC+02:00"),
     ("GMT-5", "UTC-05:00"), ("+05:30", "UTC+05:30"), ("+0530", "UTC+05:30"),
     ("UTC+5:45", "UTC+05:45"), ("UTC−3", "UTC-03:00"), ("UTC+14", "UTC+14:00"),
     ("UTC-12:00", "UTC-12:00"),
     ("UTC+15", None), ("UTC+14:15", None), ("UTC-12:30", None), ("UTC+05:20", None),
     ("UTC+01:75", None), ("UTC+", None), ("+25", None),
     ("Atlantis", None), ("localtime", None), ("Factory", None), ("soon", None), ("", None)],
)  # fmt: skip
def test_resolve_timezone(text: str, expected: str | None) -> None:
    assert resolve_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Europe/Londn", "Europe/London"), ("Lodnon", "Europe/London"),
     ("new yrok", "America/New_York"), ("Kolkatta", "Asia/Kolkata")],
)  # fmt: skip
def test_suggest_timezones(text: str, expected: str) -> None:
    suggestions = suggest_timezones(text)
    assert expected in suggestions
    assert len(suggestions) <= 3


def test_no_suggestions_for_garbage() -> None:
    assert suggest_timezones("xqzv") == []


@pytest.mark.parametrize(
    ("typed", "offset"),
    [("UTC+2", timedelta(hours=2)), ("GMT-5", timedelta(hours=-5)),
     ("+05:30", timedelta(hours=5, minutes=30)), ("UTC−3:30", timedelta(hours=-3, minutes=-30)),
     ("UTC+14", timedelta(hours=14)), ("UTC-12", timedelta(hours=-12)),
     ("UTC", timedelta(0)), ("Asia/Kolkata", timedelta(hours=5, minutes=30))],
)  # fmt: skip
def test_zone_of_a_stored_name(typed: str, offset: timedelta) -> None:
    name = resolve_timezone(typed)
    assert name is not None
    assert zone(name).utcoffset(datetime(2026, 6, 1)) == offset


@pytest.mark.parametrize(
    ("at", "zone_name", "now", "expected"),
    [
        # London: Greenwich Mean Time until 01:00 GMT on Sun 29 Mar 2026, when the clocks go
        # to 02:00 BST (UTC+1). The day before, 08:00 GMT is 08:00 UTC.
        (time(8), "Europe/London", utc(2026, 3, 27, 12), utc(2026, 3, 28, 8)),
        (time(8), "Europe/London", utc(2026, 3, 28, 9), utc(2026, 3, 29, 7)),
        # 01:30 does not exist on the 29th. Shifted forward by the one-hour gap it is 02:30
        # BST, which is 01:30 UTC: 01:30 read with the offset from before the gap (GMT), and
        # exactly 24 hours after the day before's delivery. (The first instant after the gap,
        # 02:00 BST = 01:00 UTC, would be the other possible rule; we don't use it.)
        (time(1, 30), "Europe/London", utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 30)),
        (time(1), "Europe/London", utc(2026, 3, 28, 12), utc(2026, 3, 29, 1)),
        (time(2), "Europe/London", utc(2026, 3, 28, 12), utc(2026, 3, 29, 1)),  # 02:00 BST
        # The day after: 01:30 BST again.
        (time(1, 30), "Europe/London", utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)),
        # Sun 25 Oct 2026: 02:00 BST goes back to 01:00 GMT, so 01:30 happens twice. The first
        # time only (BST, 00:30 UTC) ...
        (time(1, 30), "Europe/London", utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30)),
        # ... and not again at 01:30 GMT (01:30 UTC): the next one is the day after.
        (time(1, 30), "Europe/London", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)),
        (time(1, 30), "Europe/London", utc(2026, 10, 25, 1), utc(2026, 10, 26, 1, 30)),
        (time(8), "Europe/London", utc(2026, 10, 24, 12), utc(2026, 10, 25, 8)),
        # New York: 02:00 EST (UTC-5) becomes 03:00 EDT (UTC-4) on Sun 8 Mar 2026.
        (time(8), "America/New_York", utc(2026, 3, 6, 14), utc(2026, 3, 7, 13)),
        (time(8), "America/New_York", utc(2026, 3, 7, 14), utc(2026, 3, 8, 12)),
        (time(2, 30), "America/New_York", utc(2026, 3, 7, 14), utc(2026, 3, 8, 7, 30)),  # 03:30
        # ... and 02:00 EDT goes back to 01:00 EST on Sun 1 Nov 2026.
        (time(8), "America/New_York", utc(2026, 10, 30, 14), utc(2026, 10, 31, 12)),
        (time(8), "America/New_York", utc(2026, 10, 31, 14), utc(2026, 11, 1, 13)),
        (time(1, 30), "America/New_York", utc(2026, 10, 31, 14), utc(2026, 11, 1, 5, 30)),
        (time(1, 30), "America/New_York", utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)),
        # Sydney springs forward from 02:00 AEST (UTC+10) on Sun 4 Oct 2026: 02:30 AEST is
        # still the day before in UTC.
        (time(2, 30), "Australia/Sydney", utc(2026, 10, 3), utc(2026, 10, 3, 16, 30)),
        (time(8), "Asia/Kolkata", utc(2026, 6, 1), utc(2026, 6, 1, 2, 30)),
        (time(8), "Asia/Kathmandu", utc(2026, 6, 1), utc(2026, 6, 1, 2, 15)),
        (time(8), "UTC+02:00", utc(2026, 6, 1, 7), utc(2026, 6, 2, 6)),
        (time(8), "UTC-05:00", utc(2026, 6, 1, 7), utc(2026, 6, 1, 13)),
        # Exactly at the delivery: the next day's.
        (time(8), "UTC", utc(2026, 6, 1, 8), utc(2026, 6, 2, 8)),
        (time(8), "Europe/London", utc(2026, 6, 1, 7), utc(2026, 6, 2, 7)),
        # `now` in another zone: 03:00 in New York is 08:00 in London, which is that delivery.
        (time(8), "Europe/London", datetime(2026, 6, 1, 3, tzinfo=ZoneInfo("America/New_York")),
         utc(2026, 6, 2, 7)),
        (time(8), "Asia/Tokyo", datetime(2026, 6, 1, 8, tzinfo=timezone(timedelta(hours=9))),
         utc(2026, 6, 1, 23)),
    ],
)  # fmt: skip
def test_next_delivery(at: time, zone_name: str, now: datetime, expected: datetime) -> None:
    assert next_delivery(at, zone_name, now) == expected
    assert next_delivery(at, zone_name, now).tzinfo is UTC


@pytest.mark.parametrize(
    ("at", "zone_name", "day", "expected"),
    [(time(1, 30), "Europe/London", date(2026, 3, 29), utc(2026, 3, 29, 1, 30)),  # in the gap
     (time(1, 30), "Europe/London", date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # twice
     (time(0, 30), "Australia/Lord_Howe", date(2026, 10, 4), utc(2026, 10, 3, 14)),
     (time(2, 15), "Australia/Lord_Howe", date(2026, 10, 4), utc(2026, 10, 3, 15, 45)),  # gap
     (time(8), "UTC+05:30", date(2026, 6, 1), utc(2026, 6, 1, 2, 30))],
)  # fmt: skip
def test_delivery_for(at: time, zone_name: str, day: date, expected: datetime) -> None:
    assert delivery_for(at, zone_name, day) == expected


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_delivery(time(8), "UTC", datetime(2026, 6, 1))


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
         "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "America/Santiago", "UTC",
         "UTC-03:30"]  # fmt: skip
TIMES = [time(h, m) for h in range(24) for m in (0, 30)] + [time(2, 15), time(23, 45)]


def _dst_days(name: str, year: int = 2026) -> list[date]:
    """The local dates around each change of the zone's offset (noon to noon, since some
    zones change at midnight)."""
    tz, days = zone(name), []
    for n in range(366):
        day = date(year, 1, 1) + timedelta(days=n)
        today, tomorrow = (datetime.combine(day + timedelta(days=k), time(12), tz) for k in (0, 1))
        if today.utcoffset() != tomorrow.utcoffset():
            days += [day + timedelta(days=k) for k in (-1, 0, 1, 2)]
    return days


def _exists(wall: datetime, tz_name: str) -> bool:
    """Whether a naive local wall time happens in the zone (its UTC round trip is itself)."""
    tz = zone(tz_name)
    there_and_back = wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return there_and_back.replace(tzinfo=None) == wall


def test_next_delivery_properties_across_zones_dates_and_times() -> None:
    checked, longest = 0, timedelta(0)
    for name in ZONES:
        tz = zone(name)
        for day in [date(2026, 1, 15), date(2026, 7, 15), *_dst_days(name)]:
            for hour in range(0, 24, 3):
                now = datetime.combine(day, time(hour), UTC)
                for at in TIMES:
                    when = next_delivery(at, name, now)
                    # A day is at most 25 hours long (a one-hour fall back; Lord Howe's is
                    # half an hour), and exactly 25 can happen: now is the first of a repeated
                    # time, and the next delivery is the same wall time a 25-hour day later.
                    assert now < when <= now + timedelta(hours=25), (name, day, at, now)
                    longest = max(longest, when - now)
                    local = when.astimezone(tz)
                    assert local.fold == 0, (name, day, at, now)  # never the repeat
                    wall = datetime.combine(local.date(), at)
                    if _exists(wall, name):
                        assert local.time() == at, (name, day, at, now)
                    else:  # skipped: later that morning by the gap's length
                        before, after = (tz.utcoffset(wall.replace(fold=f)) for f in (0, 1))
                        assert before is not None and after is not None
                        assert local.replace(tzinfo=None) == wall + (after - before), (name, at)
                    # ... and no day's delivery was passed over on the way.
                    for n in (-1, 0, 1):
                        other = datetime.combine(local.date() + timedelta(days=n), at)
                        if _exists(other, name):
                            instant = other.replace(tzinfo=tz).astimezone(UTC)
                            assert not now < instant < when, (name, day, at, now)
                    checked += 1
    assert checked > 20_000
    assert longest == timedelta(hours=25)  # the bound is reached


@pytest.mark.parametrize("name", ZONES)
def test_one_delivery_on_every_local_date_of_a_year(name: str) -> None:
    for at in (time(0), time(1, 30), time(2, 30), time(8), time(23, 30)):
        when = utc(2026, 1, 1)
        days = []
        for _ in range(366):
            when = next_delivery(at, name, when)
            days.append(local_date(when, name))
        assert all(b - a == timedelta(days=1) for a, b in pairwise(days))


GRACE = timedelta(hours=6)


@pytest.mark.parametrize(
    ("at", "zone_name", "now", "last", "expected"),
    [
        (time(8), "UTC", utc(2026, 6, 1, 9), None, date(2026, 6, 1)),  # an hour late, never sent
        (time(8), "UTC", utc(2026, 6, 1, 13), date(2026, 5, 31), date(2026, 6, 1)),  # 5 h late
        (time(8), "UTC", utc(2026, 6, 1, 14), date(2026, 5, 31), date(2026, 6, 1)),  # just
        (time(8), "UTC", utc(2026, 6, 1, 8), date(2026, 5, 31), date(2026, 6, 1)),  # due now
        (time(8), "UTC", utc(2026, 6, 1, 15), date(2026, 5, 31), None),  # 7 h: beyond grace
        (time(8), "UTC", utc(2026, 6, 1, 15), None, None),  # never sent, beyond grace
        (time(8), "UTC", utc(2026, 6, 1, 9), date(2026, 6, 1), None),  # already delivered
        (time(8), "UTC", utc(2026, 6, 1, 9), date(2026, 6, 2), None),  # a later one was sent
        # Before today's time: yesterday's, which is 23 hours late ...
        (time(8), "UTC", utc(2026, 6, 1, 7), date(2026, 5, 30), None),
        # ... or, for a late-evening time, within grace: 22:00 in New York is 02:00 UTC.
        (time(22), "America/New_York", utc(2026, 6, 2, 4), None, date(2026, 6, 1)),
        (time(22), "America/New_York", utc(2026, 6, 2, 4), date(2026, 6, 1), None),
        (time(23, 30), "UTC", utc(2026, 6, 2, 1), date(2026, 5, 31), date(2026, 6, 1)),
        # The morning London's clocks go forward: 01:30 was delivered at 01:30 UTC.
        (time(1, 30), "Europe/London", utc(2026, 3, 29, 3), None, date(2026, 3, 29)),
        (time(1, 30), "Europe/London", utc(2026, 3, 29, 1, 15), None, None),  # not yet due
    ],
)  # fmt: skip
def test_missed(
    at: time, zone_name: str, now: datetime, last: date | None, expected: date | None
) -> None:
    assert missed(at, zone_name, now, last, GRACE) == expected


@pytest.mark.parametrize(
    ("instant", "zone_name", "expected"),
    [(utc(2026, 6, 1, 23, 30), "Europe/London", date(2026, 6, 2)),  # 00:30 BST
     (utc(2026, 6, 1, 23, 30), "America/New_York", date(2026, 6, 1)),  # 19:30 EDT
     (utc(2026, 6, 2, 3, 59), "America/New_York", date(2026, 6, 1)),  # 23:59 EDT
     (utc(2026, 6, 2, 4), "America/New_York", date(2026, 6, 2)),  # midnight EDT
     (utc(2026, 6, 1, 18, 29), "Asia/Kolkata", date(2026, 6, 1)),  # 23:59 IST
     (utc(2026, 6, 1, 18, 30), "Asia/Kolkata", date(2026, 6, 2)),  # midnight IST
     (utc(2026, 6, 2, 4, 59), "UTC-05:00", date(2026, 6, 1)),
     (datetime(2026, 6, 2, 1, tzinfo=ZoneInfo("Europe/Paris")), "UTC", date(2026, 6, 1))],
)  # fmt: skip
def test_local_date_across_midnight(instant: datetime, zone_name: str, expected: date) -> None:
    assert local_date(instant, zone_name) == expected
