"""A test drive kept and called off, as lead rows and notifications (bot.leads.booking), without servers."""

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from bot.catalog import load_catalog
from bot.leads.booking import cancel_booking, keep_booking
from bot.leads.store import Conversation, Lead, LeadStore
from tests.unit.shared import use_fresh_data_dir

CATALOG = load_catalog("data/catalog.yml")
TODAY = dt.date(2026, 11, 30)
WHEN = dt.datetime(2026, 12, 5, 10, 0)
EVENTS = [{"event": "user", "timestamp": time.time(), "parse_data": {"intent": {"name": "request_test_drive"}}}]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    return use_fresh_data_dir(tmp_path, monkeypatch)


def keep(sender: str = "widget:v1", model: str = "远山"):
    conversation = Conversation(sender, "widget", {}, EVENTS, CATALOG.dealer)
    when_text = "12月5日 周六 上午10:00"
    return keep_booking(conversation, phone="13800138000", car_model=model, when=WHEN, when_text=when_text, today=TODAY)


def outbox_kinds():
    with LeadStore().engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM outbox ORDER BY id")).mappings().all()
    return ["cancel" if "cancel" in str(dict(r)) else "booking" if "booking" in str(dict(r)) else "?" for r in rows]


def test_a_kept_booking_is_an_o_lead_with_its_reason_and_the_team_is_told(data_dir):
    kept = keep()
    lead = LeadStore().get("widget:v1")
    assert (lead.grade, lead.phone, lead.car_model, lead.follow_up_date) == (
        "O",
        "13800138000",
        "远山",
        WHEN.date() - dt.timedelta(days=1),
    )
    assert lead.reason == "预约试驾 12月5日 周六 上午10:00"
    assert kept == {"when": WHEN.isoformat(), "model": "远山", "previous": None}
    assert outbox_kinds() == ["booking"]


def test_calling_off_a_booking_that_made_the_lead_deletes_it(data_dir):
    previous = cancel_booking("widget:v1", "widget", keep())
    assert previous is None and LeadStore().get("widget:v1") is None
    assert outbox_kinds() == ["booking", "cancel"]


def test_calling_off_restores_the_lead_that_was_there_before(data_dir):
    before = Lead("widget:v2", "widget", None, "13900139000", car_model="晨风", grade="B")
    before.follow_up_date, before.reason = TODAY + dt.timedelta(days=15), "留了电话"
    LeadStore().save(before)
    kept = keep("widget:v2")
    assert kept["previous"]["grade"] == "B" and LeadStore().get("widget:v2").grade == "O"
    previous = cancel_booking("widget:v2", "widget", kept)
    lead = LeadStore().get("widget:v2")
    assert previous == kept["previous"]
    assert (lead.grade, lead.car_model, lead.reason, lead.follow_up_date) == (
        "B",
        "晨风",
        "留了电话",
        TODAY + dt.timedelta(days=15),
    )
