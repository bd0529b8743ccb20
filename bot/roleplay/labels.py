"""The Chinese words of customer mode outside the domain.yml responses, from data/roleplay/labels.yml:
the names of what the practice keeps by id (levels, dimensions, objections, outcomes in the
scorecard's and the records' wording) and the templates of the scorecard's parts (a dimension, a
turn note, a suggestion, the comparison with earlier visits). action_roleplay_turn, the session's
scorecard and the trainer records all say them from here.

Each field is checked on load (``bot.validation.Checker``): missing and unknown fields, empty texts,
and the ``{placeholders}`` each template must use, so a typo is reported as
``data/roleplay/labels.yml: scorecard.suggestion: missing placeholder {answer}`` (``python -m bot
validate``). No Rasa imports."""

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from bot.constants import OBJECTION_INTENTS
from bot.roleplay.personas import LEVELS
from bot.roleplay.rubric import CHECKS
from bot.validation import Checker, read_mapping

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "roleplay" / "labels.yml"
FILE_NAME = "labels.yml"  # in the roleplay directory
DIMENSIONS = CHECKS + ("principle", "no_penalty")  # what the scorecard scores (CustomerSession.scorecard)
STOPPED = "stopped"  # a visit the trainee ended before the customer did
OUTCOMES = ("test_drive", "walk_out", STOPPED)  # the session's TEST_DRIVE and WALK_OUT, and STOPPED
TRENDS = ("up", "same", "down")  # this visit's total against the previous one

# template field -> the placeholders it must use, each with a sample value to try it with
TEMPLATES: Dict[str, Dict[str, Any]] = {
    "penalty": {"name": "x"},
    "scorecard.dimension": {"name": "x", "score": 50},
    "scorecard.turn_note": {"turn": 1, "objection": "x", "attempt": 1, "score": 50, "notes": "x"},
    "scorecard.suggestion": {"n": 1, "move": "x", "why": "x", "answer": "x"},
    "scorecard.comparison.first": {},
    "scorecard.comparison.again": {"attempt": 2, "total": 60, "last": 50, "trend": "x", "change": 10, "best": 55},
}


@dataclass(frozen=True)
class Labels:
    levels: Dict[str, str]  # level -> name
    dimensions: Dict[str, str]  # dimension -> name, in DIMENSIONS order
    objections: Dict[str, str]  # objection intent -> name as a trainer says it
    scorecard_outcomes: Dict[str, str]  # outcome -> what the trainee's scorecard says
    record_outcomes: Dict[str, str]  # outcome -> its name in the trainers' tables
    trends: Dict[str, str]  # up, same, down -> word in the comparison
    templates: Dict[str, str]  # TEMPLATES field -> template
    dimension_separator: str

    def outcome(self, outcome: Optional[str]) -> str:
        """The scorecard's words for how the visit ended (None or an unknown outcome: stopped)."""
        return self.scorecard_outcomes.get(outcome or STOPPED, self.scorecard_outcomes[STOPPED])

    def penalty(self, name: str) -> str:
        """A penalty as a correctable check, from the rubric's ``name`` of it."""
        return self.templates["penalty"].format(name=name)

    def dimension_scores(self, scores: Mapping[str, int]) -> str:
        """The scorecard's {dimensions}: each dimension's name and score."""
        template = self.templates["scorecard.dimension"]
        return self.dimension_separator.join(
            template.format(name=self.dimensions.get(k, k), score=v) for k, v in scores.items()
        )

    def turn_note(self, turn: int, objection: str, attempt: int, score: int, notes: str) -> str:
        """One turn in the scorecard's {notes} (``turn`` counts from 1)."""
        return self.templates["scorecard.turn_note"].format(
            turn=turn, objection=objection, attempt=attempt, score=score, notes=notes
        )

    def suggestion(self, n: int, move: str, why: str, answer: str) -> str:
        """The ``n``-th suggestion (from 1) in the scorecard's {suggestions}."""
        return self.templates["scorecard.suggestion"].format(n=n, move=move, why=why, answer=answer)

    def comparison(self, total: int, previous: Sequence[int]) -> str:
        """This visit's ``total`` against the trainee's ``previous`` totals with the same customer,
        oldest first."""
        if not previous:
            return self.templates["scorecard.comparison.first"].format()
        best, last = max(previous), previous[-1]
        trend = self.trends["up" if total > last else ("same" if total == last else "down")]
        return self.templates["scorecard.comparison.again"].format(
            attempt=len(previous) + 1, total=total, last=last, trend=trend, change=abs(total - last), best=best
        )


def _template(c: Checker, value: Any, where: str) -> str:
    """A template of TEMPLATES: a text that uses each of its placeholders, and no other."""
    return c.template(value, where, TEMPLATES[where], samples=TEMPLATES[where])


def _names(c: Checker, value: Any, where: str, ids: Tuple[str, ...]) -> Dict[str, str]:
    """A mapping of exactly ``ids`` to their names, in the order of ``ids``."""
    if not c.mapping(value, where, ids):
        return {}
    return {k: c.text(value[k], f"{where}.{k}") for k in ids}


def load_labels(path: Union[str, Path] = DEFAULT_PATH) -> Labels:
    """Reads and checks the labels file.

    Raises:
        DataFileError: listing every problem as ``file: field: reason``.
    """
    raw, c = read_mapping(path, ("levels", "dimensions", "objections", "outcomes", "penalty", "scorecard"))
    outcomes = raw["outcomes"]
    scorecard = raw["scorecard"]
    templates = {"penalty": _template(c, raw["penalty"], "penalty")}
    dimension_separator, trends = "", {}
    sc_fields = ("dimension", "dimension_separator", "turn_note", "suggestion", "comparison")
    if c.mapping(scorecard, "scorecard", sc_fields):
        for name in ("dimension", "turn_note", "suggestion"):
            templates[f"scorecard.{name}"] = _template(c, scorecard[name], f"scorecard.{name}")
        dimension_separator = c.text(scorecard["dimension_separator"], "scorecard.dimension_separator")
        comparison = scorecard["comparison"]
        if c.mapping(comparison, "scorecard.comparison", ("first", "again", "trend")):
            for name in ("first", "again"):
                where = f"scorecard.comparison.{name}"
                templates[where] = _template(c, comparison[name], where)
            trends = _names(c, comparison["trend"], "scorecard.comparison.trend", TRENDS)
    scorecard_outcomes, record_outcomes = {}, {}
    if c.mapping(outcomes, "outcomes", ("scorecard", "records")):
        scorecard_outcomes = _names(c, outcomes["scorecard"], "outcomes.scorecard", OUTCOMES)
        record_outcomes = _names(c, outcomes["records"], "outcomes.records", OUTCOMES)
    labels = Labels(
        levels=_names(c, raw["levels"], "levels", LEVELS),
        dimensions=_names(c, raw["dimensions"], "dimensions", DIMENSIONS),
        objections=_names(c, raw["objections"], "objections", OBJECTION_INTENTS),
        scorecard_outcomes=scorecard_outcomes,
        record_outcomes=record_outcomes,
        trends=trends,
        templates=templates,
        dimension_separator=dimension_separator,
    )
    c.raise_if_any()
    return labels


@functools.lru_cache(maxsize=4)
def _cached(path: str) -> Labels:
    return load_labels(path)


def get_labels(path: Union[str, Path] = DEFAULT_PATH) -> Labels:
    """``load_labels``, read once per file."""
    return _cached(str(Path(path).resolve()))


def labels_in(roleplay_dir: Union[str, Path]) -> Labels:
    """The labels of a roleplay directory (its labels.yml), read once."""
    return get_labels(Path(roleplay_dir) / FILE_NAME)
