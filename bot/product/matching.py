"""Putting a visitor's text in one form, and finding words in it longest first.

The text is converted to Simplified Chinese (OpenCC t2s), NFKC (full-width to half-width) with
inner whitespace collapsed, then lower-cased character by character; every step keeps one
character for one character, so positions found in the lower-case form are positions in the
display form (which keeps the visitor's capitals, for echoing a name back: 远山Max).
"""

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.nlu.text import normalize, to_simplified

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Prepared:
    display: str  # simplified, NFKC, spaces collapsed; the visitor's capitals kept
    low: str  # the same, lower case, same length


def prepare(text: str) -> Prepared:
    simplified = to_simplified(normalize(text or ""))  # one character for one: positions kept
    low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in simplified)
    return Prepared(simplified, low)


def is_word_char(ch: str) -> bool:
    """A Latin letter or an ASCII digit: words made of these match only whole."""
    return ch.isascii() and ch.isalnum()


def spaced_variants(word: str) -> List[str]:
    """``word`` and, when it mixes Chinese and Latin, the same with a space where they meet
    (远山pro -> 远山 pro), as visitors type both."""
    out = [word]
    spaced = re.sub(r"(?<=[\u3400-\u9fff])(?=[a-z0-9])|(?<=[a-z0-9])(?=[\u3400-\u9fff])", " ", word)
    if spaced != word:
        out.append(spaced)
    return out


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    kind: str
    value: str


class TermMatcher:
    """Longest-first, left-to-right matching of known words in a text, skipping positions
    already taken by an earlier pass."""

    def __init__(self, entries: Iterable[Tuple[str, str, str]]) -> None:
        self.words: Dict[str, Tuple[str, str]] = {}
        for word, kind, value in entries:
            for w in spaced_variants(word):
                self.words.setdefault(w, (kind, value))
        self.longest = max((len(w) for w in self.words), default=0)

    def scan(self, low: str, taken: List[bool]) -> List[Hit]:
        hits: List[Hit] = []
        i, n = 0, len(low)
        while i < n:
            found = self._longest_at(low, taken, i)
            if found is None:
                i += 1
                continue
            length, kind, value = found
            hits.append(Hit(i, i + length, kind, value))
            for k in range(i, i + length):
                taken[k] = True
            i += length
        return hits

    def _longest_at(self, low: str, taken: Sequence[bool], i: int) -> Optional[Tuple[int, str, str]]:
        if taken[i] or low[i] == " ":
            return None
        for length in range(min(self.longest, len(low) - i), 0, -1):
            entry = self.words.get(low[i : i + length])
            if entry is None or any(taken[i : i + length]):
                continue
            if is_word_char(low[i]) and i > 0 and is_word_char(low[i - 1]):
                continue
            end = i + length
            if is_word_char(low[end - 1]) and end < len(low) and is_word_char(low[end]):
                continue
            return length, entry[0], entry[1]
        return None


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
