"""Mainland China phone numbers, in one place: finding one in chat text (``bot.leads.contact``), checking
the widget form's field, and masking them in logs (``bot.privacy.logs``). Every lead row keeps the
normalised form, 13800138000 or 010-62345678, whichever way the customer typed it.

The numbering plan is Google's libphonenumber (the ``phonenumbers`` port): it knows which prefixes
are mobiles, which area codes exist and how long their numbers are, and reads full-width digits,
+86 / 0086 / 86 prefixes and any grouping (138 0013 8000, 138.0013.8000, (010)62345678).

Where we read it our way:

* The matcher (``Leniency.VALID``) is given each run of digits and punctuation on its own, so its
  rule against numbers glued to Latin letters never applies: fine for prose, but log lines are full
  of ``tel13800138000`` and ``id=u13800138000``.
* A landline counts only when typed with its trunk 0 or the country code (``2345678901`` is an order
  number, not 023-45678901), and when typed with its area code set apart (``0755 1234567``) it is
  accepted even if libphonenumber's data says that city's numbers have a digit more: customers type
  old numbers, and such a number is personal data in a log line either way. The same goes for a
  number with an extension after a dash (010-62345678-801), which the matcher does not split.
* Other Chinese numbers (400/800 service numbers, premium rate) are neither leads nor personal data,
  and eight digits could be anything: they are left alone. Numbers abroad, typed with + or 00, are
  masked in logs but are not a lead's phone.
"""

import functools
import re
import unicodedata
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumber, PhoneNumberMatcher, PhoneNumberType
from phonenumbers.phonenumberutil import _PLUS_CHARS, _VALID_PUNCTUATION  # the matcher's own character classes

REGION = "CN"
COUNTRY_CODE = 86
MOBILE, LANDLINE, ABROAD = "mobile", "landline", "abroad"

# Masking sees every log line, and libphonenumber's matcher parses every group of digits it meets (a
# time, a float, a hex id: a parse or ten each, 20-50 µs apiece), so it only sees the runs of text
# where one of our numbers could be:
MIN_DIGITS = 7  # fewer digits are never a phone number here
# 1. the text has seven digits (ASCII or full-width: ``\d`` is Unicode); most log lines stop here;
_ENOUGH_DIGITS = re.compile(r"\d(?:\D*\d){%d}" % (MIN_DIGITS - 1))
# 2. within stretches of digits and phone-number punctuation (cheap to find: a URL or a sentence has none),
_STRETCH = re.compile(
    "[(\uff08\uff3b\\[" + _PLUS_CHARS + "\\d][" + _VALID_PUNCTUATION + _PLUS_CHARS + "\\d]{%d,}" % (MIN_DIGITS - 1)
)
# 3. a run of digit blocks joined by punctuation, after an optional plus sign or bracket (the
#    matcher's own candidate pattern), with seven digits or more. A block of 16 digits or more is
#    never part of a number (E.164 numbers have at most 15, plus 00 to dial abroad): the
#    0.9996538162231445 of Rasa's confidences;
_PUNCTUATION = "[" + _VALID_PUNCTUATION + "]{0,4}"
_BLOCK = r"(?<!\d)(?:00\d{14,15}|\d{1,15})(?!\d)"
_RUN = re.compile(
    "(?:[(\uff08\uff3b\\[" + _PLUS_CHARS + "]" + _PUNCTUATION + "){0,2}" + _BLOCK + "(?:" + _PUNCTUATION + _BLOCK + ")*"
)
_NOT_DIGIT = re.compile(r"\D+")
# 4. with a plus sign, or a block starting with 0, 1 or 8: every number we accept starts with a
#    mobile's 1, a trunk 0, 86 or 0086, or +. (The matcher starts a number at a block's first digit.)
_MAY_START_A_NUMBER = re.compile(r"[" + _PLUS_CHARS + r"]|(?<!\d)[018\uFF10\uFF11\uFF18]")
# 5. and the shapes of numbers the matcher misses in a run, checked by libphonenumber all the same:
#    a number and an extension after a dash (010-62345678-801, 13800138000-2: the matcher looks
#    for the number inside a candidate after spaces and brackets, not after an ASCII dash), and
#    landlines whose city libphonenumber gives a digit more (0755 1234567).
_SEP = r"[\s\-\uFF0D]?"  # ASCII or full-width, as customers type
_MISSED = re.compile(
    r"(?<![\d+\uFF0B])(?:(?:[+\uFF0B]|[0\uFF10]{2})?[8\uFF18][6\uFF16]" + _SEP + ")?"
    r"(?:[1\uFF11][3-9\uFF13-\uFF19]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}"
    r"|[(\uFF08]?[0\uFF10]\d{2,3}[)\uFF09]?" + _SEP + r"\d{7,8})(?!\d)"
)
# The matcher tells 2026-11-29 14:51 from a phone number by the ":51" after it.
_TIME_SUFFIX = re.compile(r":[0-5]\d")

# What the widget form's field may contain besides digits: +, spaces, dashes, dots, brackets.
_TYPED = re.compile(r"[\d\s+＋\-－‐‑–—.．()（）]+")
# The digits typed before the national number of a landline: its trunk 0 or the country code.
_LANDLINE_PREFIXES = ("0", "86", "860", "0086", "00860")
_FIXED_TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
_SUBSCRIBER_SAMPLES = ("2345678", "23456789", "5234567", "52345678", "6234567", "62345678", "8234567", "82345678")


class Phone(NamedTuple):
    kind: str  # MOBILE, LANDLINE or ABROAD
    normalised: str  # 13800138000, 010-62345678; abroad: E.164
    masked: str  # 138****8000, 010-****5678, +44 ****0958


class _Match(NamedTuple):
    start: int
    end: int
    phone: Phone


def _typed_digits(raw: str) -> Tuple[str, List[int]]:
    """The digits of the text as ASCII, and where each one is in the text."""
    positions = [i for i, ch in enumerate(raw) if ch.isdecimal()]  # what ``\d`` matches
    return "".join(str(unicodedata.decimal(raw[i])) for i in positions), positions


def _split_at(nsn: str, start: int, positions: List[int]) -> Optional[int]:
    """How many leading digits of the national number were typed before a separator
    (``0755 1234567`` → 3, ``+86 10 6234 5678`` → 2), None when typed in one piece."""
    for k in range(1, len(nsn)):
        if positions[start + k] != positions[start + k - 1] + 1:
            return k
    return None


@functools.lru_cache(maxsize=512)
def _is_area_code(code: str) -> bool:
    """Whether libphonenumber knows landlines under this area code (without the trunk 0: 10, 755)."""
    for subscriber in _SUBSCRIBER_SAMPLES:
        number = phonenumbers.parse("0" + code + subscriber, REGION)
        if (
            phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) in _FIXED_TYPES
            and phonenumbers.length_of_geographical_area_code(number) == len(code)
        ):
            return True
    return False


_AREA_CODE_LENGTHS: Dict[str, int] = {}


def _area_code_length(nsn: str, number: PhoneNumber) -> int:
    """libphonenumber's length of the number's area code (10, 2x: two digits; others: three). It
    formats the number to tell, 50 µs, so it is asked once per four leading digits."""
    key = nsn[:4]
    if key not in _AREA_CODE_LENGTHS:
        _AREA_CODE_LENGTHS[key] = phonenumbers.length_of_geographical_area_code(number)
    return _AREA_CODE_LENGTHS[key]


def _landline(nsn: str, area_len: int, separated: bool) -> Phone:
    area, subscriber = "0" + nsn[:area_len], nsn[area_len:]
    # Typed in one piece, the digits are kept as typed (the form of earlier lead rows).
    normalised = f"{area}-{subscriber}" if separated else area + subscriber
    return Phone(LANDLINE, normalised, f"{area}-****{subscriber[-4:]}")


def _classify(raw: str, number: PhoneNumber, valid: Optional[bool] = None) -> Optional[Phone]:
    """The phone number libphonenumber read from ``raw`` (``valid``: known to be valid), or None when
    it is not one of ours."""
    nsn = phonenumbers.national_significant_number(number)
    if valid is None:
        valid = phonenumbers.is_valid_number(number)
    if number.country_code != COUNTRY_CODE:
        if not valid:
            return None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return Phone(ABROAD, e164, f"+{number.country_code} ****{nsn[-4:] if len(nsn) > 7 else nsn[-2:]}")
    digits, positions = _typed_digits(raw)
    start = digits.find(nsn)
    if start < 0:  # a carrier code in between: not a form customers type
        return None
    split = _split_at(nsn, start, positions)
    landline_typed = digits[:start] in _LANDLINE_PREFIXES
    if valid:
        if len(nsn) == 11 and nsn.startswith("1"):  # the only valid Chinese numbers of that shape are mobiles
            return Phone(MOBILE, nsn, f"{nsn[:3]}****{nsn[-4:]}")
        if landline_typed and phonenumbers.number_type(number) in _FIXED_TYPES:
            area_len = _area_code_length(nsn, number)
            return _landline(nsn, area_len, split == area_len) if area_len else None
        return None
    # Not valid, but typed as area code, separator, 7 or 8 digits: 0755 1234567.
    if landline_typed and split in (2, 3) and len(nsn) - split in (7, 8) and _is_area_code(nsn[:split]):
        return _landline(nsn, split, True)
    return None


def _matches(text: str) -> Iterator[_Match]:
    if not text or not _ENOUGH_DIGITS.search(text):
        return
    for stretch in _STRETCH.finditer(text):
        for run in _RUN.finditer(text, *stretch.span()):
            start, end = run.span()
            if (
                end - start >= MIN_DIGITS
                and len(_NOT_DIGIT.sub("", run.group())) >= MIN_DIGITS
                and _MAY_START_A_NUMBER.search(run.group())
            ):
                yield from _matches_in_run(text, start, end)


def _matches_in_run(text: str, start: int, end: int) -> Iterator[_Match]:
    suffix = _TIME_SUFFIX.match(text, end)
    searched = text[start : suffix.end() if suffix else end]
    # VALID, not POSSIBLE: a possible but invalid candidate (13800138000 2) hides the number in it.
    # The matcher sees the run only, so its rule against Latin letters next to a number never applies.
    done = start
    for m in PhoneNumberMatcher(searched, REGION, leniency=Leniency.VALID):
        if m.start >= end - start:  # the minutes after a time
            break
        phone = _classify(m.raw_string, m.number, valid=True)
        if phone:
            yield from _missed_by_the_matcher(text, done, start + m.start)
            yield _Match(start + m.start, start + m.end, phone)
            done = start + m.end
    yield from _missed_by_the_matcher(text, done, end)


def _missed_by_the_matcher(text: str, start: int, end: int) -> Iterator[_Match]:
    for m in _MISSED.finditer(text, start, end):
        try:
            number = phonenumbers.parse(m.group(), REGION)
        except NumberParseException:
            continue
        phone = _classify(m.group(), number)
        if phone:
            yield _Match(m.start(), m.end(), phone)


def find_phone(text: Optional[str]) -> Optional[str]:
    """The first phone number in the text, normalised (a mobile before a landline)."""
    landline = None
    for m in _matches(text or ""):
        if m.phone.kind == MOBILE:
            return m.phone.normalised
        if m.phone.kind == LANDLINE and landline is None:
            landline = m.phone.normalised
    return landline


def normalise_phone(value: Optional[str]) -> Optional[str]:
    """The value as a normalised phone number when it is exactly one phone number, else None."""
    value = (value or "").strip()
    if not _TYPED.fullmatch(value):
        return None
    try:
        number = phonenumbers.parse(value, REGION)
    except NumberParseException:
        return None
    phone = _classify(value, number)
    return phone.normalised if phone and phone.kind in (MOBILE, LANDLINE) else None


def mask_phones(text: str) -> str:
    """The text with each phone number's middle digits hidden: 138****8000, 010-****5678, and numbers
    abroad as +44 ****0958."""
    out, last = [], 0
    for m in _matches(text):
        out += [text[last : m.start], m.phone.masked]
        last = m.end
    return "".join(out) + text[last:] if out else text
