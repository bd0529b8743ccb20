"""Price match as its own case (issue 14, item 7): a same-model quote from another dealer is read by
the cue words of policy.yml inside a competitor, price or discount message, and answered by its own
scripts and rule rows: what the quote includes, like for like, never the other dealer run down, never
a match on the spot."""

import itertools
from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.playbook.audit import met_together, render, shared_runs
from bot.playbook.loader import load_playbook
from bot.playbook.model import PRICE_MATCH
from bot.playbook.price_match import is_price_match
from bot.playbook.rules import Context, select_script
from tests.unit.shared import ents

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = load_playbook(ROOT / "data/playbook")
CATALOG = load_catalog(ROOT / "data/catalog.yml")
CUES = PLAYBOOK.policy.price_match
INCLUDES = ("保险", "上牌", "费", "送", "保养")  # what a quote may or may not include


@pytest.mark.parametrize(
    "text, intent, entities, expected",
    [
        (
            "城西那家店同款远山比你们便宜6000",
            "objection_competitor",
            [("car_model", "远山", "远山"), ("money", "6000", 6000)],
            True,
        ),
        (
            "城西那家店同款远山比你们便宜6000",
            "objection_price",
            [("car_model", "远山", "远山"), ("money", "6000", 6000)],
            True,
        ),
        (
            "别的店晨风同样配置报价低五千",
            "ask_discount",
            [("car_model", "晨风", "晨风"), ("money", "五千", 5000)],
            True,
        ),
        ("另外一家4S店一样的车便宜不少", "objection_competitor", [], True),
        # another brand is a competitor, not a price match
        (
            "比亚迪宋PLUS比你们便宜两万",
            "objection_competitor",
            [("competitor", "比亚迪", "比亚迪"), ("money", "两万", 20000)],
            False,
        ),
        ("远山太贵了", "objection_price", [("car_model", "远山", "远山")], False),
        # the same words outside the objections it is read in
        ("城西那家店同款远山比你们便宜6000", "ask_product_info", [("car_model", "远山", "远山")], False),
    ],
)
def test_price_match_is_read_by_cue_words(text, intent, entities, expected):
    assert is_price_match(text, intent, ents(text, *entities), CUES) is expected


def escalate(slots, times=4):
    used, last, out = (), None, []
    for attempt in range(1, times + 1):
        ctx = Context("objection_competitor", attempt, None, slots, (), used, last, 0, case=PRICE_MATCH)
        c = select_script(PLAYBOOK, CATALOG, ctx)
        out.append(c)
        if c:
            used, last = used + (c.script_id,), c.principle
    return out


@pytest.mark.parametrize("slots", [{}, {"car_model": "远山"}, {"car_model": "晨风", "competitor": "卡罗拉"}])
def test_price_match_asks_what_the_quote_includes_then_compares_like_for_like(slots):
    first, second, third, _ = escalate(slots)
    for c in (first, second, third):
        assert PLAYBOOK.script(c.script_id).objection == PRICE_MATCH
        assert c.objection == "objection_competitor" and c.annotation()["case"] == PRICE_MATCH
        assert c.stage == "协商"
    assert first.move == "clarify" and sum(w in first.text for w in INCLUDES) >= 4
    assert "强项" not in first.text and "那款车" not in first.text  # not a different car
    assert second.move == "value" and ("对照" in second.text or "比" in second.text)
    assert third.move in ("next_step", "value")


def test_price_match_never_runs_the_other_dealer_down_nor_matches_the_price():
    for script in PLAYBOOK.scripts_for(PRICE_MATCH):
        text = render(PLAYBOOK, CATALOG, script, {"car_model": "远山"}) or script.text
        assert not any(w in text for w in CUES.never_say), script.id
        assert not any(w in text for w in ("便宜给您", "也能便宜", "给您降", "跟他们一样的价")), script.id
        assert "dealer.gift" not in script.facts  # no gift to close a price gap


def test_price_match_scripts_met_in_one_escalation_share_no_clause():
    scripts = PLAYBOOK.scripts_for(PRICE_MATCH)
    assert len(scripts) >= 4
    for a, b in itertools.combinations(scripts, 2):
        if met_together(PLAYBOOK, a, b):
            ta, tb = (render(PLAYBOOK, CATALOG, s, {"car_model": "远山"}) or "" for s in (a, b))
            assert not shared_runs(ta, tb), (a.id, b.id, shared_runs(ta, tb))


def test_the_consultant_step_records_the_quote_for_the_team():
    step = PLAYBOOK.script("pricematch_next_consultant")
    assert step.records and "同款比价" in step.records
    assert any(b.payload == "/request_human" for b in step.buttons)
