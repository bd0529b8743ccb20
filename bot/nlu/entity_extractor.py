"""Rasa graph component that extracts car_model, competitor, family_member and money entities
with the spaCy rules of :mod:`bot.nlu.entities`, with normalised values; and the trim and spec
entities of a fact question (远山[两驱豪华版](trim)[多少钱](spec)) with the product engine's
question reader (:mod:`bot.product.question`), valued by the trim's name and the spec's label.

At training time the lexicon is read from the data files and stored inside the model, with a copy
of the catalog and vocabulary files the question reader needs, so a trained model carries its own
patterns and does not read ``data/`` when it runs.
"""

import json
import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.constants import DEFAULT_CATALOG_PATH, DEFAULT_LEXICON_DIR
from bot.nlu.component import MadeFromConfig
from bot.nlu.entities import EntityFinder
from bot.nlu.lexicon import Lexicon, data_files, fingerprint, load_lexicon

logger = logging.getLogger(__name__)

LEXICON_FILE = "lexicon.json"
CATALOG_COPY = "catalog.yml"
LEXICON_COPY = "lexicon"
ANSWERS_COPY = "product_answers.yml"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class DealerEntityExtractor(MadeFromConfig, EntityExtractorMixin):
    """Rule-based entities from the dealer's data files (spaCy EntityRuler + Matcher)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Where the data files are."""
        return {
            # dealer catalog: car model names and aliases
            "catalog_path": DEFAULT_CATALOG_PATH,
            # directory holding competitors.yml, family_members.yml and money.yml
            "lexicon_dir": DEFAULT_LEXICON_DIR,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Optional[Lexicon] = None,
        reader: Any = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon = lexicon
        self._finder = EntityFinder(lexicon) if lexicon is not None else None
        self._reader = reader  # bot.product.question.QuestionReader, for trim and spec

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when a data file the patterns are generated from changes."""
        config = {**cls.get_default_config(), **config}
        return fingerprint(data_files(config["catalog_path"], config["lexicon_dir"]))

    @classmethod
    def made(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> "DealerEntityExtractor":
        """Reads and validates the data files (a broken file fails the training run)."""
        return cls(
            config,
            model_storage,
            resource,
            load_lexicon(config["catalog_path"], config["lexicon_dir"]),
            _question_reader(config["catalog_path"], config["lexicon_dir"], _answers_path()),
        )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "DealerEntityExtractor":
        """Loads the lexicon stored in the trained model."""
        with model_storage.read_from(resource) as directory:
            d = Path(directory)
            data = json.loads((d / LEXICON_FILE).read_text(encoding="utf-8"))
            reader = None
            if (d / CATALOG_COPY).exists():  # a model trained before trim and spec had none
                reader = _question_reader(d / CATALOG_COPY, d / LEXICON_COPY, d / ANSWERS_COPY)
        return cls(config, model_storage, resource, Lexicon.from_dict(data), reader)

    def train(self, training_data: TrainingData) -> Resource:
        """Stores the lexicon in the model; there is nothing to learn."""
        assert self._lexicon is not None
        with self._model_storage.write_to(self._resource) as directory:
            d = Path(directory)
            (d / LEXICON_FILE).write_text(json.dumps(self._lexicon.to_dict(), ensure_ascii=False), encoding="utf-8")
            shutil.copyfile(self._config["catalog_path"], d / CATALOG_COPY)
            shutil.copytree(self._config["lexicon_dir"], d / LEXICON_COPY)
            shutil.copyfile(_answers_path(), d / ANSWERS_COPY)
        return self._resource

    def _trims_and_specs(self, text: str, found: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """trim and spec entities where no other entity stands."""
        if self._reader is None:
            return []
        try:
            spans = self._reader.read(text).spans
        except Exception:  # an entity less, never a failed message
            logger.exception("trim and spec entities skipped")
            return []
        taken = [(e["start"], e["end"]) for e in found]
        return [
            {"entity": kind, "start": a, "end": b, "value": value, "confidence_entity": 1.0}
            for a, b, kind, value in spans
            if not any(a < e and s < b for s, e in taken)
        ]

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the entities found in each message's text."""
        if self._finder is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            found = [
                {"entity": f.entity, "start": f.start, "end": f.end, "value": f.value, "confidence_entity": 1.0}
                for f in self._finder.find(text)
            ]
            found += self._trims_and_specs(text, found)
            if found:
                entities = message.get(ENTITIES, []) + self.add_extractor_name(found)
                message.set(ENTITIES, entities, add_to_output=True)
        return messages


def _answers_path() -> Path:
    from bot.product.templates import ANSWERS_FILE

    return Path(ANSWERS_FILE)


def _question_reader(catalog_path: Any, lexicon_dir: Any, answers_path: Any) -> Any:
    from bot.catalog import load_catalog
    from bot.product.knowledge import load_product_knowledge
    from bot.product.question import QuestionReader

    return QuestionReader(load_catalog(catalog_path), load_product_knowledge(catalog_path, lexicon_dir, answers_path))
