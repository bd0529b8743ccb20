"""The rules engine on the real playbook and catalog: every rule of the domain brief."""

from dataclasses import replace
from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.constants import OBJECTION_INTENTS
from bot.playbook.loader import load_playbook
from bot.playbook.rules import Context
from tests.unit.shared import converse

ROOT = Path(__file__).resolve().parents[2]
GIFT_WORDS = ("免费", "送", "赠")


@pytest.fixture(scope="module")
def playbook():
    return load_playbook(ROOT / "data/playbook")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "data/catalog.yml")


@pytest.mark.parametrize("objection", ["objection_price", "ask_discount"])
@pytest.mark.parametrize("slots", [{}, {"car_model": "远山"}, {"car_model": "晨风", "budget": 120000}])
def test_price_first_push_clarifies_and_never_concedes_third_push_concedes(playbook, catalog, objection, slots):
    first, second, third = converse(playbook, catalog, [objection] * 3, slots)
    assert first.move in ("acknowledge", "clarify")
    assert not first.offers_gift and not any(w in first.text for w in ("免费", "赠送"))
    assert second.move == "value" and not second.offers_gift
    assert third.move in ("concession", "next_step")
    if third.move == "concession":
        assert third.principle == "reciprocity" and third.offers_gift
        assert any(g in third.text for g in catalog.dealer.gifts)


def test_third_price_push_offers_a_catalog_gift(playbook, catalog):
    third = converse(playbook, catalog, ["objection_price"] * 3, {"car_model": "远山"})[2]
    assert third.move == "concession" and third.principle == "reciprocity"
    assert catalog.dealer.gifts[0] in third.text


def test_a_stall_after_price_talk_gets_a_concession(playbook, catalog):
    choices = converse(playbook, catalog, ["objection_price", "delay_decision"], {"car_model": "晨风"})
    assert choices[1].move == "concession" and choices[1].offers_gift


def test_delay_without_price_talk_looks_for_the_hidden_concern_then_asks_a_small_step(playbook, catalog):
    first, second = converse(playbook, catalog, ["delay_decision", "delay_decision"])
    assert first.move in ("clarify", "acknowledge") and not first.offers_gift
    assert second.move == "next_step"


def test_consult_family_agrees_then_makes_it_easy_then_proposes_next_contact(playbook, catalog):
    choices = converse(playbook, catalog, ["consult_family"] * 3, {"family_member": "spouse"})
    assert choices[0].move in ("acknowledge", "clarify")
    assert choices[1].move in ("value", "next_step")
    assert choices[2].move == "next_step"


def test_monthly_payment_framing_only_once_financing_was_discussed(playbook, catalog):
    from bot.playbook.facts import resolve_facts
    from bot.playbook.rules import eligible

    slots = {"car_model": "晨风"}
    facts = resolve_facts(catalog, slots)
    monthly = [s for s in playbook.scripts_for("objection_price") if "model.monthly_payment" in s.facts]
    assert monthly
    with_finance = Context("objection_price", 2, "协商", slots, ("ask_financing", "objection_price"))
    without = Context("objection_price", 2, "协商", slots, ("objection_price",))
    assert any(eligible(s, with_finance, facts) for s in monthly)
    assert not any(eligible(s, without, facts) for s in monthly)
    assert "2554" in facts["model.monthly_payment"] or facts["model.monthly_payment"] == "2554元"


@pytest.mark.parametrize("objection", OBJECTION_INTENTS)
def test_every_objection_is_answered_three_times_without_repeating(playbook, catalog, objection):
    choices = converse(playbook, catalog, [objection] * 3, {"car_model": "远山"})
    assert all(c is not None for c in choices)
    assert len({c.script_id for c in choices}) == 3
    assert all("{" not in c.text for c in choices)


def test_ten_turn_conversation_never_repeats_a_script_or_a_principle_back_to_back(playbook, catalog):
    turns = [
        "objection_price",
        "objection_competitor",
        "objection_price",
        "consult_family",
        "objection_quality",
        "ask_discount",
        "objection_price",
        "delay_decision",
        "ask_financing",
        "delay_decision",
    ]
    choices = converse(playbook, catalog, turns, {"car_model": "远山Pro", "budget": 220000})
    assert all(c is not None for c in choices)
    ids = [c.script_id for c in choices]
    assert len(ids) == len(set(ids))
    for a, b in zip(choices, choices[1:]):
        if a.principle == b.principle:  # allowed only when nothing else was eligible
            others = converse(playbook, catalog, turns[: choices.index(b) + 1], {"car_model": "远山Pro"})
            assert others[-1].principle == b.principle


def test_missing_facts_make_a_script_ineligible(playbook, catalog):
    no_gifts = replace(catalog, dealer=replace(catalog.dealer, gifts=()))
    third = converse(playbook, no_gifts, ["objection_price"] * 3, {"car_model": "远山"})[2]
    assert third is None or not third.offers_gift
    no_data = replace(catalog, models=tuple(replace(m, monthly_orders=None, owner_quotes=()) for m in catalog.models))
    for objection in OBJECTION_INTENTS:
        for c in converse(playbook, no_data, [objection] * 3, {"car_model": "远山"}):
            if c:
                script = playbook.script(c.script_id)
                assert "model.monthly_orders" not in script.facts and "model.owner_quote" not in script.facts


def test_model_facts_need_a_known_model(playbook, catalog):
    for objection in OBJECTION_INTENTS:
        for c in converse(playbook, catalog, [objection] * 3):
            if c:
                assert not any(f.startswith(("model.", "fab.")) for f in playbook.script(c.script_id).facts)


def test_annotation_has_the_output_contract(playbook, catalog):
    choice = converse(playbook, catalog, ["objection_price"])[0]
    assert set(choice.annotation()) >= {
        "objection",
        "principle",
        "principle_zh",
        "move",
        "script_id",
        "attempt",
        "stage",
    }
    assert choice.annotation()["stage"] == "协商" and choice.principle_zh


def test_coach_annotation_explains_the_principle_and_offers_alternatives(playbook, catalog):
    choice = converse(playbook, catalog, ["objection_price"], {"car_model": "远山"})[0]
    note = choice.annotation()
    assert note["principle_why"] == playbook.principles[choice.principle].why
    assert note["move_zh"] == playbook.moves[choice.move].zh
    assert 1 <= len(note["alternatives"]) <= 2
    for alt in note["alternatives"]:
        assert alt["script_id"] != choice.script_id and alt["text"] and "{" not in alt["text"]
        assert playbook.script(alt["script_id"]).objection == "objection_price"


def test_the_sales_step_follows_the_customer_back():
    """One 再看看 during negotiation is 跟踪 for that answer only: the next price push is 协商 again."""
    pb, cat = load_playbook(ROOT / "data/playbook"), load_catalog(ROOT / "data/catalog.yml")
    steps = [
        c.stage
        for c in converse(
            pb,
            cat,
            [
                "objection_price",
                "delay_decision",
                "objection_price",
                "objection_quality",
                "ask_delivery",
                "choose_model",
            ],
        )
    ]
    assert steps == ["协商", "跟踪", "协商", "介绍产品", "成交", "咨询"]


def test_playbook_coverage_of_principles(playbook):
    from collections import defaultdict

    objections_by_principle = defaultdict(set)
    for s in playbook.scripts:
        objections_by_principle[s.principle].add(s.objection)
    assert set(objections_by_principle) == set(playbook.principles)
    for p in ("reciprocity", "social_proof", "commitment"):
        assert len(objections_by_principle[p]) >= 5, p
    for objection in OBJECTION_INTENTS:
        assert len(playbook.scripts_for(objection)) >= 4, objection


def test_the_sales_step_changes_the_move_a_stall_after_a_test_drive_asks_for_the_next_step(playbook, catalog):
    early = converse(playbook, catalog, ["delay_decision"])[0]
    after_drive = converse(playbook, catalog, ["request_test_drive", "delay_decision"])[1]
    assert early.move in ("clarify", "acknowledge")
    assert after_drive.move == "next_step"
