"""Reaction choice in customer mode: each reaction is triggered by a reply that does that thing and
not by a near miss that does not; readiness sets how fast the customer softens; the rules file and
persona files are checked on load with errors naming file and field."""

import dataclasses
import shutil
from pathlib import Path
from typing import Sequence, Tuple

import pytest

from bot.catalog import load_catalog
from bot.exceptions import DataFileError
from bot.playbook.loader import load_playbook
from bot.roleplay.personas import load_personas
from bot.roleplay.reactions import NEGATIVE, Listener, ReplyReader, fab_terms, load_reactions
from bot.roleplay.rubric import CHECKS, load_rubric
from bot.roleplay.scorer import CheckResult, ReplyScorer, Score
from bot.roleplay.session import TEST_DRIVE, WALK_OUT, CustomerSession
from tests.unit.shared import edit

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "data/roleplay/reactions.yml"
FIRST_BUYER = "price_sensitive_first_buyer"  # 晨风; cares about 超值性 then 安全性


@pytest.fixture(scope="module")
def reader():
    return ReplyReader(load_reactions(RULES))


@pytest.fixture(scope="module")
def personas():
    return load_personas(ROOT / "data/roleplay/personas")


@pytest.fixture(scope="module")
def listener(personas):
    p = personas[FIRST_BUYER]
    model = load_catalog(ROOT / "data/catalog.yml").model_by_name(p.car_model)
    return Listener(p.cares_about, p.profile, p.lines, p.cares_lines, fab_terms(model))


def score(passed: Sequence[str] = (), penalties: Tuple[Tuple[str, str], ...] = ()) -> Score:
    """A scorer result with the given checks passed (the reader only looks at checks and penalties)."""
    checks = {
        n: CheckResult(n, n, n in passed, 10 if n in passed else 0, ("x",) if n in passed else ()) for n in CHECKS
    }
    return Score(60 if passed else 20, checks, (), tuple(CheckResult(n, n, True, -30, (e,)) for n, e in penalties), ())


def kinds(reader, listener, reply, passed=(), penalties=(), untouched=False, topic=()):
    return [r.kind for r in reader.read(reply, score(passed, penalties), listener, 0, untouched, topic)]


# kind -> (a reply that does it, a near miss that does not)
CASES = {
    "argued": ("您想多了吧，这车根本不是您说的那样。", "您说得有道理，这个价确实要好好考虑。"),
    "discounted": ("行，我直接给您便宜三千，这总可以了吧。", "价格上真没法再便宜了，不过可以送您全车贴膜。"),
    "pushed_early": ("别想了，今天就交定金吧。", "不急着下单，您先把问题问清楚。"),
    "answered": ("您的预算大概控制在多少呢？", "我们有适合各种预算的车型。"),
    "calculated": ("综合油耗5.6升，按您每天通勤四十公里算，一个月油钱大概四百元。", "晨风油耗很低，平时很省钱。"),
    "materials": ("我给您整理一份配置表，发到您微信上。", "您之前做的那张对比表很细致。"),
    "cares_met": ("晨风全系标配六气囊和主动刹车，前车急停它能自己刹住。", "晨风很安全，您放心。"),
    "off_target": ("晨风有一条贯穿式灯带，开出去很有面子。", "晨风的外观您喜欢吗？"),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_reaction_is_triggered_by_a_reply_that_does_it_and_not_by_a_near_miss(reader, listener, kind):
    does, near_miss = CASES[kind]
    assert kind in kinds(reader, listener, does)
    assert kind not in kinds(reader, listener, near_miss)


def test_scorer_penalties_count_as_reactions(reader, listener):
    assert kinds(reader, listener, "嗯。", penalties=(("argue", "x"),)) == ["argued"]
    assert kinds(reader, listener, "嗯。", penalties=(("floor_price", "x"),)) == ["discounted"]
    assert kinds(reader, listener, "嗯。", penalties=(("fake_urgency", "x"),)) == ["pushed_early"]


def test_running_a_competitor_down_is_arguing(reader, listener):
    assert kinds(reader, listener, "卡罗拉毛病多，车主投诉一大堆。") == ["argued"]


def test_a_test_drive_demanded_before_anything_is_answered_is_pushing(reader, listener):
    assert kinds(reader, listener, "来试驾一下吧。", untouched=True) == ["pushed_early"]
    assert "pushed_early" not in kinds(reader, listener, "来试驾一下吧。", untouched=False)
    assert "pushed_early" not in kinds(
        reader, listener, "我理解您的顾虑，来试驾一下吧。", passed=("acknowledge",), untouched=True
    )


def test_acknowledging_alone_gets_a_nod_only_when_the_rubric_sees_it(reader, listener):
    assert kinds(reader, listener, "我理解您的顾虑。", passed=("acknowledge",)) == ["acknowledged"]
    assert kinds(reader, listener, "哦。") == []


def test_negative_reactions_drown_out_the_positive_ones(reader, listener):
    reply = "我理解，但您这就是不懂车。您的预算是多少？"
    assert kinds(reader, listener, reply, passed=("acknowledge", "clarify")) == ["argued"]


def test_an_answer_comes_from_the_persona_profile_and_invitations_are_not_questions(reader, listener, personas):
    reactions = reader.read("您平时主要怎么用车？预算大概多少呢？", score(), listener, 0, False)
    profile = personas[FIRST_BUYER].profile
    assert [(r.kind, r.line) for r in reactions] == [("answered", profile["usage"]), ("answered", profile["budget"])]
    assert kinds(reader, listener, "您什么时候方便来试驾？") == []  # a next step, not a question about timing
    assert kinds(reader, listener, "买车要管好几年的事。") == []  # 几 alone does not make a question


def test_cares_met_speaks_to_the_aspect_the_reply_is_about_in_the_persona_words(reader, listener, personas):
    (r,) = reader.read("晨风全系标配六气囊和主动刹车，前车急停它能自己刹住。", score(), listener, 0, False)
    assert r.kind == "cares_met" and r.evidence[0] == "安全性"
    assert r.line in personas[FIRST_BUYER].cares_lines["安全性"]


def test_off_target_names_what_the_customer_cares_about_and_spares_on_topic_answers(reader, listener):
    (r,) = reader.read("晨风有一条贯穿式灯带，开出去很有面子。", score(), listener, 0, False)
    assert r.kind == "off_target" and "性价比" in r.line
    assert kinds(reader, listener, "晨风有一条贯穿式灯带，开出去很有面子。", topic=("面子",)) == []


def test_calculation_needs_two_amounts_and_a_sum(reader, listener):
    assert "calculated" not in kinds(reader, listener, "晨风豪华版12.68万。")
    assert "calculated" not in kinds(reader, listener, "晨风豪华版12.68万，旗舰版13.98万。")
    assert "calculated" in kinds(reader, listener, "豪华版12.68万，首付两成就是2.5万左右，每个月还两千多元。")


def test_reaction_lines_presume_nothing_the_reply_did_not_do(reader, personas):
    """Words that presume a calculation or materials appear only in lines of that reaction: not in
    other reactions' lines (defaults or the persona's), nor in what a customer says whatever the reply
    did (objection lines, endings, state lines)."""
    from tests.server.test_roleplay_personas import PRESUMING

    for persona in personas.values():
        own = dict(reader.rules.lines, **persona.lines)
        state = [s for o in persona.objections for s in o.open + o.repeat + o.soften + o.warming]
        state += list(persona.endings.values()) + list(own["ready"]) + list(own["warming"])
        others = [(k, line) for k, lines in own.items() for line in lines]
        others += [("cares_met", line) for lines in persona.cares_lines.values() for line in lines]
        for kind, words in PRESUMING.items():
            assert not [s for s in state if any(w in s for w in words)], persona.id
            assert not [(k, s) for k, s in others if k != kind and any(w in s for w in words)], persona.id


# --- the session: warmth, readiness, the wait for a test drive --------------------------------------


@pytest.fixture(scope="module")
def parts(personas, reader):
    return (
        ReplyScorer(load_rubric(ROOT / "data/roleplay/rubric.yml")),
        load_playbook(ROOT / "data/playbook"),
        load_catalog(ROOT / "data/catalog.yml"),
        personas,
        reader,
    )


def visit(parts, persona_id=FIRST_BUYER, level="normal", **changes):
    scorer, playbook, catalog, personas, reader = parts
    persona = dataclasses.replace(personas[persona_id], **changes)
    return CustomerSession(persona, level, scorer, playbook, catalog, reader)


GOOD_PRICE = "我理解，十二万对刚工作的人确实不是小数目。方便说说您的预算大概多少吗？"
SAFETY = "我理解。晨风全系标配六气囊和主动刹车，对您来说上下班跟车更安心。"


def replies_to_settle(session, reply: str) -> int:
    n = 0
    while session.index == 0 and not session.outcome:
        session.respond(reply)
        n += 1
        assert n < 10
    return n


def test_readiness_sets_how_fast_the_customer_softens(parts):
    turns = {r: replies_to_settle(visit(parts, readiness=r), GOOD_PRICE) for r in ("R1", "R2", "R3", "R4")}
    assert turns["R4"] == 1 and turns["R4"] < turns["R2"] < turns["R1"]
    assert turns["R2"] == turns["R3"]


def test_speaking_to_what_the_customer_cares_about_softens_faster(parts):
    assert replies_to_settle(visit(parts, readiness="R1"), SAFETY) < replies_to_settle(
        visit(parts, readiness="R1"), GOOD_PRICE
    )


def test_arguing_takes_warmth_away_and_wears_patience(parts):
    s = visit(parts)
    s.respond(GOOD_PRICE)
    assert s.warmth == 1 and s.weak == 0
    turn = s.respond("您想多了，根本不是您说的那样。")
    assert [r.kind for r in turn.reactions] == ["argued"] and s.warmth == 0 and s.weak == 1
    assert turn.customer_line.startswith(turn.reactions[0].line)


def test_the_customer_waits_for_a_test_drive_to_be_proposed(parts):
    s = visit(parts, readiness="R4", objections=visit(parts).persona.objections[:1])
    turn = s.respond(GOOD_PRICE)  # settles the only objection, proposes nothing
    assert s.ready and s.outcome is None
    assert any(line in turn.customer_line for line in s.reader.rules.lines["ready"])
    assert s.hint().startswith(s.playbook.moves["next_step"].zh)  # the hint now asks for the next step
    turn = s.respond("您说得对。")
    assert s.ready and s.weak == 1  # still waiting
    turn = s.respond("这周末来店里试驾一下？")
    assert s.outcome == TEST_DRIVE and s.persona.endings[TEST_DRIVE] in turn.customer_line


def test_a_weak_trainee_makes_the_customer_walk_out_with_the_reactions_before_the_ending(parts):
    s = visit(parts)
    for reply in ("您想多了吧。", "我直接给您便宜五千。", "今天就交定金吧。"):
        turn = s.respond(reply)
    assert s.outcome == WALK_OUT
    assert [r.kind for t in s.turns for r in t.reactions] == list(NEGATIVE)
    assert turn.customer_line.endswith(s.persona.endings[WALK_OUT])


# --- loading ------------------------------------------------------------------------------------------


def copy_roleplay(tmp_path) -> Path:
    d = tmp_path / "roleplay"
    shutil.copytree(ROOT / "data/roleplay/personas", d / "personas")
    shutil.copy(RULES, d / "reactions.yml")
    return d


# file, the edits made to it, what loading the personas must then report
BROKEN = {
    "persona-without-an-answer-for-a-question-topic": (
        "personas/retired_couple.yml",
        [("  timing: ", "  when: ")],
        ["retired_couple.yml: profile: missing field 'timing'", "retired_couple.yml: profile.when: unknown field"],
    ),
    "persona-reaction-lines": (
        "personas/ev_doubter.yml",
        [
            ("  calculated: [", "  calculatd: ["),
            ("    超值性: [", "    造型与外观: ["),
            ("readiness: R2", "readiness: R5"),
        ],
        [
            "ev_doubter.yml: reactions.calculatd: unknown field",
            "ev_doubter.yml: reactions.cares_met.造型与外观: unknown field",
            "ev_doubter.yml: readiness: 'R5' is not one of R1, R2, R3, R4",
        ],
    ),
    "reaction-rules": (
        "reactions.yml",
        [
            ("  argued: -2", "  argued: 2"),
            ("  R3: {zh: 有能力但还有顾虑, extra_warmth: 1}", "  R3: {zh: 有能力但还有顾虑}"),
        ],
        [
            "reactions.yml: warmth.argued: negative reactions take warmth away",
            "reactions.yml: readiness.R3: missing field 'extra_warmth'",
        ],
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_persona_and_reaction_files_are_reported_with_file_and_field(tmp_path, case):
    file, edits, messages = BROKEN[case]
    d = copy_roleplay(tmp_path)
    for old, new in edits:
        edit(d / file, old, new)
    with pytest.raises(DataFileError) as e:
        load_personas(d / "personas")
    for message in messages:
        assert message in str(e.value)
