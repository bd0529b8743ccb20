"""Leads through the running servers: the in-chat consent flow over REST writes exactly one lead
row with the right grade and follow-up date; export, forget, declining, the widget form, masking."""

import csv
import datetime as dt
import io
import json

import pytest

from bot.cli import main
from bot.leads.store import LeadStore
from tests.conftest import http, widget_visitor

pytestmark = pytest.mark.server
PHONE = "13800138000"


def texts(messages):
    return " ".join(m.get("text") or "" for m in messages)


def custom(messages):
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]


def graded(servers, sender):
    servers.send(sender, "我再考虑考虑")
    servers.send(sender, "不急，过段时间再说")
    return servers.send(sender, "一个月内吧")


def test_consent_flow_over_rest_creates_one_lead_then_export_and_forget(servers, capsys):
    sender = "lead-rest-1"
    asked = graded(servers, sender)
    assert "手机号" in texts(asked) and "不用了" in texts(asked)
    confirm = servers.send(sender, f"我姓李，电话 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}")
    assert PHONE in texts(confirm) and any(b["payload"] == "/affirm" for m in confirm for b in m.get("buttons") or [])
    saved = servers.send(sender, "可以")
    assert "138****8000" in texts(saved) and PHONE not in texts(saved)
    servers.send(sender, "好的谢谢")  # a later turn must not write a second row
    store = LeadStore(f"sqlite:///{servers.db}")
    rows = [x for x in store.all() if x.sender_id == sender]
    assert len(rows) == 1
    lead = rows[0]
    assert (lead.grade, lead.follow_up_date) == ("A", dt.date.today() + dt.timedelta(days=7))
    assert custom(saved)[0] == {
        "lead_saved": True,
        "lead_grade": "A",
        "follow_up_date": lead.follow_up_date.isoformat(),
    }
    assert (lead.channel, lead.name, lead.phone) == ("rest", "李", PHONE) and lead.objections == ["delay_decision"]
    assert lead.dealer["id"] == "sample-dealer"

    db = f"sqlite:///{servers.db}"
    assert main(["leads", "--due", "all", "--db", db, "--csv", "-"]) == 0
    exported = [r for r in csv.DictReader(io.StringIO(capsys.readouterr().out)) if r["sender_id"] == sender]
    assert len(exported) == 1 and exported[0]["grade"] == "A" and exported[0]["phone"] == PHONE
    assert (
        main(
            [
                "leads",
                "--due",
                "week",
                "--db",
                db,
                "--today",
                (lead.follow_up_date - dt.timedelta(days=lead.follow_up_date.weekday())).isoformat(),
            ]
        )
        == 0
    )
    assert sender in capsys.readouterr().out

    # forget removes every lead of the person: other test senders that left the same phone number too
    same_phone = {x.sender_id for x in store.all() if x.phone == PHONE}
    assert main(["forget", sender, "--db", db]) == 0
    assert f"{len(same_phone)} lead rows deleted" in capsys.readouterr().out
    assert store.get(sender) is None and not [x for x in store.all() if x.phone == PHONE]
    assert [e for e in servers.tracker(sender)["events"] if e["event"] == "user"] == []


def test_declining_keeps_nothing_and_an_objection_instead_is_answered(servers):
    store = LeadStore(f"sqlite:///{servers.db}")
    graded(servers, "lead-rest-no")
    assert "没有记录" in texts(servers.send("lead-rest-no", "不用了"))
    assert store.get("lead-rest-no") is None and servers.tracker("lead-rest-no")["slots"]["lead_phone"] is None
    graded(servers, "lead-rest-objection")
    answer = servers.send("lead-rest-objection", "你们这车也太贵了吧")
    assert custom(answer) and custom(answer)[0]["objection"] == "objection_price"
    assert store.get("lead-rest-objection") is None
    graded(servers, "lead-rest-noconsent")
    servers.send("lead-rest-noconsent", PHONE)
    servers.send("lead-rest-noconsent", "/deny")
    assert store.get("lead-rest-noconsent") is None


def widget_post(servers, path, body):
    return http(
        "POST",
        f"{servers.url}/webhooks/widget/{path}",
        raw=json.dumps(body).encode(),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )


def test_widget_consent_form_writes_a_lead_row(servers):
    visitor = widget_visitor(servers)
    status, _ = widget_post(servers, "webhook", {**visitor, "message": "远山太贵了"})
    assert status == 200
    status, body = widget_post(
        servers, "lead", {**visitor, "name": "王女士", "phone": "139-1234-5678", "consent": True}
    )
    assert status == 200 and body["ok"]
    lead = LeadStore(f"sqlite:///{servers.db}").get("widget:" + visitor["sender"])
    assert (lead.channel, lead.phone, lead.grade) == ("widget", "13912345678", None)
    assert lead.follow_up_date == dt.date.today() + dt.timedelta(days=1) and lead.objections == ["objection_price"]


def test_widget_stores_a_plus_86_number_in_the_same_form_as_the_chat(servers):
    visitor = widget_visitor(servers)
    status, body = widget_post(
        servers, "lead", {**visitor, "name": "赵先生", "phone": "+86 137 0013 7000", "consent": True}
    )
    assert status == 200 and body["ok"]
    assert LeadStore(f"sqlite:///{servers.db}").get("widget:" + visitor["sender"]).phone == "13700137000"


def test_phone_numbers_never_reach_the_logs_in_full(servers):
    for log in ("rasa.log", "actions.log"):
        text = (servers.logs / log).read_text(encoding="utf-8", errors="replace")
        assert PHONE not in text and "13912345678" not in text and "13700137000" not in text, log
