"""Grading a lead O/A/B/C from when the customer plans to buy, and the follow-up date
(篇八 §6.2; vocabulary and cadence in data/lexicon/lead_grades.yml)."""

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from bot.validation import Checker
from bot.yamlfile import read_yaml

GRADES = ("O", "A", "B", "C")
LEAD_GRADES_FILE = "lead_grades.yml"


@dataclass(frozen=True)
class GradeRule:
    grade: str
    within_days: int
    follow_up_every_days: int
    words: Tuple[str, ...]


@dataclass(frozen=True)
class LeadGrade:
    grade: str
    follow_up_date: dt.date


def load_grade_rules(lexicon_dir: Union[str, Path]) -> Tuple[GradeRule, ...]:
    """Reads data/lexicon/lead_grades.yml. Raises DataFileError naming file and field."""
    path = Path(lexicon_dir) / LEAD_GRADES_FILE
    raw = read_yaml(path)
    c = Checker(path)
    rules = []
    if c.mapping(raw, "", ("grades",)) and c.mapping(raw["grades"], "grades", GRADES):
        for g in GRADES:
            w = f"grades.{g}"
            r = raw["grades"][g]
            if c.mapping(r, w, ("within_days", "follow_up_every_days", "words")):
                rules.append(
                    GradeRule(
                        g,
                        c.integer(r["within_days"], f"{w}.within_days", 1),
                        c.integer(r["follow_up_every_days"], f"{w}.follow_up_every_days", 1),
                        c.texts(r["words"], f"{w}.words"),
                    )
                )
    c.raise_if_any()
    return tuple(sorted(rules, key=lambda r: r.within_days))


@functools.lru_cache(maxsize=4)
def get_grade_rules(lexicon_dir: str) -> Tuple[GradeRule, ...]:
    return load_grade_rules(lexicon_dir)


_UNIT_DAYS: Dict[str, int] = {"天": 1, "周": 7, "星期": 7, "礼拜": 7, "个月": 30, "月": 30, "年": 365}
_CN = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0.5}


def days_until_purchase(text: str, rules: Tuple[GradeRule, ...]) -> Optional[float]:
    """Days until the customer plans to buy, from "3天内", "两个月", "半年" or a grade's words."""
    m = re.search(r"(\d+(?:\.\d+)?|[一两二三四五六七八九十半])\s*(天|周|星期|礼拜|个月|月|年)", text)
    if m:
        n = float(m.group(1)) if m.group(1)[0].isdigit() else _CN[m.group(1)]
        return n * _UNIT_DAYS[m.group(2)]
    for rule in rules:
        if any(w in text for w in rule.words):
            return float(rule.within_days)
    return None


def grade_lead(text: str, rules: Tuple[GradeRule, ...], today: dt.date) -> Optional[LeadGrade]:
    """The grade for an answer to "when do you plan to buy?", or None if the answer says nothing
    about time. Later than the last grade's window still counts as the last grade (C)."""
    days = days_until_purchase(text, rules)
    if days is None:
        return None
    rule = next((r for r in rules if days <= r.within_days), rules[-1])
    return LeadGrade(rule.grade, today + dt.timedelta(days=rule.follow_up_every_days))
