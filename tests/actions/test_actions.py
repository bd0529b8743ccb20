"""Custom actions run on real trackers built from events; events and messages are checked."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateLeadGradeForm, ValidateModelNeedsForm
from actions.leads import ActionGradeLead
from actions.objections import ActionAnswerObjection
from actions.recommend import ActionRecommendModel


def user(intent, text="", entities=()):
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.99}, "entities": list(entities), "text": text},
    }


def make_tracker(events, slots=None, active_loop=None):
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker("test-user", slots or {}, latest, events, False, None, active_loop or {}, "action_listen")


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_first_price_objection_gets_a_tagged_non_concession_answer():
    messages, events = await run(ActionAnswerObjection(), make_tracker([user("objection_price", "太贵了")]))
    annotation = next(m["custom"] for m in messages if m.get("custom"))
    assert annotation["objection"] == "objection_price" and annotation["attempt"] == 1
    assert annotation["move"] in ("acknowledge", "clarify") and annotation["stage"] == "协商"
    slots = slot_events(events)
    assert slots["used_scripts"] == [annotation["script_id"]]
    assert slots["last_principle"] == annotation["principle"]
    assert "gifts_offered" not in slots
    assert any(m.get("text") for m in messages)


async def test_third_price_objection_concedes_a_gift_and_counts_it():
    history = [user("objection_price", "太贵了"), user("objection_price", "还是贵"), user("objection_price", "贵")]
    tracker = make_tracker(
        history, {"car_model": "远山", "used_scripts": ["price_clarify_budget"], "last_principle": "commitment"}
    )
    messages, events = await run(ActionAnswerObjection(), tracker)
    annotation = next(m["custom"] for m in messages if m.get("custom"))
    assert annotation["attempt"] == 3 and annotation["move"] == "concession"
    assert annotation["principle"] == "reciprocity"
    assert slot_events(events)["gifts_offered"] == 1
    assert "全车贴膜和脚垫免费装" in " ".join(m.get("text") or "" for m in messages)


async def test_second_stall_asks_for_a_small_step_and_marks_the_lead_pending():
    tracker = make_tracker([user("delay_decision", "再想想"), user("delay_decision", "不急")])
    messages, events = await run(ActionAnswerObjection(), tracker)
    assert next(m["custom"] for m in messages if m.get("custom"))["move"] == "next_step"
    assert slot_events(events)["lead_pending"] is True


async def test_when_every_script_is_used_the_general_answer_is_sent():
    from bot.playbook.loader import get_playbook

    used = [s.id for s in get_playbook().scripts_for("ask_delivery")]
    tracker = make_tracker([user("ask_delivery", "多久提车")], {"used_scripts": used})
    messages, events = await run(ActionAnswerObjection(), tracker)
    assert messages[-1]["response"] == "utter_ask_delivery"
    assert {e["name"] for e in events} <= {"product_question", "product_subject", "car_model"}  # the fact first


async def test_a_fact_asked_inside_an_objection_comes_first():
    tracker = make_tracker([user("objection_quality", "晨风油耗多少，会不会很费油", [])])
    messages, _ = await run(ActionAnswerObjection(), tracker)
    assert "5.6" in messages[0]["text"] and any(m.get("custom") for m in messages[1:])


async def test_not_an_objection_gets_the_default_response():
    messages, events = await run(ActionAnswerObjection(), make_tracker([user("greet", "你好")]))
    assert messages[0]["response"] == "utter_default" and events == []


async def test_recommendation_picks_a_seven_seater_for_a_big_family():
    tracker = make_tracker(
        [user("choose_model", "选哪个")],
        {"usage": "family", "passengers": 7, "budget": 260000, "priority": "舒适实用性"},
    )
    messages, events = await run(ActionRecommendModel(), tracker)
    assert SlotSet("car_model", "远山Pro") in events
    annotation = next(m["custom"] for m in messages if m.get("custom"))
    assert annotation["objection"] == "choose_model" and annotation["move"] in ("value", "next_step")
    assert "远山Pro" in " ".join(m.get("text") or "" for m in messages)


async def test_recommendation_for_a_commuter_on_a_small_budget():
    tracker = make_tracker(
        [user("choose_model", "选哪个")], {"usage": "commute", "passengers": 2, "budget": 120000, "priority": "超值性"}
    )
    _, events = await run(ActionRecommendModel(), tracker)
    assert SlotSet("car_model", "晨风") in events


@pytest.mark.parametrize("answer, grade", [("一周内", "O"), ("这个月吧", "A"), ("三个月内", "B"), ("半年内", "C")])
async def test_lead_is_graded_with_its_follow_up_date(answer, grade):
    import datetime as dt

    cadence = {"O": 3, "A": 7, "B": 15, "C": 60}
    messages, events = await run(
        ActionGradeLead(), make_tracker([user("affirm", answer)], {"purchase_timeframe": answer})
    )
    slots = slot_events(events)
    assert slots["lead_grade"] == grade and slots["lead_pending"] is False
    assert slots["follow_up_date"] == (dt.date.today() + dt.timedelta(days=cadence[grade])).isoformat()
    assert messages[0]["response"] == "utter_lead_graded"


@pytest.mark.parametrize(
    "method, value, expected",
    [
        ("validate_usage", "主要上下班通勤", {"usage": "commute"}),
        ("validate_usage", "周末带娃出去玩", {"usage": "family"}),
        ("validate_passengers", "一家四口", {"passengers": 4.0}),
        ("validate_passengers", "3个人", {"passengers": 3.0}),
        ("validate_passengers", "很多很多", {"passengers": None}),
        ("validate_priority", "最看重安全", {"priority": "安全性"}),
        ("validate_priority", "颜值要高", {"priority": "造型与外观"}),
        ("validate_priority", "随便", {"priority": None}),
        ("validate_budget", 200000, {"budget": 200000.0}),
        ("validate_budget", "看情况", {"budget": None}),
    ],
)
async def test_needs_form_validation(method, value, expected):
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateModelNeedsForm(), method)(
        value, dispatcher, make_tracker([user("affirm", str(value))]), {}
    )
    assert result == expected
    if None in expected.values():
        assert dispatcher.messages[0]["response"] == "utter_needs_not_understood"


@pytest.mark.parametrize("value, expected", [("一个月内", "一个月内"), ("你猜", None), ("", None)])
async def test_lead_form_accepts_only_answers_about_time(value, expected):
    result = ValidateLeadGradeForm().validate_purchase_timeframe(
        value, CollectingDispatcher(), make_tracker([user("affirm", value)]), {}
    )
    assert result == {"purchase_timeframe": expected}


async def test_two_objections_in_one_message_are_each_answered_in_order():
    family = {"entity": "family_member", "start": 10, "end": 12, "value": "spouse"}
    tracker = make_tracker([user("objection_price", "太贵了，而且我还得回家问问老婆", [family])])
    messages, events = await run(ActionAnswerObjection(), tracker)
    annotations = [m["custom"] for m in messages if m.get("custom")]
    assert [a["objection"] for a in annotations] == ["objection_price", "consult_family"]
    assert all(a["attempt"] == 1 for a in annotations)
    used = [e["value"] for e in events if e.get("name") == "used_scripts"][-1]
    assert used == [a["script_id"] for a in annotations]  # the second answer saw the first one's script


async def test_one_point_in_two_clauses_is_answered_once():
    messages, _ = await run(ActionAnswerObjection(), make_tracker([user("objection_price", "远山太贵了，能便宜点吗")]))
    assert [m["custom"]["objection"] for m in messages if m.get("custom")] == ["objection_price"]
