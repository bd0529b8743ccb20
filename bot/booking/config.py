"""data/booking.yml: the settings of a test-drive booking and every text the customer reads.

Each field is checked on load (``bot.validation.Checker``): missing and unknown fields, texts,
numbers, and the ``{placeholders}`` of each template (only the ones the code fills in, and the
ones it needs), so a trainer's typo is reported as ``data/booking.yml: reasons.past: ...``.
"""

import functools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, FrozenSet, Mapping, Tuple, Union

from bot.validation import Checker, read_mapping

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "booking.yml"

# Problem codes with a text under ``reasons`` (see bot.booking.request).
REASON_KEYS = ("impossible_date", "past", "outside_hours", "ends_after_closing", "closed_day", "day_over")
PART_KEYS = ("morning", "noon", "afternoon", "evening")
ASK_KEYS = ("model", "when", "phone")

# field -> (placeholders it may use, placeholders it must use)
_CLOCK = ({"part", "hour", "minute"}, {"hour"})
_TEMPLATES: Dict[str, Tuple[FrozenSet[str], FrozenSet[str]]] = {
    k: (frozenset(a), frozenset(r))
    for k, (a, r) in {
        "date": ({"month", "day", "weekday"}, {"month", "day"}),
        "clock_whole": _CLOCK,
        "clock_half": _CLOCK,
        "clock_minutes": ({"part", "hour", "minute"}, {"hour", "minute"}),
        "asked_default": (set(), set()),
        "reasons.impossible_date": ({"asked"}, set()),
        "reasons.past": ({"asked"}, set()),
        "reasons.outside_hours": ({"asked", "hours"}, set()),
        "reasons.ends_after_closing": ({"asked", "hours"}, set()),
        "reasons.closed_day": ({"asked"}, set()),
        "reasons.day_over": ({"asked"}, set()),
        "moved": ({"why"}, {"why"}),
        "time_assumed": ({"clock"}, {"clock"}),
        "holiday": ({"holiday"}, {"holiday"}),
        "read_back": ({"when", "model", "phone", "notes"}, {"when", "notes"}),
        "proposed": ({"why", "when"}, {"when"}),
        "booked": ({"when", "model", "phone", "notes"}, {"when", "notes"}),
        "phone_part": ({"phone"}, {"phone"}),
        "any_model": (set(), set()),
        **{f"parts_of_day.{k}": (set(), set()) for k in PART_KEYS},
        **{f"ask.{k}": (set(), set()) for k in ASK_KEYS},
    }.items()
}


@dataclass(frozen=True)
class BookingConfig:
    duration: timedelta  # of a test drive
    lead: timedelta  # a proposed slot starts at least this long after now
    step: timedelta  # proposed starts are multiples of this after midnight
    weekdays: Tuple[str, ...]  # Monday first
    texts: Mapping[str, str]  # dotted field name -> template, e.g. "reasons.past"

    def text(self, key: str, **values: Any) -> str:
        return self.texts[key].format(**values)


def _section(c: Checker, raw: Any, where: str, keys: Tuple[str, ...], texts: Dict[str, str]) -> None:
    if c.mapping(raw, where, keys):
        for k in keys:
            texts[f"{where}.{k}"] = _template(c, raw[k], f"{where}.{k}")


def _template(c: Checker, value: Any, where: str) -> str:
    allowed, required = _TEMPLATES[where]
    return c.template(value, where, allowed, required)


def load_booking_config(path: Union[str, Path] = DEFAULT_PATH) -> BookingConfig:
    """Reads and checks data/booking.yml.

    Raises:
        DataFileError: listing every problem as ``file: field: reason``.
    """
    top = (
        "settings",
        "weekdays",
        "date",
        "clock_whole",
        "clock_half",
        "clock_minutes",
        "parts_of_day",
        "asked_default",
        "reasons",
        "moved",
        "time_assumed",
        "holiday",
        "read_back",
        "proposed",
        "booked",
        "phone_part",
        "any_model",
        "ask",
    )
    raw, c = read_mapping(path, top)
    minutes = {"duration_minutes": 1, "lead_minutes": 0, "step_minutes": 1}
    settings = {k: 1 for k in minutes}
    if c.mapping(raw["settings"], "settings", tuple(minutes)):
        settings = {k: c.integer(raw["settings"][k], f"settings.{k}", low) for k, low in minutes.items()}
        if settings["step_minutes"] > 0 and 24 * 60 % settings["step_minutes"]:
            c.fail("settings.step_minutes", "must divide a day (e.g. 15, 30, 60)")
    weekdays = c.texts(raw["weekdays"], "weekdays")
    if isinstance(raw["weekdays"], list) and len(weekdays) != 7:
        c.fail("weekdays", f"expected the 7 weekdays from Monday, got {len(weekdays)}")
    texts: Dict[str, str] = {}
    for key in top:
        if key in ("settings", "weekdays"):
            continue
        if key == "parts_of_day":
            _section(c, raw[key], key, PART_KEYS, texts)
        elif key == "reasons":
            _section(c, raw[key], key, REASON_KEYS, texts)
        elif key == "ask":
            _section(c, raw[key], key, ASK_KEYS, texts)
        else:
            texts[key] = _template(c, raw[key], key)
    c.raise_if_any()
    return BookingConfig(
        duration=timedelta(minutes=settings["duration_minutes"]),
        lead=timedelta(minutes=settings["lead_minutes"]),
        step=timedelta(minutes=settings["step_minutes"]),
        weekdays=weekdays,
        texts=texts,
    )


@functools.lru_cache(maxsize=1)
def default_config() -> BookingConfig:
    """data/booking.yml of this checkout, loaded once per process."""
    return load_booking_config(DEFAULT_PATH)
