"""What a trainee's reply did, as the simulated customer notices it, and the customer's reaction
lines (data/roleplay/reactions.yml). Pure: no Rasa; the rules come from the data file and the
scorer's per-check result, so a line is only said when the reply did what it presumes."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from bot.catalog import ASPECTS, CarModel
from bot.nlu.text import normalize
from bot.roleplay.scorer import Score
from bot.validation import Checker, WordLists, read_mapping

NEGATIVE = ("argued", "discounted", "pushed_early")
POSITIVE = ("answered", "calculated", "cares_met", "materials", "off_target", "acknowledged")
KINDS = NEGATIVE + POSITIVE
# lines a session says that are not reactions to one move
STATE_LINES = ("ready", "warming")
# kinds with lines of their own (an answer comes from the persona's profile)
LINE_KINDS = tuple(k for k in KINDS if k != "answered") + STATE_LINES
READINESS = ("R1", "R2", "R3", "R4")
DETECTORS = (
    "negations",
    "question_ends",
    "question_words",
    "invite",
    "close",
    "urgency",
    "argue",
    "disparage",
    "cut_verbs",
    "cut_words",
    "material_nouns",
    "material_offers",
    "calc_units",
    "calc_words",
)
NEGATION_WINDOW = 3  # 不急着下单: the negation may sit up to three characters before the cue
CUT_GAP = 2  # 便宜您五千: up to two characters between the verb and the amount
_NUMBER = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)"
_SENTENCE_END = re.compile(r"[。！!？?；;\n]")
# Non-answer positives shown per turn; more would bury the objection line.
MAX_OTHER_POSITIVES = 2
MAX_ANSWERS = 2


@dataclass(frozen=True)
class Readiness:
    name: str
    zh: str
    extra_warmth: int


@dataclass(frozen=True)
class Aspect:
    name: str
    spoken: str
    cues: Tuple[str, ...]


@dataclass(frozen=True)
class ReactionRules:
    readiness: Dict[str, Readiness]
    warmth: Dict[str, int]
    scorer_penalties: WordLists
    detect: WordLists
    aspects: Dict[str, Aspect]
    questions: WordLists
    lines: WordLists


@dataclass(frozen=True)
class Reaction:
    """One thing the customer noticed: its kind, the line said, and the words that showed it."""

    kind: str
    line: str
    evidence: Tuple[str, ...] = ()

    @property
    def negative(self) -> bool:
        return self.kind in NEGATIVE


@dataclass(frozen=True)
class Listener:
    """Who is listening: the persona's cares, profile answers and own lines, and its car's FAB words."""

    cares_about: Tuple[str, ...]
    profile: Mapping[str, str]
    lines: Mapping[str, Tuple[str, ...]]
    cares_lines: Mapping[str, Tuple[str, ...]]
    fab_terms: Mapping[str, Tuple[str, ...]]  # aspect -> feature words of the persona's car


def load_reactions(path: Union[str, Path]) -> ReactionRules:
    """Reads the reaction rules. Raises DataFileError naming file and field."""
    raw, c = read_mapping(path, ("readiness", "warmth", "scorer_penalties", "detect", "aspects", "questions", "lines"))
    readiness = {
        name: Readiness(name, c.text(v["zh"], f"{w}.zh"), c.integer(v["extra_warmth"], f"{w}.extra_warmth"))
        for name, v, w in c.entries(raw["readiness"], "readiness", READINESS, ("zh", "extra_warmth"))
    }
    warmth: Dict[str, int] = {}
    if c.mapping(raw["warmth"], "warmth", KINDS):
        for kind in KINDS:
            v = raw["warmth"][kind]
            if isinstance(v, bool) or not isinstance(v, int):
                c.fail(f"warmth.{kind}", f"expected a whole number, got {v!r}")
            elif (kind in NEGATIVE) != (v < 0):
                c.fail(f"warmth.{kind}", "negative reactions take warmth away (< 0), the others do not")
            else:
                warmth[kind] = v
    penalties = c.some_word_lists(raw["scorer_penalties"], "scorer_penalties", NEGATIVE)
    detect = c.word_lists(raw["detect"], "detect", DETECTORS, _cues)
    aspects = {
        name: Aspect(name, c.text(v["spoken"], f"{w}.spoken"), _cues(c, v["cues"], f"{w}.cues"))
        for name, v, w in c.entries(raw["aspects"], "aspects", ASPECTS, ("spoken", "cues"))
    }
    questions: WordLists = {}
    if isinstance(raw["questions"], dict) and raw["questions"]:
        questions = {str(k): _cues(c, v, f"questions.{k}") for k, v in raw["questions"].items()}
    else:
        c.fail("questions", "expected a non-empty mapping of topic -> cue words")
    lines = c.word_lists(raw["lines"], "lines", LINE_KINDS, Checker.lines)
    c.raise_if_any()
    return ReactionRules(readiness, warmth, penalties, detect, aspects, questions, lines)


def _cues(c: Checker, value: object, where: str) -> Tuple[str, ...]:
    return tuple(normalize(t) for t in c.nonempty_texts(value, where, "cue"))


def check_lines(c: Checker, value: object, where: str, kinds: Sequence[str] = LINE_KINDS) -> WordLists:
    """A persona's own lines by reaction kind (``cares_met`` excluded: it is keyed by aspect)."""
    return c.some_word_lists(value, where, tuple(kinds), Checker.lines)


def fab_terms(model: Optional[CarModel]) -> Dict[str, Tuple[str, ...]]:
    """Per aspect, the words of the car's FAB feature (六气囊和主动刹车 -> 六气囊, 主动刹车)."""
    if model is None:
        return {}
    out: Dict[str, Tuple[str, ...]] = {}
    for aspect, fab in model.fab.items():
        words = [w for w in re.split(r"[和配与及、，,/]", normalize(fab.feature)) if len(w) >= 2]
        out[aspect] = tuple(words)
    return out


class ReplyReader:
    """Finds what a reply did, and the customer's reaction lines for it."""

    def __init__(self, rules: ReactionRules) -> None:
        self.rules = rules
        d = rules.detect
        self._cut = re.compile("(?:" + "|".join(map(re.escape, d["cut_verbs"])) + f").{{0,{CUT_GAP}}}{_NUMBER}")
        self._amount = re.compile(_NUMBER + r"\s*(?:" + "|".join(map(re.escape, d["calc_units"])) + ")")

    # --- cue finding -------------------------------------------------------------------------

    def _negated(self, text: str, start: int) -> bool:
        before = text[max(0, start - NEGATION_WINDOW) : start]
        return any(n in before for n in self.rules.detect["negations"])

    def find(self, text: str, cues: Sequence[str]) -> Tuple[str, ...]:
        """The cues found in ``text`` and not negated, in the order they occur."""
        found: List[Tuple[int, str]] = []
        for cue in cues:
            start = text.find(cue)
            while start >= 0:
                if not self._negated(text, start):
                    found.append((start, cue))
                    break
                start = text.find(cue, start + 1)
        return tuple(cue for _, cue in sorted(found))

    def questions(self, text: str) -> List[str]:
        """Sentences that ask the customer something (not invitations to a next step)."""
        d = self.rules.detect
        out = []
        for sent in _sentences(text):
            asks = sent.rstrip("。！!；;，, ").endswith(tuple(d["question_ends"])) or any(
                q in sent for q in d["question_words"]
            )
            if asks and not any(w in sent for w in d["invite"]):
                out.append(sent)
        return out

    def materials(self, text: str) -> Tuple[str, ...]:
        """A document offered to the customer: its noun and the offer, in one sentence."""
        d = self.rules.detect
        for sent in re.split(r"[。！!？?；;\n]", text):
            nouns, offers = self.find(sent, d["material_nouns"]), self.find(sent, d["material_offers"])
            if nouns and offers:
                return offers + nouns
        return ()

    def cuts(self, text: str) -> Tuple[str, ...]:
        found = [m.group(0) for m in self._cut.finditer(text) if not self._negated(text, m.start())]
        return tuple(found) + self.find(text, self.rules.detect["cut_words"])

    def calculation(self, text: str) -> Tuple[str, ...]:
        amounts = [m.group(0) for m in self._amount.finditer(text)]
        words = self.find(text, self.rules.detect["calc_words"])
        return tuple(amounts) + words if len(amounts) >= 2 and words else ()

    def aspects(self, text: str, listener: Listener) -> Dict[str, Tuple[str, ...]]:
        """Aspect -> the words that show the reply talks about it."""
        out: Dict[str, Tuple[str, ...]] = {}
        for name, aspect in self.rules.aspects.items():
            hits = self.find(text, aspect.cues + listener.fab_terms.get(name, ()))
            if hits:
                out[name] = hits
        return out

    def invites(self, reply: str) -> Tuple[str, ...]:
        """The invitation words (试驾, 到店…) in a reply."""
        return self.find(normalize(reply or ""), self.rules.detect["invite"])

    # --- reactions ---------------------------------------------------------------------------

    def read(
        self, reply: str, score: Score, listener: Listener, turn: int, untouched: bool, topic: Sequence[str] = ()
    ) -> Tuple[Reaction, ...]:
        """The customer's reactions to ``reply``, negatives first; ``turn`` picks among a kind's
        lines (deterministically); ``untouched``: nothing has been settled yet in this visit;
        ``topic``: the words of the objection being raised (an answer on its topic is not off target)."""
        text = normalize(reply or "")
        d = self.rules.detect
        penalties = {p.name: p.evidence for p in score.penalties}

        def from_scorer(kind: str) -> Tuple[str, ...]:
            return tuple(e for name in self.rules.scorer_penalties.get(kind, ()) for e in penalties.get(name, ()))

        found: Dict[str, Tuple[str, ...]] = {}
        argued = self.find(text, d["argue"] + d["disparage"]) + from_scorer("argued")
        if argued:
            found["argued"] = argued
        cuts = self.cuts(text) + from_scorer("discounted")
        if cuts:
            found["discounted"] = cuts
        pushed = self.find(text, d["close"] + d["urgency"]) + from_scorer("pushed_early")
        made_move = any(score.checks[m].passed for m in ("acknowledge", "clarify", "value") if m in score.checks)
        if not pushed and untouched and not made_move and self.invites(text):
            pushed = self.invites(text)  # a test drive demanded before anything was answered
        if pushed:
            found["pushed_early"] = pushed
        if found:
            return tuple(self._reaction(k, found[k], listener, turn) for k in NEGATIVE if k in found)

        out: List[Reaction] = []
        for asked in self._asked(text):
            out.append(Reaction("answered", listener.profile[asked], (asked,)))
        out = out[:MAX_ANSWERS]
        others: List[Reaction] = []
        calc = self.calculation(text)
        if calc:
            others.append(self._reaction("calculated", calc, listener, turn))
        about = self.aspects(text, listener)
        has_fact = (
            bool(self._amount.search(text))
            or any(w in text for ws in listener.fab_terms.values() for w in ws)
            or ("value" in score.checks and score.checks["value"].passed)
        )
        # the cared-about aspect the reply says most about (the persona's order breaks ties)
        cared = sorted((a for a in listener.cares_about if a in about), key=lambda a: -len(about[a]))
        if cared and has_fact:
            others.append(self._cares(cared[0], about[cared[0]], listener, turn))
        materials = self.materials(text)
        if materials:
            others.append(self._reaction("materials", materials, listener, turn))
        if about and not cared and has_fact and not any(w in text for w in topic):
            others.append(self._reaction("off_target", tuple(w for ws in about.values() for w in ws), listener, turn))
        ack = score.checks.get("acknowledge")
        if not out and not others and ack is not None and ack.passed:
            others.append(self._reaction("acknowledged", ack.evidence, listener, turn))
        return tuple(out + others[:MAX_OTHER_POSITIVES])

    def _asked(self, text: str) -> List[str]:
        topics: List[Tuple[int, str]] = []
        for sent in self.questions(text):
            for topic, cues in self.rules.questions.items():
                hits = self.find(sent, cues)
                if hits and topic not in {t for _, t in topics}:
                    topics.append((text.find(sent) * 1000 + sent.find(hits[0]), topic))
        return [t for _, t in sorted(topics)]

    def line(self, kind: str, listener: Listener, turn: int) -> str:
        """A line of ``kind`` (a reaction or a state line), the persona's own before the defaults."""
        lines = listener.lines.get(kind) or self.rules.lines[kind]
        care = self.rules.aspects[listener.cares_about[0]].spoken if listener.cares_about else ""
        return lines[turn % len(lines)].replace("{care}", care)

    def _reaction(self, kind: str, evidence: Tuple[str, ...], listener: Listener, turn: int) -> Reaction:
        return Reaction(kind, self.line(kind, listener, turn), evidence)

    def _cares(self, aspect: str, evidence: Tuple[str, ...], listener: Listener, turn: int) -> Reaction:
        own = listener.cares_lines.get(aspect)
        if own:
            return Reaction("cares_met", own[turn % len(own)], (aspect,) + evidence)
        lines = self.rules.lines["cares_met"]
        return Reaction(
            "cares_met",
            lines[turn % len(lines)].replace("{care}", self.rules.aspects[aspect].spoken),
            (aspect,) + evidence,
        )


def _sentences(text: str) -> List[str]:
    """Sentences with their ending punctuation kept (a question keeps its ？)."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() - start > 1:
            out.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        out.append(text[start:])
    return [s for s in (x.strip() for x in out) if s]
