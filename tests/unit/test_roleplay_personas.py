"""The personas as data: at least eight, over every catalog model, with the archetypes the training
needs; and every persona played offline with the REST test's strong and weak trainee scripts
(tests/server/test_roleplay_personas.py), so a data edit that breaks a visit fails fast."""

from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.roleplay.practice import get_practice
from bot.roleplay.reactions import NEGATIVE
from bot.roleplay.session import TEST_DRIVE, WALK_OUT
from tests.server.test_roleplay_personas import STRONG, WEAK, check_consistent, expected_weak, strong_reply

ROOT = Path(__file__).resolve().parents[2]
ARCHETYPES = (
    "online_quote_haggler",
    "retired_couple",
    "small_business_buyer",
    "trade_in_owner",
    "price_sensitive_first_buyer",
    "ev_doubter",
    "comparison_shopper",
    "referred_friend",
)


@pytest.fixture(scope="module")
def practice():
    return get_practice(str(ROOT / "data/roleplay"), str(ROOT / "data/catalog.yml"))


def test_at_least_eight_personas_over_every_catalog_model_with_the_archetypes(practice):
    personas = practice.personas
    assert len(personas) >= 8 and set(ARCHETYPES) <= set(personas)
    catalog = load_catalog(ROOT / "data/catalog.yml")
    assert all(catalog.model_by_name(p.car_model) for p in personas.values())
    assert {p.car_model for p in personas.values()} == {m.name for m in catalog.models}
    assert {p.readiness for p in personas.values()} == {"R1", "R2", "R3", "R4"}


def test_the_haggler_quotes_the_internet_and_the_first_buyer_is_a_woman(practice):
    haggler, first = practice.personas["online_quote_haggler"], practice.personas["price_sensitive_first_buyer"]
    assert "网上报价" in haggler.name and "报价" in haggler.background and "网上" in haggler.objections[0].open[0]
    assert "姑娘" in first.name and "第一次买车" in first.background
    assert "介绍" in practice.personas["referred_friend"].background


def play(practice, persona_id, strong):
    session = practice.visit(persona_id, "normal", [])
    for i in range(16):
        reply = (
            strong_reply(persona_id, session.current.objection, session.attempt, session.ready)
            if strong
            else WEAK[i % len(WEAK)][0]
        )
        turn = session.respond(reply)
        check_consistent(
            session.persona,
            reply,
            turn.customer_line,
            [{"kind": r.kind, "line": r.line, "evidence": list(r.evidence)} for r in turn.reactions],
        )
        if session.outcome:
            return session
    pytest.fail(f"{persona_id}: the visit never ended")


@pytest.mark.parametrize("persona_id", sorted(STRONG))
def test_strong_trainee_script_gets_a_test_drive_offline(practice, persona_id):
    s = play(practice, persona_id, strong=True)
    assert s.outcome == TEST_DRIVE
    kinds = [r.kind for t in s.turns for r in t.reactions]
    assert not set(kinds) & set(NEGATIVE) and "answered" in kinds and "cares_met" in kinds


@pytest.mark.parametrize("persona_id", sorted(STRONG))
def test_weak_trainee_script_makes_the_customer_walk_out_offline(practice, persona_id):
    s = play(practice, persona_id, strong=False)
    assert s.outcome == WALK_OUT
    assert [[r.kind for r in t.reactions] for t in s.turns] == [[expected_weak(i)] for i in range(len(s.turns))]
