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


def read_back(request: BookingRequest, slot: SlotDecision, masked_phone: Optional[str],
              config: Optional[BookingConfig] = None) -> str:
    """The confirmation the customer reads: day with date and weekday, time, model, masked phone
    (pass ``bot.privacy.mask_phone(request.phone)``), then why the slot moved or what was assumed,
    and the public holiday if the day is one.

    Raises:
        ValueError: the decision has no slot (ask for the day first: bot.booking.missing).
    """
    cfg = config or default_config()
    if slot.start is None:
        raise ValueError("nothing to read back: the slot decision has no start (ask for the day first)")
    notes = slot.note
    if slot.holiday:
        notes += cfg.text("holiday", holiday=slot.holiday)
    return cfg.text(
        "read_back",
        when=format_when(slot.start, cfg),
        model=request.model or cfg.text("any_model"),
        phone=cfg.text("phone_part", phone=masked_phone) if masked_phone else "",
        notes=notes,
    )


def ask(missing_items: Sequence[str], config: Optional[BookingConfig] = None) -> Optional[str]:
    """The question for the first missing item (bot.booking.missing), or None when nothing is missing."""
    if not missing_items:
        return None
    return (config or default_config()).text(f"ask.{missing_items[0]}")
