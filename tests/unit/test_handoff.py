"""A person on request without servers: what the customer is told (opening hours, a consented phone),
the lead row and the team's notification, the pause that lets the person have the conversation and
its release (a command or the timeout), and Traditional Chinese read like Simplified."""

import asyncio
import datetime as dt
import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.catalog import load_catalog
from bot.cli import main
from bot.leads.handoff import handoff_plan, record_handoff
from bot.leads.store import Conversation, LeadStore
from bot.nlu.normalizer import normalise
from bot.rasa.stores import DealerTrackerStore
from tests.unit.shared import run_sql, use_fresh_data_dir

CATALOG = load_catalog("data/catalog.yml")
OPEN = dt.datetime(2026, 11, 30, 10, 0)  # a Monday morning
hours = CATALOG.dealer.opening_hours


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    return use_fresh_data_dir(tmp_path, monkeypatch)


def test_the_answer_says_when_a_person_answers():
    assert hours is not None and hours.is_open(OPEN)
    plan = handoff_plan(CATALOG, {}, OPEN)
    assert plan.response == "utter_hand_over_open" and plan.need_phone and plan.variables["hours"] == hours.describe()
    night = dt.datetime.combine(OPEN.date(), hours.close) + dt.timedelta(hours=3)
    plan = handoff_plan(CATALOG, {"lead_phone": "13800138000", "lead_consent": True}, night)
    assert plan.response == "utter_hand_over_closed_phone" and not plan.need_phone
    assert plan.variables["masked_phone"] == "138****8000" and plan.variables["next_open"].startswith("明天")
    # a phone number without consent is not used
    assert handoff_plan(CATALOG, {"lead_phone": "13800138000", "lead_consent": False}, OPEN).need_phone


def test_the_handoff_is_recorded_and_queued_for_the_team(data_dir):
    slots = {"car_model": "远山", "lead_phone": "13800138000", "lead_consent": True, "lead_name": "李"}
    events = [{"event": "user", "timestamp": time.time(), "parse_data": {"intent": {"name": "objection_price"}}}]
    conversation = Conversation("widget:v1", "widget", slots, events, CATALOG.dealer)
    record_handoff(conversation, handoff_plan(CATALOG, slots, OPEN), OPEN)
    lead = LeadStore().get("widget:v1")
    assert (lead.reason, lead.phone, lead.follow_up_date, lead.car_model) == (
        "客户要求真人顾问",
        "13800138000",
        OPEN.date(),
        "远山",
    )
    engine = LeadStore().engine
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM outbox")).mappings().all()
    assert len(rows) == 1 and "远山" in str(dict(rows[0])) and "handoff" in str(dict(rows[0]))


def test_an_older_leads_table_gets_the_reason_column(data_dir):
    run_sql(
        f"sqlite:///{data_dir}/old.db",
        "CREATE TABLE leads (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL UNIQUE, "
        "channel VARCHAR(40), name VARCHAR(100), phone VARCHAR(32), car_model VARCHAR(60), "
        "objections TEXT, grade VARCHAR(1), follow_up_date DATE, dealer TEXT, "
        "created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL)",
    )
    store = LeadStore(f"sqlite:///{data_dir}/old.db")
    with store.engine.connect() as conn:
        assert "reason" in {c["name"] for c in sa.inspect(conn).get_columns("leads")}


def paused_conversation(store, sender, paused_minutes_ago):
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("转人工", {"name": "request_human"}))
    tracker.update(ConversationPaused(timestamp=time.time() - paused_minutes_ago * 60))
    asyncio.run(store.save(tracker))


def test_a_handed_over_conversation_resumes_after_the_timeout_or_on_command(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("BOT_HANDOFF_TIMEOUT", "30")
    store = DealerTrackerStore(domain=Domain.empty())
    paused_conversation(store, "with-person", 5)
    paused_conversation(store, "forgotten-by-person", 45)
    assert asyncio.run(store.retrieve("with-person")).is_paused()
    assert not asyncio.run(store.retrieve("forgotten-by-person")).is_paused()  # the timeout released it
    assert main(["release", "with-person"]) == 0 and "released" in capsys.readouterr().out
    assert not asyncio.run(store.retrieve("with-person")).is_paused()
    assert main(["release", "with-person"]) == 0 and "nothing to release" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("這台車太貴了，可以便宜點嗎", "这台车太贵了，可以便宜点吗"),
        ("遠山幾座的", "远山几座的"),
        ("ＳＵＶ多少錢？", "SUV多少钱？"),
        ("①号", "1号"),
        ("我手机１３８００１３８０００", "我手机13800138000"),
        ("太贵了…", "太贵了…"),  # folding '…' would change the length: kept
        ("晨风油耗多少", "晨风油耗多少"),
    ],
)
def test_traditional_and_full_width_text_is_read_as_simplified(text, expected):
    assert normalise(text) == expected and len(normalise(text)) == len(text)
