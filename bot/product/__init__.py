"""Answering what a visitor actually asks (远山Pro多少钱, 二十万以内有七座吗, 你们几点关门) from the
dealer's data, fact first, short, and honest about what the data does not hold.

- :mod:`bot.product.vocabulary`: the words for each spec (data/lexicon/specs.yml);
- :mod:`bot.product.matching`: the text put in one form, words found longest first;
- :mod:`bot.product.question`: what a question asks (models, trims, specs, budget, kind of car);
- :mod:`bot.product.answers`: :func:`answer` and :class:`ProductAnswer`, deciding what is said by
  :mod:`bot.product.showroom` (the showroom's facts), :mod:`bot.product.model_facts` (one model's)
  and :mod:`bot.product.search` (over the catalog), on :mod:`bot.product.compose`;
- :mod:`bot.product.templates`: the sentences (data/product_answers.yml);
- :mod:`bot.product.numbers`: 10.98万, 2554元, 七座;
- :mod:`bot.product.knowledge`: loading and checking those files together;
- :mod:`bot.product.needs`: the model-choice form's answers (usage, passengers, priority) and the
  model recommended from them.
"""

from bot.product.answers import ProductAnswer, answer
from bot.product.knowledge import ProductKnowledge, get_product_knowledge, load_product_knowledge

__all__ = ["ProductAnswer", "ProductKnowledge", "answer", "get_product_knowledge", "load_product_knowledge"]
