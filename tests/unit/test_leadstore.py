"""Lead rows, the leads/forget commands, contact parsing and phone masking (SQLite, no servers)."""

import asyncio
import csv
import datetime as dt
import io
import logging

import pytest

from bot.cli import main
from bot.database import database_settings, redis_settings
from bot.leads.contact import agrees, declines, find_name, find_phone
from bot.leads.store import Conversation, Lead, LeadStore, lead_from_state, objections_raised
from bot.privacy.logs import PhoneMaskingFilter, mask_phone

TODAY = dt.date(2026, 11, 27)  # a Friday


class Dealer:
    id, name = "d1", "示例展厅"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DB_HOST", raising=False)
    return LeadStore()


def lead(sender, grade="A", days=7, phone="13800138000"):
    return Lead(
        sender,
        "rest",
        "李先生",
        phone,
        "远山",
        ["objection_price"],
        grade,
        TODAY + dt.timedelta(days=days),
        {"id": "d1"},
    )


def test_save_creates_one_row_per_sender_and_updates_it(store):
    first, created = store.save(lead("u1"))
    again, created_again = store.save(lead("u1", grade="O", days=3, phone="13900139000"))
    assert created and not created_again and len(store.all()) == 1
    assert (again.grade, again.phone, again.follow_up_date) == ("O", "13900139000", TODAY + dt.timedelta(days=3))
    assert again.created_at == first.created_at and again.objections == ["objection_price"]


def test_due_today_and_this_week(store, capsys):
    for sender, days in (("overdue", -2), ("today", 0), ("sunday", 2), ("next_week", 4)):
        store.save(lead(sender, days=days))
    assert [x.sender_id for x in store.due(TODAY)] == ["overdue", "today"]
    assert main(["leads", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "2 in SQLite" in out and "OVERDUE" in out and "138****8000" in out and "13800138000" not in out
    assert main(["leads", "--due", "week", "--today", TODAY.isoformat(), "--csv", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["sender_id"] for r in rows] == ["overdue", "today", "sunday"] and rows[0]["phone"] == "13800138000"


def test_names_and_sender_ids_are_no_formulas_in_the_csv_and_no_escape_sequences_in_the_terminal(store, capsys):
    hostile = [
        ('=HYPERLINK("http://evil.example","点我")', "u-formula"),
        ("李\x1b[2J\x1b]0;pwned\x07", "@SUM(1+1)"),
        ("王\u202eevil", "-2+3"),
        ("\t=1+1", "+8613800138000"),
        ("张先生", "wx_ok"),
    ]
    for name, sender in hostile:
        store.save(Lead(sender, "rest", name, "13800138000", "远山\x9b31m", [], "A", TODAY, {"id": "d1"}))
    assert main(["leads", "--due", "all", "--csv", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["name"], r["sender_id"]) for r in rows] == [
        ('\'=HYPERLINK("http://evil.example","点我")', "u-formula"),
        ("李\x1b[2J\x1b]0;pwned\x07", "'@SUM(1+1)"),
        ("王\u202eevil", "'-2+3"),
        ("'\t=1+1", "'+8613800138000"),
        ("张先生", "wx_ok"),
    ]
    assert rows[0]["phone"] == "13800138000"  # phones are stored normalised: never a formula
    assert main(["leads", "--due", "all"]) == 0
    listing = capsys.readouterr().out
    assert not any(c in listing for c in "\x1b\x07\x9b\u202e\t")
    assert "李\\x1b[2J\\x1b]0;pwned\\x07" in listing and "王\\u202eevil" in listing and "远山\\x9b31m" in listing
    assert "[@SUM(1+1)]" in listing and "\\x09=1+1" in listing and len(listing.splitlines()) == 1 + len(hostile)


def test_forget_deletes_the_conversation_and_the_lead(store, tmp_path, capsys):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa.stores import DealerTrackerStore

    trackers = DealerTrackerStore(domain=Domain.empty())
    for sender, phone in (("u1", "13800138000"), ("u2", "13900139000")):
        t = DialogueStateTracker(sender, [])
        t.update(UserUttered("太贵了", {"name": "objection_price"}))
        asyncio.run(trackers.save(t))
        store.save(lead(sender, phone=phone))
    assert main(["forget", "u1"]) == 0
    assert "1 conversation events and 1 lead rows deleted" in capsys.readouterr().out
    assert store.get("u1") is None and store.get("u2") is not None
    assert asyncio.run(trackers.retrieve("u1")) is None  # no events left for u1
    assert len(asyncio.run(trackers.retrieve("u2")).events) == 1
    assert main(["forget", "nobody"]) == 0 and "0 conversation events and 0 lead rows" in capsys.readouterr().out


def test_lead_from_state_takes_objections_of_this_session_and_the_source():
    events = [
        {"event": "user", "parse_data": {"intent": {"name": "ask_discount"}}},
        {"event": "session_started"},
        {"event": "user", "parse_data": {"intent": {"name": "objection_price"}}},
        {"event": "user", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "user", "parse_data": {"intent": {"name": "objection_price"}}},
        {
            "event": "user",
            "parse_data": {"intent": {"name": "consult_family"}},
            "metadata": {"page": "/models/yuanshan", "secret": "x"},
        },
    ]
    slots = {
        "lead_phone": "13800138000",
        "lead_name": "李先生",
        "lead_grade": "B",
        "follow_up_date": "2026-12-12",
        "car_model": "远山",
    }
    got = lead_from_state(Conversation("s", "widget", slots, events, Dealer), TODAY)
    assert objections_raised(events) == ["objection_price", "objection_price", "consult_family"]
    assert got.objections == ["objection_price", "consult_family"] and got.grade == "B"
    assert got.follow_up_date == dt.date(2026, 12, 12) and got.dealer == {
        "id": "d1",
        "name": "示例展厅",
        "page": "/models/yuanshan",
    }
    ungraded = lead_from_state(Conversation("s", None, {"lead_phone": "13800138000"}, [], Dealer), TODAY)
    assert ungraded.grade is None and ungraded.follow_up_date == TODAY + dt.timedelta(days=1)


@pytest.mark.parametrize(
    "text, phone, name",
    [
        ("13800138000", "13800138000", None),
        ("我姓李，电话 138 0013 8000", "13800138000", "李"),
        ("王女士 +86-139-1234-5678", "13912345678", "王女士"),
        ("打座机吧 010-62345678", "010-62345678", None),
        ("我叫张伟 15012345678", "15012345678", "张伟"),
        ("订单号 2026112712345678", None, None),
        ("12345678901", None, None),
    ],
)
def test_phone_and_name_in_free_text(text, phone, name):
    assert find_phone(text) == phone and find_name(text) == name


def test_yes_and_no():
    assert agrees("可以") and agrees("好的没问题") and not agrees("不用了") and not agrees("随便看看")
    assert declines("不用了谢谢") and declines("先不留了") and not declines("可以")


def test_phone_numbers_are_masked_in_log_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s or %s", ("13800138000", "010-62345678"), None)
    assert PhoneMaskingFilter().filter(record)
    assert record.getMessage() == "call 138****8000 or 010-****5678"
    assert mask_phone("订单 2026112712345678") == "订单 2026112712345678"


def test_settings_from_the_environment(tmp_path):
    sqlite = database_settings({"BOT_DATA_DIR": str(tmp_path)})
    assert sqlite.dialect == "sqlite" and sqlite.db == str(tmp_path / "rasa.db")
    pg = database_settings({"DB_HOST": "db", "DB_USER": "bot", "DB_PASSWORD": "pw", "DB_NAME": "crm"})
    assert (pg.dialect, pg.host, pg.port, pg.db) == ("postgresql", "db", 5432, "crm") and "pw" not in pg.describe()
    assert str(pg.url()).startswith("postgresql://bot:")
    with pytest.raises(ValueError, match="DB_PORT"):
        database_settings({"DB_HOST": "db", "DB_PORT": "fivefour"})
    assert redis_settings({}) is None and redis_settings({"REDIS_HOST": "r"})["port"] == 6379


def test_sqlite_stores_keep_connections_and_write_through_a_wal_shared_by_two_processes(store, tmp_path):
    import sqlalchemy as sa
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa.stores import DealerTrackerStore

    rasa_side, other_process = DealerTrackerStore(domain=Domain.empty()), DealerTrackerStore(domain=Domain.empty())
    for engine in (rasa_side.engine, store.engine):
        assert isinstance(engine.pool, sa.pool.QueuePool)  # SQLAlchemy 1.4 would open a file per session
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    tracker = DialogueStateTracker("wal-1", [])
    for turn in range(3):
        tracker.update(UserUttered(f"太贵了{turn}", {"name": "objection_price"}))
        asyncio.run(rasa_side.save(tracker))
        store.save(lead("wal-1"))  # the action server writes its lead row in between
        seen = asyncio.run(other_process.retrieve("wal-1"))
        assert [e.text for e in seen.events] == [f"太贵了{i}" for i in range(turn + 1)]
    assert (tmp_path / "rasa.db-wal").exists()


def test_a_later_step_keeps_what_the_stored_lead_already_knows():
    import datetime as dt

    from bot.leads.store import Lead, keep_known

    earlier = Lead(
        "s1",
        "widget",
        "周女士",
        "13712345678",
        grade="A",
        follow_up_date=dt.date(2026, 11, 29),
        reason="客户要求真人顾问",
    )
    later = keep_known(Lead("s1", "widget", None, "", follow_up_date=dt.date(2026, 11, 30)), earlier)
    assert (later.name, later.phone, later.grade, later.reason, later.follow_up_date) == (
        "周女士",
        "13712345678",
        "A",
        "客户要求真人顾问",
        dt.date(2026, 11, 29),
    )
    own = keep_known(Lead("s1", "widget", "张", "13900000000", grade="O", reason="预约试驾"), earlier)
    assert (own.name, own.phone, own.grade, own.reason) == ("张", "13900000000", "O", "预约试驾")
    assert keep_known(own, None) is own
