"""Scoring one trainee reply against the rubric with spaCy rules, with the evidence for each
check: character-level ``spacy.blank("zh")`` (no model), a PhraseMatcher for the phrase lists
and a Matcher for price cuts followed by an amount (便宜五千, 让您3000)."""

from dataclasses import dataclass
from typing import Dict, List, Tuple

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from bot.roleplay.rubric import CHECKS, Rubric
from bot.text import normalize

_NUMERAL = "^[0-9零一二三四五六七八九十两百千万wWkK]$"
_PRICE_OBJECTIONS = ("objection_price", "ask_discount")


@dataclass(frozen=True)
class Expectation:
    """What the turn calls for: the objection the customer raised and the moves the playbook's
    rule table expects for it."""

    objection: str
    attempt: int = 1
    moves: Tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    name: str
    zh: str
    passed: bool
    points: int
    evidence: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    total: int  # 0-100
    checks: Dict[str, CheckResult]  # acknowledge, clarify, value, next_step
    principles: Tuple[str, ...]  # persuasion principles recognised in the reply
    penalties: Tuple[CheckResult, ...]  # only those incurred
    missing: Tuple[str, ...]  # expected moves the reply did not make

    def notes(self) -> str:
        """One line for the scorecard: what passed, what was missing, what was penalised."""
        ok = [c.zh for c in self.checks.values() if c.passed]
        parts = [f"做到：{'、'.join(ok) or '无'}"]
        if self.principles:
            parts.append(f"原则：{'、'.join(self.principles)}")
        if self.missing:
            parts.append(f"缺少：{'、'.join(self.checks[m].zh for m in self.missing if m in self.checks)}")
        if self.penalties:
            parts.append(f"扣分：{'、'.join(p.zh for p in self.penalties)}")
        return "；".join(parts)


_SENTENCE_END = set("。！!？?；;\n")


def _sentences(doc: Doc) -> List[Doc]:
    """Sentences of a character-segmented doc, each as its own Doc (ending punctuation kept)."""
    out, start = [], 0
    for i, tok in enumerate(doc):
        if tok.text in _SENTENCE_END:
            out.append(doc[start : i + 1].as_doc())
            start = i + 1
    if start < len(doc):
        out.append(doc[start:].as_doc())
    return out


class ReplyScorer:
    """Scores trainee replies; build once per rubric (the matchers are compiled here)."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.nlp: Language = spacy.blank("zh")  # character segmenter: phrases match anywhere
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for name, check in rubric.checks.items():
            self._add(f"check:{name}", check.phrases)
            self._add(f"feature:{name}", check.features)
            self._add(f"question:{name}", check.question_words)
        for tag, phrases in rubric.principles.items():
            self._add(f"principle:{tag}", phrases)
        for name, penalty in rubric.penalties.items():
            self._add(f"penalty:{name}", penalty.phrases)
        self.cuts = Matcher(self.nlp.vocab, validate=True)
        for name, penalty in rubric.penalties.items():
            patterns = [[{"ORTH": ch} for ch in verb] + [{"OP": "?"}, {"OP": "?"}]
                        + [{"TEXT": {"REGEX": _NUMERAL}, "OP": "+"}] for verb in penalty.cut_verbs]
            if patterns:
                self.cuts.add(f"penalty:{name}", patterns)

    def _add(self, key: str, phrases: Tuple[str, ...]) -> None:
        if phrases:
            self.phrases.add(key, [self.nlp.make_doc(normalize(p)) for p in phrases])

    def _hits(self, doc: Doc) -> Dict[str, List[str]]:
        hits: Dict[str, List[str]] = {}
        for match_id, start, end in list(self.phrases(doc)) + list(self.cuts(doc)):
            hits.setdefault(self.nlp.vocab.strings[match_id], []).append(doc[start:end].text)
        return hits

    def _asked(self, doc: Doc, name: str) -> Tuple[str, ...]:
        """Cause phrases of ``name`` inside question sentences that are not next-step requests."""
        found: List[str] = []
        for sent in _sentences(doc):
            keys = {self.nlp.vocab.strings[m] for m, _, _ in self.phrases(sent)}
            if f"question:{name}" in keys and "check:next_step" not in keys:
                found += [sent[s:e].text for m, s, e in self.phrases(sent) if self.nlp.vocab.strings[m] == f"check:{name}"]
        return tuple(found)

    def score(self, reply: str, expectation: Expectation) -> Score:
        """Scores ``reply`` for the turn described by ``expectation``."""
        doc = self.nlp.make_doc(normalize(reply or ""))
        hits = self._hits(doc)
        checks: Dict[str, CheckResult] = {}
        for name in CHECKS:
            check = self.rubric.checks[name]
            evidence = tuple(hits.get(f"check:{name}", ()))
            passed = bool(evidence)
            if check.features:
                features = tuple(hits.get(f"feature:{name}", ()))
                passed = passed and bool(features)
                evidence += features
            if check.question_words:
                evidence = self._asked(doc, name)
                passed = bool(evidence)
            checks[name] = CheckResult(name, check.zh, passed, check.points if passed else 0, evidence)
        principles = tuple(t for t in self.rubric.principles if hits.get(f"principle:{t}"))
        penalties: List[CheckResult] = []
        for name, p in self.rubric.penalties.items():
            evidence = tuple(hits.get(f"penalty:{name}", ()))
            if not evidence:
                continue
            if p.first_push_only and not (expectation.objection in _PRICE_OBJECTIONS and expectation.attempt == 1):
                continue
            if p.max_attempt is not None and expectation.attempt > p.max_attempt:
                continue
            penalties.append(CheckResult(name, p.zh, True, -p.points, evidence))
        done = {name for name, c in checks.items() if c.passed}
        if "reciprocity" in principles:
            done.add("concession")
        expected = tuple(m for m in expectation.moves if m in checks or m == "concession")
        missing = tuple(m for m in expected if m not in done)
        total = self.rubric.base_points
        total += round(self.rubric.expected_points * (len(expected) - len(missing)) / len(expected)) if expected else 0
        total += sum(c.points for name, c in checks.items() if name not in expected)
        total += self.rubric.principle_points if principles else 0
        total += sum(p.points for p in penalties)
        return Score(max(0, min(100, total)), checks, principles, tuple(penalties), missing)
