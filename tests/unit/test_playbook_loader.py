"""Loading the playbook: trainers' mistakes are reported with file, script id and field."""

import shutil
from pathlib import Path

import pytest

from bot.exceptions import DataFileError
from bot.playbook.loader import load_playbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def playbook_dir(tmp_path):
    shutil.copytree(ROOT / "data/playbook", tmp_path / "playbook")
    return tmp_path / "playbook"


def test_real_playbook_loads(playbook_dir):
    playbook = load_playbook(playbook_dir)
    assert len(playbook.scripts) >= 48 and len(playbook.rules) == 13  # 12 intents and price_match


def test_adding_a_script_is_a_yaml_edit_only(playbook_dir):
    path = playbook_dir / "objection_price.yml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + """
  - id: price_new_trainer_script
    principle: liking
    move: acknowledge
    when: {attempt: [1, 1]}
    text: 您考虑得很周到，先把账算清楚是对的。
""",
        encoding="utf-8",
    )
    script = load_playbook(playbook_dir).script("price_new_trainer_script")
    assert script is not None and script.objection == "objection_price" and script.principle == "liking"


def _append(playbook_dir, text):
    path = playbook_dir / "objection_price.yml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize(
    "script, expected",
    [
        (
            "  - id: price_typo\n    principle: reciprocty\n    move: value\n    text: 好的\n",
            "objection_price.yml: scripts[{n}] (price_typo).principle: unknown tag 'reciprocty'",
        ),
        (
            "  - id: price_bad_move\n    principle: liking\n    move: haggle\n    text: 好的\n",
            "(price_bad_move).move: unknown move 'haggle'",
        ),
        (
            "  - id: price_no_fact\n    principle: liking\n    move: value\n    text: 只要{model.price_min}\n",
            "(price_no_fact).text: uses {model.price_min} but 'facts' does not list it",
        ),
        (
            "  - id: price_bad_fact\n    principle: liking\n    move: value\n    facts: [model.floor_price]\n    text: 好\n",
            "(price_bad_fact).facts: unknown fact 'model.floor_price'",
        ),
        (
            "  - id: price_model\n    principle: liking\n    move: value\n    facts: [model.name]\n    text: '{model.name}'\n",
            "(price_model).when.known: uses model facts, so it must list car_model",
        ),
        (
            "  - id: price_extra\n    principle: liking\n    move: value\n    text: 好\n    txet: 好\n",
            "(price_extra).txet: unknown field",
        ),
        (
            "  - id: price_button\n    principle: liking\n    move: value\n    text: 好\n    buttons:\n"
            "      - {title: 买, payload: /buy_now}\n",
            "(price_button).buttons[0].payload: '/buy_now' names no intent of the domain",
        ),
        (
            "  - id: price_when\n    principle: liking\n    move: value\n    when: {attempt: [3, 1]}\n    text: 好\n",
            "(price_when).when.attempt: max is smaller than min",
        ),
        ("  - principle: liking\n    move: value\n    text: 好\n", "scripts[{n}]: missing field 'id'"),
    ],
)
def test_broken_script_error_names_file_script_and_field(playbook_dir, script, expected):
    n = len(load_playbook(playbook_dir).scripts_for("objection_price"))
    _append(playbook_dir, "\n" + script)
    with pytest.raises(DataFileError) as err:
        load_playbook(playbook_dir)
    assert expected.replace("{n}", str(n)) in str(err.value)


def test_duplicate_ids_across_files_are_reported(playbook_dir):
    first = load_playbook(playbook_dir).scripts_for("ask_discount")[0].id
    _append(playbook_dir, f"\n  - id: {first}\n    principle: liking\n    move: value\n    text: 好\n")
    with pytest.raises(DataFileError, match=f"objection_price.yml: .*\\({first}\\).id: duplicate id, also in"):
        load_playbook(playbook_dir)


def test_broken_yaml_file_is_named(playbook_dir):
    (playbook_dir / "ask_delivery.yml").write_text("objection: ask_delivery\nscripts: [\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="ask_delivery.yml: invalid YAML"):
        load_playbook(playbook_dir)


def test_rule_row_without_any_script_is_reported(playbook_dir):
    (playbook_dir / "request_test_drive.yml").unlink()
    with pytest.raises(DataFileError, match="objections.request_test_drive.steps\\[0\\]: no script"):
        load_playbook(playbook_dir)


def test_unknown_principle_in_principles_file(playbook_dir):
    path = playbook_dir / "principles.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("  liking:\n", "  likeing:\n"), encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_playbook(playbook_dir)
    assert "principles.yml: principles: missing 'liking'" in str(err.value)
    assert "principles.yml: principles.likeing: unknown tag" in str(err.value)
