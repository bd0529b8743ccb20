"""Scoring one trainee reply against the rubric: which checks it passes, which persuasion principles
and penalties it shows (bot.roleplay.cues reads the reply structurally and keeps the evidence), and a
0-100 total that follows the trainer's grade (shared/docs/trainee-labelling.md) with a bonus for the
moves the playbook's rule table expects at this turn."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from bot.catalog import Catalog, load_catalog
from bot.constants import DEFAULT_CATALOG_PATH, DEFAULT_LEXICON_DIR
from bot.nlu.lexicon import competitor_terms
from bot.nlu.text import normalize
from bot.playbook.model import Playbook
from bot.roleplay.cues import NUM, CatalogCues, CatalogFacts, ModelFacts, ReplyAnalyser, cn_number
from bot.roleplay.rubric import CHECKS, Rubric

ROOT = Path(__file__).resolve().parents[2]
SAME_AS_SCRIPT = 0.8  # share of character pairs a reply and a playbook script must have in common both ways
# what the playbook may know about a customer when a script is rendered as a model answer
SAMPLE_SLOTS = ({"budget": 150000, "family_member": "spouse", "competitor": "卡罗拉"},)
PRIORITIES = (None, "安全性", "动力与操控性", "舒适实用性", "造型与外观", "超值性")


def _pairs(text: str) -> frozenset:
    t = re.sub(r"[\s，。！？、：；“”,.!?;:]", "", normalize(text))
    return frozenset(t[i : i + 2] for i in range(len(t) - 1))


@dataclass(frozen=True)
class ModelAnswer:
    """A playbook script as a customer reads it (rendered with the catalog's facts)."""

    script_id: str
    objection: str
    move: str
    principle: str
    pairs: frozenset


def model_answers(playbook: Optional[Playbook], catalog: Optional[Catalog]) -> Tuple[ModelAnswer, ...]:
    """Every script of ``playbook`` rendered for each catalog model and stated priority."""
    if playbook is None or catalog is None:
        return ()
    from bot.playbook.audit import render

    out: Dict[Tuple[str, frozenset], ModelAnswer] = {}
    for script in playbook.scripts:
        for model in (None,) + tuple(m.name for m in catalog.models):
            for priority in PRIORITIES:
                slots = dict(SAMPLE_SLOTS[0], car_model=model, priority=priority)
                text = render(playbook, catalog, script, slots)
                if text:
                    pairs = _pairs(text.split("\n")[0] if script.buttons else text)
                    out.setdefault(
                        (script.id, pairs),
                        ModelAnswer(script.id, script.objection, script.move, script.principle, pairs),
                    )
    return tuple(out.values())


@dataclass(frozen=True)
class Expectation:
    """What the turn calls for: the objection the customer raised and the moves the playbook's
    rule table expects for it (and, when known, the model the customer is looking at)."""

    objection: str
    attempt: int = 1
    moves: Tuple[str, ...] = ()
    car_model: Optional[str] = None


@dataclass(frozen=True)
class CheckResult:
    name: str  # a check (acknowledge, clarify, value, next_step) or a penalty
    zh: str  # its name on the scorecard, from the rubric
    passed: bool  # a penalty: incurred
    points: int  # the points earned; a penalty's are negative
    evidence: Tuple[str, ...] = ()  # the words or sentences that triggered it


@dataclass(frozen=True)
class Score:
    total: int  # 0-100
    checks: Dict[str, CheckResult]  # acknowledge, clarify, value, next_step
    principles: Tuple[str, ...]  # persuasion principles recognised in the reply, strongest first
    penalties: Tuple[CheckResult, ...]  # only those incurred
    missing: Tuple[str, ...]  # expected moves the reply did not make
    principle_evidence: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    word_salad: bool = False
    wrong_facts: Tuple[str, ...] = ()  # what the reply said that the catalog contradicts (no value credit)

    def notes(self) -> str:
        """One line for the scorecard: what passed and why, what was missing, what was penalised."""
        ok = [f"{c.zh}（{'、'.join(_short(e) for e in c.evidence[:2])}）" for c in self.checks.values() if c.passed]
        parts = [f"做到：{'、'.join(ok) or '无'}"]
        if self.principles:
            parts.append(f"原则：{'、'.join(self.principles)}")
        if self.missing:
            parts.append(
                f"缺少：{'、'.join(self.checks[m].zh for m in self.missing if m in self.checks)}"
                if any(m in self.checks for m in self.missing)
                else "缺少：让步换承诺"
            )
        if self.penalties:
            parts.append(f"扣分：{'、'.join(f'{p.zh}（{_short(p.evidence[0])}）' for p in self.penalties)}")
        if self.word_salad:
            parts.append("只是关键词堆砌，没有真正回答")
        if self.wrong_facts:
            parts.append(f"与车型资料不符：{'、'.join(self.wrong_facts[:2])}")
        return "；".join(parts)


def _short(text: str, n: int = 16) -> str:
    return text if len(text) <= n else text[:n] + "…"


def catalog_facts(catalog) -> CatalogFacts:
    """The checkable facts of a bot.catalog.Catalog."""
    if catalog is None:
        return CatalogFacts()
    models = []
    for m in catalog.models:
        fab = " ".join(f.feature + f.benefit for f in m.fab.values())
        bags = re.search(rf"({NUM})(?:个)?气囊", fab)
        airbags = cn_number(bags.group(1)) if bags else None
        disp = re.search(r"[12]\.[0-9]T", m.engine or "")
        eco = re.search(r"([0-9.]+)升", m.economy or "")
        ranges = [t.range_km for t in m.trims if getattr(t, "range_km", None)]
        models.append(
            ModelFacts(
                m.name,
                (m.name,) + tuple(a for a in m.aliases if len(a) >= 2),
                m.seats,
                int(airbags) if airbags is not None else None,
                disp.group() if disp else None,
                float(eco.group(1)) if eco else None,
                max(ranges) if ranges else None,
                m.delivery_weeks,
                tuple(t.name for t in m.trims),
                {k: tuple(v) for k, v in (m.features or {}).items()},
            )
        )
    d = catalog.dealer
    years = {n for n in map(cn_number, re.findall(rf"({NUM})年", d.warranty or "")) if n is not None}
    kms = {n for n in map(cn_number, re.findall(rf"({NUM})万公里", d.warranty or "")) if n is not None}
    fin = list(catalog.financing or ())
    ratio = min((f.down_payment_ratio for f in fin), default=None)
    outlets = re.search(r"([0-9]+)家", d.service_outlets or "")
    subsidy = catalog.trade_in.subsidy if getattr(catalog, "trade_in", None) else None
    return CatalogFacts(
        tuple(models),
        frozenset(years),
        frozenset(kms),
        ratio * 10 if ratio else None,
        frozenset(round(f.annual_rate * 100, 2) for f in fin),
        subsidy,
        int(outlets.group(1)) if outlets else None,
    )


def catalog_cues(catalog: Optional[Catalog], competitors_path: Optional[Path] = None) -> CatalogCues:
    """The catalog's words the analyser needs: what a model has, what the dealer gives, who says what."""
    competitors: List[str] = []
    if competitors_path is not None and competitors_path.exists():
        competitors = [t.text for t in competitor_terms(competitors_path.parent, competitors_path.name)]
    competitors = [c for c in competitors if len(c) >= 2]
    if catalog is None:
        return CatalogCues(competitors=tuple(competitors))
    features: List[str] = []
    owners: List[str] = []
    groups: List[str] = []
    for m in catalog.models:
        features += list(m.features)
        for fab in m.fab.values():
            features += [p for p in re.split(r"[和配加、，,]", fab.feature) if len(p) >= 2]
        owners += [re.split(r"[（(]", q.owner)[0] for q in m.owner_quotes]
        if m.popular_with:
            groups += [p for p in re.split(r"[、，,和的]", m.popular_with) if 2 <= len(p) <= 6]
    gifts: List[str] = []
    for g in catalog.dealer.gifts:
        gifts += [p for p in re.split(r"[和，,]|免费装|免费", g) if len(p) >= 2 and not re.search(r"[0-9元]", p)]
    return CatalogCues(
        features=tuple(dict.fromkeys(features)),
        gifts=tuple(dict.fromkeys(gifts)),
        owners=tuple(owners),
        popular_trims=tuple(m.popular_trim for m in catalog.models if m.popular_trim),
        popular_with=tuple(dict.fromkeys(groups)),
        competitors=tuple(competitors),
        models=tuple(m.name for m in catalog.models),
        facts=catalog_facts(catalog),
    )


# Development replies a penalty classifier learns from (never the evaluation set, trainee_replies_eval.yml)
TRAINING_SETS = ("tests/data/trainee_replies_dev.yml", "tests/data/trainee_replies_dev2.yml")
OLD_TRAINING_SET = "tests/data/roleplay_replies.yml"
# penalties whose wording varies too much for cue lists alone; a classifier adds the ones the rules miss
LEARNED_PENALTIES = ("argue", "instant_discount")
LEARNED_THRESHOLD = 0.5


class PenaltyClassifier:
    """Character 1-3-gram TF-IDF and a logistic regression per penalty (class-balanced, fixed seed), trained
    on labelled development replies. It only adds a penalty the rules missed; a reply the rules clear of a
    penalty through a negation may still be caught, so it is kept to ``LEARNED_PENALTIES`` where held-out
    development data showed a gain (BENCHMARKS.md, "Scorer on the independent set")."""

    def __init__(
        self,
        texts: Sequence[str],
        labels: Sequence[Sequence[str]],
        penalties: Sequence[str] = LEARNED_PENALTIES,
        threshold: float = LEARNED_THRESHOLD,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.threshold = threshold
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        x = self.vectorizer.fit_transform([normalize(t) for t in texts])
        self.models = {}
        for p in penalties:
            y = [p in ls for ls in labels]
            if any(y) and not all(y):
                self.models[p] = LogisticRegression(C=1.0, class_weight="balanced", random_state=0, max_iter=2000).fit(
                    x, y
                )

    def predict(self, reply: str) -> Dict[str, float]:
        """The penalties whose probability reaches the threshold, with that probability."""
        if not self.models:
            return {}
        x = self.vectorizer.transform([normalize(reply)])
        out = {}
        for p, m in self.models.items():
            prob = float(m.predict_proba(x)[0][list(m.classes_).index(True)])
            if prob >= self.threshold:
                out[p] = prob
        return out

    @classmethod
    def from_files(cls, paths: Sequence[Path], old_path: Optional[Path] = None) -> Optional["PenaltyClassifier"]:
        """Trained on the labelled sets that exist (None when none does or scikit-learn is missing)."""
        from bot.roleplay.labelled import load_labelled, load_old_replies

        replies = [r for p in paths if p.exists() for r in load_labelled(p)]
        if old_path is not None and old_path.exists():
            replies += load_old_replies(old_path)
        if not replies:
            return None
        try:
            return cls([r.text for r in replies], [r.penalties for r in replies])
        except ImportError:
            return None


_DEFAULT_CLASSIFIER: List[Optional[PenaltyClassifier]] = []


def default_classifier() -> Optional[PenaltyClassifier]:
    """The classifier trained on the project's development sets (built once per process)."""
    if not _DEFAULT_CLASSIFIER:
        _DEFAULT_CLASSIFIER.append(
            PenaltyClassifier.from_files([ROOT / p for p in TRAINING_SETS], ROOT / OLD_TRAINING_SET)
        )
    return _DEFAULT_CLASSIFIER[0]


class ReplyScorer:
    """Scores trainee replies; build once per rubric (the cue lists are compiled here). Without a
    catalog the one in data/catalog.yml is read, for the equipment, gifts and owners a reply may name."""

    def __init__(
        self,
        rubric: Rubric,
        catalog: Optional[Catalog] = None,
        competitors_path: Optional[Path] = None,
        playbook: Optional[Playbook] = None,
        classifier: Union[PenaltyClassifier, None, bool] = True,
    ) -> None:
        """``classifier``: True for the one trained on the development sets, False/None for rules only."""
        self.rubric = rubric
        self.classifier = default_classifier() if classifier is True else classifier or None
        if catalog is None and (ROOT / DEFAULT_CATALOG_PATH).exists():
            catalog = load_catalog(ROOT / DEFAULT_CATALOG_PATH)
        if playbook is None and (ROOT / "data/playbook").is_dir():
            from bot.playbook.loader import load_playbook

            playbook = load_playbook(ROOT / "data/playbook", trainer_checks=False)
        # A trainee who says the playbook's model answer is credited with its move and principle.
        self.model_answers = model_answers(playbook, catalog)
        if competitors_path is None:
            competitors_path = ROOT / DEFAULT_LEXICON_DIR / "competitors.yml"
        self.catalog = catalog
        self.analyser = ReplyAnalyser(rubric, catalog_cues(catalog, competitors_path))

    def model_answer(self, reply: str, objection: Optional[str] = None) -> Optional[ModelAnswer]:
        """The playbook script ``reply`` repeats (nearly word for word), preferring the turn's objection."""
        pairs = _pairs(reply or "")
        if len(pairs) < 8:
            return None
        best, best_key = None, (False, 0.0)
        for m in self.model_answers:
            common = len(pairs & m.pairs)
            overlap = min(common / len(pairs), common / len(m.pairs)) if m.pairs else 0.0
            key = (m.objection == objection, overlap)
            if overlap >= SAME_AS_SCRIPT and key > best_key:
                best, best_key = m, key
        return best

    def score(self, reply: str, expectation: Expectation) -> Score:
        """Scores ``reply`` for the turn described by ``expectation``."""
        a = self.analyser.analyse(reply, expectation.car_model)
        match = self.model_answer(reply, expectation.objection)
        if match is not None:
            a = self.analyser.credit(a, match.move, match.principle, f"话术库:{match.script_id}")
        elif self.classifier is not None and not a.word_salad:
            a = self.analyser.add_penalties(
                a, {p: (f"分类器 {prob:.2f}",) for p, prob in self.classifier.predict(reply).items()}
            )
        s = self.rubric.scoring
        done_order = [n for n in CHECKS if a.checks[n].evidence]
        checks: Dict[str, CheckResult] = {}
        for name in CHECKS:
            passed = name in done_order
            points = s.checks[done_order.index(name)] if passed else 0
            checks[name] = CheckResult(name, self.rubric.checks[name].zh, passed, points, a.checks[name].evidence)
        principles = tuple(p.name for p in a.principles)
        penalties = tuple(
            CheckResult(
                p.name, self.rubric.penalties[p.name].zh, True, -self.rubric.penalties[p.name].points, p.evidence
            )
            for p in a.penalties
        )
        done = set(done_order)
        if "reciprocity" in principles:
            done.add("concession")
        expected = tuple(m for m in expectation.moves if m in checks or m == "concession")
        missing = tuple(m for m in expected if m not in done)
        n = len(done_order)
        if penalties:
            total = min(s.penalised_max, s.penalised_per_check * n)
        else:
            total = s.base + sum(s.checks[:n])
            total += round(s.expected_moves * (len(expected) - len(missing)) / len(expected)) if expected else 0
            if principles:
                total += s.principle_full if n >= 3 else s.principle_small
            if n < 2:  # bonuses never lift a reply to the total of one with a check more (a higher grade)
                total = min(total, s.base + sum(s.checks[: n + 1]) - 1)
        return Score(
            max(0, min(100, total)),
            checks,
            principles,
            penalties,
            missing,
            tuple((p.name, p.evidence) for p in a.principles),
            a.word_salad,
            a.wrong_facts,
        )
