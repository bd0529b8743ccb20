"""Finding and normalising amounts of money in customer text (20万, 二十万, 20w, 15.8万, 两千...).

The vocabulary (numerals, units, suffixes) comes from data/lexicon/money.yml through
:class:`MoneySpec`; nothing here is specific to one spelling.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Dict, List, Optional, Pattern, Tuple

_DECIMAL_POINT_ZH = "点"


@dataclass(frozen=True)
class MoneySpec:
    digits: Dict[str, int]
    small_units: Dict[str, int]
    big_units: Dict[str, int]
    latin_units: Dict[str, int]
    currency_suffixes: Tuple[str, ...]
    bare_number_min: int
    bare_number_max: int
    non_money_followers: Tuple[str, ...]

    @property
    def numeral_chars(self) -> str:
        """Every character that can be part of a written number, Arabic digits included."""
        return (
            "0123456789."
            + _DECIMAL_POINT_ZH
            + "".join(self.digits)
            + "".join(self.small_units)
            + "".join(self.big_units)
        )


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    text: str
    value: int  # yuan


class MoneyParser:
    """Finds amounts in text and converts them to yuan."""

    def __init__(self, spec: MoneySpec) -> None:
        self.spec = spec
        zh = re.escape("".join(spec.digits) + "".join(spec.small_units) + "".join(spec.big_units) + _DECIMAL_POINT_ZH)
        latin = "".join(re.escape(u) for u in spec.latin_units)
        suffixes = "|".join(re.escape(s) for s in sorted(spec.currency_suffixes, key=len, reverse=True))
        # A run of Arabic numbers and Chinese numerals/units; a Latin unit (w, k) only
        # right after an Arabic digit and not inside a Latin word; then an optional suffix.
        self._pattern: Pattern[str] = re.compile(
            rf"(?:\d+(?:\.\d+)?|[{zh}])(?:\d+(?:\.\d+)?|[{zh}])*"
            rf"(?:(?<=\d)[{latin}](?![a-z]))?"
            rf"(?:{suffixes})?",
            re.IGNORECASE,
        )
        self._suffix_re = re.compile(rf"(?:{suffixes})$")
        self._followers = tuple(f.lower() for f in spec.non_money_followers)

    def find(self, text: str, start: int = 0, end: Optional[int] = None) -> List[Amount]:
        """All amounts in ``text`` that begin in ``[start, end)``."""
        end = len(text) if end is None else end
        found = []
        for m in self._pattern.finditer(text, start):
            if m.start() >= end:
                break
            amount = self._accept(text, m.start(), m.end())
            if amount is not None:
                found.append(amount)
        return found

    def parse(self, text: str) -> Optional[int]:
        """The value in yuan of ``text`` if the whole of it is one amount, else None."""
        amounts = self.find(text)
        if len(amounts) == 1 and amounts[0].start == 0 and amounts[0].end == len(text):
            return amounts[0].value
        return None

    def _accept(self, text: str, start: int, end: int) -> Optional[Amount]:
        raw = text[start:end]
        suffix = self._suffix_re.search(raw)
        number = raw[: suffix.start()] if suffix else raw
        if number.endswith(_DECIMAL_POINT_ZH):  # 三点 (o'clock), not a decimal
            number = number.rstrip(_DECIMAL_POINT_ZH)
            suffix = None
            end = start + len(number)
        if not number:
            return None
        after = text[end:].lower()
        if any(after.startswith(f) for f in self._followers):
            return None
        value, has_unit = self._value(number)
        if value is None or value <= 0:
            return None
        if not suffix and value < self.spec.bare_number_min:
            return None  # 金九银十, 五十: small numbers count only with 块/元
        if not has_unit and not suffix:
            is_arabic = bool(re.fullmatch(r"\d+(?:\.\d+)?", number))
            if not is_arabic or value > self.spec.bare_number_max:
                return None
        return Amount(start, end, text[start:end], value)

    def _value(self, number: str) -> Tuple[Optional[int], bool]:
        """Evaluates a run of numerals and units. Returns (yuan, whether a unit was written)."""
        spec = self.spec
        tokens: List[Tuple[str, Decimal]] = []
        i = 0
        lowered = number.lower()
        while i < len(number):
            m = re.match(r"\d+(?:\.\d+)?", number[i:])
            if m:
                tokens.append(("num", Decimal(m.group())))
                i += m.end()
                continue
            ch = number[i]
            if ch in spec.digits:
                tokens.append(("digit", Decimal(spec.digits[ch])))
            elif ch in spec.small_units:
                tokens.append(("small", Decimal(spec.small_units[ch])))
            elif ch in spec.big_units:
                tokens.append(("big", Decimal(spec.big_units[ch])))
            elif lowered[i] in spec.latin_units:
                tokens.append(("big", Decimal(spec.latin_units[lowered[i]])))
            elif ch == _DECIMAL_POINT_ZH:
                tokens.append(("point", Decimal(0)))
            else:
                return None, False
            i += 1
        return self._evaluate(tokens)

    @staticmethod
    def _evaluate(tokens: List[Tuple[str, Decimal]]) -> Tuple[Optional[int], bool]:
        total = Decimal(0)
        section = Decimal(0)
        current: Optional[Decimal] = None
        fraction_digits: Optional[int] = None  # digits seen after 点
        last_unit: Optional[Decimal] = None
        has_unit = False
        for kind, val in tokens:
            if kind in ("num", "digit"):
                if fraction_digits is not None and kind == "digit":
                    fraction_digits += 1
                    current = (current or Decimal(0)) + val / (Decimal(10) ** fraction_digits)
                elif current is not None:
                    return None, False  # 一两万, 二零二五: a range or a year, not one amount
                else:
                    current = val
            elif kind == "point":
                if current is None or fraction_digits is not None:
                    return None, False
                fraction_digits = 0
            elif kind == "small":
                if current is None and (val != 10 or tokens[0][0] != "small"):
                    return None, False  # 几千 leaves a bare 千; only 十 stands alone (十五 = 15)
                has_unit = True
                section += (current if current is not None else Decimal(1)) * val
                current, fraction_digits, last_unit = None, None, val
            else:  # big unit: 万, 亿, w
                has_unit = True
                if current is None and section == 0:
                    return None, False
                section += current if current is not None else Decimal(0)
                total = (total + section) * val if total and val > 10000 else total + section * val
                section, current, fraction_digits, last_unit = Decimal(0), None, None, val
        if current is not None:
            if last_unit is not None and fraction_digits is None and current < 10:
                # 十五万八 = 158000, 三千五 = 3500: a lone digit after a unit means the next unit down.
                section += current * last_unit / 10
            else:
                section += current
        try:
            value = int((total + section).to_integral_value())
        except InvalidOperation:
            return None, False
        return value, has_unit
