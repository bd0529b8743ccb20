"""Mainland China phone numbers, in one place: finding one in chat text (``bot.contact``), checking
the widget form's field, and masking them in logs (``bot.privacy``). Every lead row keeps the
normalised form, 13800138000 or 010-62345678, whichever way the customer typed it."""

import re
from typing import Optional

# A mobile: 11 digits from 1[3-9], optionally after +86 or 86, groups split by spaces or dashes.
MOBILE = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
# A landline with its area code: 010-62345678, 0755 1234567. Without a separator the area code's
# length is unknown (01062345678 is 010 + 8 digits or 0106 + 7), so the digits are kept as typed.
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})([\s-]?)(\d{7,8})(?!\d)")


def find_phone(text: Optional[str]) -> Optional[str]:
    """The first phone number in the text, normalised (a mobile before a landline)."""
    m = MOBILE.search(text or "")
    if m:
        return "".join(m.groups())
    m = LANDLINE.search(text or "")
    return _landline(m) if m else None


def normalise_phone(value: Optional[str]) -> Optional[str]:
    """The value as a normalised phone number when it is exactly one phone number, else None."""
    value = (value or "").strip()
    for pattern in (MOBILE, LANDLINE):
        m = pattern.fullmatch(value)
        if m:
            return "".join(m.groups()) if pattern is MOBILE else _landline(m)
    return None


def _landline(m: "re.Match[str]") -> str:
    return f"{m.group(1)}-{m.group(3)}" if m.group(2) else m.group(1) + m.group(3)


def mask_phones(text: str) -> str:
    """The text with each phone number's middle digits hidden: 138****8000, 010-****5678."""
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)[-4:]}", text)
