"""Slots from the right statements (issue 14, item 6): the budget only from a budget statement or the
answer to the budget question, never from a monthly payment, an income or a price difference; the
customer's own car is the current car, and only a car compared against ours is a competitor."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ActionReadStatements, ValidateModelNeedsForm
from bot.product.needs import asks_budget, load_needs_vocabulary, read_statements
from tests.unit.shared import ROOT, ents, sdk_tracker

WORDS = load_needs_vocabulary(ROOT / "data/lexicon").statements


@pytest.mark.parametrize(
    "text, entities, asked, budget",
    [
        ("月供要4500，我扛不住", [("money", "4500", 4500)], False, None),
        ("月供要4500，我扛不住", [("money", "4500", 4500)], True, None),  # not even as an answer
        ("我一个月工资才8000", [("money", "8000", 8000)], False, None),
        ("比亚迪宋PLUS比你们便宜两万", [("money", "两万", 20000)], False, None),
        ("差价有三万呢", [("money", "三万", 30000)], False, None),
        ("首付五万能办吗", [("money", "五万", 50000)], False, None),
        ("我老婆觉得远山Pro太贵了，预算就二十万", [("money", "二十万", 200000)], False, 200000),
        ("15万以内有合适的吗", [("money", "15万", 150000)], False, 150000),
        ("15万左右吧", [("money", "15万", 150000)], True, 150000),  # the answer to the budget question
        ("15万左右吧", [("money", "15万", 150000)], False, None),  # an amount said out of the blue
        ("预算20万，月供别超过4000", [("money", "20万", 200000), ("money", "4000", 4000)], False, 200000),
    ],
)
def test_budget_only_from_a_budget_statement(text, entities, asked, budget):
    assert read_statements(text, ents(text, *entities), WORDS, budget_asked=asked).budget == budget


@pytest.mark.parametrize(
    "text, entities, comparison, competitor, current",
    [
        ("我现在开的是一台卡罗拉，想换台大点的", [("competitor", "卡罗拉", "卡罗拉")], False, None, "卡罗拉"),
        ("我现在开的是一台卡罗拉，想换台大点的", [("competitor", "卡罗拉", "卡罗拉")], True, None, "卡罗拉"),
        ("卡罗拉比你们便宜", [("competitor", "卡罗拉", "卡罗拉")], False, "卡罗拉", None),
        (
            "比亚迪宋PLUS比你们便宜两万",
            [("competitor", "比亚迪", "比亚迪"), ("competitor", "宋PLUS", "宋PLUS")],
            True,
            "宋PLUS",
            None,
        ),
        ("卡罗拉的后备箱多大", [("competitor", "卡罗拉", "卡罗拉")], False, None, None),  # a question, no comparison
        (
            "家里那台思域开了五年，现在在看远山和途观",
            [("competitor", "思域", "思域"), ("competitor", "途观", "途观")],
            False,
            "途观",
            "思域",
        ),
    ],
)
def test_own_car_is_the_current_car_and_only_a_compared_car_a_competitor(
    text, entities, comparison, competitor, current
):
    said = read_statements(text, ents(text, *entities), WORDS, comparison=comparison)
    assert (said.competitor, said.current_car) == (competitor, current)


def test_the_budget_question_is_recognised():
    assert asks_budget("预算大概在多少？说个大概数就行，比如15万。", WORDS)
    assert asks_budget("方便说说您心里的预算大概是多少吗？", WORDS)
    assert not asks_budget("您之前提到预算在20万左右，我一直记着。", WORDS)


def user(intent, text, entities=()):
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.99}, "entities": list(entities), "text": text},
    }


def run_statements(events, slots=None):
    latest = next(e["parse_data"] for e in reversed(events) if e["event"] == "user")
    tracker = sdk_tracker("s-1", latest, slots, events)
    out = asyncio.run(ActionReadStatements().run(CollectingDispatcher(), tracker, {}))
    return {e["name"]: e["value"] for e in out}


def test_the_slot_mapping_action_sets_only_what_was_stated():
    text = "月供要4500，我扛不住"
    assert run_statements([user("objection_price", text, ents(text, ("money", "4500", 4500)))]) == {}
    text = "我现在开的是一台卡罗拉，想换台大点的"
    got = run_statements([user("objection_competitor", text, ents(text, ("competitor", "卡罗拉", "卡罗拉")))])
    assert got == {"current_car": "卡罗拉"}
    text = "预算就二十万"
    assert run_statements(
        [user("objection_price", text, ents(text, ("money", "二十万", 200000)))], {"budget": 150000}
    ) == {"budget": 200000}


def test_an_answer_right_after_the_budget_question_is_the_budget():
    text = "12万吧"
    events = [
        user("objection_price", "太贵了"),
        {"event": "bot", "text": "方便说说您心里的预算大概是多少吗？"},
        user("affirm", text, ents(text, ("money", "12万", 120000))),
    ]
    assert run_statements(events) == {"budget": 120000}


@pytest.mark.parametrize(
    "text, money, budget",
    [("月供4500以内", ("money", "4500", 4500), None), ("20万左右", ("money", "20万", 200000), 200000)],
)
def test_the_needs_form_does_not_take_a_monthly_payment_for_the_budget(text, money, budget):
    latest = {"text": text, "entities": ents(text, money), "intent": {"name": "affirm"}}
    tracker = sdk_tracker("s-2", latest)
    assert ValidateModelNeedsForm().validate_budget(text, CollectingDispatcher(), tracker, {}) == {"budget": budget}
