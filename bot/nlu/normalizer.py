"""Traditional Chinese and full-width characters read like Simplified, before the tokenizer.

``ChineseTextNormalizer`` is the first component of the pipeline (config.yml). It converts each
message's text to Simplified Chinese with OpenCC (``t2s``) and folds full-width letters, digits and
punctuation to their ordinary forms (Unicode NFKC), one character for one character, so entity
offsets stay valid. Rasa keeps the customer's own text in the tracker (``UserUttered.text``); the
classifiers, the entity rules and the actions' ``latest_message["text"]`` see the normalised text.
Chinese punctuation is kept: only letters, digits and spaces are folded.
Answers are written in Simplified Chinese.
"""

import unicodedata
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import MadeFromConfig
from bot.nlu.text import to_simplified


def _fold(char: str) -> str:
    """Full-width letters and digits (ＳＵＶ, １３８) and the ideographic space become ordinary ones;
    Chinese punctuation stays as typed (the training data and the date parser expect '，' and '。')."""
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 and (folded.isalnum() and folded.isascii() or folded == " ") else char


def normalise(text: str) -> str:
    """``text`` in Simplified Chinese with full-width forms folded; always the same length."""
    return "".join(_fold(c) if not c.isascii() else c for c in to_simplified(text)) if text else text


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ChineseTextNormalizer(MadeFromConfig):
    """Converts message texts to Simplified Chinese and folds full-width characters (see module)."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalise(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message)
        return messages

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text:
            converted = normalise(text)
            if converted != text:
                message.set(TEXT, converted)
