"""Every persona played through the running servers' REST channel in customer mode: a strong
trainee (acknowledge, clarify, value with catalog facts, next step) gets a test drive, a weak one
(argues, discounts at once, pushes) makes the customer walk out, and every reaction line the
customer says matches what the reply did. The scripts are shared with the offline unit test
(tests/unit/test_roleplay_personas.py)."""

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pytest

from bot.nlu.text import normalize
from bot.roleplay.personas import Persona, load_personas
from bot.roleplay.reactions import NEGATIVE, POSITIVE, load_reactions

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]
PERSONA_DIR = ROOT / "data/roleplay/personas"

# Per persona and objection: [acknowledge + clarify (+ value where the rule table wants it at once),
# value with catalog facts for what this customer cares about, a next step (a test drive)].
STRONG: Dict[str, Dict[str, List[str]]] = {
    "price_sensitive_first_buyer": {
        "objection_price": [
            "我理解，第一次买车，十几万确实不是小数目，谨慎一点是对的。方便说说您的预算大概在多少吗？",
            "晨风豪华版标配大屏和倒车影像，不用再花钱加装；综合油耗5.6升，按您每天通勤四十公里算，一个月油钱也就四百元左右，对您来说每个月的开销心里有底。",
            "您刚才说最怕钱花得不值，晨风每个月有42位客户下订，很多像您这样刚工作的年轻人都选豪华版。车价是统一的，我帮您申请全车贴膜和脚垫免费装。这周末来试驾一下？",
        ],
        "ask_discount": [
            "想便宜点很正常，谁买东西都想实惠。您心里的目标价位大概是多少呢？",
            "晨风全系标配六气囊和主动刹车，前车急停它能自己刹住，对您这样的新手来说上下班跟车更安心。",
            "价格是统一的，但我帮您申请首年两次基础保养免费，再送您一个行车记录仪。周六来店里试驾，我陪您开一圈？",
        ],
    },
    "comparison_shopper": {
        "objection_competitor": [
            "卡罗拉确实是台好车，您还做了对比表，很专业。您这张表上最看重的是哪几项呢？",
            "安全这一项您可以记上：晨风全系标配六气囊和主动刹车，C-NCAP五星，前车急停它能自己刹住，对您接送孩子来说更安心。",
            "长期花销也可以比：晨风常规保养每次约400元，综合油耗5.6升。表上的数字最好亲自验证，这周末来店里试驾一下？",
        ],
        "objection_after_sales": [
            "这个顾虑很正常，买车就是买后面好几年的省心。整车质保三年或十万公里，发动机和变速箱五年或十五万公里，对您来说用车更放心。您平时主要在哪一带用车？",
            "本市有6家授权服务站，常规保养每次约400元，对您来说就近保养、花费也省心。",
            "您刚才说安全和长期花销最看重，这两项晨风都能给您交代。这周六来店里试驾，顺便看看离您最近的服务站？",
        ],
    },
    "family_decision_maker": {
        "choose_model": [
            "两台车都很适合家庭，选之前我想先了解一下：您家里平时几个人坐车？主要看重的是哪方面？",
            "您家四口人，远山就够用：后备箱大、后排还能放倒，婴儿车和大件行李都塞得进；高强度钢车身更扛撞，对您带孩子出门来说更放心。",
            "很多有一两个孩子的年轻家庭都选远山两驱豪华版。您周末带孩子来试驾一下，让孩子也坐坐后排？",
        ],
        "consult_family": [
            "跟家里商量是应该的，换车是全家的事。您先生最关心的是哪方面，价格还是配置？",
            "我给您整理一份远山两驱豪华版的配置表，发到您微信，高强度钢车身、大后备箱这些安全和空间的亮点都写清楚，对您来说回家跟先生讲也更省心。",
            "这周六请您先生一起来店里，全家试驾一下远山，孩子也能坐坐看，您看哪天方便？",
        ],
    },
    "hesitant_staller": {
        "delay_decision": [
            "不着急，买车本来就该慢慢来。能说说主要是哪方面让您还拿不定主意吗？",
            "星河EV在家充电，用电成本大约只有油车的五分之一；按您单程25公里、一个月上班22天算，一个月电费也就一百元左右，对您来说每个月能省下一大笔。周末先来店里试驾感受一下？",
            "您刚才也说先弄清楚不吃亏，试驾一次不花一分钱，这周末来店里开一圈？",
        ],
        "objection_quality": [
            "您担心冬天续航很正常，很多人第一次买电车都问这个。星河EV长续航版CLTC续航520公里，冬天会少一些，对您来说一周通勤也够用。您平时每天大概开多少公里？",
            "电池包有多重防护，还有热失控预警，对您来说开电车也能踏踏实实。纯平地板让后排中间不拱起，座舱也安静，坐着更舒服。",
            "这周末来店里试驾一下，您亲自开一圈，看看续航和实际开起来的感觉？",
        ],
    },
    "online_quote_haggler": {
        "ask_discount": [
            "您做足了功课，网上比价很正常。您主要是在和哪家比较呢？那边的报价是裸车价还是落地价？",
            "咱们算笔账：远山两驱豪华版16.68万，标配全景天窗和电动尾门；我们送全车贴膜和脚垫，首年两次基础保养免费，保养每次约500元，两次就是1000元，加起来对您来说实际差价没有看上去那么大。",
            "远山2.0T发动机满载上坡照样有劲，对您天天拉货来说更省心。先开一圈感受一下动力，今天就能安排试驾，您看现在方便吗？",
        ],
        "objection_competitor": [
            "网上买车图方便，这个想法能理解。您跑工地上高速多，最看重的是动力还是后期花销？",
            "在我们店买，本市有6家授权服务站，整车三年或十万公里质保，2.0T发动机满载上坡照样有劲，对您来说跑工地更省心。",
            "远山2.0T发动机满载上坡照样有劲，对您天天拉货来说更省心。先开一圈感受一下动力，今天就能安排试驾，您看现在方便吗？",
        ],
    },
    "retired_couple": {
        "objection_quality": [
            "您二老考虑得很周到，安全确实最重要。远山Pro有360度全景影像，停车没有死角，对您来说大车开着也更放心。您平时主要是周末带孙子出门吗？",
            "远山Pro是2+3+2七座布局，第三排也能坐成年人，后排还有独立空调；九个气囊加L2级辅助驾驶，高速上能帮您保持车距和车道，对您一家老小跑长途来说更省心。",
            "很多三代同堂的家庭都选远山Pro七座豪华版。周末您二老来店里试驾一下，我陪着您开一圈，看看好不好开？",
        ],
        "consult_family": [
            "跟儿子商量是应该的，一家人的车大家都满意才好。您儿子最关心的是哪方面呢？",
            "我给您准备一份远山Pro的配置表，九个气囊、七座布局这些重点都标出来，发到您微信，对您来说回去给儿子看也更省心。",
            "这周末请儿子一家一起来店里，全家试驾一下远山Pro，孙子也能坐坐第三排，您看周六还是周日方便？",
        ],
    },
    "small_business_buyer": {
        "objection_price": [
            "二十多万确实是笔不小的投入，您精打细算很正常。这台车您平时主要用来接客户，还是也要拉样品呢？",
            "远山Pro大尺寸车身配镀铬前脸，气场很足，客户一上车就觉得体面；一台车商务接待、周末带家人都能用，比买两台车省得多，对您来说这笔投入更划算。",
            "厂家金融首付两成，分36期，七座豪华版每个月大约5113元，公司现金流压力小；我再帮您申请全车贴膜和脚垫免费装。您明天带客户一起来试驾一下？",
        ],
        "objection_after_sales": [
            "时间对做生意的人来说就是钱，您担心耽误生意很正常。本市有6家授权服务站，常规保养每次约600元，对您来说就近保养不耽误事。您公司平时主要在哪一片跑？",
            "整车三年或十万公里质保，发动机和变速箱五年或十五万公里，对您来说用车成本心里有底。",
            "明天上午您带客户来店里试驾，顺便我带您看看后备箱能放多少样品？",
        ],
    },
    "trade_in_owner": {
        "ask_trade_in": [
            "开了九年的车，想多卖点很正常。我们旧车免费上门评估，当天出价，置换新车另享5000元补贴，对您来说换车更省心。您那台旧车现在跑了多少公里？",
            "远山2.0T发动机，全家出游拉满行李也不吃力，满载上坡照样有劲，对您来说开去新疆更省心。您七月去新疆，主要是走高速还是山路多？",
            "您下周把老车开过来，我们当天评估出价，顺便试驾一下远山？",
        ],
        "objection_price": [
            "换车确实得掏一笔，精打细算是应该的。新车您打算控制在多少预算以内呢？",
            "远山后备箱大、后排还能放倒，一家人出门东西再多都装得下；2.0T发动机满载上坡照样有劲，对您寒暑假长途自驾来说更舒服。",
            "您刚才说七月要去新疆，远山两驱豪华版两周就能交车，我再帮您申请首年两次基础保养免费。下周您把老车开来评估，顺便试驾一下远山？",
        ],
    },
    "ev_doubter": {
        "objection_quality": [
            "开了二十年油车，对电车有顾虑太正常了。星河EV的电池包有多重防护，还有热失控预警，对您来说开着更踏实。您平时每天大概开多少公里？",
            "长续航版CLTC续航520公里。按您每天六十公里算，一个月跑一千八百公里左右，纯电驱动用电成本大约只有油车的五分之一，您一个月油钱一千多，换了以后一个月能省下八百元左右。",
            "我们的老车主陈女士每天通勤，她说一年省下的钱够全家旅游一趟。您这周来店里试驾一下，亲自开一圈感受感受？",
        ],
        "objection_after_sales": [
            "售后靠不靠谱确实得问清楚。整车三年或十万公里质保，本市有6家授权服务站，对您来说保养维修都方便。您家住在哪一片？",
            "电车保养简单，常规保养每次约200元，对您来说每年的养车钱也能省下来。",
            "这周六来店里试驾，我顺便带您看看保养流程？",
        ],
    },
    "referred_friend": {
        "choose_model": [
            "陈姐是我们的老客户，她介绍您来我们特别高兴。选版本之前想先问问，您平时主要用来通勤吗？每天大概开多少公里？",
            "按您每天通勤六十公里、周末还要去郊区算，长续航版CLTC续航520公里，一周充一次电就够，对您来说省心；纯平地板和静音座舱，露营路上坐着也舒服。",
            "您周六和陈姐一起来店里试驾长续航版？",
        ],
        "ask_financing": [
            "分期很划算：厂家金融首付两成，长续航版首付大约30560元，分36期每个月大约3554元，对您来说比现在每个月的打车费还少。您首付想控制在多少？",
            "标准续航版首付大约25960元，分36期每个月大约3019元；长续航版每个月多五百多元，多出来的续航周末出去玩更踏实。",
            "这周六您和陈姐一起来试驾，看完车我再帮您把分期方案细算一遍？",
        ],
    },
}
# Argues, gives a discount at once, pushes for the order: each reply draws the reaction named.
WEAK: Tuple[Tuple[str, str], ...] = (
    ("您这就是不懂车，根本不是您想的那样，我们这车一点都不贵。", "argued"),
    ("行行行，我直接给您便宜五千，够意思了吧？", "discounted"),
    ("别犹豫了，今天就交定金，明天就涨价了。", "pushed_early"),
)
# Words a customer line may only use after the reply did the thing: a calculation, materials.
PRESUMING = {"calculated": ("算下来", "这么一算", "账算", "算得"), "materials": ("资料",)}


def personas() -> Dict[str, Persona]:
    return load_personas(PERSONA_DIR)


def strong_reply(persona_id: str, objection: str, attempt: int, ready: bool) -> str:
    """The strong trainee's reply; once every objection is settled, the next-step reply."""
    replies = STRONG[persona_id][objection]
    return replies[-1] if ready else replies[min(attempt, len(replies)) - 1]


def check_consistent(persona: Persona, reply: str, line: str, reactions: Sequence[Dict[str, Any]]) -> None:
    """Every reaction line is said, shows what the reply did, and no line presumes what it did not."""
    rules = load_reactions(ROOT / "data/roleplay/reactions.yml")
    text = normalize(reply)
    kinds = {r["kind"] for r in reactions}
    for r in reactions:
        assert r["line"] in line, (r, line)
        if r["kind"] == "answered":
            topic = r["evidence"][0]
            assert r["line"] == persona.profile[topic]
            assert any(c in text for c in rules.questions[topic]) and any(q in text for q in "？?吗呢")
        else:
            assert r["evidence"] and all(e in text for e in r["evidence"] if e not in persona.cares_about), r
    for kind, words in PRESUMING.items():  # the persona's own lines never use these (unit-tested)
        if any(w in line for w in words):
            assert kind in kinds, (kind, line, reply)
    if kinds & set(NEGATIVE):
        assert not kinds & set(POSITIVE), kinds


def expected_weak(i: int) -> str:
    return WEAK[i % len(WEAK)][1]


def custom(messages: List[Dict[str, Any]], key: str) -> Optional[Dict[str, Any]]:
    return next((m["custom"][key] for m in messages if isinstance(m.get("custom"), dict) and key in m["custom"]), None)


def customer_text(messages: List[Dict[str, Any]]) -> str:
    return next(m["text"] for m in messages if (m.get("text") or "").startswith("顾客："))[len("顾客：") :]


def play(servers, persona: Persona, sender: str, strong: bool) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """One visit at the normal level; returns the scorecard and the turns' payloads."""
    meta = {"roleplay": {"mode": "customer", "persona": persona.id, "level": "normal"}}
    start = servers.send(sender, "开始练习", meta)
    assert persona.objections[0].open[0] in customer_text(start)
    nxt = {"objection": persona.objections[0].objection, "attempt": 1, "ready": False}
    turns: List[Dict[str, Any]] = []
    for i in range(16):
        reply = (
            strong_reply(persona.id, nxt["objection"], nxt["attempt"], nxt["ready"])
            if strong
            else WEAK[i % len(WEAK)][0]
        )
        messages = servers.send(sender, reply, meta)
        turn = custom(messages, "roleplay_turn")
        assert turn is not None, messages
        check_consistent(persona, reply, customer_text(messages), turn["reactions"])
        turns.append(dict(turn, reply=reply, line=customer_text(messages)))
        card = custom(messages, "roleplay_scorecard")
        if card:
            return card, turns
        nxt = turn["next"]
    pytest.fail(f"{persona.id}: the visit never ended")


@pytest.mark.parametrize("persona_id", sorted(STRONG))
def test_persona_strong_trainee_gets_a_test_drive(servers, persona_id):
    persona = personas()[persona_id]
    card, turns = play(servers, persona, f"strong-{persona_id}", strong=True)
    assert card["outcome"] == "test_drive", [(t["reply"], t["line"]) for t in turns]
    assert persona.endings["test_drive"] in turns[-1]["line"]
    kinds = [r["kind"] for t in turns for r in t["reactions"]]
    assert not set(kinds) & set(NEGATIVE)
    assert "answered" in kinds and "cares_met" in kinds  # asked about the customer, spoke to what matters


@pytest.mark.parametrize("persona_id", sorted(STRONG))
def test_persona_weak_trainee_makes_the_customer_walk_out(servers, persona_id):
    persona = personas()[persona_id]
    card, turns = play(servers, persona, f"weak-{persona_id}", strong=False)
    assert card["outcome"] == "walk_out"
    assert persona.endings["walk_out"] in turns[-1]["line"]
    for i, t in enumerate(turns):
        assert [r["kind"] for r in t["reactions"]] == [expected_weak(i)], t
    assert card["total"] < 40


def test_every_persona_has_scripts():
    assert set(STRONG) == set(personas())
