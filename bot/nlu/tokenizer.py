"""Rasa's JiebaTokenizer with our dictionaries, including terms generated from the data files.

Rasa's ``JiebaTokenizer`` loads every file of ``dictionary_path`` (a directory) into jieba and
copies them into the trained model. This subclass adds one generated file, built from the
catalog and the lexicon files (model names, competitors, family words), so names are typed
once, and it fingerprints all those files: editing the catalog retrains the tokenizer.
"""

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer

from bot.constants import DEFAULT_CATALOG_PATH, DEFAULT_JIEBA_DIR, DEFAULT_LEXICON_DIR
from bot.nlu.entities import add_terms_to_jieba
from bot.nlu.lexicon import data_files, fingerprint, load_lexicon

GENERATED_DICTIONARY = "generated_dealer_terms.txt"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class DealerJiebaTokenizer(JiebaTokenizer):
    """Jieba tokenizer that knows our models, competitors and family words."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's JiebaTokenizer options plus where our data files are."""
        return {
            **JiebaTokenizer.get_default_config(),
            # directory of hand-written jieba dictionaries (Rasa loads every file in it)
            "dictionary_path": DEFAULT_JIEBA_DIR,
            # dealer catalog: source of car model names and aliases
            "catalog_path": DEFAULT_CATALOG_PATH,
            # directory holding competitors.yml, family_members.yml and money.yml
            "lexicon_dir": DEFAULT_LEXICON_DIR,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when a dictionary or a data file the dictionary is generated from changes."""
        config = {**cls.get_default_config(), **config}
        paths = data_files(config["catalog_path"], config["lexicon_dir"])
        if config.get("dictionary_path"):
            paths += sorted(Path(config["dictionary_path"]).glob("*"))
        return fingerprint(paths)

    @classmethod
    def create(cls, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> "DealerJiebaTokenizer":
        """Rasa's JiebaTokenizer (the hand-written dictionaries into jieba), then the generated terms."""
        tokenizer = super().create(config, *args, **kwargs)
        add_terms_to_jieba(line.split(" ")[0] for line in cls._generated_lines(config))
        return tokenizer

    @staticmethod
    def _generated_lines(config: Dict[Text, Any]) -> List[str]:
        return load_lexicon(config["catalog_path"], config["lexicon_dir"]).jieba_lines()

    def persist(self) -> None:
        """Copies the hand-written dictionaries and writes the generated one into the model."""
        super().persist()
        with self._model_storage.write_to(self._resource) as directory:
            lines = self._generated_lines(self._config)
            (Path(directory) / GENERATED_DICTIONARY).write_text("\n".join(lines) + "\n", encoding="utf-8")
