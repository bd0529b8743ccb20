"""The showroom's opening hours (catalog ``dealer.opening_hours``).

In data/catalog.yml::

    opening_hours:
      open: "09:00"
      close: "18:00"
      closed: ["2026-02-16", "2026-02-17"]   # whole days the showroom is shut

Times are the showroom's wall clock. ``is_open`` and ``next_open`` read the date and time fields
of the datetime they are given as they are (no time-zone conversion): pass the showroom's local
time. The datetime returned by ``next_open`` keeps the tzinfo of the one passed in.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, FrozenSet, Optional

from bot.validation import Checker

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class OpeningHours:
    open: time
    close: time
    closed: FrozenSet[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.open < self.close:
            raise ValueError(f"opening time {self.open} is not before closing time {self.close}")

    def is_open(self, at: datetime) -> bool:
        """Whether the showroom is open at ``at`` (open <= time < close, on a day not closed)."""
        return at.date() not in self.closed and self.open <= at.time() < self.close

    def next_open(self, at: datetime, duration: timedelta = timedelta(hours=1)) -> datetime:
        """The earliest start >= ``at`` of a visit lasting ``duration`` that ends by closing time,
        on a day that is not closed.

        Raises:
            ValueError: ``duration`` is negative or longer than the opening hours of a day.
        """
        if duration < timedelta(0):
            raise ValueError(f"negative duration {duration}")
        day_length = datetime.combine(date.min, self.close) - datetime.combine(date.min, self.open)
        if duration > day_length:
            raise ValueError(f"a visit of {duration} does not fit in the opening hours {self.describe()}")
        day = at.date()
        # Every closed date can be skipped at most once, so this loop ends.
        for _ in range(len(self.closed) + 2):
            if day not in self.closed:
                opening = datetime.combine(day, self.open, tzinfo=at.tzinfo)
                closing = datetime.combine(day, self.close, tzinfo=at.tzinfo)
                start = max(at, opening)
                if start + duration <= closing:
                    return start
            day += timedelta(days=1)
        raise AssertionError("unreachable: a day that is not closed was skipped")  # pragma: no cover

    def describe(self) -> str:
        """The hours as a visitor reads them, e.g. 每天9:00–18:00."""
        return f"每天{clock(self.open)}–{clock(self.close)}"

    def closed_on(self, day: date) -> bool:
        """Whether ``day`` is one of the closed dates."""
        return day in self.closed


def clock(t: time) -> str:
    """9:00, 18:30: a time of day as the showroom writes it."""
    return f"{t.hour}:{t.minute:02d}"


def _parse_time(c: Checker, value: Any, where: str) -> Optional[time]:
    if not isinstance(value, str) or not _HHMM.match(value.strip()):
        c.fail(where, f'expected a time of day written "HH:MM" (quoted), got {value!r}')
        return None
    hours, minutes = _HHMM.match(value.strip()).groups()  # type: ignore[union-attr]
    return time(int(hours), int(minutes))


def _parse_date(c: Checker, value: Any, where: str) -> Optional[date]:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    c.fail(where, f'expected a date written "YYYY-MM-DD", got {value!r}')
    return None


def read_opening_hours(c: Checker, raw: Any, where: str) -> Optional[OpeningHours]:
    """Reads an ``opening_hours`` mapping, reporting every problem to ``c`` under ``where``.

    Returns None when there is a problem (the checker then holds it).
    """
    if not c.mapping(raw, where, ("open", "close"), ("closed",)):
        return None
    opening = _parse_time(c, raw["open"], f"{where}.open")
    closing = _parse_time(c, raw["close"], f"{where}.close")
    closed = raw.get("closed") or []
    days = set()
    if not isinstance(closed, list):
        c.fail(f"{where}.closed", "expected a list of dates")
    else:
        for i, d in enumerate(closed):
            day = _parse_date(c, d, f"{where}.closed[{i}]")
            if day is not None:
                days.add(day)
    if opening is None or closing is None:
        return None
    if not opening < closing:
        c.fail(f"{where}.close", f"closing time {clock(closing)} is not after opening time {clock(opening)}")
        return None
    return OpeningHours(opening, closing, frozenset(days))
