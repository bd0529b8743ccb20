"""The scoring rubric (data/roleplay/rubric.yml), validated on load: the cue lists of each check,
principle and penalty (how they combine lives in bot/roleplay/cues.py) and the points of a turn."""

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Tuple, Union

from bot.playbook.model import PRINCIPLES
from bot.validation import WordLists, read_mapping

CHECKS = ("acknowledge", "clarify", "value", "next_step")
# The names of shared/docs/trainee-labelling.md.
PENALTIES = ("argue", "instant_discount", "floor_price", "fake_urgency", "disparage")

Cues = WordLists

# The cue lists each part must have (rubric.yml); the code reads exactly these.
CHECK_CUES: Dict[str, Tuple[str, ...]] = {
    "acknowledge": ("accept", "weak"),
    "clarify": ("question_words", "ending", "proposal", "ask_to_ask", "confirm_back", "rhetorical", "generic"),
    "value": ("features", "topics", "benefit", "customer", "able"),
    "next_step": ("action", "concrete", "time", "proposal", "vague"),
}
PRINCIPLE_CUES: Dict[str, Tuple[str, ...]] = {
    "reciprocity": ("gift",),
    "social_proof": ("crowd",),
    "commitment": ("recall", "small_step"),
    "liking": ("compliment",),
    "testimonial": ("says",),
    "friendship": ("referral",),
    "peer_identity": ("tie", "group"),
}
PENALTY_CUES: Dict[str, Tuple[str, ...]] = {
    "argue": ("phrases", "contradict"),
    "instant_discount": ("phrases", "cash_like", "cut_verbs", "not_ours"),
    "floor_price": ("phrases",),
    "fake_urgency": ("phrases",),
    "disparage": ("rival", "negative"),
}


@dataclass(frozen=True)
class Check:
    name: str
    zh: str
    cues: Cues


@dataclass(frozen=True)
class Penalty:
    name: str
    zh: str
    points: int
    cues: Cues


@dataclass(frozen=True)
class Scoring:
    base: int = 25
    checks: Tuple[int, ...] = (15, 17, 15, 3)  # points of the 1st, 2nd, 3rd, 4th check done
    expected_moves: int = 15
    principle_full: int = 20  # with three or more checks (what grade 5 needs)
    principle_small: int = 1
    penalised_per_check: int = 5
    penalised_max: int = 20


@dataclass(frozen=True)
class Rubric:
    checks: Dict[str, Check]
    principle_zh: str
    principles: Dict[str, Cues]
    penalties: Dict[str, Penalty]
    scoring: Scoring = Scoring()


def load_rubric(path: Union[str, Path]) -> Rubric:
    """Reads the rubric. Raises DataFileError naming file and field."""
    raw, c = read_mapping(path, ("scoring", "checks", "principles", "penalties"))
    principles: Dict[str, Cues] = {}
    zh = ""
    scoring = Scoring()
    s = raw["scoring"]
    if c.mapping(s, "scoring", ("base", "checks", "expected_moves", "penalised"), ("principle",)):
        ladder = s["checks"]
        if not (isinstance(ladder, list) and len(ladder) == len(CHECKS)):
            c.fail("scoring.checks", f"a list of {len(CHECKS)} integers (points of the 1st..4th check)")
            ladder = list(Scoring.checks)
        pen = s["penalised"]
        pr = s.get("principle", {"full": Scoring.principle_full, "small": Scoring.principle_small})
        if c.mapping(pen, "scoring.penalised", ("per_check", "max")) and c.mapping(
            pr, "scoring.principle", ("full", "small")
        ):
            scoring = Scoring(
                c.integer(s["base"], "scoring.base"),
                tuple(c.integer(v, f"scoring.checks[{i}]") for i, v in enumerate(ladder)),
                c.integer(s["expected_moves"], "scoring.expected_moves"),
                c.integer(pr["full"], "scoring.principle.full"),
                c.integer(pr["small"], "scoring.principle.small"),
                c.integer(pen["per_check"], "scoring.penalised.per_check"),
                c.integer(pen["max"], "scoring.penalised.max"),
            )
    checks = {
        name: Check(name, c.text(v["zh"], f"{w}.zh"), c.word_lists(v["cues"], f"{w}.cues", CHECK_CUES[name]))
        for name, v, w in c.entries(raw["checks"], "checks", CHECKS, ("zh", "cues"))
    }
    p = raw["principles"]
    if c.mapping(p, "principles", ("zh", "tags")) and c.mapping(p["tags"], "principles.tags", PRINCIPLES):
        zh = c.text(p["zh"], "principles.zh")
        principles = {t: c.word_lists(p["tags"][t], f"principles.tags.{t}", PRINCIPLE_CUES[t]) for t in PRINCIPLES}
    penalties = {
        name: Penalty(
            name,
            c.text(v["zh"], f"{w}.zh"),
            c.integer(v["points"], f"{w}.points"),
            c.word_lists(v["cues"], f"{w}.cues", PENALTY_CUES[name]),
        )
        for name, v, w in c.entries(raw["penalties"], "penalties", PENALTIES, ("zh", "points", "cues"))
    }
    c.raise_if_any()
    return Rubric(checks, zh, principles, penalties, scoring)
