"""Booking a test drive in as few messages as the customer gives, without Rasa.

    request = parse_booking("我手机号13800138000，周六上午来试驾远山", now, finder)
    request = merge(earlier_request, request)            # details given over several messages
    missing(request)                                     # what to ask next: model, when, phone
    slot = choose_slot(request, now, catalog.dealer.opening_hours)
    read_back(request, slot, mask_phone(request.phone))  # 好的，跟您确认一下：12月5日（周六）上午9点...

Modules: request (what was asked, what is missing), parse (model, day, time and phone from text),
merge, slots (the slot to book and why), summary (the texts), config (data/booking.yml).
"""

from bot.booking.config import BookingConfig, default_config, load_booking_config
from bot.booking.merge import merge
from bot.booking.parse import parse_booking
from bot.booking.request import (
    CLOSED_DAY,
    DAY_OVER,
    ENDS_AFTER_CLOSING,
    IMPOSSIBLE_DATE,
    MODEL,
    OUTSIDE_HOURS,
    PAST,
    PHONE,
    VAGUE,
    WHEN,
    BookingRequest,
    Precision,
    missing,
)
from bot.booking.slots import TIME_ASSUMED, SlotDecision, check, choose_slot, holiday_name
from bot.booking.summary import ask, booked, booking_moved, format_when, propose, read_back

__all__ = [
    "BookingConfig",
    "BookingRequest",
    "Precision",
    "SlotDecision",
    "parse_booking",
    "merge",
    "missing",
    "check",
    "choose_slot",
    "read_back",
    "booked",
    "propose",
    "booking_moved",
    "ask",
    "format_when",
    "holiday_name",
    "load_booking_config",
    "default_config",
    "IMPOSSIBLE_DATE",
    "VAGUE",
    "PAST",
    "OUTSIDE_HOURS",
    "ENDS_AFTER_CLOSING",
    "CLOSED_DAY",
    "DAY_OVER",
    "TIME_ASSUMED",
    "MODEL",
    "WHEN",
    "PHONE",
]
