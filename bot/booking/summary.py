"""The customer-facing texts of a booking: the read-back and the next question. The words are
templates in data/booking.yml (bot.booking.config); this module only fills them in."""

from datetime import datetime
from typing import Optional, Sequence

from bot.booking.config import BookingConfig, default_config
from bot.booking.request import BookingRequest
from bot.booking.slots import SlotDecision


def format_date(at: datetime, config: Optional[BookingConfig] = None) -> str:
    """12月5日（周六）"""
    cfg = config or default_config()
    return cfg.text("date", month=at.month, day=at.day, weekday=cfg.weekdays[at.weekday()])


def format_clock(at: datetime, config: Optional[BookingConfig] = None) -> str:
    """上午9点, 中午12点半, 下午3点15分, 晚上7点 (hours written 1-12 after the part of day)."""
    cfg = config or default_config()
    h = at.hour
    part = "morning" if h < 12 else "noon" if h == 12 else "afternoon" if h < 18 else "evening"
    hour = h if h <= 12 else h - 12
    key = "clock_whole" if at.minute == 0 else "clock_half" if at.minute == 30 else "clock_minutes"
    return cfg.text(key, part=cfg.text(f"parts_of_day.{part}"), hour=hour, minute=at.minute)


def format_when(at: datetime, config: Optional[BookingConfig] = None) -> str:
    """12月5日（周六）上午10点"""
    return format_date(at, config) + format_clock(at, config)


def read_back(
    request: BookingRequest, slot: SlotDecision, masked_phone: Optional[str], config: Optional[BookingConfig] = None
) -> str:
    """The confirmation the customer reads: day with date and weekday, time, model, masked phone
    (pass ``bot.privacy.logs.mask_phone(request.phone)``), then why the slot moved or what was assumed,
    and the public holiday if the day is one.

    Raises:
        ValueError: the decision has no slot (ask for the day first: bot.booking.missing).
    """
    cfg = config or default_config()
    if slot.start is None:
        raise ValueError("nothing to read back: the slot decision has no start (ask for the day first)")
    notes = _notes(slot, cfg)
    return cfg.text(
        "read_back",
        when=format_when(slot.start, cfg),
        model=request.model or cfg.text("any_model"),
        phone=cfg.text("phone_part", phone=masked_phone) if masked_phone else "",
        notes=notes,
    )


def _notes(slot: SlotDecision, cfg: BookingConfig) -> str:
    return slot.note + (cfg.text("holiday", holiday=slot.holiday) if slot.holiday else "")


def booked(
    request: BookingRequest, start: datetime, masked_phone: Optional[str], config: Optional[BookingConfig] = None
) -> str:
    """What the customer reads once the booking is kept: day, time, model and masked phone, as done;
    that the time was chosen when the customer gave only a day, and the public holiday if any."""
    from bot.booking.slots import holiday_name

    cfg = config or default_config()
    notes = cfg.text("time_assumed", clock=format_clock(start, cfg)) if request.time_from is None else ""
    holiday = holiday_name(start.date())
    if holiday:
        notes += cfg.text("holiday", holiday=holiday)
    return cfg.text(
        "booked",
        when=format_when(start, cfg),
        model=request.model or cfg.text("any_model"),
        phone=cfg.text("phone_part", phone=masked_phone) if masked_phone else "",
        notes=notes,
    )


def propose(slot: SlotDecision, config: Optional[BookingConfig] = None) -> str:
    """The next possible slot for a time that cannot be booked (an impossible or past date, a time
    the showroom is shut), said at once: 日历上没有11月31号这一天，最近能约的是12月1日（周二）下午1点。
    Empty when the slot is as asked or only its time was assumed."""
    cfg = config or default_config()
    if slot.start is None or not booking_moved(slot):
        return ""
    return cfg.text("proposed", why=slot.why, when=format_when(slot.start, cfg))


def booking_moved(slot: SlotDecision) -> bool:
    """Whether the slot is not what the customer asked for (beyond a time assumed within their day)."""
    from bot.booking.slots import TIME_ASSUMED

    return any(r != TIME_ASSUMED for r in slot.reasons)


def ask(missing_items: Sequence[str], config: Optional[BookingConfig] = None) -> Optional[str]:
    """The question for the first missing item (bot.booking.missing), or None when nothing is missing."""
    if not missing_items:
        return None
    return (config or default_config()).text(f"ask.{missing_items[0]}")
