"""Forgetting a person on every channel, the tombstone that keeps a turn in flight from re-saving a
forgotten conversation, and the retention purge (SQLite, no servers)."""

import asyncio
import datetime as dt
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.cli import main
from bot.leads.store import Lead, LeadStore
from bot.privacy.retention import forget, purge
from bot.rasa.stores import DealerTrackerStore


@pytest.fixture
def stores(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DB_HOST", raising=False)
    return LeadStore(), DealerTrackerStore(domain=Domain.empty())


def conversation(trackers, sender, text="太贵了", at=None):
    t = DialogueStateTracker(sender, [])
    t.update(UserUttered(text, {"name": "objection_price"}, timestamp=at))
    t.update(BotUttered("好的", timestamp=at))
    asyncio.run(trackers.save(t))
    return t


def lead(sender, phone):
    return Lead(sender, sender.split(":")[0], "李先生", phone, "远山", [], "A", dt.date(2026, 12, 1), {"id": "d1"})


def test_forget_by_openid_finds_every_account_and_the_persons_other_ids_by_phone(stores):
    leads, trackers = stores
    for sender in ("wechat:default:oABC", "wechat:east:oABC", "widget:visitor123", "rest-other"):
        conversation(trackers, sender)
    leads.save(lead("wechat:east:oABC", "13800138000"))
    leads.save(lead("widget:visitor123", "13800138000"))  # the same person on the website
    leads.save(lead("rest-other", "13900139000"))
    result = forget("oABC")
    assert result["senders"] == ["oABC", "wechat:default:oABC", "wechat:east:oABC", "widget:visitor123"]
    assert result["leads"] == 2 and result["events"] == 6
    for sender in result["senders"][1:]:
        assert asyncio.run(trackers.retrieve(sender)) is None and leads.get(sender) is None
    assert leads.get("rest-other") is not None and asyncio.run(trackers.retrieve("rest-other")) is not None


def test_forget_by_phone_number_in_any_format(stores):
    leads, trackers = stores
    conversation(trackers, "widget:v1")
    leads.save(lead("widget:v1", "13800138000"))
    assert forget("+86 138 0013 8000")["senders"] == ["+86 138 0013 8000", "widget:v1"]
    assert leads.get("widget:v1") is None and asyncio.run(trackers.retrieve("widget:v1")) is None


def test_a_turn_in_flight_during_forget_does_not_save_the_session_again(stores):
    _, trackers = stores
    in_flight = conversation(trackers, "wechat:default:oXYZ", at=time.time() - 5)
    forget("wechat:default:oXYZ")
    in_flight.update(BotUttered("这是正在进行的回合的回答"))  # the turn finishes after the forget
    asyncio.run(trackers.save(in_flight))
    assert asyncio.run(trackers.retrieve("wechat:default:oXYZ")) is None
    # the person comes back later: a new conversation is kept as usual
    conversation(trackers, "wechat:default:oXYZ", text="你好")
    assert [
        e.text for e in asyncio.run(trackers.retrieve("wechat:default:oXYZ")).events if isinstance(e, UserUttered)
    ] == ["你好"]


def test_purge_expires_old_conversations_without_a_lead_and_old_leads(stores):
    leads, trackers = stores
    now = dt.datetime(2026, 11, 29, 12, 0)
    old = (now - dt.timedelta(days=200)).timestamp()
    recent = (now - dt.timedelta(days=10)).timestamp()
    conversation(trackers, "old-no-lead", at=old)
    conversation(trackers, "recent-no-lead", at=recent)
    conversation(trackers, "old-with-lead", at=old)
    conversation(trackers, "stale-lead", at=old)
    leads.save(lead("old-with-lead", "13800138000"), now=now - dt.timedelta(days=30))
    leads.save(lead("stale-lead", "13900139000"), now=now - dt.timedelta(days=400))
    counts = purge(now=now)
    assert counts["conversations"] == 2 and counts["leads"] == 1 and counts["events"] == 4
    assert asyncio.run(trackers.retrieve("old-no-lead")) is None
    assert asyncio.run(trackers.retrieve("stale-lead")) is None and leads.get("stale-lead") is None
    assert asyncio.run(trackers.retrieve("recent-no-lead")) is not None
    assert asyncio.run(trackers.retrieve("old-with-lead")) is not None and leads.get("old-with-lead") is not None


def test_purge_command_takes_the_retention_from_the_environment(stores, monkeypatch, capsys):
    _, trackers = stores
    conversation(trackers, "twenty-days", at=time.time() - 20 * 86400)
    monkeypatch.setenv("BOT_RETENTION_DAYS", "30")
    assert main(["purge"]) == 0 and "purged 0 conversations" in capsys.readouterr().out
    monkeypatch.setenv("BOT_RETENTION_DAYS", "14")
    assert main(["purge"]) == 0 and "purged 1 conversations" in capsys.readouterr().out
    assert asyncio.run(trackers.retrieve("twenty-days")) is None


def test_a_lead_saved_by_a_turn_that_began_before_the_forget_is_not_written_back(stores):
    from bot.leads.store import Forgotten

    leads, _ = stores
    started = time.time() - 5
    forget("widget:inflight")
    with pytest.raises(Forgotten):
        leads.save(lead("widget:inflight", "13800138000"), conversation_started=started)
    assert leads.get("widget:inflight") is None
    leads.save(lead("widget:inflight", "13800138000"), conversation_started=time.time() + 1)  # a later visit
    assert leads.get("widget:inflight") is not None


def test_forget_also_deletes_the_team_notifications_about_the_person(stores):
    from bot.notify import NotifyEvent, notify
    from bot.notify.outbox import Outbox

    leads, trackers = stores
    conversation(trackers, "wechat:default:oNOTE")
    notify(NotifyEvent("handoff", "wechat", "wechat:default:oNOTE", reason="客户要求真人顾问"))
    notify(NotifyEvent("handoff", "rest", "someone-else", reason="客户要求真人顾问"))
    result = forget("oNOTE")
    assert result["notifications"] == 1
    with Outbox().engine.connect() as conn:
        import sqlalchemy as sa

        assert [r[0] for r in conn.execute(sa.text("SELECT sender_id FROM outbox"))] == ["someone-else"]


def test_forget_deletes_the_trainees_practice_visits_and_the_trainers_corrections_of_them(stores, tmp_path, capsys):
    """A trainee practising on the practice page is the widget visitor ``widget:<id>``: forgetting
    them deletes their visits (the conversation's events) and every correction of those visits
    (``trainer_corrections``, keyed ``<sender>#<n>``), and only theirs: not a visitor whose id has
    theirs as a prefix, differs in case, or matches it only with _ or % read as a wildcard."""
    from bot.roleplay.records import CorrectionStore, load_corrections, load_visits
    from tests.unit.test_corrections import TURN_GOOD, TURN_WEAK, visit_events, write_events

    db = tmp_path / "rasa.db"
    _, trackers = stores
    conversation(trackers, "widget:t_1")  # Rasa's own events table, as the servers leave it
    senders = ["widget:t_1", "widget:t_10", "widget:T_1", "widget:tx1", "widget:t_1#9"]
    events, history = [], {s: [] for s in senders}
    for sender in senders:
        events += visit_events(sender, ["理解您，预算多少？", "便宜五千给您"], [TURN_GOOD, TURN_WEAK], history[sender])
    events += visit_events("widget:t_1", ["理解您，预算多少？"], [TURN_GOOD], history["widget:t_1"])
    write_events(db, events)
    visits = {v["id"]: v for v in load_visits(db)}
    assert {"widget:t_1#1", "widget:t_1#2", "widget:t_10#1", "widget:T_1#1", "widget:tx1#1", "widget:t_1#9#1"} <= set(
        visits
    )
    store = CorrectionStore(db)
    try:
        for visit in visits.values():
            store.record(visit, 1, {"value": True}, note="讲到了好处")
        store.record(visits["widget:t_1#1"], 2, {"penalty:instant_discount": False})  # a second verdict
    finally:
        store.close()
    per_visit = len({c.check for c in load_corrections(db)})  # every correctable check, per turn

    result = forget("t_1")
    assert result["senders"] == ["t_1", "widget:t_1"]
    assert result["corrections"] == 3 * per_visit  # two turns of visit 1, one of visit 2
    assert not [v for v in load_visits(db) if v["sender"] == "widget:t_1"]
    left = {c.visit for c in load_corrections(db)}
    assert left == {"widget:t_10#1", "widget:T_1#1", "widget:tx1#1", "widget:t_1#9#1"}
    assert asyncio.run(trackers.retrieve("widget:t_1")) is None
    assert forget("t_1")["corrections"] == 0  # nothing left to delete


def test_forget_without_a_corrections_table_deletes_none(stores):
    _, trackers = stores
    conversation(trackers, "widget:nobody-practised")
    assert forget("nobody-practised")["corrections"] == 0
