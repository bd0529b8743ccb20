"""Answering what a visitor asks from the dealer's data: opening hours (bot/dealer_hours.py) and the
catalog's facts."""

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


# ---------------------------------------------------------------- the catalog's new fields


def test_catalog_showroom_and_model_facts(catalog):
    d = catalog.dealer
    assert "示例" in d.address and "示例" in d.phone and "010-12345678" in d.phone
    yuanshan = catalog.model_by_name("远山")
    assert yuanshan.engine == "2.0T发动机"
    assert yuanshan.features["全景天窗"] == ("两驱豪华版", "四驱旗舰版")
    assert "森林绿" in yuanshan.colours
    xinghe = catalog.model_by_name("星河EV")
    assert xinghe.range_cycle == "CLTC"
    assert [t.range_km for t in xinghe.trims] == [None, 520]  # the standard range is not in the data


@pytest.mark.parametrize("energy, day, tax", [
    ("燃油", date(2026, 3, 2), 13522),  # 152800 / 1.13 * 10%
    ("纯电", date(2025, 6, 1), 0),  # exempt (relief 100%, at most 30000)
    ("纯电", date(2026, 3, 2), 6761),  # halved (at most 15000 off)
    ("纯电", date(2028, 1, 1), 13522),
])
def test_on_the_road_estimate_follows_the_tax_rule_of_the_day(catalog, energy, day, tax):
    est = catalog.on_the_road.estimate(152800, energy, day)
    assert est.purchase_tax == tax
    assert est.insurance == 950 + round(152800 * 0.025)
    assert est.total == 152800 + tax + est.insurance + 500


def test_on_the_road_estimate_is_none_without_a_rule(catalog):
    assert catalog.on_the_road.estimate(152800, "纯电", date(2023, 6, 1)) is None


@pytest.mark.parametrize("old, new, message", [
    ("  phone: 010-12345678（示例号码）\n", "  phone: 示例号码\n", "dealer.phone: expected a Chinese phone number"),
    ("      全景天窗: [两驱豪华版, 四驱旗舰版]\n", "      全景天窗: [两驱豪华版, 四驱豪华版]\n",
     "models[1].features.全景天窗[1]: '四驱豪华版' is not one of the model's trims"),
    ("    range_cycle: CLTC\n", "", "models[3].range_cycle: needed when a trim has range_km"),
    ("{name: 长续航版, price: 152800, range_km: 520}", "{name: 长续航版, price: 152800, range_km: 五百}",
     "models[3].trims[1].range_km: expected a whole number"),
    ("    - {energy: 燃油, rate: 0.10}\n", "    - {energy: 柴油, rate: 0.10}\n",
     "on_the_road.purchase_tax[0].energy: '柴油' is not the energy of any model"),
    ('from: "2026-01-01", until: "2027-12-31"', 'from: "2026-01-01", until: "2025-12-31"',
     "on_the_road.purchase_tax[2].until: is before 'from'"),
    ("  insurance: {base: 950, rate: 0.025}\n", "  insurance: {base: 950, rate: 2.5}\n",
     "on_the_road.insurance.rate: expected a fraction between 0 and 1"),
    ("  registration_fee: 500\n", "", "on_the_road: missing field 'registration_fee'"),
    ("    colours: [珍珠白, 星空黑, 曜石灰]\n", "    colours: 珍珠白\n", "models[2].colours: expected a list"),
])
def test_catalog_errors_name_file_and_field(tmp_path, old, new, message):
    text = (ROOT / "data/catalog.yml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "catalog.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as e:
        load_catalog(path)
    assert f"catalog.yml: {message}" in str(e.value)
