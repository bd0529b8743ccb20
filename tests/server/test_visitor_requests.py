"""What visitors ask besides objections, through the running servers: a person on request (REST,
the widget, WeChat's hand-over to customer service), honesty about being an AI, Traditional Chinese."""

import json
import time
import urllib.parse
from xml.etree import ElementTree as ET

import pytest

from bot.channels.wechat_crypto import signature
from bot.leads.store import LeadStore
from bot.notify import Outbox
from tests.conftest import KF_ACCOUNT, http, unique_nonce, widget_visitor
from tests.support.wechat import wechat_text_xml

pytestmark = pytest.mark.server


def texts(messages):
    return " ".join(m.get("text") or "" for m in messages)


def events(servers, sender):
    status, body = http("GET", f"{servers.url}/conversations/{sender}/tracker?token={servers.token}")
    assert status == 200, body
    return body["events"]


def test_a_person_on_request_over_rest_pauses_the_bot_until_released(servers):
    sender = "wants-a-person-1"
    servers.send(sender, "远山太贵了")
    answer = servers.send(sender, "转人工", coaching=False)
    assert "真人顾问" in texts(answer) and any((m.get("custom") or {}).get("handoff") for m in answer)
    lead = LeadStore(f"sqlite:///{servers.db}").get(sender)
    assert lead is not None and lead.reason == "客户要求真人顾问" and lead.car_model == "远山"
    assert any(e["event"] == "pause" for e in events(servers, sender))  # the transcript shows the handoff
    # while a person has the conversation the bot does not run the sales conversation
    quiet = servers.send(sender, "太贵了", coaching=False)
    assert texts(quiet) and "转给真人顾问" in texts(quiet) and not any(m.get("buttons") for m in quiet)


def test_is_it_a_bot_gets_a_plain_yes_and_the_offer_of_a_person(servers):
    for question in ("你是机器人吗", "你是真人吗", "是AI吗", "你是真人還是AI"):
        answer = servers.send(f"is-bot-{abs(hash(question)) % 1000}", question, coaching=False)
        assert "AI" in texts(answer) and "不是真人" in texts(answer), (question, answer)
        assert any(b["payload"] == "/request_human" for m in answer for b in m.get("buttons") or [])


def test_traditional_chinese_is_understood_and_the_tracker_keeps_the_original(servers):
    sender = "traditional-1"
    answer = servers.send(sender, "這台車太貴了，可以便宜點嗎")
    assert any((m.get("custom") or {}).get("objection") in ("objection_price", "ask_discount") for m in answer), answer
    user = [e for e in events(servers, sender) if e["event"] == "user"][-1]
    assert user["text"] == "這台車太貴了，可以便宜點嗎"


def test_the_widget_opens_the_call_back_form_when_a_person_is_asked_for(servers):
    visitor = widget_visitor(servers)
    status, body = http(
        "POST",
        f"{servers.url}/webhooks/widget/webhook",
        raw=json.dumps({**visitor, "message": "我要找真人客服"}).encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert status == 200 and "真人顾问" in texts(body)
    handoff = [m["custom"] for m in body if isinstance(m.get("custom"), dict)]
    assert handoff == [{"handoff": {"reason": "客户要求真人顾问", "need_phone": True}}]  # nothing else for prospects


def test_wechat_hands_the_user_to_customer_service_when_the_account_has_it(servers, wechat_api):
    nonce, token = unique_nonce(), KF_ACCOUNT["token"]
    query = {"timestamp": "1714037059", "nonce": nonce, "signature": signature(token, "1714037059", nonce)}
    status, body = http(
        "POST",
        f"{servers.url}/webhooks/wechat/webhook/kf?" + urllib.parse.urlencode(query),
        raw=wechat_text_xml("gh_kf", "o_kf_user", "转人工"),
        headers={"Content-Type": "text/xml"},
    )
    assert status == 200, body
    reply = ET.fromstring(body)
    assert reply.findtext("MsgType") == "transfer_customer_service"
    assert (reply.findtext("ToUserName"), reply.findtext("FromUserName")) == ("o_kf_user", "gh_kf")
    assert any(e["event"] == "pause" for e in events(servers, "wechat:kf:o_kf_user"))
    # the bot's own answer (when a person answers) goes through the customer-service API
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not [m for m in wechat_api.sent if m["touser"] == "o_kf_user"]:
        time.sleep(0.2)
    assert "真人顾问" in "".join(m["text"]["content"] for m in wechat_api.sent if m["touser"] == "o_kf_user")


def test_a_test_drive_booked_in_one_message_is_kept_read_back_and_can_be_called_off(servers):
    sender = "booking-one-message"
    answer = servers.send(sender, "我手机号13800138000，周六上午来试驾远山", coaching=False)
    text = texts(answer)
    assert "预约好了" in text and "周六" in text and "远山" in text, text
    assert "138****8000" in text and "13800138000" not in text, text
    lead = LeadStore(f"sqlite:///{servers.db}").get(sender)
    assert lead.grade == "O" and lead.phone == "13800138000" and "预约试驾" in lead.reason and lead.car_model == "远山"
    cancelled = texts(servers.send(sender, "不约了", coaching=False))
    assert "取消" in cancelled and "删除" in cancelled, cancelled
    assert LeadStore(f"sqlite:///{servers.db}").get(sender) is None
    queued = [r for r in Outbox(f"sqlite:///{servers.db}").rows() if r.sender_id == sender]
    assert [r.kind for r in queued] == ["booking", "cancel"], queued  # the team hears both
    assert "13800138000" not in queued[1].message.content


def test_a_booking_asks_for_what_is_missing_and_moves_an_impossible_date(servers):
    sender = "booking-several-messages"
    first = texts(servers.send(sender, "想约个试驾", coaching=False))
    assert "哪款车" in first, first
    second = texts(servers.send(sender, "晨风吧", coaching=False))
    assert "哪天" in second, second
    third = texts(servers.send(sender, "2月30号上午", coaching=False))
    assert "没有2月30号" in third and "最近能约的是" in third and "手机号" in third, third  # said at once
    read_back = texts(servers.send(sender, "13912345678", coaching=False))
    assert "没有2月30号" in read_back and "晨风" in read_back and "139****5678" in read_back, read_back
    declined = texts(servers.send(sender, "算了，不约了", coaching=False))
    assert "不会保存" in declined and LeadStore(f"sqlite:///{servers.db}").get(sender) is None


def test_a_short_follow_up_after_a_fact_is_read_as_a_fact_question(servers):
    sender = "follow-up-fact-1"
    first = texts(servers.send(sender, "远山pro几座", coaching=False))
    assert "7座" in first or "七座" in first, first
    answer = servers.send(sender, "油耗呢")
    assert "8.1升" in texts(answer) and not any((m.get("custom") or {}).get("objection") for m in answer), answer
    user = [e for e in events(servers, sender) if e["event"] == "user"][-1]
    assert user["parse_data"]["intent"]["name"] == "ask_product_info", user["parse_data"]


def test_two_objections_the_classifier_cannot_place_are_both_answered_in_order(servers):
    answer = servers.send("two-objections-trad-1", "太貴了，而且還要問問老婆")
    said = [(m.get("custom") or {}).get("objection") for m in answer if (m.get("custom") or {}).get("objection")]
    assert said == ["objection_price", "consult_family"], answer


def test_a_question_the_catalog_answers_is_answered_even_when_the_classifier_is_unsure(servers):
    answer = texts(servers.send("fallback-fact-1", "CF是cvt变速箱吗", coaching=False))
    assert "CVT" in answer and "没太理解" not in answer, answer


def test_fact_questions_carry_trim_and_spec_entities(servers):
    status, parsed = http(
        "POST",
        f"{servers.url}/model/parse?token={servers.token}",
        raw=json.dumps({"text": "远山两驱豪华版多少钱"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 200, parsed
    found = {(e["entity"], e["value"]) for e in parsed["entities"]}
    assert {("car_model", "远山"), ("trim", "两驱豪华版"), ("spec", "价格")} <= found, parsed["entities"]


def test_fact_answers_leave_the_demo_catalog_marks_in_the_file(servers):
    for n, question in enumerate(("你们展厅地址在哪", "星河EV碰撞测试几星", "远山Pro落地多少")):
        answer = texts(servers.send(f"sample-marks-{n}", question, coaching=False))
        assert answer and "示例数据" not in answer and "示例地址" not in answer, (question, answer)
