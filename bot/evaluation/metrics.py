"""NLU evaluation on the held-out split: per-intent precision/recall/F1, macro-F1, entity F1
(exact span and type) and normalised-value accuracy, plus the confidences that choose the
fallback threshold. Pure Python over a ``parse`` callable, so it runs against an in-process
model (``make eval``) or a running server (the test suite) alike.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

MIN_INTENT_MACRO_F1 = 0.90
MIN_ENTITY_F1 = 0.85


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: Tuple[Tuple[int, int, str, str], ...]  # start, end, entity, value (as text)


@dataclass(frozen=True)
class Prediction:
    intent: str  # the intent the classifier ranked first (before the fallback rewrote it)
    confidence: float
    entities: Tuple[Tuple[int, int, str, str], ...]
    fallback: bool = False  # whether the FallbackClassifier turned it into nlu_fallback


@dataclass
class Report:
    n: int
    intent_accuracy: float
    intent_macro_f1: float
    per_intent: Dict[str, Dict[str, float]]
    entity_precision: float
    entity_recall: float
    entity_f1: float
    entity_value_accuracy: float
    per_entity: Dict[str, Dict[str, float]]
    fallback_rate: float
    confidence_correct: List[float] = field(default_factory=list)
    confidence_wrong: List[float] = field(default_factory=list)
    errors: List[Dict[str, Any]] = field(default_factory=list)
    labels: List[str] = field(default_factory=list)
    confusion: List[List[int]] = field(default_factory=list)

    def passed(self) -> bool:
        return self.intent_macro_f1 >= MIN_INTENT_MACRO_F1 and self.entity_f1 >= MIN_ENTITY_F1

    def summary(self) -> str:
        return (
            f"{self.n} held-out examples: intent macro-F1 {self.intent_macro_f1:.3f} "
            f"(accuracy {self.intent_accuracy:.3f}, fallback {self.fallback_rate:.1%}); entity F1 "
            f"{self.entity_f1:.3f} (P {self.entity_precision:.3f} R {self.entity_recall:.3f}), "
            f"normalised values correct {self.entity_value_accuracy:.1%}"
        )


def _prf(tp: int, fp: int, fn: int) -> Tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(examples: Sequence[Example], parse: Callable[[str], Prediction]) -> Report:
    """Parses every example and scores intents and entities.

    An example answered with ``nlu_fallback`` counts as a wrong intent: on the held-out split
    every message has a real intent, so a fallback is a miss the customer would notice.

    Entities are scored for the entity types the set annotates somewhere: a set written before an
    entity type existed (trim, spec) cannot say where it should have been found.
    """
    labels = sorted({e.intent for e in examples})
    annotated = {t for ex in examples for _, _, t, _ in ex.entities}
    index = {label: i for i, label in enumerate(labels + ["nlu_fallback"])}
    confusion = [[0] * (len(labels) + 1) for _ in labels]
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    ent_tp: Counter = Counter()
    ent_fp: Counter = Counter()
    ent_fn: Counter = Counter()
    value_ok = value_all = fallbacks = 0
    conf_ok: List[float] = []
    conf_bad: List[float] = []
    errors: List[Dict[str, Any]] = []
    for ex in examples:
        pred = parse(ex.text)
        predicted = "nlu_fallback" if pred.fallback else pred.intent
        fallbacks += pred.fallback
        confusion[index[ex.intent]][index.get(predicted, index["nlu_fallback"])] += 1
        (conf_ok if pred.intent == ex.intent else conf_bad).append(pred.confidence)
        if predicted == ex.intent:
            tp[ex.intent] += 1
        else:
            fn[ex.intent] += 1
            fp[predicted] += 1
        gold = {(s, e, t): v for s, e, t, v in ex.entities}
        got = {(s, e, t): v for s, e, t, v in pred.entities if t in annotated}
        for key in gold.keys() & got.keys():
            ent_tp[key[2]] += 1
            value_all += 1
            value_ok += str(gold[key]) == str(got[key])
        for key in got.keys() - gold.keys():
            ent_fp[key[2]] += 1
        for key in gold.keys() - got.keys():
            ent_fn[key[2]] += 1
        if predicted != ex.intent or gold != got:
            errors.append(
                {
                    "text": ex.text,
                    "intent": ex.intent,
                    "predicted": predicted,
                    "confidence": round(pred.confidence, 3),
                    "missing": sorted(map(list, gold.items() - got.items())),
                    "extra": sorted(map(list, got.items() - gold.items())),
                }
            )
    per_intent = {}
    for label in labels:
        p, r, f = _prf(tp[label], fp[label], fn[label])
        per_intent[label] = {"precision": p, "recall": r, "f1": f, "support": tp[label] + fn[label]}
    per_entity = {}
    for t in sorted(set(ent_tp) | set(ent_fp) | set(ent_fn)):
        p, r, f = _prf(ent_tp[t], ent_fp[t], ent_fn[t])
        per_entity[t] = {"precision": p, "recall": r, "f1": f, "support": ent_tp[t] + ent_fn[t]}
    ep, er, ef = _prf(sum(ent_tp.values()), sum(ent_fp.values()), sum(ent_fn.values()))
    n = len(examples)
    return Report(
        n=n,
        intent_accuracy=sum(tp.values()) / n if n else 0.0,
        intent_macro_f1=sum(v["f1"] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0,
        per_intent=per_intent,
        entity_precision=ep,
        entity_recall=er,
        entity_f1=ef,
        entity_value_accuracy=value_ok / value_all if value_all else 1.0,
        per_entity=per_entity,
        fallback_rate=fallbacks / n if n else 0.0,
        confidence_correct=conf_ok,
        confidence_wrong=conf_bad,
        errors=errors,
        labels=labels,
        confusion=confusion,
    )


def suggest_threshold(report: Report, max_correct_lost: float = 0.02) -> float:
    """The highest threshold that sends at most ``max_correct_lost`` of correct answers to the
    fallback; reported next to how many wrong answers it would catch."""
    ok = sorted(report.confidence_correct)
    if not ok:
        return 0.0
    k = int(len(ok) * max_correct_lost)
    return round(ok[k], 2)


def write_report(report: Report, out_dir: Path, threshold: Optional[float] = None) -> List[Path]:
    """Writes ``report.json``, ``report.md`` and ``confusion_matrix.png`` into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    data = {k: v for k, v in report.__dict__.items()}
    data["suggested_fallback_threshold"] = suggest_threshold(report)
    data["configured_fallback_threshold"] = threshold
    (out_dir / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

    lines = [
        "# NLU evaluation on the held-out split",
        "",
        report.summary(),
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for label, m in report.per_intent.items():
        lines.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    lines += ["", "| entity | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label, m in report.per_entity.items():
        lines.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    wrong = report.confidence_wrong
    lines += [
        "",
        f"Fallback threshold: configured {threshold}, suggested {data['suggested_fallback_threshold']} "
        f"(≤2% of correct answers below it; {sum(c < data['suggested_fallback_threshold'] for c in wrong)} "
        f"of {len(wrong)} wrong answers below it).",
        "",
        "## Errors",
        "",
    ]
    lines += [
        f"- `{e['text']}`: {e['intent']} → {e['predicted']} ({e['confidence']}); "
        f"missing {e['missing']}; extra {e['extra']}"
        for e in report.errors
    ]
    (out_dir / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")

    cols = report.labels + ["nlu_fallback"]
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(report.confusion, cmap="Blues")
    ax.set_xticks(range(len(cols)), cols, rotation=90, fontsize=8)
    ax.set_yticks(range(len(report.labels)), report.labels, fontsize=8)
    for i, row in enumerate(report.confusion):
        for j, v in enumerate(row):
            if v:
                ax.text(
                    j,
                    i,
                    str(v),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v > max(map(max, report.confusion)) / 2 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Intent confusion matrix (held-out split)")
    fig.tight_layout()
    fig.savefig(out_dir / "confusion_matrix.png", dpi=110)
    plt.close(fig)
    return [out_dir / "report.json", out_dir / "report.md", out_dir / "confusion_matrix.png"]
