"""The trainee's practice choice, read from the message metadata as entities.

The trainee page and ``python -m bot roleplay`` send
``{"roleplay": {"mode": "coach" | "customer" | "off", "persona": "...", "level": "easy" | "normal" | "hard"}}``
in the metadata of every message. Rasa hands a message's metadata to the NLU pipeline with its text
(``NLUMessageConverter`` puts ``UserMessage.metadata`` under the message's ``metadata`` key), so
``RoleplayMetadataReader`` (config.yml) turns the choice into the entities ``roleplay_mode``,
``roleplay_persona`` and ``roleplay_level``, and the slots of the same names fill through ordinary
``from_entity`` mappings (domain.yml): no call to the action server for a message without the choice.

A mode that is not one of ``MODES`` adds nothing (persona and level are then ignored too); a persona
is any string; a level that is not one of ``LEVELS`` is left out. ``"off"`` is kept as the mode's
value: the customer-mode rules (data/rules.yml) only fire on ``customer``. The entities name no span of
the text (no ``start``/``end``, like Rasa's own entities that are not in the text), and they do not
influence the conversation themselves (``influence_conversation: false`` in domain.yml): the slots do.
A new choice starting a new visit is decided by ``action_roleplay_turn`` (actions/roleplay.py).
"""

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE, EXTRACTOR, METADATA
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.constants import METADATA_ENTITIES
from bot.nlu.component import MadeFromConfig

METADATA_KEY = "roleplay"
MODES = ("coach", "customer", "off")
LEVELS = ("easy", "normal", "hard")
ENTITY_MODE, ENTITY_PERSONA, ENTITY_LEVEL = METADATA_ENTITIES
EXTRACTOR_NAME = "RoleplayMetadataReader"


def roleplay_choice(metadata: Any) -> Dict[Text, Text]:
    """The entity values the message metadata chooses (``{}`` without a valid choice)."""
    meta = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("mode"), str) or meta["mode"] not in MODES:
        return {}
    choice = {ENTITY_MODE: meta["mode"]}
    if isinstance(meta.get("persona"), str):
        choice[ENTITY_PERSONA] = meta["persona"]
    if isinstance(meta.get("level"), str) and meta["level"] in LEVELS:
        choice[ENTITY_LEVEL] = meta["level"]
    return choice


def roleplay_entities(metadata: Any) -> List[Dict[Text, Any]]:
    """The choice as Rasa entities, named by this component as their extractor."""
    return [
        {
            ENTITY_ATTRIBUTE_TYPE: name,
            ENTITY_ATTRIBUTE_VALUE: value,
            ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            EXTRACTOR: EXTRACTOR_NAME,
        }
        for name, value in roleplay_choice(metadata).items()
    ]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RoleplayMetadataReader(MadeFromConfig):
    """Adds the practice choice of a message's metadata as entities (see module)."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples carry no practice choice: unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = roleplay_entities(message.get(METADATA))
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
