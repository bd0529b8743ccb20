"""The scorer on the independent evaluation set (tests/data/trainee_replies_eval.yml, labelled by a helper
from the domain brief and trainee-labelling.md only; never tuned on, never edited to pass). Only aggregate
numbers are compared; `python -m bot eval-scorer` prints them and BENCHMARKS.md keeps them per check.

Targets (issue 15): checks macro-F1 >= 0.85, penalties macro-F1 >= 0.80, principle recall >= 0.70, the
better-graded reply scored higher in >= 90 % of pairs. The floors below are what the scorer honestly
reaches where it is short of a target (rounded down), so a regression fails while the gap stays visible."""

from pathlib import Path

import pytest

from bot.playbook.loader import load_playbook
from bot.roleplay.labelled import expectation_for, load_labelled, measure
from bot.roleplay.rubric import load_rubric
from bot.roleplay.scorer import ReplyScorer

ROOT = Path(__file__).resolve().parents[2]
TARGETS = {"checks_macro_f1": 0.85, "penalties_macro_f1": 0.80, "principle_recall": 0.70, "pair_ordering": 0.90}
FLOORS = {
    "checks_macro_f1": 0.86,
    "penalties_macro_f1": 0.85,
    "principle_recall": 0.86,
    "pair_ordering": 0.90,
}  # round 5: 0.87, 0.86, 0.868, 0.907


@pytest.fixture(scope="module", params=["own attempt", "attempt 1"])
def measured(request):
    playbook = load_playbook(ROOT / "data/playbook", trainer_checks=False)
    scorer = ReplyScorer(load_rubric(ROOT / "data/roleplay/rubric.yml"), playbook=playbook)
    replies = load_labelled(ROOT / "tests/data/trainee_replies_eval.yml")
    one = request.param == "attempt 1"  # how the hidden trainer set is run: the playbook's attempt-1 expectation
    return measure(scorer, replies, lambda r: expectation_for(playbook, r.intent, 1 if one else r.attempt))


def test_the_evaluation_set_is_the_independent_one():
    replies = load_labelled(ROOT / "tests/data/trainee_replies_eval.yml")
    assert len(replies) >= 250 and len({r.line for r in replies}) >= 40


@pytest.mark.parametrize("name", list(TARGETS))
def test_scorer_agrees_with_the_trainer_labels(measured, name):
    got = getattr(measured, name)
    assert got >= min(
        TARGETS[name], FLOORS[name]
    ), f"{name} {got:.3f} (issue 15 target {TARGETS[name]}, floor {FLOORS[name]})\n{measured.table()}"
