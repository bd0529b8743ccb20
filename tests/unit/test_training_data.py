"""No training example is (nearly) a line of an evaluation set: the held-out split (tests/nlu/) and
the independent visitor questions (tests/data/visitor_questions.yml) measure what was never trained
on. Near means: the same after Traditional→Simplified, lower case and dropping punctuation and
emoji, or a difflib ratio of 0.85 or more (好人一生平安 against 好人一生平安🙏, 周末气温多少 against
周末气温多少度)."""

import difflib
import re
from pathlib import Path

import yaml

from bot.nlu.text import to_simplified

ROOT = Path(__file__).resolve().parents[2]
NEAR = 0.85
_MARKUP = (re.compile(r"\[([^\]]*)\]\{[^}]*\}"), re.compile(r"\[([^\]]*)\]\([^)]*\)"))


def norm(text: str) -> str:
    for pattern in _MARKUP:
        text = pattern.sub(r"\1", text)
    return re.sub(r"[^\w\u4e00-\u9fff]", "", to_simplified(text).lower())


def examples(path: Path):
    for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        for line in (item.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield line[2:]


def evaluation_lines():
    lines = [t for p in sorted((ROOT / "tests/nlu").glob("holdout_*.yml")) for t in examples(p)]
    cases = yaml.safe_load((ROOT / "tests/data/visitor_questions.yml").read_text(encoding="utf-8"))["cases"]
    lines += [m for c in cases for m in c["messages"]]
    return [n for n in map(norm, lines) if n]


def near(a: str, b: str) -> bool:
    m = difflib.SequenceMatcher(None, a, b)
    return m.real_quick_ratio() >= NEAR and m.quick_ratio() >= NEAR and m.ratio() >= NEAR


def test_no_training_example_is_near_an_evaluation_line():
    held_out = evaluation_lines()
    exact = set(held_out)
    found = []
    for path in sorted((ROOT / "data/nlu").glob("*.yml")):
        for text in examples(path):
            n = norm(text)
            if n and (n in exact or any(near(n, e) for e in held_out)):
                found.append(f"{path.name}: {text}")
    assert not found, "training examples near an evaluation line:\n" + "\n".join(found)


def test_near_catches_the_cases_it_is_for():
    assert near(norm("好人一生平安"), norm("好人一生平安🙏")) and near(norm("周末气温多少"), norm("周末气温多少度"))
    assert norm("後會有期") == norm("后会有期")
    assert not near(norm("远山多少钱"), norm("晨风油耗多少"))
