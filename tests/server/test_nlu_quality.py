"""The quality bar on the held-out split, measured through the running server."""

from pathlib import Path

import pytest

from bot.evaluation import MIN_ENTITY_F1, MIN_INTENT_MACRO_F1, evaluate
from bot.nlu.holdout import http_parser, load_examples

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]


def test_held_out_intent_macro_f1_and_entity_f1_meet_the_bar(servers):
    examples = load_examples((ROOT / "tests/nlu").glob("holdout_*.yml"))
    report = evaluate(examples, http_parser(servers.url, servers.token))
    print(report.summary())
    assert report.intent_macro_f1 >= MIN_INTENT_MACRO_F1, report.summary()
    assert report.entity_f1 >= MIN_ENTITY_F1, report.summary()
    assert report.entity_value_accuracy >= 0.95, report.summary()
