"""The intent/entity contract of domain-brief.md holds across domain, NLU data and test split."""

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.utils.io import read_yaml_file

from bot.constants import (
    ALL_ENTITIES,
    ALL_INTENTS,
    ANNOTATED_ENTITIES,
    OBJECTION_INTENTS,
    SMALLTALK_INTENTS,
    VISITOR_INTENTS,
)
from bot.evaluation.holdout import load_examples

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def training():
    return load_data(str(ROOT / "data/nlu"))


@pytest.fixture(scope="module")
def holdout():
    return load_examples((ROOT / "tests/nlu").glob("holdout_*.yml"))


def _key(text):
    """Text without punctuation and case; emoji-only or punctuation-only text is kept as written."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\W", "", text).lower() or re.sub(r"\s", "", text)


def test_domain_declares_exactly_the_contract_intents_and_entities(domain):
    assert (
        set(domain.intents) - {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"} | {"out_of_scope"}
        == ALL_INTENTS
    )
    assert set(domain.entities) == set(ALL_ENTITIES)


def test_training_data_has_enough_examples_per_intent(training):
    counts = Counter(m.get("intent") for m in training.intent_examples)
    assert set(counts) == ALL_INTENTS
    for intent in OBJECTION_INTENTS:
        assert counts[intent] >= 40, intent
    for intent in SMALLTALK_INTENTS:
        assert counts[intent] >= 15, intent
    for intent in VISITOR_INTENTS:
        assert counts[intent] >= 40, intent


def test_training_data_has_short_replies_and_every_entity_type(training):
    texts = {m.get("text") for m in training.intent_examples}
    assert {"行", "嗯", "贵"} & texts and sum(len(t) <= 2 for t in texts) >= 20
    entities = Counter(e["entity"] for m in training.intent_examples for e in m.get("entities", []))
    assert all(entities[e] >= 20 for e in ANNOTATED_ENTITIES), entities


def test_holdout_split_covers_every_intent_and_is_never_trained_on(training, holdout):
    counts = Counter(e.intent for e in holdout)
    assert set(counts) == ALL_INTENTS and min(counts.values()) >= 10
    trained = {_key(m.get("text")) for m in training.intent_examples}
    leaked = [e.text for e in holdout if _key(e.text) in trained]
    assert leaked == []


def test_every_response_used_in_rules_and_stories_exists(domain):
    used = set()
    for name in ("data/rules.yml", "data/stories.yml"):
        for block in read_yaml_file(str(ROOT / name)).get("rules" if "rules" in name else "stories", []):
            used |= {s["action"] for s in block["steps"] if "action" in s}
    responses = set(domain.responses)
    missing = {a for a in used if a.startswith("utter_") and a not in responses}
    assert missing == set()
