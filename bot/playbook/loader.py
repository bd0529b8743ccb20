"""Loading data/playbook/ with full validation: every problem is reported as
``file: scripts[i] (id): field: reason`` so a trainer can fix a YAML edit without reading code."""

import functools
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from bot.catalog import ASPECTS
from bot.constants import OBJECTION_INTENTS
from bot.exceptions import DataFileError
from bot.playbook.audit import carries, on_topic, script_words
from bot.playbook.facts import FACT_KEYS, PLACEHOLDER
from bot.playbook.model import (
    CONTEXT_SLOTS,
    EXTRA_CASES,
    MOVES,
    PRINCIPLES,
    Button,
    Carrier,
    ObjectionRule,
    Playbook,
    Policy,
    PriceMatchCues,
    Principle,
    RuleRow,
    Script,
    When,
)
from bot.validation import Checker, read_mapping

PRINCIPLES_FILE = "principles.yml"
RULES_FILE = "rule_table.yml"
POLICY_FILE = "policy.yml"
ENV_PLAYBOOK_DIR = "BOT_PLAYBOOK_DIR"
DEFAULT_PLAYBOOK_DIR = "data/playbook"
BUTTON_INTENTS = set(OBJECTION_INTENTS) | {"greet", "affirm", "deny", "goodbye", "thank", "request_human"}
CASES = tuple(OBJECTION_INTENTS) + EXTRA_CASES  # what a script file or a rule answers


def _when(c: Checker, raw: Any, where: str, stages: Tuple[str, ...]) -> When:
    if raw is None:
        return When()
    if not c.mapping(raw, where, (), ("attempt", "known", "unknown", "after", "stages")):
        return When()
    lo, hi = 1, None
    if "attempt" in raw:
        a = raw["attempt"]
        if not isinstance(a, list) or not 1 <= len(a) <= 2 or not all(isinstance(x, int) and x >= 1 for x in a):
            c.fail(f"{where}.attempt", "expected [min] or [min, max] with whole numbers >= 1")
        else:
            lo, hi = a[0], (a[1] if len(a) == 2 else None)
            if hi is not None and hi < lo:
                c.fail(f"{where}.attempt", "max is smaller than min")
    known = c.texts(raw.get("known", []), f"{where}.known")
    unknown = c.texts(raw.get("unknown", []), f"{where}.unknown")
    for key, names in (("known", known), ("unknown", unknown)):
        for name in names:
            if name not in CONTEXT_SLOTS:
                c.fail(f"{where}.{key}", f"unknown slot '{name}' (use {', '.join(CONTEXT_SLOTS)})")
    after = c.known_texts(
        raw.get("after", []), f"{where}.after", OBJECTION_INTENTS, lambda n: f"'{n}' is not an objection intent"
    )
    in_stages = c.known_texts(raw.get("stages", []), f"{where}.stages", stages, lambda n: f"unknown sales step '{n}'")
    return When(lo, hi, known, unknown, after, in_stages)


def _carriers(c: Checker, raw: Any, where: str) -> Tuple[Carrier, ...]:
    out: List[Carrier] = []
    if raw is None:
        return ()
    for w, item in c.items(raw, where, "ways to carry the principle"):
        if not c.mapping(item, w, ("means",), ("all_facts", "any_fact", "any_cue")):
            continue
        lists = {k: c.texts(item.get(k, []), f"{w}.{k}") for k in ("all_facts", "any_fact", "any_cue")}
        for key in ("all_facts", "any_fact"):
            for f in lists[key]:
                if f not in FACT_KEYS:
                    c.fail(f"{w}.{key}", f"unknown fact '{f}'")
        if not any(lists.values()):
            c.fail(w, "names no fact and no cue, so every script would carry it")
        out.append(
            Carrier(c.text(item["means"], f"{w}.means"), lists["all_facts"], lists["any_fact"], lists["any_cue"])
        )
    return tuple(out)


def _principles(directory: Path) -> Tuple[Dict[str, Principle], Dict[str, Principle], Tuple[str, ...], Dict[str, str]]:
    raw, c = read_mapping(directory / PRINCIPLES_FILE, ("principles", "moves", "stages"), ("aspects",))
    principles: Dict[str, Principle] = {}
    moves: Dict[str, Principle] = {}
    aspect_words: Dict[str, str] = {}
    for group, tags, out in (("principles", PRINCIPLES, principles), ("moves", MOVES, moves)):
        if not isinstance(raw[group], dict):
            c.fail(group, "expected a mapping")
            continue
        for tag in tags:
            if tag not in raw[group]:
                c.fail(group, f"missing '{tag}'")
        for tag, v in raw[group].items():
            w = f"{group}.{tag}"
            optional = ("carried_by",) if group == "principles" else ()
            if tag not in tags:
                c.fail(w, "unknown tag")
            elif c.mapping(v, w, ("zh", "why"), optional):
                out[tag] = Principle(
                    tag,
                    c.text(v["zh"], f"{w}.zh"),
                    c.text(v["why"], f"{w}.why"),
                    _carriers(c, v.get("carried_by"), f"{w}.carried_by"),
                )
    stages = c.texts(raw["stages"], "stages")
    if "aspects" in raw and c.mapping(raw["aspects"], "aspects", ASPECTS):
        for aspect, word in raw["aspects"].items():
            word = c.text(word, f"aspects.{aspect}")
            if any(a in word for a in ASPECTS):
                c.fail(f"aspects.{aspect}", "is a textbook aspect name: give the word a customer uses")
            aspect_words[aspect] = word
    c.raise_if_any()
    return principles, moves, stages, aspect_words


def _rules(directory: Path, stages: Tuple[str, ...]) -> Dict[str, ObjectionRule]:
    raw, c = read_mapping(directory / RULES_FILE, ("objections",))
    rules: Dict[str, ObjectionRule] = {}
    if isinstance(raw["objections"], dict):
        for intent in CASES:
            if intent not in raw["objections"]:
                c.fail("objections", f"no rule for '{intent}'")
        for intent, r in raw["objections"].items():
            w = f"objections.{intent}"
            if intent not in CASES:
                c.fail(w, f"not an objection intent of the domain brief nor a case ({', '.join(EXTRA_CASES)})")
                continue
            if not c.mapping(r, w, ("stage", "steps"), ("aspects", "topic")):
                continue
            aspects = c.known_texts(
                r.get("aspects", []),
                f"{w}.aspects",
                ASPECTS,
                lambda a: f"'{a}' is not one of the five aspects ({', '.join(ASPECTS)})",
            )
            topic = c.texts(r.get("topic", []), f"{w}.topic")
            stage = c.text(r["stage"], f"{w}.stage")
            if stage not in stages:
                c.fail(f"{w}.stage", f"unknown sales step '{stage}'")
            rows: List[RuleRow] = []
            for i, row in enumerate(r["steps"] if isinstance(r["steps"], list) else []):
                rw = f"{w}.steps[{i}]"
                if c.mapping(row, rw, ("moves",), ("when",)):
                    moves = c.known_texts(
                        row["moves"], f"{rw}.moves", MOVES, lambda m: f"unknown move '{m}' (use {', '.join(MOVES)})"
                    )
                    rows.append(RuleRow(_when(c, row.get("when"), f"{rw}.when", stages), moves))
            if not rows:
                c.fail(f"{w}.steps", "expected a non-empty list of rows")
            rules[intent] = ObjectionRule(intent, stage, tuple(rows), aspects, topic)
    c.raise_if_any()
    return rules


_SCRIPT_REQUIRED = ("id", "principle", "move", "text")
_SCRIPT_OPTIONAL = ("when", "facts", "follow_up", "buttons", "records")


def _scripts(path: Path, stages: Tuple[str, ...], seen: Dict[str, str]) -> Tuple[List[Script], List[str]]:
    raw, c = read_mapping(path, ("objection", "scripts"))
    scripts: List[Script] = []
    objection = raw["objection"]
    if objection not in CASES:
        c.fail("objection", f"'{objection}' is not an objection intent of the domain brief nor a case")
    for w, s in c.items(raw["scripts"], "scripts"):
        sid = s.get("id") if isinstance(s, dict) else None
        w = f"{w} ({sid})" if sid else w
        if not c.mapping(s, w, _SCRIPT_REQUIRED, _SCRIPT_OPTIONAL):
            continue
        sid = c.text(s["id"], f"{w}.id")
        if sid in seen:
            c.fail(f"{w}.id", f"duplicate id, also in {seen[sid]}")
        seen[sid] = str(path)
        principle, move = s["principle"], s["move"]
        if principle not in PRINCIPLES:
            c.fail(f"{w}.principle", f"unknown tag '{principle}' (use {', '.join(PRINCIPLES)})")
        if move not in MOVES:
            c.fail(f"{w}.move", f"unknown move '{move}' (use {', '.join(MOVES)})")
        facts = c.known_texts(
            s.get("facts", []), f"{w}.facts", FACT_KEYS, lambda f: f"unknown fact '{f}' (see data/playbook/README.md)"
        )
        text = c.text(s["text"], f"{w}.text")
        follow_up = c.text(s["follow_up"], f"{w}.follow_up") if "follow_up" in s else None
        records = c.text(s["records"], f"{w}.records") if "records" in s else None
        buttons: List[Button] = []
        for j, b in enumerate(s.get("buttons") or []):
            bw = f"{w}.buttons[{j}]"
            if c.mapping(b, bw, ("title", "payload")):
                title, payload = c.text(b["title"], f"{bw}.title"), c.text(b["payload"], f"{bw}.payload")
                if payload.startswith("/") and payload[1:].split("{")[0] not in BUTTON_INTENTS:
                    c.fail(f"{bw}.payload", f"'{payload}' names no intent of the domain")
                for placeholder in PLACEHOLDER.findall(title + payload):
                    if placeholder not in facts:
                        c.fail(bw, f"uses {{{placeholder}}} but 'facts' does not list it")
                buttons.append(Button(title, payload))
        for part, value in (("text", text), ("follow_up", follow_up or ""), ("records", records or "")):
            for placeholder in PLACEHOLDER.findall(value):
                if placeholder not in facts:
                    c.fail(f"{w}.{part}", f"uses {{{placeholder}}} but 'facts' does not list it")
            if "{" in PLACEHOLDER.sub("", value) or "}" in PLACEHOLDER.sub("", value):
                c.fail(f"{w}.{part}", "has a brace that is not a {group.fact} placeholder")
        when = _when(c, s.get("when"), f"{w}.when", stages)
        if any(f.startswith(("model.", "fab.")) for f in facts) and "car_model" not in when.known:
            c.fail(f"{w}.when.known", "uses model facts, so it must list car_model")
        scripts.append(
            Script(
                sid, str(objection), principle, move, when, facts, text, follow_up, tuple(buttons), str(path), records
            )
        )
    return scripts, c.problems


def load_playbook(directory: Union[str, Path], trainer_checks: bool = True) -> Playbook:
    """Reads every file of the playbook directory (sorted), validating everything.

    Args:
        directory: the playbook folder.
        trainer_checks: also reject a script whose label is not carried by its text, that is off its
            objection's topic or says a textbook aspect name (off only for tests that check these
            themselves, script by script).

    Raises:
        DataFileError: every problem found, each naming file, script id and field.
    """
    directory = Path(directory)
    principles, moves, stages, aspect_words = _principles(directory)
    rules = _rules(directory, stages)
    policy = _policy(directory)
    problems: List[str] = []
    scripts: List[Script] = []
    seen: Dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.name in (PRINCIPLES_FILE, RULES_FILE, POLICY_FILE):
            continue
        try:
            found, file_problems = _scripts(path, stages, seen)
        except DataFileError as e:
            problems += e.problems
            continue
        scripts += found
        problems += file_problems
    for intent, rule in rules.items():
        have = {s.move for s in scripts if s.objection == intent}
        for i, row in enumerate(rule.rows):
            if not have & set(row.moves):
                problems.append(
                    f"{directory / RULES_FILE}: objections.{intent}.steps[{i}]: no script of "
                    f"'{intent}' makes any of the moves {list(row.moves)}"
                )
    if trainer_checks:
        problems += _trainer_checks(principles, rules, scripts)
        problems += _policy_checks(policy, scripts, directory / POLICY_FILE)
    if problems:
        raise DataFileError(problems)
    return Playbook(principles, moves, stages, rules, tuple(scripts), aspect_words, policy)


def _policy(directory: Path) -> Policy:
    path = directory / POLICY_FILE
    if not path.exists():
        return Policy()
    raw, c = read_mapping(path, ("concessions", "promises", "price_match"), ("sample_labels",))
    gifts, cues = 1, PriceMatchCues()
    commitments: Tuple[str, ...] = ()
    promises: Tuple[str, ...] = ()
    if c.mapping(raw["concessions"], "concessions", ("gifts_per_conversation", "commitment_words")):
        gifts = c.integer(raw["concessions"]["gifts_per_conversation"], "concessions.gifts_per_conversation", 0)
        commitments = c.texts(raw["concessions"]["commitment_words"], "concessions.commitment_words")
        if not commitments:
            c.fail("concessions.commitment_words", "name at least one commitment a gift is traded for")
    if c.mapping(raw["promises"], "promises", ("words",)):
        promises = c.texts(raw["promises"]["words"], "promises.words")
    keys = ("within", "other_dealer", "same_model", "cheaper", "never_say")
    lists = c.word_lists(raw["price_match"], "price_match", keys)
    if lists:
        for intent in lists["within"]:
            if intent not in OBJECTION_INTENTS:
                c.fail("price_match.within", f"'{intent}' is not an objection intent")
        cues = PriceMatchCues(**lists)
    labels = c.texts(raw.get("sample_labels", []), "sample_labels")
    c.raise_if_any()
    return Policy(gifts, commitments, promises, cues, labels)


def _policy_checks(policy: Policy, scripts: List[Script], where: Path) -> List[str]:
    """Concessions traded for a commitment, promises backed by a record, other dealers never run down
    and no price matched (policy.yml)."""
    problems: List[str] = []
    index: Dict[str, int] = {}
    for s in scripts:
        i = index[s.source] = index.get(s.source, -1) + 1
        w = f"{s.source}: scripts[{i}] ({s.id})"
        words = script_words(s)
        if "dealer.gift" in s.facts and not any(x in words for x in policy.commitment_words):
            problems.append(
                f"{w}.text: offers a gift without asking a commitment in return (say one of "
                f"{', '.join(policy.commitment_words)}; {where}: concessions)"
            )
        promised = [x for x in policy.promise_words if x in words]
        if promised and not s.records:
            problems.append(
                f"{w}.records: the text promises ({promised[0]}) but records nothing: name the "
                f"lead's reason under 'records' (the team is notified) or reword it"
            )
        said = [x for x in policy.price_match.never_say if x in words]
        if said:
            problems.append(f"{w}.text: says '{said[0]}' ({where}: price_match.never_say)")
    return problems


def _trainer_checks(
    principles: Dict[str, Principle], rules: Dict[str, ObjectionRule], scripts: List[Script]
) -> List[str]:
    """What a sales trainer reads for: the label is true (principles.yml carried_by), the answer is on
    the objection's topic (rule_table.yml topic), and no textbook aspect name reaches a customer."""
    problems: List[str] = []
    index: Dict[str, int] = {}
    for s in scripts:
        i = index[s.source] = index.get(s.source, -1) + 1
        w = f"{s.source}: scripts[{i}] ({s.id})"
        p = principles.get(s.principle)
        if p is not None and not carries(p, s):
            ways = "; ".join(c.means for c in p.carried_by)
            problems.append(f"{w}.principle: the text does not carry '{s.principle}' (it needs one of: {ways})")
        rule = rules.get(s.objection)
        if rule is not None and not on_topic(rule, s):
            problems.append(f"{w}.text: off the topic of {s.objection} (says none of {', '.join(rule.topic)})")
        shown = " ".join([s.text, s.follow_up or ""] + [b.title for b in s.buttons])
        for aspect in ASPECTS:
            if aspect in shown:
                problems.append(
                    f"{w}.text: says the textbook aspect name '{aspect}' (customers say "
                    f"安全, 动力, 空间, 颜值, 性价比; use {{fab.aspect}})"
                )
    return problems


@functools.lru_cache(maxsize=4)
def _cached(directory: str) -> Playbook:
    return load_playbook(directory)


def get_playbook(directory: Optional[str] = None) -> Playbook:
    """The playbook of ``directory`` (default: $BOT_PLAYBOOK_DIR or data/playbook), loaded once."""
    return _cached(str(Path(directory or os.environ.get(ENV_PLAYBOOK_DIR) or DEFAULT_PLAYBOOK_DIR).resolve()))
