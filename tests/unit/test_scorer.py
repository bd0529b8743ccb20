"""The roleplay scorer on the development data it is tuned on (tests/data/trainee_replies_dev.yml and
tests/data/roleplay_replies.yml, labelled by shared/docs/trainee-labelling.md), and the structural cases it
must get right whatever the wording: negation, questions without question words, a feature tied to a
benefit, word salad, the new penalties. The independent evaluation set is measured in
test_scorer_eval.py and never tuned on."""

from pathlib import Path

import pytest

from bot.constants import OBJECTION_INTENTS
from bot.playbook.loader import load_playbook
from bot.roleplay.labelled import expectation_for, load_labelled, load_old_replies, measure
from bot.roleplay.rubric import CHECKS, PENALTIES, load_rubric
from bot.roleplay.scorer import Expectation, PenaltyClassifier, ReplyScorer
from bot.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parents[2]
OLD = read_yaml(ROOT / "tests/data/roleplay_replies.yml")


@pytest.fixture(scope="module")
def playbook():
    return load_playbook(ROOT / "data/playbook", trainer_checks=False)


@pytest.fixture(scope="module")
def scorer(playbook):
    return ReplyScorer(load_rubric(ROOT / "data/roleplay/rubric.yml"), playbook=playbook)


def score(scorer, text, objection="objection_price", attempt=1, moves=("clarify", "acknowledge")):
    return scorer.score(text, Expectation(objection, attempt, moves))


def passed(s):
    return {n for n, c in s.checks.items() if c.passed}


def penalties(s):
    return {p.name for p in s.penalties}


@pytest.mark.parametrize(
    "text, checks, banned",
    [
        # negation: the bad move refused or denied is not made
        ("是不便宜，您心里大概想控制在多少？", {"acknowledge", "clarify"}, {"instant_discount"}),
        ("没有底价一说，我们明码标价。", set(), {"floor_price"}),
        ("价格上真没法再便宜一点了。", set(), {"instant_discount"}),
        ("现金优惠我给不了，车价是厂家定的。", set(), {"instant_discount"}),
        ("您说是这个道理，对不对？", set(), {"argue"}),
        ("我们不会涨价，也不存在只剩几台的情况，您慢慢看。", {"acknowledge"}, {"fake_urgency"}),
        ("别家让了一万？他们那个价含不含保险？", {"clarify"}, {"instant_discount"}),
        ("这个我特别能体会。", {"acknowledge"}, set()),
        # a verdict on the customer's point is negated only right before it; the point may hold a negation
        ("怕半路没电很正常。", {"acknowledge"}, set()),
        ("没时间来店里看车也很正常。", {"acknowledge"}, set()),
        ("这种担心不太正常。", set(), set()),
        ("这个说法没有道理。", set(), set()),
        # a question without a question word is still a question; a proposal or a repeat-back is not clarify
        ("您看的是哪个版本呀？", {"clarify"}, set()),
        ("您大概什么时候要用车呢？", {"clarify"}, set()),
        ("家里或者单位能装充电桩不？", {"clarify"}, set()),
        ("周六上午来试驾一下，好吗？", {"next_step"}, set()),
        # value: a feature (catalog equipment or a spec number with its unit) and a benefit for the customer
        ("S7比S5轴距长12厘米，后排能多出一拳的腿部空间。", {"value"}, set()),
        ("发动机质保5年15万公里，开着心里有底。", {"value"}, set()),
        # value is catalog-backed facts only: a longer warranty or equipment the model lacks earns nothing
        ("发动机质保8年16万公里，开着心里有底。", set(), set()),
        ("晨风有电动尾门，您拎着菜一按就开，特别方便。", set(), set()),
        ("远山两驱舒适版就有全景天窗，孩子在后排能看星星，您带娃更省心。", set(), set()),
        ("远山两驱豪华版就有全景天窗，孩子在后排能看星星，您带娃更省心。", {"value"}, set()),
        ("晨风八个气囊，您上下班更安心。", set(), set()),
        ("标配六个气囊和主动刹车，前车急停它能帮您刹住。", {"value"}, set()),
        ("纯电，续航520公里，CLTC工况，标配座椅加热。", set(), set()),  # features, no benefit
        ("质量没问题的，放心吧。", set(), set()),  # a vague claim
        # next step: concrete, not a vague hand-off
        ("好的，那您商量好了再来找我。", set(), set()),
        ("我加您微信，把配置表发您，下周二我再打电话问问。", {"next_step"}, set()),
    ],
)
def test_structural_cases(scorer, text, checks, banned):
    s = score(scorer, text)
    assert passed(s) == checks, s.notes()
    assert not penalties(s) & banned, s.notes()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("下个月厂家就调价了，库存也就两台。", {"fake_urgency"}),
        ("凯美瑞发动机毛病多，车主投诉一大堆。", {"disparage"}),
        ("日系车铁皮薄，撞一下就完蛋。", {"disparage"}),
        ("您可能不懂车，这个价很公道。", {"argue"}),
        ("那我给您便宜五千吧。", {"instant_discount"}),
        ("保险我给您补贴两千，今天定吧。", {"instant_discount"}),
        ("最低十五万二，这是底价了。", {"floor_price"}),
        ("油耗不是重点，别纠结这点钱。", {"argue"}),
    ],
)
def test_penalties_whatever_the_attempt(scorer, text, expected):
    for attempt in (1, 3):  # labels do not depend on the attempt (trainee-labelling.md)
        assert penalties(score(scorer, text, attempt=attempt)) == expected


def test_a_fact_the_catalog_contradicts_is_said_why(scorer):
    s = score(scorer, "星河续航600公里，您一周充一次就够用。")
    assert not s.checks["value"].passed and s.wrong_facts
    assert "520公里" in s.notes()


def test_word_salad_does_not_score_high(scorer):
    salad = score(scorer, "理解理解，预算多少？试驾安全省心，很多客户送您。")
    assert salad.word_salad and not passed(salad) and salad.total <= 30
    assert "关键词堆砌" in salad.notes()


def test_condescension_earns_no_liking(scorer):
    s = score(scorer, "您可能不懂车，不过您眼光还行。")
    assert "liking" not in s.principles and penalties(s) == {"argue"}


def test_running_a_competitor_down_earns_no_testimonial_points(scorer):
    s = score(scorer, "凯美瑞发动机毛病多，车主投诉一大堆。")
    assert "testimonial" not in s.principles and s.total <= 20


@pytest.mark.parametrize(
    "text, acknowledged",
    [
        ("我理解，但说实话您家里人是想多了。", True),  # accepts first, then argues: both (trainee-labelling.md)
        ("我懂您的意思，不过说实话担心这个有点多余。", True),
        ("这有啥好担心的，现在的CVT早没毛病了。", False),  # 没毛病 after the dismissal accepts nothing
    ],
)
def test_an_argued_reply_acknowledges_only_in_its_opening_clause(scorer, text, acknowledged):
    s = score(scorer, text)
    assert "argue" in penalties(s), s.notes()
    assert s.checks["acknowledge"].passed is acknowledged, s.notes()
    assert s.total > 0 if acknowledged else s.total == 0  # grade 2 (a penalty and a check) above grade 1


def test_bonuses_never_lift_a_reply_into_a_higher_grade(scorer):
    rubric = scorer.rubric.scoring
    gift = "送您一台行车记录仪，再加全车贴膜。"  # reciprocity, the concession the turn expects, no check
    s = scorer.score(gift, Expectation("objection_price", 3, ("concession",)))
    assert not passed(s) and "reciprocity" in s.principles and not s.missing, s.notes()
    assert s.total < rubric.base + rubric.checks[0], s.notes()  # below any reply with one check


def test_score_keeps_evidence_and_missing_moves(scorer):
    s = score(scorer, "我理解您的顾虑。")
    assert "理解" in s.checks["acknowledge"].evidence
    assert s.missing == ("clarify",)
    assert "缺少：澄清" in s.notes() and "认同（" in s.notes()
    cut = score(scorer, "那我给您便宜五千吧")
    assert "便宜五千" in cut.penalties[0].evidence and cut.penalties[0].evidence[0] in cut.notes()


def test_playbook_answer_is_credited_with_its_label(scorer, playbook):
    s = score(
        scorer,
        "您这么认真地比价，说明是真心想买一台好车，这点我很欣赏。我们是明码标价，价格清清楚楚。"
        "您更在意一次性付的总价，还是以后每个月的用车开销？",
    )
    assert {"acknowledge", "clarify"} <= passed(s) and "liking" in s.principles
    assert any(e.startswith("话术库:price_ack_transparent") for e in s.checks["acknowledge"].evidence)


@pytest.mark.parametrize(
    "path, floors",
    [
        # (checks macro-F1, penalties macro-F1, principle recall, pair ordering): measured, rounded down
        ("tests/data/trainee_replies_dev.yml", (0.95, 0.96, 0.91, 0.98)),
        ("tests/data/trainee_replies_dev2.yml", (0.86, 0.91, 0.88, 0.95)),  # no grade fields: computed from labels
        ("tests/data/trainee_replies_dev3.yml", (0.89, 0.74, 0.75, 0.93)),  # argue/disparage wordings, another writer
    ],
)
def test_development_set_agreement(scorer, playbook, path, floors):
    m = measure(scorer, load_labelled(ROOT / path), lambda r: expectation_for(playbook, r.intent, r.attempt))
    got = (m.checks_macro_f1, m.penalties_macro_f1, m.principle_recall, m.pair_ordering)
    assert all(g >= f for g, f in zip(got, floors)), (got, m.table())


def test_older_labelled_replies_agreement(scorer, playbook):
    m = measure(
        scorer,
        load_old_replies(ROOT / "tests/data/roleplay_replies.yml"),
        lambda r: expectation_for(playbook, r.intent, r.attempt),
    )
    assert m.checks_macro_f1 >= 0.9 and m.penalties_macro_f1 >= 0.95 and m.principle_recall >= 0.9, m.table()


def test_development_data_cover_every_label():
    replies = load_labelled(ROOT / "tests/data/trainee_replies_dev.yml")
    assert len(replies) >= 150 and len({r.line for r in replies}) >= 30
    assert {r.intent for r in replies} >= set(OBJECTION_INTENTS)
    for name in CHECKS:
        assert sum(name in r.checks for r in replies) >= 10, name
    for name in PENALTIES:
        assert sum(name in r.penalties for r in replies) >= 3, name


@pytest.mark.parametrize(
    "group", OLD["ranked"], ids=[f"{g['objection']}-{g['attempt']}-{i}" for i, g in enumerate(OLD["ranked"])]
)
def test_better_answers_score_strictly_higher_on_the_same_turn(scorer, playbook, group):
    exp = expectation_for(playbook, group["objection"], group["attempt"])
    totals = [scorer.score(r, exp).total for r in group["replies"]]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == len(totals), totals


def test_second_development_set_loads_without_grade_fields():
    replies = load_labelled(ROOT / "tests/data/trainee_replies_dev2.yml")
    assert len(replies) >= 200 and all(1 <= r.grade <= 5 for r in replies)


def test_penalty_classifier_helps_on_held_back_lines(playbook):
    """The classifier trained without every other line of dev2 adds penalties the rules miss there
    (rules alone 0.59 penalties macro-F1 when this was measured, rules + classifier 0.67)."""
    rubric = load_rubric(ROOT / "data/roleplay/rubric.yml")
    dev2 = load_labelled(ROOT / "tests/data/trainee_replies_dev2.yml")
    lines = list(dict.fromkeys(r.line for r in dev2))
    held = [r for r in dev2 if lines.index(r.line) % 2]
    train = load_labelled(ROOT / "tests/data/trainee_replies_dev.yml") + [r for r in dev2 if r not in held]
    clf = PenaltyClassifier([r.text for r in train], [r.penalties for r in train])
    expect = lambda r: expectation_for(playbook, r.intent, r.attempt)  # noqa: E731
    rules = measure(ReplyScorer(rubric, playbook=playbook, classifier=False), held, expect)
    both = measure(ReplyScorer(rubric, playbook=playbook, classifier=clf), held, expect)
    assert both.penalties_macro_f1 > rules.penalties_macro_f1, (rules.table(), both.table())


@pytest.mark.parametrize(
    "text, expected, absent",
    [
        ("延误了我们赔您三千现金，这事就算了吧。", {"instant_discount"}, set()),
        ("首付我给您补一半，首付这不就下来了。", {"instant_discount"}, set()),
        ("我不说那家不好，只想帮您把账对清楚：那台的第三排坐得下吗？", set(), {"disparage"}),
        ("别家的售后就是个摆设，我们比他们强多了。", {"disparage"}, set()),
        ("比旗舰版少四万，首付少八千，月供也跟着降。", set(), {"instant_discount"}),
        ("降不降价我不瞎说。您家里几口人？", set(), {"argue"}),
        ("那是您没细看配置。", {"argue"}, set()),
    ],
)
def test_penalty_wordings(scorer, text, expected, absent):
    got = penalties(score(scorer, text))
    assert expected <= got and not (absent & got), got


def test_peer_identity_from_who_buys_the_model(scorer):
    s = score(scorer, "在我们这儿买远山最多的，是有一两个孩子的年轻家庭。您家里有孩子吗？")
    assert "peer_identity" in s.principles
