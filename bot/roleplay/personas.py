"""Customer personas for customer mode (data/roleplay/personas/*.yml), validated on load together
with the reaction rules they answer to (data/roleplay/reactions.yml: readiness, question topics)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from bot.catalog import ASPECTS
from bot.constants import OBJECTION_INTENTS
from bot.exceptions import DataFileError
from bot.roleplay.reactions import LINE_KINDS, ReactionRules, check_lines, load_reactions
from bot.validation import Checker, WordLists, read_mapping

LEVELS = ("easy", "normal", "hard")
ENDINGS = ("test_drive", "walk_out")


@dataclass(frozen=True)
class Level:
    good_score: int  # a reply scoring at least this is a good answer
    good_answers_needed: int  # good answers before the customer lets go of an objection
    patience: int  # weak answers tolerated in a row... in total, before walking out


@dataclass(frozen=True)
class ObjectionLines:
    objection: str
    open: Tuple[str, ...]
    repeat: Tuple[str, ...]
    soften: Tuple[str, ...]
    warming: Tuple[str, ...] = ()  # a good answer that has not settled it yet; default lines if empty


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    background: str
    readiness: str
    budget: int
    car_model: str
    competitor: Optional[str]
    cares_about: Tuple[str, ...]
    objections: Tuple[ObjectionLines, ...]
    levels: Dict[str, Level]
    endings: Dict[str, str]
    profile: Dict[str, str] = field(default_factory=dict)  # question topic -> the customer's answer
    lines: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # reaction kind -> own lines
    cares_lines: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # aspect -> cares_met lines


def _persona(path: Path, rules: Optional[ReactionRules]) -> Persona:
    required = (
        "id",
        "name",
        "background",
        "readiness",
        "budget",
        "car_model",
        "cares_about",
        "profile",
        "objections",
        "levels",
        "endings",
    )
    raw, c = read_mapping(path, required, ("competitor", "reactions"))
    cares = c.known_texts(raw["cares_about"], "cares_about", ASPECTS, lambda a: f"'{a}' is not one of the five aspects")
    if not cares:
        c.fail("cares_about", "expected at least one aspect")
    readiness = c.text(raw["readiness"], "readiness")
    if rules is not None and readiness and readiness not in rules.readiness:
        c.fail("readiness", f"'{readiness}' is not one of {', '.join(rules.readiness)}")
    profile = _profile(c, raw["profile"], rules)
    lines: List[ObjectionLines] = []
    for i, o in enumerate(raw["objections"] if isinstance(raw["objections"], list) else []):
        w = f"objections[{i}]"
        if c.mapping(o, w, ("objection", "open", "repeat", "soften"), ("warming",)):
            if o["objection"] not in OBJECTION_INTENTS:
                c.fail(f"{w}.objection", f"'{o['objection']}' is not an objection intent")
            lines.append(
                ObjectionLines(
                    str(o["objection"]),
                    c.lines(o["open"], f"{w}.open"),
                    c.lines(o["repeat"], f"{w}.repeat"),
                    c.lines(o["soften"], f"{w}.soften"),
                    c.lines(o["warming"], f"{w}.warming") if "warming" in o else (),
                )
            )
    if not lines:
        c.fail("objections", "expected a non-empty list")
    levels = {
        name: Level(
            c.integer(v["good_score"], f"{w}.good_score"),
            c.integer(v["good_answers_needed"], f"{w}.good_answers_needed", 1),
            c.integer(v["patience"], f"{w}.patience", 1),
        )
        for name, v, w in c.entries(raw["levels"], "levels", LEVELS, ("good_score", "good_answers_needed", "patience"))
    }
    endings: Dict[str, str] = {}
    if c.mapping(raw["endings"], "endings", ENDINGS):
        endings = {k: c.text(raw["endings"][k], f"endings.{k}") for k in ENDINGS}
    own, cares_lines = _reaction_lines(c, raw.get("reactions", {}), cares)
    persona = Persona(
        c.text(raw["id"], "id"),
        c.text(raw["name"], "name"),
        c.text(raw["background"], "background"),
        readiness,
        c.integer(raw["budget"], "budget", 1),
        c.text(raw["car_model"], "car_model"),
        c.text(raw["competitor"], "competitor") if "competitor" in raw else None,
        cares,
        tuple(lines),
        levels,
        endings,
        profile,
        own,
        cares_lines,
    )
    c.raise_if_any()
    return persona


def _profile(c: Checker, value: object, rules: Optional[ReactionRules]) -> Dict[str, str]:
    """The customer's answers, one per question topic of the reaction rules (all of them)."""
    topics = tuple(rules.questions) if rules is not None else ()
    if not isinstance(value, dict):
        c.fail("profile", f"expected a mapping, got {type(value).__name__}")
        return {}
    if rules is not None:
        c.mapping(value, "profile", topics)
    return {str(k): c.text(v, f"profile.{k}") for k, v in value.items()}


def _reaction_lines(c: Checker, value: object, cares: Tuple[str, ...]) -> Tuple[WordLists, WordLists]:
    """A persona's own reaction lines; ``cares_met`` is keyed by the aspects it cares about."""
    if not isinstance(value, dict):
        c.fail("reactions", f"expected a mapping, got {type(value).__name__}")
        return {}, {}
    plain = {k: v for k, v in value.items() if k != "cares_met"}
    own = check_lines(c, plain, "reactions", tuple(k for k in LINE_KINDS if k != "cares_met"))
    cares_lines: WordLists = {}
    if "cares_met" in value:
        cares_lines = c.some_word_lists(value["cares_met"], "reactions.cares_met", cares, Checker.lines)
    return own, cares_lines


def reactions_path(directory: Union[str, Path]) -> Path:
    """The reaction rules that go with a personas directory: ``reactions.yml`` beside it."""
    return Path(directory).parent / "reactions.yml"


def load_personas(directory: Union[str, Path], reactions: Optional[Union[str, Path]] = None) -> Dict[str, Persona]:
    """Every persona file of ``directory``, by id, checked against the reaction rules (``reactions``,
    by default reactions.yml beside the directory). Raises DataFileError listing all problems."""
    personas: Dict[str, Persona] = {}
    problems: List[str] = []
    rules: Optional[ReactionRules] = None
    try:
        rules = load_reactions(reactions or reactions_path(directory))
    except DataFileError as e:
        problems += e.problems
    for path in sorted(Path(directory).glob("*.yml")):
        try:
            p = _persona(path, rules)
        except DataFileError as e:
            problems += e.problems
            continue
        if p.id in personas:
            problems.append(DataFileError.problem(path, "id", f"duplicate persona id '{p.id}'"))
        personas[p.id] = p
    if problems:
        raise DataFileError(problems)
    return personas
