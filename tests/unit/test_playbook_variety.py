"""Variety: a customer who pushes the same objection again and again (attempts 1, 2, 3 and on, as
data/playbook/rule_table.yml escalates) never hears the same clause twice. Any two scripts of one objection
that can both be met in one escalation share no run of 8 characters inside a clause, rendered with
the catalog's facts (a long fact such as the test-drive perk counts: said once per escalation)."""

import itertools

import pytest

from bot.catalog import load_catalog
from bot.constants import OBJECTION_INTENTS
from bot.playbook.audit import MIN_SHARED, meetable_attempts, met_together, render, shared_runs
from bot.playbook.loader import load_playbook
from bot.playbook.rules import Context, select_script
from tests.unit.shared import ROOT, model_contexts

PLAYBOOK = load_playbook(ROOT / "data/playbook", trainer_checks=False)
CATALOG = load_catalog(ROOT / "data/catalog.yml")
CONTEXTS = model_contexts(CATALOG, (None, "造型与外观"))
GIFT = "〈赠品〉"  # each concession offers the next gift of the list, so two never name the same one


def rendered(script, slots):
    text = render(PLAYBOOK, CATALOG, script, slots)
    if text and "dealer.gift" in script.facts:
        text = text.replace(CATALOG.dealer.gifts[0], GIFT)
    return text


def test_shared_runs_finds_a_repeated_clause_and_ignores_short_or_split_ones():
    assert shared_runs("晨风在我们店平均每月有42台订单。", "它平均每月有42台订单，很受欢迎") == {
        "平均每月有42台",
        "均每月有42台订",
        "每月有42台订单",
    }
    assert not shared_runs("您看哪天方便？", "您看哪天方便来？")  # 6 characters: a common phrase
    assert not shared_runs("首付20%，年利率2.99%", "年利率2，99%首付20%")  # punctuation splits clauses
    assert len(next(iter(shared_runs("一二三四五六七八九", "〇一二三四五六七八")))) == MIN_SHARED


def test_met_together_follows_the_rule_table():
    price = {s.id: s for s in PLAYBOOK.scripts_for("objection_price")}
    # two first-push scripts: only one of them is ever said
    assert not met_together(PLAYBOOK, price["price_clarify_budget"], price["price_ack_transparent"])
    # a first-push script and a third-push one, or two third-push ones (the 3rd, 4th... push)
    assert met_together(PLAYBOOK, price["price_clarify_budget"], price["price_concession_gift"])
    assert met_together(PLAYBOOK, price["price_concession_gift"], price["price_next_test_drive"])
    assert meetable_attempts(PLAYBOOK, price["price_value_owner"]) == (2,)


@pytest.mark.parametrize("objection", OBJECTION_INTENTS)
def test_scripts_met_in_one_escalation_share_no_clause(objection):
    repeats = []
    for a, b in itertools.combinations(PLAYBOOK.scripts_for(objection), 2):
        if not met_together(PLAYBOOK, a, b):
            continue
        for slots in CONTEXTS:
            ta, tb = rendered(a, slots), rendered(b, slots)
            runs = shared_runs(ta, tb) if ta and tb else set()
            if runs:
                repeats.append(f"{a.id} / {b.id}: {sorted(runs)[0]}")
                break
    assert not repeats, "\n".join(repeats)


@pytest.mark.parametrize("objection", OBJECTION_INTENTS)
@pytest.mark.parametrize("model", [m.name for m in CATALOG.models])
def test_pushing_five_times_never_repeats_a_clause(objection, model):
    """The engine's real choices, five pushes in a row, gifts counted as the action counts them."""
    used, last, gifts, texts = (), None, 0, []
    slots = {"car_model": model, "budget": 150000}
    for attempt in range(1, 6):
        choice = select_script(PLAYBOOK, CATALOG, Context(objection, attempt, None, slots, (), used, last, gifts))
        if choice is None:
            break
        for earlier in texts:
            assert not shared_runs(earlier, choice.text), (choice.script_id, shared_runs(earlier, choice.text))
        texts.append(choice.text)
        used, last, gifts = used + (choice.script_id,), choice.principle, gifts + choice.offers_gift
