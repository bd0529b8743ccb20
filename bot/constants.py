"""Names shared with domain.yml, the NLU data and the tests (the contract in domain-brief.md)."""

from typing import FrozenSet

# Intents (domain-brief.md, "Intent names").
OBJECTION_INTENTS = (
    "objection_price",
    "ask_discount",
    "objection_competitor",
    "consult_family",
    "choose_model",
    "delay_decision",
    "objection_quality",
    "objection_after_sales",
    "ask_financing",
    "ask_trade_in",
    "ask_delivery",
    "request_test_drive",
)
SMALLTALK_INTENTS = ("greet", "goodbye", "affirm", "deny", "thank", "out_of_scope")
# What a visitor asks besides objections: a fact, a person, whether this is a machine.
VISITOR_INTENTS = ("ask_product_info", "request_human", "ask_is_bot")
ALL_INTENTS: FrozenSet[str] = frozenset(OBJECTION_INTENTS + SMALLTALK_INTENTS + VISITOR_INTENTS)
FALLBACK_INTENT = "nlu_fallback"

# Cases the playbook answers besides the objection intents: read inside one of these intents' messages
# (data/playbook/policy.yml price_match), with scripts, rule rows and a fallback response of their own.
PRICE_MATCH = "price_match"
EXTRA_CASES = (PRICE_MATCH,)

# Entities.
ENTITY_CAR_MODEL = "car_model"
ENTITY_COMPETITOR = "competitor"
ENTITY_FAMILY_MEMBER = "family_member"
ENTITY_MONEY = "money"
ENTITY_TRIM = "trim"
ENTITY_SPEC = "spec"
# Annotated in the training and held-out data (found by the spaCy rules of bot.nlu.entities).
ANNOTATED_ENTITIES = (ENTITY_CAR_MODEL, ENTITY_COMPETITOR, ENTITY_FAMILY_MEMBER, ENTITY_MONEY)
# What a fact question names, found by the product engine's question reader (bot.nlu.entity_extractor).
FACT_ENTITIES = (ENTITY_TRIM, ENTITY_SPEC)
ALL_ENTITIES = ANNOTATED_ENTITIES + FACT_ENTITIES
# Not read from text: the trainee's practice choice, taken from message metadata by
# bot.nlu.roleplay_metadata so the roleplay slots fill through from_entity mappings.
METADATA_ENTITIES = ("roleplay_mode", "roleplay_persona", "roleplay_level")
FAMILY_ROLES = ("spouse", "parent", "child", "other")

# Default locations of the data files, relative to the project root.
DEFAULT_CATALOG_PATH = "data/catalog.yml"
DEFAULT_LEXICON_DIR = "data/lexicon"
DEFAULT_JIEBA_DIR = "data/jieba"

# Environment variables.
ENV_CATALOG_PATH = "BOT_CATALOG_PATH"
ENV_LEXICON_DIR = "BOT_LEXICON_DIR"
