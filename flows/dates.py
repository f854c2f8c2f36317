"""Dates and times as written on news pages and in comment threads, to UTC.

Absolute dates ("Published 14:05 GMT, 2 March 2023", "Updated Feb. 2, 2022 at
9:14 a.m. ET", "March 4, 2024 at 9:12 am") go through dateutil's parser with a
table of time-zone abbreviations (flows/data/timezones.csv); what it cannot read
goes to dateparser, which also knows other languages. Relative times ("2 hours
ago", "yesterday at 3:15 pm", "5d") are resolved against the time the document
was fetched. A time without a zone is taken as UTC; a date without a year takes
the latest year that does not put it in the future.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import relativedelta

from flows.lexicon import read_table

__all__ = ["format_when", "looks_like_date", "parse_when"]

_PREFIX = re.compile(
    r"^(?:(?:first\s+|last\s+)?(?:published|updated|posted|modified|edited|created|written|date)"
    r"(?:\s+(?:on|at))?\s*[:\-–—]?\s*|on\s+|at\s+)",
    re.I,
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_UNITS = {
    "s": "seconds", "sec": "seconds", "second": "seconds", "m": "minutes", "min": "minutes",
    "minute": "minutes", "h": "hours", "hr": "hours", "hour": "hours", "d": "days", "day": "days",
    "w": "weeks", "wk": "weeks", "week": "weeks", "mo": "months", "month": "months", "y": "years",
    "yr": "years", "year": "years",
}
_RELATIVE = re.compile(
    r"^(?:about\s+|around\s+|almost\s+|over\s+)?(?P<n>\d+|an?|one|a\s+few|few)\s*"
    r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?"
    r"|[smhdwy])\.?(?:\s+ago)?$",
    re.I,
)
_FIXED_UNITS = frozenset({"seconds", "minutes", "hours", "days", "weeks"})
_DAY_WORD = re.compile(r"^(?P<day>today|yesterday)(?:,?\s+(?:at\s+)?(?P<time>.+))?$", re.I)
_NOW = re.compile(r"^(?:just\s+now|now|moments?\s+ago|a\s+moment\s+ago|seconds\s+ago)$", re.I)
_DATE_HINT = re.compile(
    rf"\b(?:{_MONTHS})\b\.?|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b"
    r"|\b(?:\d+|an?|one|a few)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b"
    r"|^(?:today|yesterday|just now)\b",
    re.I,
)
_AMPM = re.compile(r"\b([ap])\.\s?m\.?", re.I)
_NOISE = re.compile(r"\s+(?:at|on|@|-|–|—|\|)\s+|,\s*(?=\d{1,2}:\d{2})", re.I)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.I)
_WORDS = re.compile(r"[A-Za-z]+")
_DATE_WORDS = frozenset([
    "am", "pm", "a", "p", "m", "at", "on", "of", "the", "gmt", "utc", "z", "t", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur",
    "thurs", "fri", "sat", "sun", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
])
_MIN_YEAR = 1990
# The reference for 'is this a date at all?': fixed, so that the answer never depends on the clock.
_ANY_TIME = datetime(2099, 1, 1, tzinfo=UTC)


@cache
def _zones() -> dict[str, tzinfo]:
    return {row["abbreviation"]: ZoneInfo(row["zone"]) for row in read_table("timezones.csv")}


def looks_like_date(text: str) -> bool:
    """Whether `text` is mostly a date or time (a date line, not a sentence that holds one)."""
    if len(text) > 80 or not _DATE_HINT.search(text):
        return False
    rest = _PREFIX.sub("", text.strip())
    if _RELATIVE.match(rest) or _DAY_WORD.match(rest) or _NOW.match(rest):
        return True
    zones = _zones()
    words = [w for w in _WORDS.findall(rest) if w.lower() not in _DATE_WORDS and w not in zones]
    return len(words) <= 1 and parse_when(text, now=_ANY_TIME) is not None


def _relative(text: str, now: datetime) -> datetime | None:
    if _NOW.match(text):
        return now
    match = _RELATIVE.match(text)
    if match and (text.lower().endswith("ago") or len(match.group("unit")) == 1):
        raw = match.group("n").lower()
        n = int(raw) if raw.isdigit() else 3 if "few" in raw else 1
        unit = match.group("unit").lower().rstrip(".")
        unit = _UNITS.get(unit) or _UNITS.get(unit.rstrip("s")) or "days"
        if unit in _FIXED_UNITS and n <= 100_000:
            # (relativedelta with only these units is this timedelta; far from any overflow)
            return now - timedelta(**{unit: n})
        moved: datetime = now - relativedelta(**{unit: n})
        return moved
    match = _DAY_WORD.match(text)
    if match:
        day = now - timedelta(days=1 if match.group("day").lower() == "yesterday" else 0)
        base = day.replace(hour=0, minute=0, second=0, microsecond=0)
        if match.group("time"):
            clock = _AMPM.sub(lambda m: m.group(1) + "m", match.group("time"))
            try:
                parsed = dateutil_parser.parse(clock, default=base.replace(tzinfo=None), tzinfos=_zones())
            except (ValueError, OverflowError, TypeError):
                return base
            when: datetime = parsed if parsed.tzinfo else parsed.replace(tzinfo=base.tzinfo)
            return when
        return base
    return None


# What the parsers made of the strings seen so far: dateutil's two readings depend on the string
# only (the defaults and zones are fixed); dateparser's reading also on the reference time. Comment
# threads repeat date lines, and each is read both to find it and to parse it. Kept per process,
# each table forgotten when it grows past _MEMO_LIMIT strings.
_MEMO_LIMIT = 50_000
_UNREADABLE = (ValueError, OverflowError, TypeError)  # what the parsers raise on what they cannot read
_DATEUTIL: dict[str, tuple[datetime, datetime] | None] = {}
_DATEPARSER: dict[tuple[str, datetime], datetime | None] = {}


# The date of a comment as WordPress writes it, after `_absolute` tidied it: 'March 4, 2024 9:12 am'.
# For these dateutil reads the month name, the day, a four-digit year, the hour and minute of a
# 12-hour clock and no zone: the same with either default. `_plain_date` reads them directly.
_MONTH_NAMES = (("Jan", "January"), ("Feb", "February"), ("Mar", "March"), ("Apr", "April"), ("May",),
                ("Jun", "June"), ("Jul", "July"), ("Aug", "August"), ("Sep", "Sept", "September"),
                ("Oct", "October"), ("Nov", "November"), ("Dec", "December"))
_MONTH_NUMBERS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_PLAIN_DATE = re.compile(
    r"(?P<month>[A-Z][a-z]{2,8}) (?P<day>[0-9]{1,2}), (?P<year>[1-9][0-9]{3}) "
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-5][0-9]) (?P<half>[ap])m"
)


def _plain_date(text: str) -> datetime | None:
    """'March 4, 2024 9:12 pm' as dateutil reads it, without dateutil; None for anything else."""
    match = _PLAIN_DATE.fullmatch(text)
    if match is None:
        return None
    month = _MONTH_NUMBERS.get(match.group("month"))
    year, day, hour = int(match.group("year")), int(match.group("day")), int(match.group("hour"))
    if month is None or not 1 <= hour <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    hour = hour % 12 + (12 if match.group("half") == "p" else 0)
    return datetime(year, month, day, hour, int(match.group("minute")))


def _dateutil_readings(text: str) -> tuple[datetime, datetime] | None:
    """`text` read by dateutil with two different defaults (to see which parts it does not name),
    or None when dateutil cannot read it."""
    try:
        return _DATEUTIL[text]
    except KeyError:
        pass
    plain = _plain_date(text)
    if plain is not None:
        return plain, plain
    zones = _zones()
    try:
        readings: tuple[datetime, datetime] | None = (
            dateutil_parser.parse(text, default=datetime(1, 1, 1), tzinfos=zones),
            dateutil_parser.parse(text, default=datetime(2, 2, 2), tzinfos=zones),
        )
    except _UNREADABLE:
        readings = None
    if len(_DATEUTIL) >= _MEMO_LIMIT:
        _DATEUTIL.clear()
    _DATEUTIL[text] = readings
    return readings


def _absolute(text: str, now: datetime) -> datetime | None:
    text = _AMPM.sub(lambda m: m.group(1) + "m", text)
    text = _ORDINAL.sub(r"\1", _NOISE.sub(" ", text)).strip(" ,.|")
    readings = _dateutil_readings(text)
    if readings is None:
        return _fallback(text, now)
    first, second = readings
    if first.day != second.day or first.month != second.month:
        return None  # no day or no month: not a date we can place
    parsed = first
    if first.year != second.year:  # no year written: the latest that is not in the future
        parsed = first.replace(year=now.year)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        if parsed > now + timedelta(days=1):
            parsed = parsed.replace(year=now.year - 1)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _fallback(text: str, now: datetime) -> datetime | None:
    if not any(ch.isdigit() for ch in text):
        return None
    key = (text, now.replace(tzinfo=None))  # (dateparser sees the reference time without its zone)
    try:
        return _DATEPARSER[key]
    except KeyError:
        pass
    if len(_DATEPARSER) >= _MEMO_LIMIT:
        _DATEPARSER.clear()
    _DATEPARSER[key] = found = _dateparser(text, now)
    return found


def _dateparser(text: str, now: datetime) -> datetime | None:
    import dateparser  # slow to import; only needed for what dateutil cannot read

    parsed = dateparser.parse(
        text,
        settings={
            "RETURN_AS_TIMEZONE_AWARE": True,
            "TIMEZONE": "UTC",
            "TO_TIMEZONE": "UTC",
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": now.replace(tzinfo=None),
            "STRICT_PARSING": True,
        },
    )
    return parsed.astimezone(UTC) if parsed is not None else None


def parse_when(text: str, *, now: datetime) -> datetime | None:
    """The UTC time `text` names, or None when it names none.

    Args:
        text: a date or time as written, e.g. "Updated Feb. 2, 2022 at 9:14 a.m. ET" or "2 hours ago".
        now: the reference for relative times (the document's fetch time), timezone-aware.
    """
    stripped = _PREFIX.sub("", text.strip()).strip(" ,.|·•")
    if not stripped or len(stripped) > 80:
        return None
    when = _relative(stripped, now)
    if when is None:
        when = _absolute(stripped, now)
    if when is None or not (_MIN_YEAR <= when.year <= now.year + 1):
        return None
    return when.astimezone(UTC)


def format_when(value: datetime) -> str:
    """A time as a comment date line the layout parser reads exactly: 'April 8, 2024 at 8:47 am UTC'."""
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    hour = utc.hour % 12 or 12
    return f"{utc:%B} {utc.day}, {utc.year} at {hour}:{utc:%M} {'am' if utc.hour < 12 else 'pm'} UTC"
