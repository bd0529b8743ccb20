"""Trainer-labelled trainee replies (tests/data/trainee_replies_*.yml) and how well the scorer agrees with
them: per-check and per-penalty F1, principle recall, and how often the better-graded of two replies to
the same customer line scores higher. Only aggregate numbers leave ``measure``; the evaluation set's
replies are never printed (they must not tune the rubric)."""

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from bot.playbook.model import PRINCIPLES, Playbook
from bot.playbook.rules import Context, matches
from bot.roleplay.rubric import CHECKS, PENALTIES
from bot.roleplay.scorer import Expectation, ReplyScorer, Score
from bot.yamlfile import read_yaml


@dataclass(frozen=True)
class Labelled:
    id: str
    line: str  # the customer line it answers (pairs are formed within one line)
    intent: str
    attempt: int
    text: str
    checks: Tuple[str, ...]
    penalties: Tuple[str, ...]
    principle: Optional[str]
    grade: int
    car_model: Optional[str] = None


def mechanical_grade(checks: Sequence[str], principle: Optional[str], penalties: Sequence[str]) -> int:
    """The grade of trainee-labelling.md, from the labels."""
    n = len(checks)
    if penalties:
        return 2 if n else 1
    if n >= 3 and principle:
        return 5
    return 4 if n >= 2 else 3 if n == 1 else 2


def load_labelled(path: Union[str, Path]) -> List[Labelled]:
    """Reads a labelled set: ``lines[].replies[]`` (checks a list of names or a name -> 0/1 mapping)."""
    raw = read_yaml(Path(path))
    out = []
    for line in raw["lines"]:
        for i, r in enumerate(line["replies"]):
            checks = r["checks"]
            names = tuple(n for n in CHECKS if (checks.get(n) if isinstance(checks, dict) else n in checks))
            penalties = tuple(r.get("penalties") or ())
            principle = r.get("principle")
            out.append(
                Labelled(
                    r.get("id") or f"{line['id']}_r{i + 1}",
                    line["id"],
                    line["intent"],
                    int(line.get("attempt", 1)),
                    r["text"],
                    names,
                    penalties,
                    principle,
                    int(r.get("grade") or mechanical_grade(names, principle, penalties)),
                    line.get("car_model"),
                )
            )
    return out


def load_old_replies(path: Union[str, Path]) -> List[Labelled]:
    """The older per-reply file (tests/data/roleplay_replies.yml) in the same shape."""
    raw = read_yaml(Path(path))
    out = []
    for r in raw["replies"]:
        principle = (r.get("principles") or [None])[0]
        out.append(
            Labelled(
                r["id"],
                r["id"],
                r["objection"],
                int(r["attempt"]),
                r["reply"],
                tuple(r["checks"]),
                tuple(r["penalties"]),
                principle,
                mechanical_grade(r["checks"], principle, r["penalties"]),
            )
        )
    return out


def expectation_for(playbook: Playbook, objection: str, attempt: int, car_model: Optional[str] = None) -> Expectation:
    """The playbook's expectation for a turn: the moves of the first rule row that matches."""
    rule = playbook.rules.get(objection)
    if rule is None:
        return Expectation(objection, attempt, (), car_model)
    ctx = Context(objection, attempt)
    row = next((r for r in rule.rows if matches(r.when, ctx)), rule.rows[-1])
    return Expectation(objection, attempt, row.moves, car_model)


@dataclass(frozen=True)
class F1:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Measurement:
    replies: int
    checks: Dict[str, F1]
    penalties: Dict[str, F1]
    principle_recall: float
    principle_precision: float
    principles_labelled: int
    principles_recognised: int
    pairs: int
    pairs_ordered: int
    grade_exact: float
    failures: List[Tuple[str, str]] = field(default_factory=list)  # (id, what): only for development sets

    @property
    def checks_macro_f1(self) -> float:
        return sum(f.f1 for f in self.checks.values()) / len(self.checks)

    @property
    def penalties_macro_f1(self) -> float:
        return sum(f.f1 for f in self.penalties.values()) / len(self.penalties)

    @property
    def pair_ordering(self) -> float:
        return self.pairs_ordered / self.pairs if self.pairs else 1.0

    def table(self) -> str:
        """The aggregate numbers as Markdown."""
        rows = ["| check | precision | recall | F1 |", "|---|---:|---:|---:|"]
        rows += [f"| {n} | {f.precision:.2f} | {f.recall:.2f} | {f.f1:.2f} |" for n, f in self.checks.items()]
        rows += [
            f"| **checks macro-F1** | | | **{self.checks_macro_f1:.2f}** |",
            "",
            "| penalty | precision | recall | F1 |",
            "|---|---:|---:|---:|",
        ]
        rows += [f"| {n} | {f.precision:.2f} | {f.recall:.2f} | {f.f1:.2f} |" for n, f in self.penalties.items()]
        rows += [
            f"| **penalties macro-F1** | | | **{self.penalties_macro_f1:.2f}** |",
            "",
            f"- principle recall: **{self.principle_recall:.3f}** ({self.principles_recognised} of the "
            f"{self.principles_labelled} labelled principles recognised; precision of the principles named "
            f"{self.principle_precision:.2f})",
            f"- better-graded reply scored higher: **{self.pairs_ordered}/{self.pairs} pairs "
            f"({self.pair_ordering:.1%})**",
            f"- replies: {self.replies}; grade from the scorer's checks, principle and penalties equal to the "
            f"trainer's: {self.grade_exact:.1%}",
        ]
        return "\n".join(rows)


def measure(
    scorer: ReplyScorer,
    replies: Sequence[Labelled],
    expect: Callable[[Labelled], Expectation],
    keep_failures: bool = False,
) -> Measurement:
    """Scores every reply and compares with the labels."""
    counts = {n: [0, 0, 0] for n in CHECKS + PENALTIES}
    p_hit = p_lab = p_named = p_named_ok = 0
    grade_ok = 0
    scores: Dict[str, Score] = {}
    failures: List[Tuple[str, str]] = []
    for r in replies:
        s = scorer.score(r.text, expect(r))
        scores[r.id] = s
        got_checks = {n for n, c in s.checks.items() if c.passed}
        got_pen = {p.name for p in s.penalties}
        for names, got, want in ((CHECKS, got_checks, set(r.checks)), (PENALTIES, got_pen, set(r.penalties))):
            for n in names:
                c = counts[n]
                c[0] += n in got and n in want
                c[1] += n in got and n not in want
                c[2] += n not in got and n in want
            if keep_failures and got != want:
                failures.append((r.id, f"{sorted(got)} != {sorted(want)}: {r.text}"))
        if r.principle:
            p_lab += 1
            p_hit += r.principle in s.principles
            if keep_failures and r.principle not in s.principles:
                failures.append((r.id, f"principle {r.principle} missed {s.principles}: {r.text}"))
        if s.principles:
            p_named += 1
            p_named_ok += r.principle == s.principles[0] or r.principle in s.principles
        grade = mechanical_grade(sorted(got_checks), s.principles[0] if s.principles else None, sorted(got_pen))
        grade_ok += grade == r.grade
    pairs = ordered = 0
    by_line: Dict[str, List[Labelled]] = {}
    for r in replies:
        by_line.setdefault(r.line, []).append(r)
    for group in by_line.values():
        for a, b in combinations(group, 2):
            if a.grade == b.grade:
                continue
            hi, lo = (a, b) if a.grade > b.grade else (b, a)
            pairs += 1
            ok = scores[hi.id].total > scores[lo.id].total
            ordered += ok
            if keep_failures and not ok:
                failures.append(
                    (
                        hi.id,
                        f"pair: {hi.grade}>{lo.grade} but {scores[hi.id].total}<={scores[lo.id].total}" f" ({lo.id})",
                    )
                )
    return Measurement(
        len(replies),
        {n: F1(*counts[n]) for n in CHECKS},
        {n: F1(*counts[n]) for n in PENALTIES},
        p_hit / p_lab if p_lab else 1.0,
        p_named_ok / p_named if p_named else 1.0,
        p_lab,
        p_hit,
        pairs,
        ordered,
        grade_ok / len(replies) if replies else 1.0,
        failures,
    )


__all__ = [
    "Labelled",
    "Measurement",
    "PRINCIPLES",
    "expectation_for",
    "load_labelled",
    "load_old_replies",
    "measure",
    "mechanical_grade",
]
