"""Test-drive booking (bot.booking), without Rasa: reading model, day, time and phone from customer
messages, merging messages, choosing the slot, and the read-back text from data/booking.yml."""

import re
from datetime import date, datetime, time
from pathlib import Path

import pytest

from bot.booking.config import DEFAULT_PATH, default_config, load_booking_config
from bot.dealer_hours import OpeningHours
from bot.exceptions import DataFileError

ROOT = Path(__file__).resolve().parents[2]
SUN = datetime(2026, 11, 29, 10, 0)  # a Sunday morning
WED = datetime(2026, 11, 25, 16, 0)  # a Wednesday afternoon
HOURS = OpeningHours(time(9), time(18), frozenset({date(2026, 2, 16), date(2026, 2, 17)}))


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M") if text else None


# --- data/booking.yml ------------------------------------------------------------------------------

def test_the_booking_file_loads_with_its_settings():
    cfg = load_booking_config(DEFAULT_PATH)
    assert (cfg.duration.seconds, cfg.lead.seconds, cfg.step.seconds) == (3600, 1800, 1800)
    assert cfg.weekdays[0] == "周一" and cfg.weekdays[6] == "周日"
    assert "{when}" in cfg.texts["read_back"]


def _broken(write_yaml, old, new):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    return write_yaml("booking.yml", text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, field, reason", [
    ("  past: \"{asked}已经过了\"\n", "", "reasons", "missing field 'past'"),
    ("已经过了", "已经过了{when}", "reasons.past", "unknown placeholder {when}"),
    ("moved: \"{why}，", "moved: \"", "moved", "missing placeholder {why}"),
    ("{holiday}，展厅", "{holiday，展厅", "holiday", "not a valid template"),
    ("step_minutes: 30", "step_minutes: 7", "settings.step_minutes", "must divide a day"),
    ("duration_minutes: 60", "duration_minutes: 0", "settings.duration_minutes", "expected a whole number >= 1"),
    ("周六, 周日]", "周六]", "weekdays", "expected the 7 weekdays"),
    ("any_model: 您感兴趣的车型", "any_model: ''", "any_model", "expected a non-empty text"),
    ("ask:\n", "asks:\n", "asks", "unknown field"),
])
def test_every_problem_in_the_booking_file_names_file_and_field(write_yaml, old, new, field, reason):
    path = _broken(write_yaml, old, new)
    with pytest.raises(DataFileError) as e:
        load_booking_config(path)
    assert any(p.startswith(f"{path}: {field}: ") and reason in p for p in e.value.problems), e.value.problems


def test_all_problems_are_reported_at_once(write_yaml):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    path = write_yaml("booking.yml", text.replace("已经过了", "{x}").replace("lead_minutes: 30", "lead_minutes: -1"))
    with pytest.raises(DataFileError) as e:
        load_booking_config(path)
    assert len(e.value.problems) == 2
