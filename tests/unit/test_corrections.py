"""Practice visits rebuilt from tracker events, trainers' corrections of the scorer, and the
agreement `python -m bot report` shows (bot.roleplay.records, bot.roleplay.report, bot.cli)."""

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from bot import cli
from bot.roleplay.records import (
    CORRECTABLE,
    CorrectionError,
    CorrectionStore,
    agreement,
    load_corrections,
    load_visits,
    summarise,
)
from tests.unit.shared import run_sql


def scored_turn(attempt, score, good, passed, principles, penalties, missing, evidence):
    """A roleplay_turn as the bot sends it for an objection_price reply; `passed`: the checks met."""
    checks = {name: name in passed for name in ("acknowledge", "clarify", "value", "next_step")}
    turn = {"objection": "objection_price", "attempt": attempt, "score": score, "good": good, "checks": checks}
    return {**turn, "principles": principles, "penalties": penalties, "missing": missing, "evidence": evidence}


EVIDENCE_GOOD = {"acknowledge": ["理解您"], "clarify": ["预算多少"]}
TURN_GOOD = scored_turn(
    1, 80, True, ("acknowledge", "clarify", "next_step"), ["reciprocity"], [], ["value"], EVIDENCE_GOOD
)
TURN_WEAK = scored_turn(
    2, 20, False, (), [], ["instant_discount"], ["acknowledge", "value"], {"instant_discount": ["便宜五千"]}
)


def visit_events(
    sender: str,
    replies: List[str],
    turns: List[Dict[str, Any]],
    history: List[Dict[str, Any]],
    trainee: Optional[str] = "小王",
    total: int = 50,
    finished_at: str = "2026-11-20T10:00:00+00:00",
    restart_first: bool = False,
) -> List[tuple]:
    """The events one customer-mode visit leaves in the tracker store; returns the new history too
    (appended to ``history``)."""
    meta = {"roleplay": {"mode": "customer", "persona": "comparison_shopper", "level": "easy"}}
    if trainee:
        meta["roleplay"]["trainee"] = trainee
    ev: List[tuple] = [
        (sender, "user", {"event": "user", "text": "开始练习", "metadata": meta}),
        (sender, "bot", {"event": "bot", "text": "【陪练开始】…"}),
        (sender, "slot", {"event": "slot", "name": "roleplay_replies", "value": []}),
    ]
    if restart_first:  # a turn, then 重来: that turn belongs to no finished visit
        ev += [
            (sender, "user", {"event": "user", "text": "扔掉的回答", "metadata": meta}),
            (sender, "bot", {"event": "bot", "data": {"custom": {"roleplay_turn": TURN_WEAK}}}),
            (sender, "slot", {"event": "slot", "name": "roleplay_replies", "value": []}),
        ]
    for reply, turn in zip(replies, turns):
        ev += [
            (sender, "user", {"event": "user", "text": reply, "metadata": meta}),
            (sender, "bot", {"event": "bot", "text": f"（本轮{turn['score']}分）"}),
            (sender, "bot", {"event": "bot", "text": "顾客：那你说说看。"}),
            (sender, "bot", {"event": "bot", "data": {"custom": {"roleplay_turn": turn}}}),
        ]
    entry = {
        "persona": "comparison_shopper",
        "level": "easy",
        "outcome": "stopped",
        "total": total,
        "dimensions": {
            "acknowledge": 50,
            "clarify": 50,
            "value": 0,
            "next_step": 50,
            "principle": 50,
            "no_penalty": 50,
        },
        "turns": len(turns),
        "missed": ["value"],
        "finished_at": finished_at,
    }
    history.append(entry)
    card = {
        **entry,
        "turn_notes": ["第1轮…"],
        "comparison": "第一次",
        "suggestions": [{"move": "value", "move_zh": "价值解答(FAB)", "why": "讲好处", "model_answer": "您看…"}],
    }
    ev += [
        (sender, "user", {"event": "user", "text": "结束", "metadata": meta}),
        (sender, "bot", {"event": "bot", "data": {"custom": {"roleplay_scorecard": card}}}),
        (sender, "slot", {"event": "slot", "name": "roleplay_history", "value": list(history)}),
        (sender, "slot", {"event": "slot", "name": "roleplay_replies", "value": None}),
    ]
    return ev


def write_events(db: Path, events: List[tuple]) -> None:
    insert = "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, 0, :d)"
    run_sql(
        f"sqlite:///{db}",
        "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR, "
        "type_name VARCHAR, timestamp FLOAT, intent_name VARCHAR, action_name VARCHAR, data TEXT)",
        *[(insert, {"s": s, "t": kind, "d": json.dumps(data, ensure_ascii=False)}) for s, kind, data in events],
    )


def sample_database(db: Path) -> None:
    """Two trainees: 小王 with two visits (the first after a 重来), and a REST client without a name."""
    h1: List[Dict[str, Any]] = []
    events = visit_events(
        "widget:aaa", ["理解您，预算多少？", "便宜五千给您"], [TURN_GOOD, TURN_WEAK], h1, total=50, restart_first=True
    )
    events += [("widget:aaa", "slot", {"event": "slot", "name": "roleplay_history", "value": list(h1)})]  # new session
    events += visit_events(
        "widget:aaa", ["理解您，预算多少？"], [TURN_GOOD], h1, total=80, finished_at="2026-11-28T10:00:00+00:00"
    )
    events += visit_events(
        "rest-trainee", ["哦"], [TURN_WEAK], [], trainee=None, total=20, finished_at="2026-11-21T10:00:00+00:00"
    )
    write_events(db, events)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "rasa.db"
    sample_database(path)
    return path


def test_visits_are_rebuilt_with_their_turns_trainee_and_ids(db):
    visits = load_visits(db)
    assert [(v["id"], v["trainee"], v["total"]) for v in visits] == [
        ("widget:aaa#1", "小王", 50),
        ("rest-trainee#1", "rest-trainee", 20),
        ("widget:aaa#2", "小王", 80),
    ]
    first = visits[0]
    assert [t["reply"] for t in first["turn_list"]] == ["理解您，预算多少？", "便宜五千给您"]  # not the restarted one
    assert first["turn_list"][0]["customer_line"] == "那你说说看。"
    assert first["turn_list"][0]["evidence"]["clarify"] == ["预算多少"]
    assert first["suggestions"][0]["model_answer"] == "您看…" and first["turns"] == 2


def test_a_correction_is_stored_and_counted_per_check(db):
    visits = load_visits(db)
    store = CorrectionStore(db)
    with pytest.raises(CorrectionError):
        store.record(visits[0], 3, {})
    with pytest.raises(CorrectionError):
        store.record(visits[0], 1, {"bogus": True})
    store.record(visits[0], 1, {"value": True}, note="讲了后排空间的好处")
    store.record(visits[0], 2, {})  # reviewed, agrees with everything
    store.record(visits[0], 1, {"value": True, "acknowledge": False})  # the latest verdict counts
    store.close()
    corrections = load_corrections(db)
    assert len(corrections) == 2 * len(CORRECTABLE)
    result = agreement(visits, corrections)
    assert result["reviewed_turns"] == 2
    assert result["checks"]["value"] == {"reviewed": 2, "agree": 1, "rate": 0.5}
    assert result["checks"]["acknowledge"] == {"reviewed": 2, "agree": 1, "rate": 0.5}
    assert result["checks"]["penalty:instant_discount"] == {"reviewed": 2, "agree": 2, "rate": 1.0}
    wrong = {(d["check"], d["rubric"], d["trainer"], d["reply"]) for d in result["disagreements"]}
    assert wrong == {("value", False, True, "理解您，预算多少？"), ("acknowledge", True, False, "理解您，预算多少？")}


def test_summary_groups_by_trainee_and_objection(db):
    summary = summarise(load_visits(db))
    assert [(p["trainee"], p["attempts"], p["first"], p["best"], p["last"]) for p in summary["trainees"]] == [
        ("rest-trainee", 1, 20, 20, 20),
        ("小王", 2, 50, 80, 80),
    ]
    price = summary["misses_by_objection"][0]
    assert price["objection"] == "objection_price" and price["turns"] == 4
    assert price["misses"][0] == {"miss": "value", "count": 4}
    assert [w["period"] for w in summary["over_time"]] == ["2026-W47", "2026-W48"]


@pytest.mark.filterwarnings("ignore:Glyph .* missing from current font")  # no CJK font on CI machines
def test_correct_command_and_report_show_agreement(db, tmp_path, capsys):
    assert cli.main(["correct", "--db", str(db)]) == 0
    assert "widget:aaa#2" in capsys.readouterr().out
    assert cli.main(["correct", "widget:aaa#1", "--db", str(db)]) == 0
    assert "便宜五千给您" in capsys.readouterr().out
    assert cli.main(["correct", "widget:aaa#1", "1", "--wrong", "value", "--note", "有好处", "--db", str(db)]) == 0
    assert "rubric wrong on: value" in capsys.readouterr().out
    assert cli.main(["correct", "widget:aaa#1", "1", "--wrong", "nonsense", "--db", str(db)]) == 2
    assert cli.main(["correct", "nope#1", "1", "--db", str(db)]) == 2
    capsys.readouterr()
    out_dir = tmp_path / "report"
    assert cli.main(["report", "--db", str(db), "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert "3 practice visits" in out and "value: 0/1 agree (0%)" in out and "acknowledge: 1/1 agree" in out
    page = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "一致率" in page and "理解您，预算多少？" in page
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["agreement"]["checks"]["value"]["reviewed"] == 1
    disagreements = (out_dir / "disagreements.csv").read_text(encoding="utf-8-sig").splitlines()
    assert disagreements[0].startswith("visit,trainee,turn") and "有好处" in disagreements[1]
