"""Reading contact details out of chat text: a phone number, a name, and whether the customer
agrees to be called (yes / no / unclear; the words are in data/lexicon/consent.yml).

Consent to a call is personal-data processing under the PIPL: only an explicit yes counts. A
refusal anywhere in the reply wins over any yes in it, and a reply that is neither clearly yes nor
clearly no is "unclear" (the contact form asks once more, then keeps nothing)."""

import enum
import functools
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple, Union

from bot.constants import DEFAULT_LEXICON_DIR, ENV_LEXICON_DIR
from bot.phone import find_phone
from bot.validation import Checker
from bot.yamlfile import read_yaml

_NAME = re.compile(r"(?:我姓|姓|我叫|叫我|我是)\s*([\u4e00-\u9fa5]{1,4}?)(?:先生|女士|小姐|老师|总)?(?=[\s，,。.！!电手号]|$)"
                   r"|([\u4e00-\u9fa5]{1,3}(?:先生|女士|小姐|老师|总))")


def find_name(text: str) -> Optional[str]:
    """How the customer wants to be addressed (李先生, 王女士, 姓张 → 张先生/女士 unknown → 张)."""
    m = _NAME.search(text or "")
    if not m:
        return None
    return (m.group(2) or m.group(1) or "").strip() or None


def contact_from_text(text: str) -> Tuple[Optional[str], Optional[str]]:
    """(phone, name) found in one message."""
    return find_phone(text), find_name(text)


# --- consent -------------------------------------------------------------------------------------

CONSENT_FILE = "consent.yml"


class Consent(str, enum.Enum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


# Lists of consent.yml and the kind of word each holds.
YES, NO, NEGATOR, HEDGE, QUESTION, CALL, RESTRICTION, FILLER = (
    "yes", "no", "negator", "hedge", "question", "call", "restriction", "filler")
CONSENT_FIELDS: Dict[str, str] = {"yes": YES, "no": NO, "negators": NEGATOR, "hedges": HEDGE,
                                  "questions": QUESTION, "call_words": CALL, "restrictions": RESTRICTION,
                                  "fillers": FILLER}
_OTHER = "other"  # a character or Latin word the lexicon does not know
_BREAK = "break"  # punctuation: ends a clause

_PAYLOAD = re.compile(r"^/(affirm|deny)(?:\{.*\})?$")
_DOTS = re.compile(r"[.。]{2,}")
_LATIN = re.compile(r"[a-z']+")
_LATIN_RUN = re.compile(r"[a-z']+(?: +[a-z']+)*")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_IGNORED = {"\u200d", "\ufe0f", "\ufe0e"}  # zero-width joiner, emoji / text presentation selectors


@dataclass(frozen=True)
class ConsentLexicon:
    """Every known word (normalised) and its kind; Latin phrases by their words."""
    kinds: Mapping[str, str]
    longest: int  # characters of the longest non-Latin word
    longest_latin: int  # words of the longest Latin phrase


def normalise(text: str) -> str:
    """NFKC (full-width → ASCII, … → ...), lower case, curly apostrophes straightened, dot runs
    as "...", emoji skin tones and joiners dropped."""
    t = unicodedata.normalize("NFKC", text or "").lower().replace("\u2019", "'")
    t = "".join(ch for ch in t if ch not in _IGNORED and not 0x1F3FB <= ord(ch) <= 0x1F3FF)
    return _DOTS.sub("...", t).strip()


def _generated(yes_words: List[str]) -> Dict[str, str]:
    """A-not-A questions (行不行, 可不可以, 同不同意) and "X是X" hedges (可以是可以) of the yes words."""
    out: Dict[str, str] = {}
    for w in yes_words:
        if not _CJK.match(w):
            continue
        out[f"{w}不{w}"] = QUESTION
        out[f"{w[0]}不{w}"] = QUESTION
        if w != "是":
            out[f"{w}是{w}"] = HEDGE
    return out


def load_consent_lexicon(lexicon_dir: Union[str, Path]) -> ConsentLexicon:
    """Reads data/lexicon/consent.yml. Raises DataFileError naming file and field of every problem:
    a missing or unknown list, an empty word, a word listed twice, a Latin word with other signs."""
    path = Path(lexicon_dir) / CONSENT_FILE
    raw = read_yaml(path)
    c = Checker(path)
    kinds: Dict[str, str] = {}
    where: Dict[str, str] = {}
    if c.mapping(raw, "", tuple(CONSENT_FIELDS)):
        for field, kind in CONSENT_FIELDS.items():
            words = c.texts(raw[field], field)
            if isinstance(raw[field], list) and not words:
                c.fail(field, "expected at least one word")
            for i, word in enumerate(words):
                w = " ".join(normalise(word).split())
                if not w:
                    continue
                if re.search(r"[a-z]", w) and not _LATIN_RUN.fullmatch(w):
                    c.fail(f"{field}[{i}]", f"'{word}': Latin words may have only letters, apostrophes and spaces")
                    continue
                if " " in w and not _LATIN_RUN.fullmatch(w):
                    c.fail(f"{field}[{i}]", f"'{word}': only Latin phrases may have spaces")
                    continue
                if w in kinds:
                    c.fail(f"{field}[{i}]", f"'{word}' is already listed in {where[w]}")
                    continue
                kinds[w], where[w] = kind, f"{field}[{i}]"
    c.raise_if_any()
    for w, kind in _generated([w for w, k in kinds.items() if k == YES]).items():
        kinds.setdefault(w, kind)
    latin = [w for w in kinds if _LATIN_RUN.fullmatch(w)]
    return ConsentLexicon(kinds, max((len(w) for w in kinds if w not in latin), default=1),
                          max((len(w.split()) for w in latin), default=1))


@functools.lru_cache(maxsize=4)
def get_consent_lexicon(lexicon_dir: str) -> ConsentLexicon:
    return load_consent_lexicon(lexicon_dir)


def default_consent_lexicon() -> ConsentLexicon:
    return get_consent_lexicon(os.environ.get(ENV_LEXICON_DIR, DEFAULT_LEXICON_DIR))


def _latin_word(word: str, lex: ConsentLexicon) -> str:
    if word in lex.kinds:
        return word
    collapsed = re.sub(r"(.)\1+", r"\1", word)  # okkk, yesss, noooo
    return collapsed if collapsed in lex.kinds else word


def consent_tokens(text: str, lex: ConsentLexicon) -> List[Tuple[str, str]]:
    """(kind, word) by longest match; unknown characters and Latin words are "other", punctuation
    "break" (spaces do not end a clause), other symbols (unlisted emoji) are skipped."""
    t = normalise(text)
    out: List[Tuple[str, str]] = []
    i = 0
    while i < len(t):
        m = _LATIN_RUN.match(t, i)
        if m:  # Latin words, matched whole; a phrase ("no thanks") may span spaces
            spans = [(w.group(0), w.end()) for w in _LATIN.finditer(m.group(0))][:lex.longest_latin]
            words = [_latin_word(w, lex) for w, _ in spans]
            n = next((n for n in range(len(words), 0, -1) if " ".join(words[:n]) in lex.kinds), 1)
            phrase = " ".join(words[:n])
            out.append((lex.kinds.get(phrase, _OTHER), phrase))
            i = m.start() + spans[n - 1][1]
            continue
        for n in range(min(lex.longest, len(t) - i), 0, -1):
            if t[i:i + n] in lex.kinds:
                out.append((lex.kinds[t[i:i + n]], t[i:i + n]))
                i += n
                break
        else:
            ch = t[i]
            cat = unicodedata.category(ch)
            if ch == "?":
                out.append((QUESTION, ch))
            elif ch.isspace():
                pass
            elif cat.startswith("P"):
                out.append((_BREAK, ch))
            elif cat[0] in "SCM":  # emoji and symbols not in the lexicon say nothing
                pass
            else:
                out.append((_OTHER, ch))
            i += 1
    return out


def _clause_reading(clause: List[Tuple[str, str]]) -> Optional[Consent]:
    """NO, UNCLEAR for a negation that cannot be read as a no, or None (no negation here)."""
    for i, (kind, _) in enumerate(clause):
        if kind not in (NO, NEGATOR):
            continue
        rest = [k for k, _ in clause[i + 1:]]
        if RESTRICTION in rest and (CALL in rest or kind == NEGATOR):
            return Consent.UNCLEAR  # 别老打, 别打太多, 不要总打电话: a condition, not a refusal
        if kind == NO:
            return Consent.NO
        if YES in rest or CALL in rest or all(k in (FILLER, NEGATOR) for k in rest):
            return Consent.NO  # 没同意, 不太好, 别打, 不是, 不, 不不不
        return Consent.UNCLEAR  # 不知道怎么说: a negation of something we cannot read
    return None


def read_consent_text(text: str, lex: Optional[ConsentLexicon] = None) -> Consent:
    """The reading of the words alone (no NLU): yes only for an explicit yes with nothing else but
    fillers and call words; no for a refusal or a negated yes or call anywhere."""
    lex = lex or default_consent_lexicon()
    m = _PAYLOAD.match(normalise(text))
    if m:
        return Consent.YES if m.group(1) == "affirm" else Consent.NO
    tokens = consent_tokens(text, lex)
    clauses: List[List[Tuple[str, str]]] = [[]]
    for tok in tokens:
        if tok[0] == _BREAK:
            clauses.append([])
        else:
            clauses[-1].append(tok)
    readings = [_clause_reading(c) for c in clauses if c]
    if Consent.NO in readings:
        return Consent.NO
    kinds = {k for k, _ in tokens if k != _BREAK}
    if Consent.UNCLEAR in readings or kinds - {YES, CALL, FILLER}:
        return Consent.UNCLEAR  # a hedge, a question, a restriction or a word we do not know
    return Consent.YES if YES in kinds else Consent.UNCLEAR


def read_consent(text: str, intent: Optional[str] = None, lex: Optional[ConsentLexicon] = None) -> Consent:
    """The answer to "may our consultant call you on this number?".

    The words decide. The NLU intent is a second opinion towards "no" only: ``deny`` makes an
    unclear reply a no, and a yes in the words that the NLU hears as ``deny`` unclear (asked
    again rather than guessed). ``affirm`` never makes a reply a yes (a yes must be explicit in
    the words; a classifier's guess is not consent) and never outweighs a refusal in the text.
    Button payloads: ``/affirm`` is a yes, ``/deny`` a no.
    """
    reading = read_consent_text(text, lex)
    if intent == "deny" and not _PAYLOAD.match(normalise(text)):
        return {Consent.UNCLEAR: Consent.NO, Consent.YES: Consent.UNCLEAR}.get(reading, reading)
    return reading


def agrees(text: str) -> bool:
    """An explicit yes."""
    return read_consent_text(text) is Consent.YES


def declines(text: str) -> bool:
    """A clear no (不用了, 先不留了, 不方便)."""
    return read_consent_text(text) is Consent.NO
