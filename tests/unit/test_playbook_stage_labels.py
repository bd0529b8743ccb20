"""The sales step can move back, and the demo catalog's labels stay out of what customers read
(issue 14, item 8)."""

from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.playbook.audit import render
from bot.playbook.facts import resolve_facts, strip_sample_labels
from bot.playbook.loader import load_playbook
from bot.playbook.rules import Context, select_script

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = load_playbook(ROOT / "data/playbook")
CATALOG = load_catalog(ROOT / "data/catalog.yml")
LABELS = PLAYBOOK.policy.sample_labels


def test_one_stall_in_negotiation_does_not_pin_the_conversation_at_follow_up():
    used, last, stage, history, steps = (), None, None, [], []
    for objection in ["objection_price", "ask_discount", "delay_decision", "objection_price", "ask_financing"]:
        history.append(objection)
        c = select_script(
            PLAYBOOK,
            CATALOG,
            Context(objection, history.count(objection), stage, {"car_model": "远山"}, tuple(history[:-1]), used, last),
        )
        used, last, stage = used + (c.script_id,), c.principle, c.stage
        steps.append(stage)
    assert steps == ["协商", "协商", "跟踪", "协商", "协商"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("C-NCAP五星（示例数据）", "C-NCAP五星"),
        ("李女士（上班族，示例数据）", "李女士（上班族）"),
        ("示例市城东区示例大道88号（示例地址）", "示例市城东区示例大道88号"),
        ("010-12345678（示例号码）", "010-12345678"),
        ("以上为估算，实际以顾问核算为准（示例数据）", "以上为估算，实际以顾问核算为准"),
        ("两驱豪华版（含天窗）", "两驱豪华版（含天窗）"),  # brackets of real content stay
    ],
)
def test_sample_labels_are_stripped(text, expected):
    assert strip_sample_labels(text, LABELS) == expected


def test_the_catalog_file_keeps_its_labels_but_no_fact_or_script_says_them():
    raw = (ROOT / "data/catalog.yml").read_text(encoding="utf-8")
    assert "示例数据" in raw  # the file still says it is demo data
    for model in CATALOG.models:
        slots = {"car_model": model.name, "budget": 150000, "family_member": "spouse", "competitor": "卡罗拉"}
        facts = resolve_facts(CATALOG, slots, 0, (), PLAYBOOK.aspect_words, 1, LABELS)
        assert not any(label in v for v in facts.values() for label in LABELS), model.name
        for script in PLAYBOOK.scripts:
            text = render(PLAYBOOK, CATALOG, script, slots) or ""
            assert not any(label in text for label in LABELS), script.id
