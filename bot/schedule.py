"""When daily digests go out: times and time zones as users type them, and the next delivery
instant in a zone, DST changes included. Pure functions, no Telegram."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

_TIME = re.compile(r"^(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm)?$", re.I)
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)
_UTC = {"utc", "gmt", "z", "zulu", "utc+0", "gmt+0", "utc0"}


def parse_time(text: str) -> time | None:
    """'8', '08:00', '8am', '8:30pm', '20h15' -> a time; None for anything else."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    half = (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_]+", " ", text).strip().lower()


@cache
def _zones() -> dict[str, str]:
    """Lookup keys -> IANA names: the full name, and its last part (the city)."""
    names: dict[str, str] = {}
    for name in sorted(available_timezones()):
        names.setdefault(_key(name), name)
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith("Etc/"):
            names.setdefault(_key(name.rsplit("/", 1)[1]), name)
    return names


def resolve_timezone(text: str) -> str | None:
    """An IANA name, a city, UTC/GMT, or an offset such as 'UTC+2' -> the canonical name we
    store ('Europe/London', 'UTC', 'UTC+02:00'); None when unknown."""
    cleaned = text.strip()
    if _key(cleaned) in _UTC:
        return "UTC"
    match = _OFFSET.match(cleaned)
    if match:
        sign = -1 if match[1] in "-−" else 1
        hours, minutes = int(match[2]), int(match[3] or 0)
        offset = sign * (hours * 60 + minutes)
        if minutes % 15 or not -12 * 60 <= offset <= 14 * 60:
            return None
        if offset == 0:
            return "UTC"
        return f"UTC{'+' if sign > 0 else '-'}{hours:02d}:{minutes:02d}"
    return _zones().get(_key(cleaned))


def suggest_timezones(text: str) -> list[str]:
    """Up to three known zones whose names are close to what was typed."""
    keys = difflib.get_close_matches(_key(text), list(_zones()), n=3, cutoff=0.6)
    return list(dict.fromkeys(_zones()[k] for k in keys))


def zone(name: str) -> tzinfo:
    """The tzinfo of a stored canonical name."""
    match = re.fullmatch(r"UTC([+-])(\d{2}):(\d{2})", name)
    if match:
        minutes = int(match[2]) * 60 + int(match[3])
        return timezone(timedelta(minutes=minutes if match[1] == "+" else -minutes), name)
    return ZoneInfo(name)


def delivery_for(at: time, tz_name: str, day: date) -> datetime:
    """The UTC instant of the delivery at local `at` on local `day`. A wall time skipped by a
    DST change comes just after the gap (at + the gap's length); one that happens twice comes
    at its first occurrence."""
    # fold=0 is what gives both rules: zoneinfo reads a skipped wall time with the offset
    # from before the gap (01:30 on the morning British Summer Time starts is read as 01:30
    # GMT, which is 02:30 BST), and a repeated one as its first occurrence.
    return datetime.combine(day, at, tzinfo=zone(tz_name)).replace(fold=0).astimezone(UTC)


def next_delivery(at: time, tz_name: str, now: datetime) -> datetime:
    """The next delivery strictly after `now`."""
    today = now.astimezone(zone(tz_name)).date()
    for offset in (-1, 0, 1, 2):
        candidate = delivery_for(at, tz_name, today + timedelta(days=offset))
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a day always has a delivery")


def local_date(instant: datetime, tz_name: str) -> date:
    """The local date of an instant: the digest's date in the delivery log."""
    return instant.astimezone(zone(tz_name)).date()


def missed(
    at: time, tz_name: str, now: datetime, last_delivered: date | None, grace: timedelta
) -> date | None:
    """At start-up: the local date of the latest delivery due at or before `now`, if it is at
    most `grace` late and was not delivered; else None."""
    today = local_date(now, tz_name)
    for day in (today, today - timedelta(days=1)):
        due = delivery_for(at, tz_name, day)
        if due <= now:
            if now - due > grace or (last_delivered is not None and last_delivered >= day):
                return None
            return day
    return None
