"""Customer personas for customer mode (data/roleplay/personas/*.yml), validated on load."""

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from bot.catalog import ASPECTS
from bot.constants import OBJECTION_INTENTS
from bot.exceptions import DataFileError
from bot.validation import Checker
from bot.yamlfile import read_yaml

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


def _persona(path: Path) -> Persona:
    raw = read_yaml(path)
    c = Checker(path)
    required = ("id", "name", "background", "readiness", "budget", "car_model", "cares_about", "objections",
                "levels", "endings")
    if not c.mapping(raw, "", required, ("competitor",)):
        c.raise_if_any()
    cares = c.texts(raw["cares_about"], "cares_about")
    for aspect in cares:
        if aspect not in ASPECTS:
            c.fail("cares_about", f"'{aspect}' is not one of the five aspects")
    lines: List[ObjectionLines] = []
    for i, o in enumerate(raw["objections"] if isinstance(raw["objections"], list) else []):
        w = f"objections[{i}]"
        if c.mapping(o, w, ("objection", "open", "repeat", "soften")):
            if o["objection"] not in OBJECTION_INTENTS:
                c.fail(f"{w}.objection", f"'{o['objection']}' is not an objection intent")
            lines.append(ObjectionLines(str(o["objection"]), c.texts(o["open"], f"{w}.open"),
                                        c.texts(o["repeat"], f"{w}.repeat"), c.texts(o["soften"], f"{w}.soften")))
    if not lines:
        c.fail("objections", "expected a non-empty list")
    levels: Dict[str, Level] = {}
    if c.mapping(raw["levels"], "levels", LEVELS):
        for name in LEVELS:
            w = f"levels.{name}"
            v = raw["levels"][name]
            if c.mapping(v, w, ("good_score", "good_answers_needed", "patience")):
                levels[name] = Level(c.integer(v["good_score"], f"{w}.good_score"),
                                     c.integer(v["good_answers_needed"], f"{w}.good_answers_needed", 1),
                                     c.integer(v["patience"], f"{w}.patience", 1))
    endings: Dict[str, str] = {}
    if c.mapping(raw["endings"], "endings", ENDINGS):
        endings = {k: c.text(raw["endings"][k], f"endings.{k}") for k in ENDINGS}
    persona = Persona(c.text(raw["id"], "id"), c.text(raw["name"], "name"), c.text(raw["background"], "background"),
                      c.text(raw["readiness"], "readiness"), c.integer(raw["budget"], "budget", 1),
                      c.text(raw["car_model"], "car_model"),
                      c.text(raw["competitor"], "competitor") if "competitor" in raw else None,
                      cares, tuple(lines), levels, endings)
    c.raise_if_any()
    return persona


def load_personas(directory: Union[str, Path]) -> Dict[str, Persona]:
    """Every persona file of ``directory``, by id. Raises DataFileError listing all problems."""
    personas: Dict[str, Persona] = {}
    problems: List[str] = []
    for path in sorted(Path(directory).glob("*.yml")):
        try:
            p = _persona(path)
        except DataFileError as e:
            problems += e.problems
            continue
        if p.id in personas:
            problems.append(DataFileError.problem(path, "id", f"duplicate persona id '{p.id}'"))
        personas[p.id] = p
    if problems:
        raise DataFileError(problems)
    return personas
