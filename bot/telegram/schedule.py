"""When daily digests go out: times and time zones as users type them, and the UTC instant of
each delivery in a zone, DST changes included. Pure functions, standard library only.

The DST rules: a wall time skipped by a spring forward is delivered that morning, shifted
forward by the gap (01:30 on the day British Summer Time starts is 02:30 BST); one that
happens twice at a fall back is delivered at its first occurrence only."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "delivery_for",
    "local_date",
    "missed",
    "next_delivery",
    "parse_time",
    "resolve_timezone",
    "suggest_timezones",
    "zone",
]

# 8, 08:00, 8.30, 20h15, 20h, 8am, 8:30 pm
_TIME = re.compile(r"(\d{1,2})(?:[:.h](\d{2})|h)?\s*(am|pm)?", re.IGNORECASE)
# UTC+2, GMT-5, +05:30, +0530, UTC−3 (phones often type a Unicode minus)
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
# The form fixed offsets are stored in (what resolve_timezone returns).
_STORED_OFFSET = re.compile(r"UTC([+-])(\d{2}):(\d{2})")
_UTC_ALIASES = {"utc", "gmt", "z", "zulu", "uct", "universal", "gmt0", "etc/utc", "etc/gmt"}
# In the tz database's list but not places: the host's own zone (it differs between
# machines) and a placeholder with no offset.
_NOT_PLACES = {"localtime", "posixrules", "Factory"}


def parse_time(text: str) -> time | None:
    """'8', '08:00', '8am', '8:30pm', '20:15', '20h15' -> a naive time; None for anything
    else ('25:00', '8:61', 'soon')."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        # A 12-hour clock: 12am is midnight and 12pm noon; '0am' or '13pm' mean nothing.
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3].lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _key(text: str) -> str:
    """How names are compared: accents, case, spaces, underscores and hyphens don't count
    ('São Paulo' and 'sao_paulo' are the same key; so are 'Port au Prince', 'Port-au-Prince')."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_-]+", " ", bare).strip().casefold()


@cache
def _places() -> dict[str, str]:
    """Lookup keys -> IANA names: each zone's last part (its city or place) and its full name."""
    names = sorted(available_timezones() - _NOT_PLACES)
    places: dict[str, str] = {}
    # Cities first, so that 'Singapore' is Asia/Singapore rather than the legacy alias of
    # that name; in sorted order, so that an ambiguous city is always the same zone.
    for name in names:
        if "/" in name and not name.startswith("Etc/"):
            places.setdefault(_key(name.rpartition("/")[2]), name)
    for name in names:
        places.setdefault(_key(name), name)
    return places


def _fixed_offset(match: re.Match[str]) -> str | None:
    """A matched 'UTC+2' -> 'UTC+02:00'; None for an offset no zone has."""
    sign = -1 if match[1] in "-−" else 1
    hours, minutes = int(match[2]), int(match[3] or 0)
    total = sign * (hours * 60 + minutes)
    # Real zones run from -12:00 to +14:00 in quarter hours (Nepal is +05:45).
    if minutes not in (0, 15, 30, 45) or not -12 * 60 <= total <= 14 * 60:
        return None
    if total == 0:
        return "UTC"
    return f"UTC{'-' if sign < 0 else '+'}{hours:02d}:{minutes:02d}"


def resolve_timezone(text: str) -> str | None:
    """What a user typed -> the canonical zone name we store: an IANA name ('Europe/London'),
    'UTC', or a fixed offset ('UTC+02:00'). None when unknown."""
    key = _key(text)
    if key in _UTC_ALIASES:
        return "UTC"
    # Offsets before names: 'GMT+5' means five hours ahead of UTC, whereas the IANA zone
    # Etc/GMT+5 (POSIX signs) is five hours behind.
    match = _OFFSET.fullmatch(text.strip())
    if match:
        return _fixed_offset(match)
    return _places().get(key)


def suggest_timezones(text: str) -> list[str]:
    """Up to three IANA names close to what was typed, for a 'did you mean' reply."""
    keys = difflib.get_close_matches(_key(text), list(_places()), n=3, cutoff=0.6)
    return list(dict.fromkeys(_places()[key] for key in keys))


def zone(name: str) -> tzinfo:
    """The tzinfo of a stored canonical name (ZoneInfoNotFoundError for an unknown one)."""
    match = _STORED_OFFSET.fullmatch(name)
    if match:
        minutes = int(match[2]) * 60 + int(match[3])
        return timezone(timedelta(minutes=-minutes if match[1] == "-" else minutes), name)
    return ZoneInfo(name)


def _require_aware(instant: datetime) -> None:
    # A naive datetime would silently be read in the host's time zone.
    if instant.utcoffset() is None:
        raise ValueError(f"expected a time-zone-aware datetime, got {instant!r}")


def delivery_for(at: time, tz_name: str, day: date) -> datetime:
    """The UTC instant of the delivery at local `at` on local `day` (DST rules as above)."""
    tz = zone(tz_name)
    wall = datetime.combine(day, at.replace(tzinfo=None))
    # Read the wall time with the offset before a DST change and the one after it (the two
    # folds; they only differ at a change) ...
    readings = {wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)}
    # ... and keep those that convert back to the same wall time: when it really happens.
    real = [r for r in readings if r.astimezone(tz).replace(tzinfo=None, fold=0) == wall]
    if real:
        return min(real)  # twice at a fall back: the first occurrence only
    # Skipped by a spring forward. The offset grows across a gap, so the later reading is
    # the one with the offset from before it: the wall time shifted forward by the gap
    # (01:30 GMT = 02:30 BST = 01:30 UTC), exactly 24 hours after the day before's.
    return max(readings)


def next_delivery(at: time, tz_name: str, now: datetime) -> datetime:
    """The first delivery strictly after `now` (aware, in any zone), as a UTC datetime."""
    _require_aware(now)
    today = local_date(now, tz_name)
    # Yesterday's delivery can still be ahead when a gap pushes it past midnight, and
    # tomorrow's can already be past if a fall back repeats part of it; four days are
    # always enough.
    days = (today + timedelta(days=n) for n in (-1, 0, 1, 2))
    return next(when for day in days if (when := delivery_for(at, tz_name, day)) > now)


def local_date(instant: datetime, tz_name: str) -> date:
    """The local calendar date of an instant: the digest's date in the delivery log."""
    _require_aware(instant)
    return instant.astimezone(zone(tz_name)).date()


def missed(
    at: time, tz_name: str, now: datetime, last_delivered: date | None, grace: timedelta
) -> date | None:
    """At start-up: the local date of the latest delivery due at or before `now`, if it is at
    most `grace` late and that date is after `last_delivered`; else None."""
    today = local_date(now, tz_name)
    for day in (today, today - timedelta(days=1)):
        due = delivery_for(at, tz_name, day)
        if due > now:
            continue  # today's is still ahead: the latest one due is yesterday's
        too_late = now - due > grace
        done = last_delivered is not None and last_delivered >= day
        return None if too_late or done else day
    return None
