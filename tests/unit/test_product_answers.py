"""Answering what a visitor asks from the dealer's data: opening hours (bot/dealer_hours.py)."""

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.dealer_hours import OpeningHours
from bot.exceptions import DataFileError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "data/catalog.yml")


# ---------------------------------------------------------------- opening hours

HOURS = OpeningHours(time(9), time(18), frozenset({date(2026, 2, 16), date(2026, 2, 17)}))


def test_the_sample_dealer_has_opening_hours(catalog):
    hours = catalog.dealer.opening_hours
    assert hours is not None
    assert hours.describe() == "每天9:00–18:00"
    assert date(2026, 2, 16) in hours.closed


@pytest.mark.parametrize("at, is_open", [
    (datetime(2026, 3, 2, 8, 59), False),
    (datetime(2026, 3, 2, 9, 0), True),
    (datetime(2026, 3, 2, 17, 59), True),
    (datetime(2026, 3, 2, 18, 0), False),
    (datetime(2026, 2, 16, 10, 0), False),  # a closed date
])
def test_is_open(at, is_open):
    assert HOURS.is_open(at) is is_open


@pytest.mark.parametrize("at, duration, expected", [
    (datetime(2026, 3, 2, 7, 30), timedelta(hours=1), datetime(2026, 3, 2, 9, 0)),  # before opening
    (datetime(2026, 3, 2, 10, 15), timedelta(hours=1), datetime(2026, 3, 2, 10, 15)),  # open now
    (datetime(2026, 3, 2, 17, 0), timedelta(hours=1), datetime(2026, 3, 2, 17, 0)),  # ends exactly at closing
    (datetime(2026, 3, 2, 17, 1), timedelta(hours=1), datetime(2026, 3, 3, 9, 0)),  # would end after closing
    (datetime(2026, 3, 2, 19, 0), timedelta(minutes=30), datetime(2026, 3, 3, 9, 0)),
    (datetime(2026, 2, 15, 17, 30), timedelta(hours=1), datetime(2026, 2, 18, 9, 0)),  # skips both closed days
    (datetime(2026, 2, 16, 11, 0), timedelta(0), datetime(2026, 2, 18, 9, 0)),
    (datetime(2026, 3, 2, 9, 0), timedelta(hours=9), datetime(2026, 3, 2, 9, 0)),  # the whole day
])
def test_next_open(at, duration, expected):
    assert HOURS.next_open(at, duration) == expected


def test_next_open_keeps_the_time_zone_and_refuses_a_visit_longer_than_a_day():
    cst = timezone(timedelta(hours=8))
    assert HOURS.next_open(datetime(2026, 3, 2, 20, 0, tzinfo=cst)) == datetime(2026, 3, 3, 9, 0, tzinfo=cst)
    with pytest.raises(ValueError):
        HOURS.next_open(datetime(2026, 3, 2, 8, 0), timedelta(hours=9, minutes=1))


def test_opening_hours_describe_minutes():
    assert OpeningHours(time(8, 30), time(20, 0)).describe() == "每天8:30–20:00"


@pytest.mark.parametrize("old, new, message", [
    ('    open: "09:00"\n', '    open: "9点"\n', "dealer.opening_hours.open: expected a time of day"),
    ('    close: "18:00"\n', '    close: "08:00"\n', "dealer.opening_hours.close: closing time 8:00 is not after opening time 9:00"),
    ('    close: "18:00"\n', "", "dealer.opening_hours: missing field 'close'"),
    ('closed: ["2026-02-16", ', 'closed: ["2026-02-30", ', "dealer.opening_hours.closed[0]: expected a date"),
    ('    close: "18:00"\n', '    close: "18:00"\n    lunch: "12:00"\n', "dealer.opening_hours.lunch: unknown field"),
])
def test_opening_hours_errors_name_file_and_field(tmp_path, old, new, message):
    text = (ROOT / "data/catalog.yml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "catalog.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as e:
        load_catalog(path)
    assert f"catalog.yml: {message}" in str(e.value)
