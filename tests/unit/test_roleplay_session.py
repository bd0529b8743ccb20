"""Customer mode without servers: personas load, the customer reacts to the score and to what the
reply did, the visit ends with a test drive for a good trainee and a walk-out for a weak one, and
the scorecard adds up."""

import pytest

from bot.exceptions import DataFileError
from bot.roleplay.personas import load_personas
from bot.roleplay.session import TEST_DRIVE, WALK_OUT, CustomerSession
from tests.unit.shared import ROOT, roleplay_parts

GOOD = {
    "objection_price": [
        "我理解，十二万对刚工作的人确实不是小数目。方便说说您的预算大概多少吗？",
        "晨风标配六气囊和主动刹车，对您来说上下班堵车跟车更安心，很多客户都是冲这个买的。",
        "车价是统一的，不过我可以送您全车贴膜和脚垫。这周末来试驾一下？",
    ],
    "ask_discount": [
        "想便宜点很正常。您心里的目标价位大概是多少呢？",
        "晨风豪华版标配大屏和倒车影像，对您来说不用再花钱加装，很多客户都选这个配置。",
        "价格动不了，但我帮您申请首年两次免费保养，再送您行车记录仪。周六来店里试驾？",
    ],
}
WEAK = "哦，那您再看看吧。"


@pytest.fixture(scope="module")
def parts():
    return roleplay_parts()


def session(parts, persona="price_sensitive_first_buyer", level="normal"):
    scorer, playbook, catalog, personas, reader = parts
    return CustomerSession(personas[persona], level, scorer, playbook, catalog, reader)


def play(s, answers):
    while not s.outcome:
        attempt_answers = answers.get(s.current.objection)
        reply = attempt_answers[min(s.attempt - 1, len(attempt_answers) - 1)] if attempt_answers else WEAK
        s.respond(reply)
        assert len(s.turns) < 20
    return s


def test_there_are_at_least_four_personas_each_with_three_levels(parts):
    personas = parts[3]
    assert len(personas) >= 4
    assert all(set(p.levels) == {"easy", "normal", "hard"} for p in personas.values())


def test_good_trainee_books_a_test_drive_and_scores_higher_than_a_weak_one(parts):
    good = play(session(parts), GOOD)
    weak = play(session(parts), {})
    assert good.outcome == TEST_DRIVE and weak.outcome == WALK_OUT
    assert "试驾" in good.turns[-1].customer_line
    assert good.scorecard().total > weak.scorecard().total + 30


def test_customer_repeats_after_a_weak_answer_and_softens_after_a_good_one(parts):
    s = session(parts)
    weak = s.respond(WEAK)
    assert not weak.good and weak.customer_line in s.persona.objections[0].repeat and s.attempt == 2
    good = s.respond(GOOD["objection_price"][1])  # the second push expects value (FAB)
    assert good.good and [r.kind for r in good.reactions] == ["cares_met"]  # safety: what she cares about
    assert any(line in good.customer_line for line in s.persona.objections[0].soften)
    assert s.index == 1


def test_harder_levels_need_more_good_answers_and_lose_patience_sooner(parts):
    easy, hard = session(parts, level="easy"), session(parts, level="hard")
    assert easy.warmth_needed < hard.warmth_needed
    for reply in GOOD["objection_price"][:2]:
        easy.respond(reply)
        hard.respond(reply)
    assert easy.index == 1 and hard.index == 0  # easy moved on to the next objection
    assert play(session(parts, level="hard"), {}).scorecard().turn_notes.__len__() == 2


def test_hint_names_the_expected_moves(parts):
    s = session(parts)
    assert "分析原因" in s.hint() and "肯定异议" in s.hint()


def test_scorecard_has_dimensions_notes_suggestions_with_model_answers_and_comparison(parts):
    s = play(session(parts), {})
    card = s.scorecard(previous_totals=[40, 55])
    assert 0 <= card.total <= 100 and set(card.dimensions) >= {"acknowledge", "clarify", "value", "next_step"}
    assert len(card.turn_notes) == len(s.turns) and "缺少" in card.turn_notes[0]
    assert len(card.suggestions) == 3
    playbook = parts[1]
    for suggestion in card.suggestions:
        assert playbook.script(suggestion.script_id).move == suggestion.move and suggestion.model_answer
    assert "上次55分" in card.comparison and "历史最好55分" in card.comparison
    assert "第一次" in s.scorecard().comparison


def test_responding_after_the_end_is_refused(parts):
    s = play(session(parts), {})
    with pytest.raises(ValueError):
        s.respond("还在吗")


def test_broken_persona_file_is_reported_with_file_and_field(tmp_path):
    import shutil

    shutil.copytree(ROOT / "data/roleplay/personas", tmp_path / "p")
    path = tmp_path / "p" / "hesitant_staller.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  hard: {good_score: 65", "  hardest: {good_score: 65"),
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="hesitant_staller.yml: levels: missing field 'hard'"):
        load_personas(tmp_path / "p")
