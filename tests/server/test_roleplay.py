"""Trainee practice through the running servers' REST channel: customer mode end to end with a
good and a weak trainee, in-session commands, coach annotations, and the trainer report built
from the stored sessions."""

from pathlib import Path

import pytest

from bot.roleplay.practice import get_practice

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]
PERSONA = "price_sensitive_first_buyer"
CUSTOMER = {"roleplay": {"mode": "customer", "persona": PERSONA, "level": "normal"}}
GOOD = {
    ("objection_price", 1): "我理解，十二万对刚工作的人确实不是小数目。方便说说您的预算大概多少吗？",
    ("objection_price", 2): "晨风标配六气囊和主动刹车，对您来说上下班堵车跟车更安心，很多客户都是冲这个买的。",
    ("ask_discount", 1): "想便宜点很正常。您心里的目标价位大概是多少呢？",
    ("ask_discount", 2): "晨风豪华版标配大屏和倒车影像，对您来说不用再花钱加装，很多客户都选这个配置。",
    ("ask_discount", 3): "价格动不了，但我帮您申请首年两次免费保养，再送您行车记录仪。周六来店里试驾？",
}
WEAK = "哦，那您再看看吧。"


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def custom(messages, key):
    return next((m["custom"][key] for m in messages if isinstance(m.get("custom"), dict) and key in m["custom"]), None)


def practise(servers, sender, answer):
    """Plays one visit; ``answer(objection, attempt)`` gives the trainee's reply. Returns the scorecard."""
    practice = get_practice(str(ROOT / "data/roleplay"), str(ROOT / "data/catalog.yml"))
    start = servers.send(sender, "开始练习", CUSTOMER)
    assert "陪练开始" in texts(start) and "顾客：" in texts(start)
    replies = []
    for _ in range(15):
        session = practice.visit(PERSONA, "normal", replies)  # mirrors the bot's state
        reply = answer(session.current.objection, 3 if session.ready else session.attempt)
        replies.append(reply)
        messages = servers.send(sender, reply, CUSTOMER)  # the trainee page sends the mode every time
        assert custom(messages, "roleplay_turn") is not None and "顾客：" in texts(messages)
        card = custom(messages, "roleplay_scorecard")
        if card:
            assert "陪练结束" in texts(messages)
            return card
    pytest.fail("the visit never ended")


def good_answer(objection, attempt):
    """The good trainee's reply; the third (a gift and a test drive) once the customer is ready."""
    return GOOD.get((objection, min(attempt, 3))) or GOOD.get((objection, 2)) or GOOD[(objection, 1)]


def test_good_trainee_gets_a_test_drive_and_beats_the_weak_one(servers):
    good = practise(servers, "trainee-good", good_answer)
    weak = practise(servers, "trainee-weak", lambda o, a: WEAK)
    assert good["outcome"] == "test_drive" and weak["outcome"] == "walk_out"
    assert good["total"] > weak["total"]
    again = practise(servers, "trainee-good", good_answer)
    assert "第2次练习" in again["comparison"]
    history = servers.tracker("trainee-good")["slots"]["roleplay_history"]
    assert [h["outcome"] for h in history] == ["test_drive", "test_drive"]


def test_hint_restart_and_stop_commands(servers):
    servers.send("trainee-cmd", "开始", CUSTOMER)
    hint = servers.send("trainee-cmd", "提示", CUSTOMER)
    assert "提示" in texts(hint) and "分析原因" in texts(hint)
    assert custom(hint, "roleplay_turn") is None  # a command is not scored
    restarted = servers.send("trainee-cmd", "重来", CUSTOMER)
    assert "陪练开始" in texts(restarted)
    servers.send("trainee-cmd", WEAK, CUSTOMER)
    stopped = servers.send("trainee-cmd", "结束", CUSTOMER)
    assert "陪练结束" in texts(stopped) and custom(stopped, "roleplay_scorecard")["outcome"] == "stopped"


def test_a_new_choice_starts_a_new_visit_and_off_switches_practice_off(servers):
    sender = "trainee-choice"
    servers.send(sender, "开始练习", CUSTOMER)
    servers.send(sender, WEAK, CUSTOMER)
    other = {"roleplay": {"mode": "customer", "persona": "hesitant_staller", "level": "hard"}}
    switched = servers.send(sender, "太贵了", other)
    assert "陪练开始" in texts(switched) and "陈先生" in texts(switched)
    slots = servers.tracker(sender)["slots"]
    assert (slots["roleplay_persona"], slots["roleplay_level"], slots["roleplay_replies"]) == (
        "hesitant_staller",
        "hard",
        [],
    )
    same = texts(servers.send(sender, WEAK, coaching=False))  # no metadata: the same visit goes on
    assert "顾客：" in same and "陪练开始" not in same
    off = servers.send(sender, "太贵了", {"roleplay": {"mode": "off"}})
    assert "顾客：" not in texts(off) and custom(off, "roleplay_turn") is None and texts(off)
    assert servers.tracker(sender)["slots"]["roleplay_mode"] == "off"
    back = servers.send(sender, "太贵了", other)  # back to the same persona after off: a new visit
    assert "陪练开始" in texts(back)


def test_coach_mode_answers_with_why_and_alternatives(servers):
    reply = servers.send("trainee-coach", "远山太贵了", {"roleplay": {"mode": "coach"}})
    note = next(m["custom"] for m in reply if isinstance(m.get("custom"), dict) and "script_id" in m["custom"])
    assert note["principle_zh"] and note["principle_why"] and note["move_zh"]
    assert note["alternatives"] and all(a["text"] for a in note["alternatives"])
    assert servers.tracker("trainee-coach")["slots"]["roleplay_mode"] == "coach"


def test_trainer_report_from_stored_sessions(servers, tmp_path):
    from bot.roleplay.report import load_attempts, write_report

    practise(servers, "trainee-report", lambda o, a: WEAK)
    attempts = load_attempts(servers.db)
    assert any(a["trainee"] == "trainee-report" and a["outcome"] == "walk_out" for a in attempts)
    html_file, csv_file = write_report(attempts, tmp_path)
    page = html_file.read_text(encoding="utf-8")
    assert "销售陪练报告" in page and page.count("data:image/png;base64,") >= 2
    rows = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("trainee,attempt,persona") and any("trainee-report" in r for r in rows[1:])


def test_terminal_roleplay_command_plays_a_visit(servers):
    import io

    from bot import chat
    from bot.cli import build_parser

    out = io.StringIO()

    assert (
        chat.run(
            servers.url, "trainee-terminal", io.StringIO("提示\n哦\n结束\n"), out, metadata=CUSTOMER, opening="开始练习"
        )
        == 0
    )
    screen = out.getvalue()
    assert "陪练开始" in screen and "提示：" in screen and "本轮" in screen and "陪练结束" in screen
    args = build_parser().parse_args(["roleplay", "--persona", "hesitant_staller", "--level", "hard"])
    assert (args.mode, args.persona, args.level) == ("customer", "hesitant_staller", "hard")
