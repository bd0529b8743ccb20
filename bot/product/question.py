"""What a visitor's question asks: the models and trims it names (or a name the dealer does not
sell), the specs, equipment and colours it asks for, and the kind of car and budget it looks for.

Read in passes, each on what the earlier ones left: model names (data/catalog.yml, the same
spellings as the car_model entity, bot.nlu.lexicon) and competitors' names (data/lexicon); trim names,
whole or in part; amounts of money (data/lexicon/money.yml); seat and people counts; then the
words of data/lexicon/specs.yml. What is left over tells whether the text names a topic the
vocabulary does not know (远山风阻多少: an honest "not known", not a price).
"""

import re
from dataclasses import dataclass, replace
from typing import List, Optional, Sequence, Tuple

from bot.catalog import CarModel, Catalog
from bot.nlu.lexicon import spelling_variants
from bot.product.knowledge import ProductKnowledge
from bot.product.matching import Hit, Prepared, TermMatcher, has_cjk, prepare
from bot.product.numbers import parse_count
from bot.product.vocabulary import (
    BODY,
    BUDGET,
    BUDGET_RANGE,
    COLOUR,
    COST_SPECS,
    DEALER_SPECS,
    DRIVE,
    ENERGY,
    FEATURE,
    FILLER,
    PRICE_IF_ALONE,
    PRONOUN,
    QUESTION,
    RANK,
    SPEC,
    SUPERLATIVE,
    UNKNOWN_SPEC,
    match_form,
)

MODEL, COMPETITOR = "model", "competitor"
_NUMERAL = r"(\d+|[零一二两俩三四五六七八九十]+)"
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9+\-]*")
# A trim word the dealer does not have, written after a model name: 远山运动版, 晨风老款.
_VARIANT_SUFFIX = "版款"
_VARIANT_LENGTH = 6  # characters at most between the model name and 版
_YES_NO = tuple("吗么嘛不吧")  # after two characters of a trim name: a yes/no question about a quality


@dataclass(frozen=True)
class Budget:
    kind: str  # max, min, around or range
    low: Optional[int]  # yuan
    high: Optional[int]
    amount: int  # the amount the visitor said (the first one for a range)
    measure: str = "price"  # price, monthly, down_payment or on_the_road

    def admits(self, value: int) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class NotSold:
    asked: str  # as the visitor wrote it: 远山Max, 凯美瑞
    model: Optional[str] = None  # the dealer's model it is a variant of (远山 for 远山Max)


@dataclass(frozen=True)
class Query:
    models: Tuple[str, ...] = ()  # the dealer's models named (or known from a trim name alone)
    trims: Tuple[Tuple[str, str], ...] = ()  # (model, trim) named, whole or in part
    specs: Tuple[str, ...] = ()  # in the order asked; catalog specs and not_in_catalog ones
    features: Tuple[str, ...] = ()
    colours: Tuple[str, ...] = ()  # colour characters (白, 红)
    superlative: Optional[str] = None  # cheapest / dearest
    rank: Optional[str] = None  # lowest / highest trim
    budget: Optional[Budget] = None
    energy: Optional[str] = None
    body: Optional[str] = None
    drive: Optional[str] = None  # part of a trim name (四驱)
    seats: Optional[int] = None  # a seat count asked for (七座)
    people: Optional[int] = None  # a number of people to seat (坐七个人)
    not_sold: Tuple[NotSold, ...] = ()
    pronoun: bool = False  # 它, 这车: the car talked about
    question: bool = False
    question_word: bool = False  # a question word (多少, 吗...), not only a question mark
    leftover: Tuple[str, ...] = ()  # runs of words the vocabulary does not know (风阻, 气囊)
    price_if_alone: bool = False
    # where the text names a trim or asks for a spec or equipment: (start, end, "trim" | "spec", value)
    spans: Tuple[Tuple[int, int, str, str], ...] = ()

    @property
    def unknown_topic(self) -> bool:
        return bool(self.leftover)

    @property
    def asks(self) -> bool:
        """Whether the text asks for something (a spec, equipment, a colour, the cheapest...)."""
        return bool(self.specs or self.features or self.colours or self.superlative or self.price_if_alone)

    @property
    def has_kind(self) -> bool:
        return any(v is not None for v in (self.energy, self.body, self.drive, self.seats, self.people))

    def following(self, before: "Query") -> "Query":
        """This question read as a follow-up of ``before``. Only a text that asks nothing itself and
        has no question word of its own is one (那远山呢, SUV呢, 那旗舰版呢？): it asks what ``before``
        asked, about what it names now; with no model named it also keeps the budget and, unless
        it names one, the kind of car (二十万以内有七座吗 → 那SUV呢)."""
        if self.asks or self.question_word or self.unknown_topic or self.not_sold:
            return self
        q = replace(
            self,
            specs=before.specs,
            features=before.features,
            colours=before.colours,
            superlative=before.superlative if not self.rank else None,
            price_if_alone=before.price_if_alone,
        )
        if not q.trims and q.rank is None and q.superlative is None:
            q = replace(q, rank=before.rank)
        if not q.models:
            if q.budget is None:
                q = replace(q, budget=before.budget)
            if not q.has_kind and not before.models:
                q = replace(
                    q,
                    energy=before.energy,
                    body=before.body,
                    drive=before.drive,
                    seats=before.seats,
                    people=before.people,
                )
        return q


class QuestionReader:
    """Reads questions against one catalog and one set of vocabulary files."""

    def __init__(self, catalog: Catalog, knowledge: ProductKnowledge) -> None:
        self.catalog = catalog
        self.knowledge = knowledge
        vocab = knowledge.vocabulary
        names: List[Tuple[str, str, str]] = []
        for m in catalog.models:
            for term in (m.name,) + m.aliases:
                names += [(match_form(v), MODEL, m.name) for v in spelling_variants(term)]
        for text, value in knowledge.competitors:
            names += [(match_form(v), COMPETITOR, value) for v in spelling_variants(text)]
        self.names = TermMatcher(names)
        self.words = TermMatcher((w, kind, value) for w, kind, value, _ in vocab.terms())
        seat_units = "|".join(re.escape(match_form(u)) for u in sorted(vocab.seat_units, key=len, reverse=True))
        people_units = "|".join(re.escape(match_form(u)) for u in sorted(vocab.people_units, key=len, reverse=True))
        self.seat_pattern = re.compile(rf"{_NUMERAL}\s*(?:{seat_units})")
        self.people_pattern = re.compile(rf"{_NUMERAL}\s*(?:{people_units})")
        money = knowledge.money
        self.units = {
            **{k.lower(): v for k, v in money.big_units.items()},
            **{k.lower(): v for k, v in money.latin_units.items() if v >= 10000},
        }
        units = "".join(re.escape(u) for u in self.units)
        self.counted_units = re.compile(rf"{_NUMERAL}\s*个\s*([{units}])(?![a-z])")

    # ------------------------------------------------------------------ passes

    def read(self, text: str, subject: Optional[CarModel] = None) -> Query:
        p = prepare(text)
        low = p.low
        taken = [False] * len(low)
        name_hits = self.names.scan(low, taken)
        models = _unique(h.value for h in name_hits if h.kind == MODEL)
        scope = [self.catalog.model_by_name(m) for m in models] or ([subject] if subject else [])
        trim_spans: List[Tuple[int, int, str]] = []
        trims = self._trims(low, taken, [m for m in scope if m is not None], scoped=bool(scope), spans=trim_spans)
        if not models:
            models = _unique(m for m, _ in trims)
        amounts = self._amounts(p, taken)
        seats, seats_start, seats_end = self._count(self.seat_pattern, low, taken)
        people, _, _ = self._count(self.people_pattern, low, taken)
        hits = self.words.scan(low, taken)
        not_sold = self._variants(p, taken, [h for h in name_hits if h.kind == MODEL], hits)
        if seats is not None and seats_end < len(low) and low[seats_end] in _VARIANT_SUFFIX:
            # 远山pro有六座版吗: a version with that many seats, which the model may not have
            for model in (m for m in scope if m is not None):
                if model.seats != seats:
                    not_sold.append(NotSold(model.name + p.display[seats_start : seats_end + 1], model.name))
        not_sold += [NotSold(p.display[h.start : h.end]) for h in name_hits if h.kind == COMPETITOR]
        hits = _heads(hits, taken)
        specs = _unique(h.value for h in hits if h.kind in (SPEC, UNKNOWN_SPEC))
        vocab = self.knowledge.vocabulary
        spans = [(a, b, "trim", name) for a, b, name in trim_spans]
        spans += [(h.start, h.end, "spec", vocab.label(h.value)) for h in hits if h.kind in (SPEC, UNKNOWN_SPEC)]
        spans += [(h.start, h.end, "spec", h.value) for h in hits if h.kind == FEATURE]
        if "phone" in specs and _has_phone_number(p.display):  # 电话13800138001: the visitor's, not a question
            specs.remove("phone")
        q = Query(
            models=tuple(models),
            trims=tuple(trims),
            specs=tuple(specs),
            features=tuple(_unique(h.value for h in hits if h.kind == FEATURE)),
            colours=tuple(_unique(h.value for h in hits if h.kind == COLOUR)),
            superlative=_first(hits, SUPERLATIVE),
            rank=_first(hits, RANK),
            energy=_first(hits, ENERGY),
            body=_first(hits, BODY),
            drive=_first(hits, DRIVE),
            seats=seats,
            people=people,
            not_sold=tuple(not_sold),
            pronoun=any(h.kind == PRONOUN for h in hits),
            question=any(h.kind in (QUESTION, PRICE_IF_ALONE) for h in hits) or "?" in low,
            question_word=any(h.kind == PRICE_IF_ALONE or (h.kind == QUESTION and h.value != "?") for h in hits),
            leftover=tuple(_leftover(p.display, low, taken)),
            price_if_alone=any(h.kind == PRICE_IF_ALONE for h in hits),
            spans=tuple(sorted(spans)) if len(low) == len(text) else (),
        )
        budget = self._budget(amounts, hits, q, low)
        return replace(q, budget=budget) if budget else q

    def _trims(
        self,
        low: str,
        taken: List[bool],
        scope: Sequence[CarModel],
        scoped: bool,
        spans: Optional[List[Tuple[int, int, str]]] = None,
    ) -> List[Tuple[str, str]]:
        """Trims named whole or in part (豪华版, 四驱旗舰, 长续航). Within a model named or talked
        about, two characters that tell its trims apart are enough; with no model, a trim
        is recognised by three characters or more (长续航版 is only 星河EV's)."""
        candidates = [(m.name, t.name, match_form(t.name)) for m in (scope or self.catalog.models) for t in m.trims]
        if not candidates:
            return []
        min_len = 2 if scoped else 3
        found: List[set] = []
        i, n = 0, len(low)
        while i < n:
            best = None
            for length in range(n - i, min_len - 1, -1):
                frag = low[i : i + length]
                if any(taken[i : i + length]) or not has_cjk(frag):
                    continue
                having = {(m, t) for m, t, name in candidates if frag in name}
                if having:
                    best = (length, having)
                    break
            if best is None:
                i += 1
                continue
            length, having = best
            if len(having) == len(candidates):  # names every trim: tells nothing (续航 of 星河EV)
                i += 1
                continue
            if length == 2 and low[i + 2 : i + 3] in _YES_NO:  # 远山舒适吗: an adjective, not 舒适版
                i += 1
                continue
            found.append(having)
            if spans is not None:
                names = {t for _, t in having}
                spans.append((i, i + length, names.pop() if len(names) == 1 else low[i : i + length]))
            for k in range(i, i + length):
                taken[k] = True
            i += length
        if not found:
            return []
        common = set.intersection(*found)
        chosen = common if common else set.union(*found)
        order = {(m, t): k for k, (m, t, _) in enumerate(candidates)}
        return sorted(chosen, key=order.__getitem__)

    def _amounts(self, p: Prepared, taken: List[bool]) -> List[Tuple[int, int, int]]:
        """(start, end, yuan) of every amount of money, in order: as the money lexicon reads them,
        and the spoken 十九个w / 20个万 (a count of a unit)."""
        out = []
        for a in self.knowledge.money_parser.find(p.low):
            if not any(taken[a.start : a.end]):
                out.append((a.start, a.end, a.value))
                for k in range(a.start, a.end):
                    taken[k] = True
        for m in self.counted_units.finditer(p.low):
            count = parse_count(m.group(1))
            if count is not None and not any(taken[m.start() : m.end()]):
                out.append((m.start(), m.end(), count * self.units[m.group(2)]))
                for k in range(m.start(), m.end()):
                    taken[k] = True
        return sorted(out)

    @staticmethod
    def _count(pattern: "re.Pattern[str]", low: str, taken: List[bool]) -> Tuple[Optional[int], int, int]:
        """The first count the pattern finds in text not yet read, and where it starts and ends."""
        for m in pattern.finditer(low):
            if any(taken[m.start() : m.end()]):
                continue
            count = parse_count(m.group(1))
            if count is not None:
                for k in range(m.start(), m.end()):
                    taken[k] = True
                return count, m.start(), m.end()
        return None, -1, -1

    def _variants(self, p: Prepared, taken: List[bool], model_hits: List[Hit], hits: List[Hit]) -> List[NotSold]:
        """A model name followed by a Latin word (远山Max, 晨风 Plus), or by a version ending in 版 or
        款 with a word the vocabulary does not know (远山运动版, 晨风有运动版吗, 星河EV四驱性能版)."""
        out = []
        low = p.low
        skip = [False] * len(low)  # words that say nothing: 有, 的, 那个
        for h in hits:
            if h.kind in (FILLER, QUESTION, PRONOUN):
                for k in range(h.start, h.end):
                    skip[k] = low[k] not in _VARIANT_SUFFIX
        for h in model_hits:
            i = h.end
            while i < len(low) and low[i] == " ":
                i += 1
            m = _LATIN_WORD.match(low, i)
            if m and not any(taken[m.start() : m.end()]):
                out.append(NotSold(h.value + p.display[m.start() : m.end()], h.value))
                for k in range(m.start(), m.end()):
                    taken[k] = True
                continue
            while i < len(low) and (skip[i] or low[i] == " "):
                i += 1
            j = i
            while (
                j < len(low) and j - i < _VARIANT_LENGTH and low[j] not in _VARIANT_SUFFIX and _CJK_CHAR.match(low[j])
            ):
                j += 1
            if i < j < len(low) and low[j] in _VARIANT_SUFFIX and low[j + 1 : j + 2] != "本" and not all(taken[i:j]):
                out.append(NotSold(h.value + p.display[i : j + 1], h.value))
                for k in range(i, j + 1):
                    taken[k] = True
        return out

    def _budget(self, found: List[Tuple[int, int, int]], hits: List[Hit], q: Query, text: str) -> Optional[Budget]:
        """The budget the amounts of money say: with a budget word (以内, 预算, 左右, 能买), a range
        (15万到20万), an amount describing a car (20万的SUV), or with a kind of car or the cheapest
        asked for. Other amounts are not a budget (隔壁便宜两万)."""
        if not found:
            return None
        amounts = [value for _, _, value in found]
        measure = next((s for s in q.specs if s in ("monthly", "down_payment", "on_the_road")), "price")
        if len(amounts) >= 2 and any(h.kind == BUDGET_RANGE for h in hits):
            low, high = sorted(amounts[:2])
            return Budget("range", low, high, amounts[0], measure)
        said = {h.value for h in hits if h.kind == BUDGET}
        describes = text[found[0][1] : found[0][1] + 1] == "的"
        if not (said or describes or q.has_kind or q.superlative):
            return None
        # 预算13万左右: around; 20万的SUV: around too; 20万能买啥: at most
        kind = next((k for k in ("around", "min", "max") if k in said), "around" if describes else "max")
        amount = amounts[0]
        if kind == "min":
            return Budget(kind, amount, None, amount, measure)
        if kind == "around":
            return Budget(kind, round(amount * 0.9), round(amount * 1.1), amount, measure)
        return Budget("max", None, amount, amount, measure)


def _heads(hits: List[Hit], taken: Sequence[bool]) -> List[Hit]:
    """The hits without the words that only qualify the next one (nothing unread between):
    a price word after a cost (保养一次多少钱, 落地价大概多少钱: no price asked), a model's spec
    before a showroom fact (发动机变速箱保修多久: the warranty)."""
    out: List[Hit] = []
    for h in hits:
        if h.kind not in (SPEC, UNKNOWN_SPEC, PRICE_IF_ALONE):
            out.append(h)
            continue
        before = _previous_spec(out, h, taken)
        if before is not None and h.value == "price" and before.value in COST_SPECS:
            continue
        if h.value in DEALER_SPECS:
            while before is not None and before.value not in DEALER_SPECS:
                out.remove(before)
                before = _previous_spec(out, h, taken)
        out.append(h)
    return out


def _previous_spec(kept: List[Hit], h: Hit, taken: Sequence[bool]) -> Optional[Hit]:
    """The spec hit just before ``h`` with only fillers, question words and spaces between."""
    for prev in reversed(kept):
        if prev.kind in (FILLER, QUESTION):
            continue
        if prev.kind in (SPEC, UNKNOWN_SPEC) and all(taken[prev.end : h.start]):
            return prev
        return None
    return None


def _has_phone_number(text: str) -> bool:
    from bot.privacy.phone import find_phone  # libphonenumber, loaded only when a phone word is read

    return find_phone(text) is not None


def _unique(values) -> List[str]:
    return list(dict.fromkeys(values))


def _first(hits: Sequence[Hit], kind: str) -> Optional[str]:
    return next((h.value for h in hits if h.kind == kind), None)


def _leftover(display: str, low: str, taken: Sequence[bool]) -> List[str]:
    """The runs of two Chinese characters or more, and the Latin words, left unread."""
    runs: List[str] = []
    for m in re.finditer(r"[\u3400-\u9fff]{2,}|[a-z][a-z0-9]*", _unread(low, taken)):
        runs.append(display[m.start() : m.end()])
    return runs


def _unread(low: str, taken: Sequence[bool]) -> str:
    return "".join(" " if t else ch for ch, t in zip(low, taken))


def read_question(
    text: str, catalog: Catalog, knowledge: ProductKnowledge, subject: Optional[CarModel] = None
) -> Query:
    """What ``text`` asks, trims looked for within ``subject`` when it names no model."""
    return QuestionReader(catalog, knowledge).read(text, subject)
