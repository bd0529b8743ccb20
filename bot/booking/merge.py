"""Combining what the customer said over several messages (the model first, the day later...)."""

from dataclasses import replace
from datetime import datetime
from typing import Any, Dict, Optional

from bot.booking.config import BookingConfig
from bot.booking.request import TEXT_PROBLEMS, BookingRequest
from bot.booking.slots import Hours, check


def _when_from(source: BookingRequest, **changes: Any) -> Dict[str, Any]:
    fields: Dict[str, Any] = dict(
        day=source.day,
        day_given=source.day_given,
        time_from=source.time_from,
        time_to=source.time_to,
        time_words=source.time_words,
        asked_date=source.asked_date,
        problems=tuple(p for p in source.problems if p in TEXT_PROBLEMS),
    )
    fields.update(changes)
    return fields


def merge(
    previous: BookingRequest,
    new: BookingRequest,
    now: Optional[datetime] = None,
    hours: Optional[Hours] = None,
    config: Optional[BookingConfig] = None,
) -> BookingRequest:
    """``previous`` updated with what ``new`` says; what ``new`` does not say is kept.

    - model, phone: the newer one when given;
    - a day alone (明天) after a time alone (下午三点), or a time alone after a day: both combine,
      and so do their words (明天下午三点);
    - any other new time (a day with a time, a new day after a day, 下周) replaces the old one.

    The problems read from the text (impossible date, vague) go with the day they came with; the
    ones that depend on now and the opening hours are worked out again when ``now`` is given
    (else dropped: choose_slot works them out anyway).
    """
    nothing_new = new.day is None and not new.problems
    if nothing_new:
        when = _when_from(previous)
    elif (
        new.day is not None
        and new.day_given
        and new.time_from is None
        and previous.time_from is not None
        and not previous.day_given
    ):
        when = _when_from(
            new, time_from=previous.time_from, time_to=previous.time_to, time_words=new.time_words + previous.time_words
        )
    elif new.day is not None and not new.day_given and previous.day is not None and previous.day_given:
        words = new.time_words if previous.time_from is not None else previous.time_words + new.time_words
        when = _when_from(previous, time_from=new.time_from, time_to=new.time_to, time_words=words)
    else:
        when = _when_from(new)
    merged = replace(previous, model=new.model or previous.model, phone=new.phone or previous.phone, **when)
    return check(merged, now, hours, config) if now is not None else merged
