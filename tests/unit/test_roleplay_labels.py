"""data/roleplay/labels.yml: the names and scorecard templates of customer mode load and say what the
scorecard always said, a broken file is reported with its file and field (python -m bot validate
checks it), and the action and the trainer records both read it."""

import shutil

import pytest

from bot.constants import OBJECTION_INTENTS
from bot.exceptions import DataFileError
from bot.roleplay import records
from bot.roleplay.labels import DIMENSIONS, OUTCOMES, STOPPED, get_labels, load_labels
from bot.roleplay.personas import LEVELS
from bot.roleplay.session import TEST_DRIVE, WALK_OUT
from tests.unit.shared import ROOT, edit

LABELS = ROOT / "data/roleplay/labels.yml"


@pytest.fixture
def copy(tmp_path):
    path = tmp_path / "labels.yml"
    shutil.copy(LABELS, path)
    return path


def problems(path):
    with pytest.raises(DataFileError) as e:
        load_labels(path)
    return e.value.problems


def test_the_file_names_every_id_the_practice_keeps():
    labels = load_labels(LABELS)
    assert tuple(labels.levels) == LEVELS
    assert tuple(labels.dimensions) == DIMENSIONS
    assert tuple(labels.objections) == OBJECTION_INTENTS
    assert {TEST_DRIVE, WALK_OUT, STOPPED} == set(OUTCOMES) == set(labels.scorecard_outcomes)
    assert set(labels.record_outcomes) == set(OUTCOMES)


def test_the_scorecard_reads_as_it_always_did():
    labels = get_labels()
    assert labels.levels["hard"] == "困难"
    assert labels.outcome(TEST_DRIVE) == "顾客同意试驾"
    assert labels.outcome(None) == labels.outcome("nothing like it") == "练习提前结束"
    assert labels.dimension_scores({"acknowledge": 50, "value": 100}) == "认同50，解答(FAB)100"
    assert labels.suggestion(2, "认同", "先接住情绪", "我理解。") == "2. 认同：先接住情绪\n   参考说法：我理解。"
    assert labels.turn_note(1, "objection_price", 2, 60, "好") == "第1轮（objection_price 第2次）60分：好"
    assert labels.comparison(70, []) == "这是您第一次练习这个顾客。"
    assert labels.comparison(50, [40, 60]) == "第3次练习：本次50分，上次60分（退步10分），历史最好60分。"
    assert "（进步10分）" in labels.comparison(70, [60]) and "（持平0分）" in labels.comparison(60, [60])
    assert labels.penalty("争辩") == "扣分：争辩"


def test_the_trainer_records_use_the_records_wording():
    names = records.labels(str(ROOT / "data/roleplay"))
    labels = get_labels()
    assert names["outcomes"] == labels.record_outcomes and names["outcomes"]["walk_out"] == "顾客离开"
    assert names["levels"] == labels.levels and names["dimensions"] == labels.dimensions
    assert names["objections"]["objection_price"] == "嫌贵" == labels.objections["objection_price"]
    assert names["checks"]["penalty:argue"].startswith("扣分：")


@pytest.mark.parametrize(
    "old, new, problem",
    [
        ("  hard: 困难\n", "", "levels: missing field 'hard'"),
        ("  no_penalty: 无违规\n", "  no_penalty: 无违规\n  speed: 速度\n", "dimensions.speed: unknown field"),
        ("  walk_out: 顾客离开\n", "  walk_out: ''\n", "outcomes.records.walk_out: expected a non-empty text"),
        ("参考说法：{answer}", "参考说法：{answr}", "scorecard.suggestion: unknown placeholder {answr}"),
        ("参考说法：{answer}", "参考说法", "scorecard.suggestion: missing placeholder {answer}"),
        ("（{trend}{change}分）", "（{trend分）", "scorecard.comparison.again: not a valid template"),
        (
            "first: 这是您第一次练习这个顾客。",
            "first: 第{attempt}次",
            "comparison.first: unknown placeholder {attempt}",
        ),
        ("    trend:\n      up: 进步\n", "    trend:\n", "scorecard.comparison.trend: missing field 'up'"),
        ('penalty: "扣分：{name}"\n', "", ": missing field 'penalty'"),
    ],
)
def test_a_broken_file_names_the_file_and_the_field(copy, old, new, problem):
    found = problems(edit(copy, old, new))
    assert any(problem in p and str(copy) in p for p in found), found


def test_every_problem_is_reported_at_once(copy):
    edit(copy, "  easy: 简单\n", "")
    found = problems(edit(copy, '"{name}{score}"', '"{name}"'))
    assert len(found) == 2, found


def test_validate_checks_the_labels_file(tmp_path, capsys):
    from bot.cli import main

    roleplay = tmp_path / "roleplay"
    shutil.copytree(ROOT / "data/roleplay", roleplay)
    edit(roleplay / "labels.yml", "  hard: 困难\n", "")
    assert main(["validate", "--roleplay", str(roleplay)]) == 1
    assert "labels.yml: levels: missing field 'hard'" in capsys.readouterr().err
