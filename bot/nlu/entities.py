"""Rule-based entity finding with spaCy: ``spacy.blank("zh")`` segmented by jieba, an
EntityRuler for car models, competitors and family members, and a Matcher for money.

Every pattern comes from a :class:`bot.nlu.lexicon.Lexicon`, so trainers extend recognition by
editing the data files. This module does not import Rasa; :mod:`bot.nlu.entity_extractor`
wraps it as a Rasa graph component.
"""

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.constants import ENTITY_MONEY
from bot.nlu.lexicon import JIEBA_TERM_FREQUENCY, Lexicon
from bot.nlu.money import Amount, MoneyParser, MoneySpec
from bot.nlu.text import normalize_keep_offsets

MONEY_COMPONENT = "dealer_money_matcher"

if not Doc.has_extension("amounts"):
    Doc.set_extension("amounts", default=None)


@dataclass(frozen=True)
class FoundEntity:
    start: int
    end: int
    text: str
    entity: str
    value: Any


def add_terms_to_jieba(words: Iterable[str]) -> None:
    """Adds our terms to jieba's (process-wide) dictionary so each one stays one token."""
    import jieba

    for word in words:
        if " " not in word:
            jieba.add_word(word, JIEBA_TERM_FREQUENCY, "nz")


@Language.factory(MONEY_COMPONENT, default_config={"spec": {}})
def make_money_matcher(nlp: Language, name: str, spec: Dict[str, Any]) -> "MoneyMatcher":
    return MoneyMatcher(
        nlp,
        MoneySpec(
            **{
                **spec,
                "currency_suffixes": tuple(spec["currency_suffixes"]),
                "non_money_followers": tuple(spec["non_money_followers"]),
            }
        ),
    )


class MoneyMatcher:
    """Marks amounts of money: a spaCy Matcher finds runs of tokens holding numerals (jieba may
    glue a unit to the next word, as in 万左右), then :class:`MoneyParser` reads the exact amount
    inside each run and normalises it to yuan. Results go to ``doc._.amounts``."""

    def __init__(self, nlp: Language, spec: MoneySpec) -> None:
        self.parser = MoneyParser(spec)
        chars = re.escape("".join(sorted(set(spec.numeral_chars))))
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.matcher.add("MONEY_RUN", [[{"TEXT": {"REGEX": f"[{chars}]"}, "OP": "+"}]], greedy="LONGEST")

    def __call__(self, doc: Doc) -> Doc:
        amounts = []
        for _, start, end in sorted(self.matcher(doc), key=lambda m: m[1]):
            span = doc[start:end]
            amounts += self.parser.find(doc.text, span.start_char, span.end_char)
        kept: List[Amount] = []
        for a in sorted(amounts, key=lambda a: (a.start, -(a.end - a.start))):
            if not kept or a.start >= kept[-1].end:  # 13.98万 once, not also 98万
                kept.append(a)
        doc._.amounts = kept
        return doc


class _JiebaWithoutHMM:
    """jieba as spaCy's zh segmenter calls it, with HMM new-word discovery off.

    With HMM on, jieba glues runs of single characters into guessed words (我妈, 找哥), which
    hides one-character dictionary terms (妈, 哥) from the EntityRuler. Dictionary words,
    ours included, are segmented the same either way.
    """

    @staticmethod
    def cut(text: str, cut_all: bool = False) -> Iterable[str]:
        import jieba

        return jieba.cut(text, cut_all=cut_all, HMM=False)


def make_nlp(lexicon: Lexicon) -> Language:
    """Builds the spaCy pipeline for ``lexicon``. Needs no downloaded model."""
    forms = lexicon.surface_forms()
    add_terms_to_jieba(f.text for f in forms)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer.jieba_seg = _JiebaWithoutHMM()  # type: ignore[union-attr]
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": True})
    ruler.add_patterns([{"label": f.label, "pattern": f.text, "id": f.value} for f in forms])  # type: ignore[attr-defined]
    money = lexicon.to_dict()["money"]
    nlp.add_pipe(MONEY_COMPONENT, config={"spec": money})
    return nlp


class EntityFinder:
    """Finds car_model, competitor, family_member and money entities in customer text."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.nlp = make_nlp(lexicon)

    def find(self, text: str) -> List[FoundEntity]:
        """Entities with character offsets into ``text`` and normalised values."""
        if not text or not text.strip():
            return []
        doc = self.nlp(normalize_keep_offsets(text))
        found = [
            FoundEntity(e.start_char, e.end_char, text[e.start_char : e.end_char], e.label_, e.ent_id_)
            for e in doc.ents
        ]
        taken = [(f.start, f.end) for f in found]
        for a in doc._.amounts or []:
            if not any(a.start < e and s < a.end for s, e in taken):  # RAV4, CS75 stay competitors
                found.append(FoundEntity(a.start, a.end, text[a.start : a.end], ENTITY_MONEY, a.value))
        return sorted(found, key=lambda f: f.start)
