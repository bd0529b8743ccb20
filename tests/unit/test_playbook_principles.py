"""Every script carries the principle it is labelled with, read as a 4S-dealer sales trainer reads it:
the definitions live in data/playbook/principles.yml (carried_by), and each script is checked rendered
with the catalog's facts, in every context where the engine can use it."""

import pytest

from bot.catalog import load_catalog
from bot.exceptions import DataFileError
from bot.playbook.audit import carrying, render, script_words
from bot.playbook.facts import resolve_facts
from bot.playbook.loader import load_playbook
from bot.playbook.model import PRINCIPLES, Script, When
from tests.unit.shared import ROOT, model_contexts, playbook_with

PLAYBOOK = load_playbook(ROOT / "data/playbook", trainer_checks=False)  # the test checks, script by script
CATALOG = load_catalog(ROOT / "data/catalog.yml")
# What a customer may have told us; every model of the catalog, with and without a stated priority.
CONTEXTS = model_contexts(CATALOG, (None, "安全性", "造型与外观"))


def renders(script):
    return [(slots, text) for slots in CONTEXTS if (text := render(PLAYBOOK, CATALOG, script, slots))]


def test_every_principle_is_defined_by_what_a_script_must_contain():
    assert set(PLAYBOOK.principles) == set(PRINCIPLES)
    for tag, principle in PLAYBOOK.principles.items():
        assert principle.carried_by, tag
        for carrier in principle.carried_by:
            assert carrier.means and (carrier.all_facts or carrier.any_fact or carrier.any_cue), tag


@pytest.mark.parametrize("script", PLAYBOOK.scripts, ids=lambda s: s.id)
def test_rendered_script_carries_its_label(script):
    principle = PLAYBOOK.principles[script.principle]
    carrier = carrying(principle, script)
    assert carrier is not None, (
        f"{script.id} is labelled {script.principle} but carries it in none of these ways: "
        + "; ".join(c.means for c in principle.carried_by)
    )
    rendered = renders(script)
    assert rendered, f"{script.id} can never be used with the sample catalog"
    for slots, text in rendered:
        facts = resolve_facts(
            CATALOG,
            slots,
            0,
            PLAYBOOK.rules[script.objection].aspects,
            PLAYBOOK.aspect_words,
            PLAYBOOK.policy.gifts_per_conversation,
            PLAYBOOK.policy.sample_labels,
        )
        # the facts the principle rests on (the number, the owner's words, the gift) reach the customer
        for key in set(carrier.all_facts) | (set(carrier.any_fact) & set(script.facts)):
            assert facts[key] in text, (script.id, key)
        if carrier.any_cue:  # the cue is in the script's own words, not in a fact filled in
            assert any(cue in script_words(script) for cue in carrier.any_cue)
        assert "{" not in text and "}" not in text


def _script(principle, text, facts=()):
    return Script("trainer_case", "objection_price", principle, "value", When(), tuple(facts), text)


@pytest.mark.parametrize(
    "principle, text, facts",
    [
        # The examples (old playbook texts): each label was not true.
        ("commitment", "买车是件大事，在价格上多掂量一下完全应该。方便说说您心里的预算大概是多少吗？", ()),
        (
            "commitment",
            "光说“质量好”太空泛，给您讲{model.name}一个具体的点：{fab.benefit}。",
            ("model.name", "fab.benefit"),
        ),
        (
            "liking",
            "先说质保：我们是{dealer.warranty}。保养维修在{dealer.service_outlets}都能做。",
            ("dealer.warranty", "dealer.service_outlets"),
        ),
        (
            "liking",
            "{model.name}走{finance.name}的话，入门配置首付{finance.down_payment}。",
            ("model.name", "finance.name", "finance.down_payment"),
        ),
        (
            "reciprocity",
            "可以分期的。我们有{finance.name}：首付{finance.down_payment}。",
            ("finance.name", "finance.down_payment"),
        ),
        ("reciprocity", "为了提车时不手忙脚乱，付款方式可以提前定下来。", ()),
        (
            "social_proof",
            "{model.name}的售价在{model.price_min}到{model.price_max}之间，大家都说好。",
            ("model.name", "model.price_min", "model.price_max"),
        ),
        ("peer_identity", "{model.name}最受{model.popular_with}欢迎。", ("model.name", "model.popular_with")),
        ("testimonial", "车主都说开着舒服。", ()),
        ("friendship", "选车时多看看也很有用。", ()),
        # a cue that only comes from a fact filled in does not count
        ("commitment", "{dealer.test_drive_perk}。", ("dealer.test_drive_perk",)),
    ],
)
def test_definitions_reject_what_a_trainer_rejects(principle, text, facts):
    assert carrying(PLAYBOOK.principles[principle], _script(principle, text, facts)) is None


@pytest.mark.parametrize(
    "principle, text, facts",
    [
        ("commitment", "您之前提到预算在{slot.budget}左右，我一直记着。", ("slot.budget",)),
        ("commitment", "值不值，开过才知道。先约个试驾吧？", ()),
        ("liking", "您这么认真地比价，这点我很欣赏。", ()),
        ("reciprocity", "如果您定下来，{dealer.gift}，算是店里的一点心意。", ("dealer.gift",)),
        (
            "social_proof",
            "{model.name}在我们店每月平均成交{model.monthly_orders}台。",
            ("model.name", "model.monthly_orders"),
        ),
        ("testimonial", "{model.owner}说：“{model.owner_quote}”", ("model.owner", "model.owner_quote")),
        ("friendship", "另外，{dealer.referral_reward}。", ("dealer.referral_reward",)),
        (
            "peer_identity",
            "{model.name}最受{model.popular_with}欢迎，您要是也是这样，它很合适。",
            ("model.name", "model.popular_with"),
        ),
    ],
)
def test_definitions_accept_what_a_trainer_accepts(principle, text, facts):
    assert carrying(PLAYBOOK.principles[principle], _script(principle, text, facts)) is not None


def test_the_bot_never_claims_a_salespersons_own_car_buying():
    """Shared ground without pretending: the bot is an AI assistant (domain brief, honesty rules)."""
    for s in PLAYBOOK.scripts:
        for phrase in ("我自己买", "我当初买", "我也是这么过来", "换作是我", "我自己挑"):
            assert phrase not in s.text, (s.id, phrase)


def test_loader_rejects_a_script_whose_label_is_not_true(tmp_path):
    script = (
        "{id: price_plain_facts, principle: liking, move: value, facts: [dealer.warranty],"
        " text: '价格方面，我们是{dealer.warranty}。'}"
    )
    folder = playbook_with(tmp_path, "objection_price.yml", script)
    with pytest.raises(DataFileError, match=r"\(price_plain_facts\)\.principle: the text does not carry 'liking'"):
        load_playbook(folder)
