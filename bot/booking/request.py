"""What the customer has asked for so far: a :class:`BookingRequest`, and what is still missing."""

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Optional, Tuple

# Problems with the requested time. Read from the text alone (kept when messages are merged):
IMPOSSIBLE_DATE = "impossible_date"  # 2月30号, 11月31号: ``day`` is then the first real day after it
VAGUE = "vague"  # 下周, 下个月: no day yet
TEXT_PROBLEMS = (IMPOSSIBLE_DATE, VAGUE)
# Depending on now and the opening hours (worked out again whenever they are known):
PAST = "past"  # over before now
OUTSIDE_HOURS = "outside_hours"  # 凌晨三点, 晚上7点: the showroom is shut then
ENDS_AFTER_CLOSING = "ends_after_closing"  # 下午5点半: open, but the test drive would end after closing
CLOSED_DAY = "closed_day"  # a whole day the showroom is shut (opening_hours.closed)
DAY_OVER = "day_over"  # 今天 asked for after the last slot of the day
TIME_PROBLEMS = (PAST, OUTSIDE_HOURS, ENDS_AFTER_CLOSING, CLOSED_DAY, DAY_OVER)

# What still has to be asked, in this order (see missing()).
MODEL, WHEN, PHONE = "model", "when", "phone"


class Precision(str, Enum):
    DAY = "day"  # 12月5号, 明天: a day, no time
    PART_OF_DAY = "part_of_day"  # 周六上午, 下午: a part of a day
    EXACT = "exact"  # 下午三点半, 15:00


@dataclass(frozen=True)
class BookingRequest:
    """A test drive as asked for, in one message or merged over several (bot.booking.merge).

    The time is kept as a day and a time of day apart, so that a day given in one message and a
    time in the next combine. ``start`` and ``precision`` are derived from them.
    """

    model: Optional[str] = None  # catalog name of the car, e.g. 远山Pro
    day: Optional[date] = None
    day_given: bool = False  # the customer named the day (else a time alone: today, or tomorrow if past)
    time_from: Optional[time] = None  # the exact time, or where the part of day begins
    time_to: Optional[time] = None  # the last second of a part of day; None for an exact time
    time_words: str = ""  # the customer's words for the time, e.g. 周六上午 (NFKC-normalised)
    asked_date: str = ""  # the customer's words for an impossible date, e.g. 2月30号
    phone: Optional[str] = None  # normalised, e.g. 13800138000
    problems: Tuple[str, ...] = ()

    @property
    def precision(self) -> Optional[Precision]:
        if self.day is None:
            return None
        if self.time_from is None:
            return Precision.DAY
        return Precision.EXACT if self.time_to is None else Precision.PART_OF_DAY

    @property
    def start(self) -> Optional[datetime]:
        """The requested start: the day at 00:00, the beginning of the part of day, or the time."""
        if self.day is None:
            return None
        return datetime.combine(self.day, self.time_from or time(0))

    @property
    def end(self) -> Optional[datetime]:
        """The last moment the customer would start at: end of the day or part of day; the time itself."""
        if self.day is None:
            return None
        if self.time_from is None:
            return datetime.combine(self.day, time.max)
        return datetime.combine(self.day, self.time_to or self.time_from)


def missing(request: BookingRequest) -> Tuple[str, ...]:
    """What to ask next, in order: the model, when (no day yet; a day without a time is not
    missing anything, choose_slot proposes the first free time), the phone number."""
    out = []
    if request.model is None:
        out.append(MODEL)
    if request.day is None:
        out.append(WHEN)
    if request.phone is None:
        out.append(PHONE)
    return tuple(out)
