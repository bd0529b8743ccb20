"""Choosing the slot to book from a request, the time now and the opening hours.

- An exact time that is free is booked as asked.
- A part of day (上午, 下午...) gets the first start in it that fits the opening hours (and, today,
  is at least ``lead`` after now, on the ``step``): 周六上午 -> Saturday 9:00.
- A day without a time gets the first free start that day, and the read-back says so
  (``time_assumed``): one message fewer than asking "几点?", and the customer can still change it.
- A problem (an impossible date, a past time, a time or day the showroom is shut, today after the
  last slot) gets the next possible slot after it, and ``note`` says why in plain Chinese.
- No day at all: no slot (``start`` None); ask for it (bot.booking.missing).

Public holidays (chinese-calendar) do not move a slot, showrooms open then; the decision names the
holiday so the read-back can mention it. Whole days the showroom is shut come from the opening
hours (``closed``), not from the holiday calendar.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import List, Optional, Protocol, Tuple

from bot.booking.config import BookingConfig, default_config
from bot.booking.request import (
    CLOSED_DAY,
    DAY_OVER,
    ENDS_AFTER_CLOSING,
    IMPOSSIBLE_DATE,
    OUTSIDE_HOURS,
    PAST,
    TEXT_PROBLEMS,
    BookingRequest,
    Precision,
)

TIME_ASSUMED = "time_assumed"  # not a problem: a day without a time got its first free slot


class Hours(Protocol):
    """What booking needs of the opening hours (bot.catalog.hours.OpeningHours)."""

    def is_open(self, at: datetime) -> bool: ...

    def next_open(self, at: datetime, duration: timedelta = ...) -> datetime: ...

    def closed_on(self, day: date) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class SlotDecision:
    start: Optional[datetime]  # the slot to book, or to propose; None: ask for the day first
    reasons: Tuple[str, ...] = ()  # problem codes that moved it, or (TIME_ASSUMED,)
    note: str = ""  # why, in plain Chinese, for the read-back ("" when booked as asked)
    holiday: Optional[str] = None  # Chinese name of the public holiday that day, e.g. 国庆节
    why: str = ""  # the reasons alone, in plain Chinese ("" when booked as asked or the time assumed)

    @property
    def as_asked(self) -> bool:
        """The slot is what the customer asked for (a part of day: the first free time in it)."""
        return self.start is not None and not self.reasons


def holiday_name(day: date) -> Optional[str]:
    """The Chinese name of the public holiday on ``day`` (国庆节), None on other days, weekends
    included, and for years chinese-calendar has no data for."""
    import chinese_calendar

    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year it does not know yet
        return None
    if not is_holiday or name is None:
        return None
    for h in chinese_calendar.Holiday:
        if h.value == name:
            return h.chinese
    return name


def _ceil(at: datetime, step: timedelta) -> datetime:
    midnight = datetime.combine(at.date(), time(0), tzinfo=at.tzinfo)
    steps = -(-(at - midnight) // step)  # ceiling division
    return midnight + steps * step


def _decide(request: BookingRequest, now: datetime, hours: Hours, cfg: BookingConfig) -> Tuple[datetime, List[str]]:
    """The slot and the reasons it is not exactly what was asked (request.day must be set)."""
    start, end = request.start, request.end
    assert request.day is not None and start is not None and end is not None
    day, dur = request.day, cfg.duration
    earliest = _ceil(now + cfg.lead, cfg.step)
    reasons = [IMPOSSIBLE_DATE] if IMPOSSIBLE_DATE in request.problems else []
    shut = CLOSED_DAY if hours.closed_on(day) else OUTSIDE_HOURS
    precision = request.precision
    if precision is Precision.EXACT:
        want = start
        if want < now:
            return hours.next_open(earliest, dur), reasons + [PAST]
        slot = hours.next_open(want, dur)
        if slot != want and shut == OUTSIDE_HOURS and hours.is_open(want):
            shut = ENDS_AFTER_CLOSING
        return slot, reasons + ([shut] if slot != want else [])
    if precision is Precision.PART_OF_DAY:
        lo, hi = start, end
        if hi < earliest:
            return hours.next_open(earliest, dur), reasons + [PAST]
        slot = hours.next_open(_ceil(max(lo, earliest), cfg.step), dur)
        return slot, reasons + ([shut] if slot > hi else [])
    if day < now.date():
        return hours.next_open(earliest, dur), reasons + [PAST]
    slot = hours.next_open(max(start, earliest), dur)
    if slot.date() != day:
        return slot, reasons + [CLOSED_DAY if hours.closed_on(day) else DAY_OVER]
    return slot, reasons + ([] if reasons else [TIME_ASSUMED])


def check(
    request: BookingRequest, now: datetime, hours: Optional[Hours] = None, config: Optional[BookingConfig] = None
) -> BookingRequest:
    """The request with its time problems worked out for ``now`` (past) and, when given, ``hours``
    (outside_hours, ends_after_closing, closed_day, day_over, as choose_slot sees them); the
    problems read from the text stay."""
    problems = [p for p in request.problems if p in TEXT_PROBLEMS]
    if request.day is not None:
        if hours is not None:
            _, reasons = _decide(request, now, hours, config or default_config())
            problems += [r for r in reasons if r not in problems and r != TIME_ASSUMED]
        elif request.end is not None and request.end < now:
            problems.append(PAST)
    return replace(request, problems=tuple(problems))


def _why(request: BookingRequest, reasons: List[str], hours: Hours, cfg: BookingConfig) -> str:
    """The reasons in Chinese, each with the customer's words. After an impossible date the other
    reasons are about the day put in its place: "past" goes without saying, and the others name
    only the time of day the customer gave (2月30号晚上7点 -> 晚上7点)."""
    texts = []
    impossible = IMPOSSIBLE_DATE in reasons
    for r in reasons:
        if r == IMPOSSIBLE_DATE:
            asked = request.asked_date
        elif impossible:
            if r == PAST:
                continue
            asked = request.time_words.replace(request.asked_date, "").strip()
        else:
            asked = request.time_words
        texts.append(cfg.text(f"reasons.{r}", asked=asked or cfg.text("asked_default"), hours=hours.describe()))
    return "，".join(texts)


def choose_slot(
    request: BookingRequest, now: datetime, hours: Hours, config: Optional[BookingConfig] = None
) -> SlotDecision:
    """The slot to book for ``request`` (see the module's docstring), with the reason in Chinese."""
    from bot.booking.summary import format_clock  # summary formats slots; it imports this module

    cfg = config or default_config()
    if request.day is None:
        return SlotDecision(None)
    slot, reasons = _decide(request, now, hours, cfg)
    why = ""
    if reasons == [TIME_ASSUMED]:
        note = cfg.text("time_assumed", clock=format_clock(slot, cfg))
    elif reasons:
        why = _why(request, reasons, hours, cfg)
        note = cfg.text("moved", why=why)
    else:
        note = ""
    return SlotDecision(slot, tuple(reasons), note, holiday_name(slot.date()), why)
