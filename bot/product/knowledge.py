"""Everything the product answers read besides the catalog: the spec vocabulary
(data/lexicon/specs.yml), the answer sentences (data/product_answers.yml), and from the lexicon
the competitors' names (a model the dealer does not sell) and the money vocabulary (budgets)."""

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple, Union

from bot.catalog import load_catalog
from bot.constants import DEFAULT_CATALOG_PATH, DEFAULT_LEXICON_DIR, ENTITY_COMPETITOR
from bot.exceptions import DataFileError
from bot.nlu.lexicon import load_lexicon
from bot.nlu.money import MoneyParser, MoneySpec
from bot.product.templates import ANSWERS_FILE, AnswerTemplates, load_answer_templates
from bot.product.vocabulary import SPECS_FILE, SpecVocabulary, load_spec_vocabulary


@dataclass(frozen=True)
class ProductKnowledge:
    vocabulary: SpecVocabulary
    templates: AnswerTemplates
    competitors: Tuple[Tuple[str, str], ...]  # (spelling, the competitor's name)
    money: MoneySpec

    def __post_init__(self) -> None:
        object.__setattr__(self, "_money_parser", MoneyParser(self.money))

    @property
    def money_parser(self) -> MoneyParser:
        return self._money_parser  # type: ignore[attr-defined]


def load_product_knowledge(
    catalog_path: Union[str, Path] = DEFAULT_CATALOG_PATH,
    lexicon_dir: Union[str, Path] = DEFAULT_LEXICON_DIR,
    answers_path: Union[str, Path] = ANSWERS_FILE,
) -> ProductKnowledge:
    """Reads and checks the files; also that every piece of equipment the catalog names has words
    in specs.yml (otherwise no visitor could ask for it).

    Raises:
        DataFileError: every problem in any of the files, naming file and field.
    """
    problems: List[str] = []
    vocabulary = templates = lexicon = None
    try:
        vocabulary = load_spec_vocabulary(lexicon_dir)
    except DataFileError as e:
        problems += e.problems
    try:
        templates = load_answer_templates(answers_path)
    except DataFileError as e:
        problems += e.problems
    try:
        lexicon = load_lexicon(catalog_path, lexicon_dir)
    except DataFileError as e:
        problems += e.problems
    if vocabulary is not None and lexicon is not None:
        catalog = load_catalog(catalog_path)
        for i, m in enumerate(catalog.models):
            for name in m.features:
                if name not in vocabulary.features:
                    problems.append(
                        DataFileError.problem(
                            catalog_path,
                            f"models[{i}].features.{name}",
                            f"no words for this equipment in {Path(lexicon_dir) / SPECS_FILE} features",
                        )
                    )
    if problems or vocabulary is None or templates is None or lexicon is None:
        raise DataFileError(problems)
    competitors = tuple((t.text, t.value) for t in lexicon.terms if t.label == ENTITY_COMPETITOR)
    return ProductKnowledge(vocabulary, templates, competitors, lexicon.money)


@functools.lru_cache(maxsize=4)
def get_product_knowledge(
    catalog_path: str = DEFAULT_CATALOG_PATH, lexicon_dir: str = DEFAULT_LEXICON_DIR, answers_path: str = ANSWERS_FILE
) -> ProductKnowledge:
    """The knowledge at these paths, loaded once per process."""
    return load_product_knowledge(catalog_path, lexicon_dir, answers_path)
