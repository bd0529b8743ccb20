"""The one text normalisation used before matching customer text."""

import functools
import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), trimmed, inner whitespace collapsed.

    NFKC keeps string length for CJK text and full-width ASCII, which matters because
    entity offsets found on the normalised text are reported on the original text.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def normalize_keep_offsets(text: str) -> str:
    """NFKC per character, so that offsets in the result are offsets in ``text``.

    Characters whose NFKC form is not exactly one character are left unchanged.
    """
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` in Simplified Chinese (OpenCC t2s), the same length: where a phrase conversion would
    change the length, each character is converted alone (or kept)."""
    if not text:
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    out = []
    for ch in text:
        c = _t2s().convert(ch)
        out.append(c if len(c) == 1 else ch)
    return "".join(out)
