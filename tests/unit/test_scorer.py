"""The roleplay rubric on labelled trainee replies written for these tests
(tests/data/roleplay_replies.yml): every check, principle and penalty, and the ranking of
better and worse answers to the same turn."""

from pathlib import Path

import pytest

from bot.playbook.loader import load_playbook
from bot.playbook.rules import Context, matches
from bot.roleplay.rubric import load_rubric
from bot.roleplay.scorer import Expectation, ReplyScorer
from bot.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = read_yaml(ROOT / "tests/data/roleplay_replies.yml")


@pytest.fixture(scope="module")
def scorer():
    return ReplyScorer(load_rubric(ROOT / "data/roleplay/rubric.yml"))


@pytest.fixture(scope="module")
def playbook():
    return load_playbook(ROOT / "data/playbook")


def expectation(playbook, objection, attempt):
    ctx = Context(objection, attempt)
    rule = playbook.rules[objection]
    row = next((r for r in rule.rows if matches(r.when, ctx)), rule.rows[-1])
    return Expectation(objection, attempt, row.moves)


@pytest.mark.parametrize("case", DATA["replies"], ids=[c["id"] for c in DATA["replies"]])
def test_labelled_reply(scorer, playbook, case):
    score = scorer.score(case["reply"], expectation(playbook, case["objection"], case["attempt"]))
    assert {n for n, c in score.checks.items() if c.passed} == set(case["checks"]), score.notes()
    assert set(score.principles) == set(case["principles"]), score.notes()
    assert {p.name for p in score.penalties} == set(case["penalties"]), score.notes()


def test_labelled_replies_cover_every_check_principle_and_penalty():
    cases = DATA["replies"]
    assert len(cases) >= 40
    for key, names in (("checks", ("acknowledge", "clarify", "value", "next_step")),
                       ("principles", ("reciprocity", "social_proof", "commitment", "liking", "testimonial",
                                       "friendship", "peer_identity")),
                       ("penalties", ("argue", "discount_at_once", "floor_price", "fake_urgency"))):
        for name in names:
            assert sum(name in c[key] for c in cases) >= 2, (key, name)
            if key == "checks":
                assert sum(name not in c[key] for c in cases) >= 2, (key, name)


@pytest.mark.parametrize("group", DATA["ranked"], ids=[f"{g['objection']}-{g['attempt']}-{i}"
                                                         for i, g in enumerate(DATA["ranked"])])
def test_better_answers_score_strictly_higher_on_the_same_turn(scorer, playbook, group):
    exp = expectation(playbook, group["objection"], group["attempt"])
    totals = [scorer.score(r, exp).total for r in group["replies"]]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == len(totals), totals


def test_penalties_depend_on_the_turn(scorer, playbook):
    cut = "那我给您便宜五千吧"
    assert [p.name for p in scorer.score(cut, expectation(playbook, "ask_discount", 1)).penalties] == [
        "discount_at_once"]
    assert scorer.score(cut, expectation(playbook, "ask_discount", 3)).penalties == ()
    floor = "这台车底价就是十二万"
    assert scorer.score(floor, expectation(playbook, "objection_price", 2)).penalties
    assert not scorer.score(floor, expectation(playbook, "objection_price", 3)).penalties


def test_score_lists_evidence_and_missing_moves(scorer, playbook):
    score = scorer.score("我理解您的顾虑。", expectation(playbook, "objection_price", 1))
    assert score.checks["acknowledge"].evidence == ("理解",)
    assert score.missing == ("clarify",)
    assert "缺少：澄清" in score.notes()
