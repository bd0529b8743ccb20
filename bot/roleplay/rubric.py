"""The scoring rubric (data/roleplay/rubric.yml), validated on load."""

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from bot.playbook.model import PRINCIPLES
from bot.validation import Checker
from bot.yamlfile import read_yaml

CHECKS = ("acknowledge", "clarify", "value", "next_step")
PENALTIES = ("argue", "discount_at_once", "floor_price", "fake_urgency")


@dataclass(frozen=True)
class Check:
    name: str
    zh: str
    points: int
    phrases: Tuple[str, ...]
    features: Tuple[str, ...] = ()  # value: a feature phrase is needed too
    question_words: Tuple[str, ...] = ()  # clarify: the reply must ask


@dataclass(frozen=True)
class Penalty:
    name: str
    zh: str
    points: int
    phrases: Tuple[str, ...]
    cut_verbs: Tuple[str, ...] = ()
    first_push_only: bool = False
    max_attempt: Optional[int] = None


@dataclass(frozen=True)
class Rubric:
    checks: Dict[str, Check]
    principle_zh: str
    principle_points: int
    principles: Dict[str, Tuple[str, ...]]
    penalties: Dict[str, Penalty]
    expected_points: int = 50
    base_points: int = 20


def load_rubric(path: Union[str, Path]) -> Rubric:
    """Reads the rubric. Raises DataFileError naming file and field."""
    path = Path(path)
    raw = read_yaml(path)
    c = Checker(path)
    checks: Dict[str, Check] = {}
    penalties: Dict[str, Penalty] = {}
    principles: Dict[str, Tuple[str, ...]] = {}
    zh, points, expected, base = "", 0, 0, 0
    if c.mapping(raw, "", ("scoring", "checks", "principles", "penalties")):
        if c.mapping(raw["scoring"], "scoring", ("base", "expected_moves")):
            base = c.integer(raw["scoring"]["base"], "scoring.base")
            expected = c.integer(raw["scoring"]["expected_moves"], "scoring.expected_moves")
        if c.mapping(raw["checks"], "checks", CHECKS):
            for name in CHECKS:
                w = f"checks.{name}"
                v = raw["checks"][name]
                if c.mapping(v, w, ("zh", "points", "phrases"), ("features", "question_words")):
                    checks[name] = Check(name, c.text(v["zh"], f"{w}.zh"), c.integer(v["points"], f"{w}.points"),
                                         c.texts(v["phrases"], f"{w}.phrases"),
                                         c.texts(v.get("features", []), f"{w}.features"),
                                         c.texts(v.get("question_words", []), f"{w}.question_words"))
        p = raw["principles"]
        if c.mapping(p, "principles", ("zh", "points", "tags")) and c.mapping(p["tags"], "principles.tags", PRINCIPLES):
            zh, points = c.text(p["zh"], "principles.zh"), c.integer(p["points"], "principles.points")
            principles = {t: c.texts(p["tags"][t], f"principles.tags.{t}") for t in PRINCIPLES}
        if c.mapping(raw["penalties"], "penalties", PENALTIES):
            for name in PENALTIES:
                w = f"penalties.{name}"
                v = raw["penalties"][name]
                if c.mapping(v, w, ("zh", "points", "phrases"), ("cut_verbs", "first_push_only", "max_attempt")):
                    penalties[name] = Penalty(
                        name, c.text(v["zh"], f"{w}.zh"), c.integer(v["points"], f"{w}.points"),
                        c.texts(v["phrases"], f"{w}.phrases"), c.texts(v.get("cut_verbs", []), f"{w}.cut_verbs"),
                        bool(v.get("first_push_only", False)),
                        c.integer(v["max_attempt"], f"{w}.max_attempt", 1) if "max_attempt" in v else None)
    c.raise_if_any()
    return Rubric(checks, zh, points, principles, penalties, expected, base)
