"""Every answer is on the topic asked: scripts name their objection's topic, the FAB aspect comes from
the objection and the customer's stated priority (not the model's headline), and no textbook aspect
name (安全性、动力与操控性、舒适实用性、造型与外观、超值性) reaches anything a customer reads."""

import pytest
from rasa.shared.utils.io import read_yaml_file

from bot.catalog import ASPECTS, load_catalog
from bot.constants import OBJECTION_INTENTS
from bot.exceptions import DataFileError
from bot.playbook.audit import on_topic, render
from bot.playbook.facts import resolve_facts
from bot.playbook.loader import load_playbook
from bot.playbook.rules import Context, select_script
from tests.unit.shared import ROOT, playbook_with

PLAYBOOK = load_playbook(ROOT / "data/playbook", trainer_checks=False)
CATALOG = load_catalog(ROOT / "data/catalog.yml")
CUSTOMER_WORDS = {
    "安全性": "安全",
    "动力与操控性": "动力",
    "舒适实用性": "空间",
    "造型与外观": "颜值",
    "超值性": "性价比",
}


def facts_for(objection, model, priority=None):
    return resolve_facts(
        CATALOG, {"car_model": model, "priority": priority}, 0, PLAYBOOK.rules[objection].aspects, PLAYBOOK.aspect_words
    )


def escalate(objection, slots, times=4):
    used, last, choices = (), None, []
    for attempt in range(1, times + 1):
        choice = select_script(PLAYBOOK, CATALOG, Context(objection, attempt, None, slots, (), used, last))
        if choice is None:
            break
        choices.append(choice)
        used, last = used + (choice.script_id,), choice.principle
    return choices


@pytest.mark.parametrize("objection", OBJECTION_INTENTS)
def test_every_objection_has_topic_words(objection):
    assert PLAYBOOK.rules[objection].topic


@pytest.mark.parametrize("script", PLAYBOOK.scripts, ids=lambda s: s.id)
def test_script_talks_about_its_objections_topic(script):
    rule = PLAYBOOK.rules[script.objection]
    assert on_topic(rule, script), f"{script.id} says none of {rule.topic} in its own words"


@pytest.mark.parametrize("objection", ["objection_after_sales", "ask_trade_in", "ask_delivery", "ask_financing"])
def test_a_service_question_never_gets_the_referral_reward_as_its_answer(objection):
    """保养一次要多少钱 is answered about maintenance; the referral reward is no answer to it."""
    for s in PLAYBOOK.scripts_for(objection):
        if s.move == "value":
            assert "dealer.referral_reward" not in s.facts, s.id


def test_customer_words_for_the_five_aspects():
    assert PLAYBOOK.aspect_words == CUSTOMER_WORDS


@pytest.mark.parametrize("model", [m.name for m in CATALOG.models])
def test_quality_doubt_is_answered_on_safety_whatever_the_models_headline(model):
    facts = facts_for("objection_quality", model)
    safety = CATALOG.model_by_name(model).fab["安全性"]
    assert facts["fab.aspect"] == "安全" and facts["fab.benefit"] == safety.benefit
    # a stated priority that is not about quality does not pull the answer off topic
    assert facts_for("objection_quality", model, "造型与外观")["fab.benefit"] == safety.benefit


def test_quality_doubt_about_the_ev_never_hears_its_running_cost():
    ev = CATALOG.model_by_name("星河EV")
    assert ev.headline_aspect == "超值性"
    texts = [c.text for c in escalate("objection_quality", {"car_model": "星河EV"}, 6)]
    assert texts and not any(ev.fab["超值性"].benefit in t for t in texts)
    choice = select_script(
        PLAYBOOK,
        CATALOG,
        Context(
            "objection_quality",
            2,
            None,
            {"car_model": "星河EV"},
            used_scripts=("quality_value_peer", "quality_value_owner"),
        ),
    )
    assert choice.script_id == "quality_value_fab" and ev.fab["安全性"].benefit in choice.text


@pytest.mark.parametrize("objection", ["objection_price", "ask_discount"])
@pytest.mark.parametrize("model", [m.name for m in CATALOG.models])
def test_price_push_is_answered_on_value_for_money(objection, model):
    facts = facts_for(objection, model, "动力与操控性")
    assert facts["fab.aspect"] == "性价比"
    assert facts["fab.benefit"] == CATALOG.model_by_name(model).fab["超值性"].benefit


@pytest.mark.parametrize("aspect", ASPECTS)
def test_stated_priority_decides_where_the_objection_has_no_aspect_of_its_own(aspect):
    for objection in ("choose_model", "objection_competitor", "request_test_drive"):
        assert not PLAYBOOK.rules[objection].aspects
        facts = facts_for(objection, "远山", aspect)
        assert facts["fab.aspect"] == CUSTOMER_WORDS[aspect]
        assert facts["fab.benefit"] == CATALOG.model_by_name("远山").fab[aspect].benefit


def test_recommendation_after_the_needs_form_speaks_to_the_stated_priority():
    ctx = Context("choose_model", 2, None, {"car_model": "远山", "priority": "安全性", "budget": 200000})
    choice = select_script(PLAYBOOK, CATALOG, ctx)
    assert CATALOG.model_by_name("远山").fab["安全性"].benefit in choice.text and "安全" in choice.text


@pytest.mark.parametrize("model", CATALOG.models, ids=lambda m: m.name)
def test_catalog_has_one_benefit_first_sentence_per_model_and_aspect(model):
    assert set(model.fab) == set(ASPECTS)
    for aspect, fab in model.fab.items():
        first, _, rest = fab.benefit.partition("，")
        assert rest, (model.name, aspect, "one spoken sentence: the benefit, then how the car gives it")
        assert fab.feature not in first, (model.name, aspect, "benefit first, not the feature")
        assert not any(a in fab.benefit for a in ASPECTS), (model.name, aspect)


def _shown_domain_texts():
    domain = read_yaml_file(str(ROOT / "domain.yml"))
    for name, variants in domain.get("responses", {}).items():
        for v in variants:
            yield name, v.get("text") or ""
            for b in v.get("buttons") or []:
                yield name, b.get("title") or ""


def test_no_textbook_aspect_name_in_any_domain_response_or_button_title():
    for name, text in _shown_domain_texts():
        for aspect in ASPECTS + ("造型外观", "舒适实用", "动力与操控"):
            assert aspect not in text, (name, aspect)


def test_no_textbook_aspect_name_in_any_rendered_script():
    contexts = [
        {"car_model": m.name, "budget": 150000, "family_member": "child", "competitor": "思域", "priority": p}
        for m in CATALOG.models
        for p in (None,) + ASPECTS
    ]
    for script in PLAYBOOK.scripts:
        for slots in contexts:
            text = render(PLAYBOOK, CATALOG, script, slots)
            if text:
                assert not any(a in text for a in ASPECTS), (script.id, text)


def test_loader_rejects_a_textbook_aspect_name_and_an_off_topic_script(tmp_path):
    script = (
        "{id: aftersales_textbook, principle: friendship, move: value, facts: [dealer.referral_reward],"
        " text: '它的超值性很好。另外，{dealer.referral_reward}。'}"
    )
    with pytest.raises(DataFileError) as err:
        load_playbook(playbook_with(tmp_path, "objection_after_sales.yml", script))
    assert "(aftersales_textbook).text: says the textbook aspect name '超值性'" in str(err.value)
    assert "(aftersales_textbook).text: off the topic of objection_after_sales" in str(err.value)
