"""Reading contact details out of chat text: a phone number, a name, and whether the customer
agrees to be called (yes / no / unclear; the words are in data/lexicon/consent.yml).

Consent to a call is personal-data processing under the PIPL: only an explicit yes counts. A
refusal wins over any yes in the same reply unless the customer takes it back (不行，还是可以吧: the
last decision counts); a yes that only limits when or how often to call is a yes (可以，别老打); a
reply that is neither clearly yes nor clearly no is "unclear" (the contact form asks once more,
then keeps nothing). The rules are in read_consent_text, the words in consent.yml."""

import enum
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Set, Tuple, Union

from bot.nlu.location import lexicon_dir as lexicon_dir_from_env
from bot.privacy.phone import find_phone
from bot.validation import Checker
from bot.yamlfile import read_yaml

_NAME = re.compile(
    r"(?:我姓|姓|我叫|叫我|我是)\s*([\u4e00-\u9fa5]{1,4}?)(?:先生|女士|小姐|老师|总)?(?=[\s，,。.！!电手号]|$)"
    r"|([\u4e00-\u9fa5]{1,3}(?:先生|女士|小姐|老师|总))"
)


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
YES, NO, NEGATOR, HEDGE, QUESTION, CALL, LIMIT, SECOND_THOUGHT, ASIDE, FILLER = (
    "yes",
    "no",
    "negator",
    "hedge",
    "question",
    "call",
    "limit",
    "second_thought",
    "aside",
    "filler",
)
CONSENT_FIELDS: Dict[str, str] = {
    "yes": YES,
    "no": NO,
    "negators": NEGATOR,
    "hedges": HEDGE,
    "questions": QUESTION,
    "call_words": CALL,
    "limits": LIMIT,
    "second_thoughts": SECOND_THOUGHT,
    "asides": ASIDE,
    "fillers": FILLER,
}
_OTHER = "other"  # a character or Latin word the lexicon does not know
_BREAK = "break"  # punctuation: ends a clause
_LIMITED = "limited"  # a clause that only limits when or how often to call (别老打, 晚上别打)
_ALLOWED_IN_YES = {YES, CALL, LIMIT, FILLER}

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
    """A-not-A questions (行不行, 可不可以, 同不同意) and the concessive "X是X" (可以是可以: a yes,
    whatever "but" follows is read on its own) of the yes words."""
    out: Dict[str, str] = {}
    for w in yes_words:
        if not _CJK.match(w):
            continue
        out[f"{w}不{w}"] = QUESTION
        out[f"{w[0]}不{w}"] = QUESTION
        if w != "是":
            out[f"{w}是{w}"] = YES
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
    return ConsentLexicon(
        kinds,
        max((len(w) for w in kinds if w not in latin), default=1),
        max((len(w.split()) for w in latin), default=1),
    )


@functools.lru_cache(maxsize=4)
def get_consent_lexicon(lexicon_dir: str) -> ConsentLexicon:
    return load_consent_lexicon(lexicon_dir)


def default_consent_lexicon() -> ConsentLexicon:
    return get_consent_lexicon(lexicon_dir_from_env())


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
            spans = [(w.group(0), w.end()) for w in _LATIN.finditer(m.group(0))][: lex.longest_latin]
            words = [_latin_word(w, lex) for w, _ in spans]
            n = next((n for n in range(len(words), 0, -1) if " ".join(words[:n]) in lex.kinds), 1)
            phrase = " ".join(words[:n])
            out.append((lex.kinds.get(phrase, _OTHER), phrase))
            i = m.start() + spans[n - 1][1]
            continue
        for n in range(min(lex.longest, len(t) - i), 0, -1):
            if t[i : i + n] in lex.kinds:
                out.append((lex.kinds[t[i : i + n]], t[i : i + n]))
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


def _clause_reading(clause: List[Tuple[str, str]]) -> Optional[str]:
    """How a clause's negation reads: NO, _LIMITED, UNCLEAR (a negation of something we cannot
    read), or None when the clause negates nothing."""
    kinds = [k for k, _ in clause]
    for i, kind in enumerate(kinds):
        if kind not in (NO, NEGATOR):
            continue
        rest = kinds[i + 1 :]
        if (LIMIT in kinds and CALL in kinds) or rest[:1] == [LIMIT]:
            return _LIMITED  # 别老打, 晚上别打, 不要老是打电话, 别太频繁: when or how often, not whether
        if kind == NO:
            return Consent.NO
        if YES in rest or CALL in rest or all(k in (FILLER, NEGATOR) for k in rest):
            return Consent.NO  # 没同意, 不太好, 别打, 不是, 不, 不不不
        return Consent.UNCLEAR  # 不知道怎么说
    return None


def _clauses(tokens: List[Tuple[str, str]]) -> List[Tuple[List[Tuple[str, str]], bool]]:
    """(clause, is an aside) after the last second thought: what was said before 还是 / 想了想 is
    taken back. Clauses end at punctuation; an aside (顺便, 另外) runs from its word to the clause end."""
    clauses: List[Tuple[List[Tuple[str, str]], bool]] = [([], False)]
    for kind, word in tokens:
        if kind == SECOND_THOUGHT:
            clauses = [([], False)]
        elif kind in (_BREAK, ASIDE):
            clauses.append(([], kind == ASIDE))
        else:
            clauses[-1][0].append((kind, word))
    return [(c, aside) for c, aside in clauses if c]


def read_consent_text(text: str, lex: Optional[ConsentLexicon] = None) -> Consent:
    """The reading of the words alone (no NLU).

    No: a refusal or a negated yes or call word anywhere after the last second thought, asides
    included. Yes: at least one yes word, and besides it only call words, limits on when or how
    often to call, negations that only limit (别老打), fillers, and asides. Anything else (a hedge,
    a question, a word we do not know) is unclear."""
    lex = lex or default_consent_lexicon()
    m = _PAYLOAD.match(normalise(text))
    if m:
        return Consent.YES if m.group(1) == "affirm" else Consent.NO
    kinds: Set[str] = set()
    unclear = False
    for clause, aside in _clauses(consent_tokens(text, lex)):
        reading = _clause_reading(clause)
        if reading is Consent.NO:
            return Consent.NO
        if aside:
            continue  # "顺便把配置表发我": another matter, unless it refuses the call
        unclear = unclear or reading is Consent.UNCLEAR
        kinds |= {k for k, _ in clause} - ({NO, NEGATOR} if reading == _LIMITED else set())
    if unclear or kinds - _ALLOWED_IN_YES:
        return Consent.UNCLEAR  # a hedge, a question or a word we do not know
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
