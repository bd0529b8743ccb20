"""The intent/entity contract of domain-brief.md holds across domain, NLU data and test split."""

import ast
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.utils.io import read_yaml_file

from bot.constants import (
    ALL_ENTITIES,
    ALL_INTENTS,
    ANNOTATED_ENTITIES,
    METADATA_ENTITIES,
    OBJECTION_INTENTS,
    SMALLTALK_INTENTS,
    VISITOR_INTENTS,
)
from bot.evaluation.holdout import load_examples
from bot.rasa import names

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
    assert set(domain.entities) == set(ALL_ENTITIES) | set(METADATA_ENTITIES)


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


# -- names: bot/rasa/names.py spells every slot, form, custom action and response of domain.yml ------

# Rasa's own names, used by our code but never declared in domain.yml.
RASA_BUILT_INS = {"SLOT_REQUESTED": REQUESTED_SLOT, "ACTION_LISTEN": ACTION_LISTEN_NAME}
NAME_KINDS = {"SLOT_": "slots", "FORM_": "forms", "ACTION_": "actions", "UTTER_": "responses"}


@pytest.fixture(scope="module")
def declared():
    """What domain.yml declares, by kind (its own file, not Rasa's domain with the default names)."""
    raw = read_yaml_file(str(ROOT / "domain.yml"))
    return {kind: set(raw.get(kind) or ()) for kind in NAME_KINDS.values()}


def _constants(prefix):
    return {k: v for k, v in vars(names).items() if k.startswith(prefix) and k not in RASA_BUILT_INS}


def test_every_name_constant_is_declared_in_the_domain(declared):
    assert all(getattr(names, k) == v for k, v in RASA_BUILT_INS.items())
    for prefix, kind in NAME_KINDS.items():
        undeclared = {k: v for k, v in _constants(prefix).items() if v not in declared[kind]}
        assert undeclared == {}, f"bot/rasa/names.py names {kind} that domain.yml does not declare"
    assert set(names.GENERAL_ANSWERS.values()) <= declared["responses"]


def test_everything_the_domain_declares_has_a_name_constant(declared):
    for prefix, kind in NAME_KINDS.items():
        named = set(_constants(prefix).values())
        if kind == "responses":
            named |= set(names.GENERAL_ANSWERS.values())
        assert declared[kind] - named == set(), f"domain.yml {kind} without a constant in bot/rasa/names.py"


# -- customer-visible text lives in domain.yml responses or data/, not in Python ----------------------

CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
SCANNED = ("actions/*.py", "bot/channels/*.py")
# (file, string) -> why it may stay; a string None allows the whole file.
CJK_ALLOWED = {
    ("actions/objections.py", "?？!！。. ~～"): "punctuation stripped from the customer's text before reading it",
    ("actions/objections.py", "呢"): "cue word read in the customer's text (油耗呢: a follow-up question)",
    ("actions/leads.py", "不确定"): "a timeframe the grade rules (data/lexicon/lead_grades.yml) must read",
    ("actions/leads.py", "the grade rules have no row for 不确定"): "assertion message for developers",
}


def _docstrings(tree):
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr)
    }


def _cjk_literals():
    """(file, string) of every string constant with CJK characters outside docstrings."""
    found = set()
    for pattern in SCANNED:
        for path in sorted(ROOT.glob(pattern)):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            docs = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                    if CJK.search(node.value):
                        found.add((str(path.relative_to(ROOT)), node.value))
    return found


def test_no_customer_text_in_actions_and_channels():
    """Texts a customer or trainee reads are domain.yml responses (sent through the dispatcher) or
    data files (data/channel_texts.yml, read by bot/channels/datafiles.py); Python keeps only the
    listed strings that read the customer's text or speak to developers."""
    found = _cjk_literals()
    allowed_files = {f for f, s in CJK_ALLOWED if s is None}
    stray = sorted((f, s) for f, s in found if f not in allowed_files and (f, s) not in CJK_ALLOWED)
    assert stray == [], "move these texts to domain.yml or data/ (or allow them in CJK_ALLOWED with a reason)"
    stale = sorted((f, s) for f, s in CJK_ALLOWED if s is not None and (f, s) not in found)
    assert stale == [], "allowed strings that are gone: drop them from CJK_ALLOWED"
