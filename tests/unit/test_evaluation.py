"""The held-out metrics themselves, on hand-made predictions."""

import pytest

from bot.evaluation.metrics import Example, Prediction, evaluate, suggest_threshold

EXAMPLES = [
    Example("太贵了", "objection_price", ()),
    Example("预算20万", "objection_price", ((2, 5, "money", "200000"),)),
    Example("能试驾吗", "request_test_drive", ()),
    Example("问问老婆", "consult_family", ((2, 4, "family_member", "spouse"),)),
]


def perfect(text):
    ex = next(e for e in EXAMPLES if e.text == text)
    return Prediction(ex.intent, 0.9, ex.entities)


def test_perfect_predictions_score_one():
    report = evaluate(EXAMPLES, perfect)
    assert report.intent_macro_f1 == 1.0 and report.entity_f1 == 1.0 and report.passed()
    assert report.errors == []


def test_a_wrong_intent_and_a_wrong_entity_lower_the_scores():
    def parse(text):
        p = perfect(text)
        if text == "能试驾吗":
            return Prediction("objection_price", 0.6, ())
        if text == "问问老婆":
            return Prediction(p.intent, 0.9, ((2, 4, "family_member", "parent"),))
        return p

    report = evaluate(EXAMPLES, parse)
    assert report.per_intent["request_test_drive"]["recall"] == 0.0
    assert report.per_intent["objection_price"]["precision"] == pytest.approx(2 / 3)
    assert report.intent_macro_f1 < 0.9 and not report.passed()
    assert report.entity_f1 == 1.0  # span and type right...
    assert report.entity_value_accuracy == 0.5  # ...value wrong
    assert len(report.errors) == 2


def test_entity_types_the_set_never_annotates_are_not_scored():
    def parse(text):
        p = perfect(text)
        if text == "太贵了":  # a spec entity the set has no annotation for: not a false positive
            return Prediction(p.intent, 0.9, ((0, 2, "spec", "价格"),))
        if text == "能试驾吗":  # a money entity where the set (which annotates money) has none: one
            return Prediction(p.intent, 0.9, ((0, 1, "money", "1"),))
        return p

    report = evaluate(EXAMPLES, parse)
    assert "spec" not in report.per_entity and report.per_entity["money"]["precision"] == 0.5


def test_fallback_counts_as_a_miss_but_keeps_the_confidence():
    def parse(text):
        p = perfect(text)
        return Prediction(p.intent, 0.3, p.entities, fallback=text == "太贵了")

    report = evaluate(EXAMPLES, parse)
    assert report.fallback_rate == 0.25
    assert report.per_intent["objection_price"]["recall"] == 0.5
    assert report.confusion[report.labels.index("objection_price")][-1] == 1


def test_suggested_threshold_keeps_nearly_all_correct_answers():
    report = evaluate(EXAMPLES, perfect)
    report.confidence_correct = [0.1] + [0.9] * 99
    assert suggest_threshold(report) == 0.9
    assert suggest_threshold(report, max_correct_lost=0.0) == 0.1
