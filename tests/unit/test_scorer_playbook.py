"""The playbook passes its own rubric: every script, rendered with the catalog's facts in every context the
engine can use it, scored at a turn where the rule table (data/playbook/rule_table.yml) asks for its move, is
recognised as that move and as the principle it is labelled with, and breaks no rule. A trainee who copies
the scorecard's model answer is marked for what it is."""

import pytest

from bot.catalog import load_catalog
from bot.playbook.audit import meetable_attempts, render
from bot.playbook.loader import load_playbook
from bot.roleplay.rubric import CHECKS, load_rubric
from bot.roleplay.scorer import Expectation, ReplyScorer
from tests.unit.shared import ROOT, model_contexts

PLAYBOOK = load_playbook(ROOT / "data/playbook", trainer_checks=False)
CATALOG = load_catalog(ROOT / "data/catalog.yml")
CONTEXTS = model_contexts(CATALOG, (None, "安全性", "造型与外观"))


@pytest.fixture(scope="module")
def scorer():
    return ReplyScorer(load_rubric(ROOT / "data/roleplay/rubric.yml"), CATALOG)


def turns(script):
    """(attempt, moves) of each rule row that asks for the script's move at an attempt the engine can use it."""
    rule = PLAYBOOK.rules[script.objection]
    out = []
    for attempt in meetable_attempts(PLAYBOOK, script, range(1, 4)):
        rows = [
            r
            for r in rule.rows
            if attempt >= r.when.attempt_min and (r.when.attempt_max is None or attempt <= r.when.attempt_max)
        ] or [rule.rows[-1]]
        out += [(attempt, r.moves) for r in rows if script.move in r.moves]
    return sorted(set(out))


def recognised(score, move):
    if move in CHECKS:
        return score.checks[move].passed
    return "concession" not in score.missing  # a concession is recognised through reciprocity


@pytest.mark.parametrize("script", PLAYBOOK.scripts, ids=lambda s: s.id)
def test_script_is_recognised_as_its_move_and_principle_at_its_turn(scorer, script):
    rendered = {text for slots in CONTEXTS if (text := render(PLAYBOOK, CATALOG, script, slots))}
    assert rendered and turns(script), f"{script.id} is never used"
    for attempt, moves in turns(script):
        for text in sorted(rendered):
            score = scorer.score(text, Expectation(script.objection, attempt, moves))
            assert recognised(score, script.move), (script.id, script.move, score.notes(), text)
            assert script.principle in score.principles, (script.id, script.principle, score.notes(), text)
            assert not score.penalties, (script.id, score.notes(), text)
