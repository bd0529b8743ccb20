"""Understanding customer text. Pure Python: the one text normalisation (``text``), the entity
vocabulary from the data files (``lexicon``), amounts of money (``money``) and the spaCy entity rules
(``entities``). Rasa graph components wrapping them (these import Rasa): ``normalizer``, ``tokenizer``
(jieba) and ``entity_extractor``."""
