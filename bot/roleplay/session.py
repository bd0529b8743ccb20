"""Customer mode: the bot plays a persona, the trainee sells. Each trainee reply is scored by
the rubric and read for what it did (bot.roleplay.reactions): the customer answers what it was
asked, reacts to what was said, warms up after good answers (how fast: the level and the persona's
readiness), hardens after arguing, instant discounts and pushing, and ends the visit with a test
drive once its objections are settled and a test drive is proposed, or by walking out. Pure and
deterministic."""

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Dict, List, Optional, Sequence, Tuple

from bot.catalog import Catalog
from bot.playbook.model import Playbook
from bot.playbook.rules import Context, matches, select_script
from bot.roleplay.labels import Labels, get_labels
from bot.roleplay.personas import Persona
from bot.roleplay.reactions import Listener, Reaction, ReplyReader, fab_terms
from bot.roleplay.rubric import CHECKS
from bot.roleplay.scorer import Expectation, ReplyScorer, Score

_EXPECTATION_FIELDS = {f.name for f in fields(Expectation)}
TEST_DRIVE = "test_drive"
WALK_OUT = "walk_out"
HINT_MARKS = "。，、；：！？…,.;:!? "  # marks a hint clause does not end with (the hint adds its own)


@dataclass(frozen=True)
class TurnRecord:
    objection: str
    attempt: int
    reply: str
    score: Score
    good: bool
    customer_line: str
    reactions: Tuple[Reaction, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    move: str
    move_zh: str
    why: str
    model_answer: str
    script_id: str


@dataclass(frozen=True)
class Scorecard:
    persona_id: str
    level: str
    outcome: Optional[str]
    total: int
    dimensions: Dict[str, int]  # 0-100 per dimension: share of turns where it was done
    turn_notes: Tuple[str, ...]
    suggestions: Tuple[Suggestion, ...]
    comparison: str


@dataclass
class CustomerSession:
    persona: Persona
    level_name: str
    scorer: ReplyScorer
    playbook: Playbook
    catalog: Catalog
    reader: ReplyReader
    index: int = 0  # which of the persona's objections is being raised
    attempt: int = 1  # how many times it has been raised
    warmth: int = 0  # earned on the current objection so far
    weak: int = 0  # weak answers in the whole visit
    ready: bool = False  # every objection settled: waiting for the trainee to propose a test drive
    turns: List[TurnRecord] = field(default_factory=list)
    outcome: Optional[str] = None
    labels: Labels = field(default_factory=get_labels)  # the scorecard's words (data/roleplay/labels.yml)
    listener: Listener = field(init=False)  # what the persona notices in a reply

    def __post_init__(self) -> None:
        p = self.persona
        self.listener = Listener(
            p.cares_about, p.profile, p.lines, p.cares_lines, fab_terms(self.catalog.model_by_name(p.car_model))
        )

    @property
    def level(self):
        return self.persona.levels[self.level_name]

    @property
    def current(self):
        return self.persona.objections[self.index]

    @property
    def warmth_needed(self) -> int:
        """Warmth that settles an objection: the level's good answers plus the readiness's extra."""
        readiness = self.reader.rules.readiness.get(self.persona.readiness)
        return self.level.good_answers_needed + (readiness.extra_warmth if readiness else 0)

    def opening(self) -> str:
        """The customer's first words."""
        return self.current.open[0]

    def _context(self) -> Context:
        slots = {
            "car_model": self.persona.car_model,
            "budget": self.persona.budget,
            "competitor": self.persona.competitor,
        }
        history = tuple(o.objection for o in self.persona.objections[: self.index])
        return Context(self.current.objection, self.attempt, None, slots, history)

    def expectation(self) -> Expectation:
        """The moves the playbook's rule table expects for this turn."""
        ctx = self._context()
        rule = self.playbook.rules[ctx.objection]
        row = next((r for r in rule.rows if matches(r.when, ctx)), rule.rows[-1])
        if "car_model" in _EXPECTATION_FIELDS:  # the scorer checks facts against the customer's car
            return Expectation(ctx.objection, ctx.attempt, row.moves, car_model=self.persona.car_model)
        return Expectation(ctx.objection, ctx.attempt, row.moves)

    def hint(self) -> str:
        """The next move the rubric expects, with why it works (the in-session 'hint' command): one
        clause per move, ``名称：为什么``, its own end mark dropped, joined by ；and ended by 。"""
        moves = ("next_step",) if self.ready else self.expectation().moves
        parts = [
            f"{self.playbook.moves[m].zh.strip().rstrip(HINT_MARKS)}："
            f"{self.playbook.moves[m].why.strip().rstrip(HINT_MARKS)}"
            for m in moves
        ]
        return "；".join(parts) + "。"

    def _pick(self, lines: Tuple[str, ...]) -> str:
        return lines[len(self.turns) % len(lines)]

    def respond(self, reply: str) -> TurnRecord:
        """Scores the trainee's reply and returns the customer's reaction."""
        if self.outcome:
            raise ValueError("the visit has ended; restart to play again")
        score = self.scorer.score(reply, self.expectation())
        good = score.total >= self.level.good_score and not score.penalties
        untouched = self.index == 0 and self.warmth == 0 and not self.ready
        rule = self.playbook.rules.get(self.current.objection)
        reactions = self.reader.read(
            reply, score, self.listener, len(self.turns), untouched, rule.topic if rule else ()
        )
        negative = any(r.negative for r in reactions)
        lines = self.current
        objection, attempt = lines.objection, self.attempt
        said = [r.line for r in reactions]
        if negative:
            self.warmth = max(0, self.warmth + sum(self.reader.rules.warmth[r.kind] for r in reactions))
            self.weak += 1
            state = self._state_line(settled=False, good=False)
        else:
            if not good and not reactions and not self.ready:  # waiting: counted in _state_line
                self.weak += 1
            if self.ready:
                settled = True
            else:
                self.warmth += (1 if good else 0) + sum(self.reader.rules.warmth[r.kind] for r in reactions)
                settled = self.warmth >= self.warmth_needed
            state = self._state_line(settled, good or bool(reactions), reply)
        if self.outcome is None and self.weak >= self.level.patience:
            self.outcome = WALK_OUT
            state = self.persona.endings[WALK_OUT]
        record = TurnRecord(objection, attempt, reply, score, good, " ".join(said + [state]), reactions)
        self.turns.append(record)
        return record

    def _state_line(self, settled: bool, good: bool, reply: str = "") -> str:
        """Where the customer stands after this reply (advancing the visit when it is settled)."""
        lines = self.current
        if not settled:
            self.attempt += 1
            if self.ready:
                return self.reader.line("ready", self.listener, len(self.turns))
            if good:
                return (
                    self._pick(lines.warming)
                    if lines.warming
                    else self.reader.line("warming", self.listener, len(self.turns))
                )
            return lines.repeat[min(self.attempt - 2, len(lines.repeat) - 1)]
        soften = "" if self.ready else lines.soften[min(self.attempt - 1, len(lines.soften) - 1)]
        if self.index + 1 < len(self.persona.objections):
            self.index, self.attempt, self.warmth = self.index + 1, 1, 0
            return f"{soften} {self.current.open[0]}"
        if self.reader.invites(reply):
            self.outcome = TEST_DRIVE
            self.ready = False
            return f"{soften} {self.persona.endings[TEST_DRIVE]}".strip()
        if self.ready:  # still waiting for the trainee to propose a test drive
            self.weak += 1
        self.ready = True
        self.attempt += 1
        return f"{soften} {self.reader.line('ready', self.listener, len(self.turns))}".strip()

    def scorecard(self, previous_totals: Sequence[int] = ()) -> Scorecard:
        """The end-of-visit scorecard; ``previous_totals`` are this trainee's earlier totals on the
        same persona, oldest first."""
        n = len(self.turns) or 1
        dims = {name: round(100 * sum(t.score.checks[name].passed for t in self.turns) / n) for name in CHECKS}
        dims["principle"] = round(100 * sum(bool(t.score.principles) for t in self.turns) / n)
        dims["no_penalty"] = round(100 * sum(not t.score.penalties for t in self.turns) / n)
        total = round(sum(t.score.total for t in self.turns) / n) if self.turns else 0
        notes = tuple(
            self.labels.turn_note(i + 1, t.objection, t.attempt, t.score.total, t.score.notes())
            for i, t in enumerate(self.turns)
        )
        return Scorecard(
            self.persona.id,
            self.level_name,
            self.outcome,
            total,
            dims,
            notes,
            self._suggestions(),
            self.labels.comparison(total, previous_totals),
        )

    def _suggestions(self) -> Tuple[Suggestion, ...]:
        missed: Counter = Counter()
        where: Dict[str, TurnRecord] = {}
        for t in self.turns:
            for m in t.score.missing:
                missed[m] += 1
                where.setdefault(m, t)
        out: List[Suggestion] = []
        for move, _ in missed.most_common():  # penalties are explained in the per-turn notes
            if move not in self.playbook.moves:
                continue
            t = where[move]
            answer = self._model_answer(t.objection, t.attempt, move)
            if answer:
                out.append(Suggestion(move, self.playbook.moves[move].zh, self.playbook.moves[move].why, *answer))
            if len(out) == 3:
                break
        for move in ("acknowledge", "clarify", "value", "next_step", "concession"):
            if len(out) == 3:
                break
            if move not in {s.move for s in out}:
                first = self.turns[0] if self.turns else None
                answer = self._model_answer(first.objection if first else self.current.objection, 1, move)
                if answer:
                    out.append(Suggestion(move, self.playbook.moves[move].zh, self.playbook.moves[move].why, *answer))
        return tuple(out)

    def _model_answer(self, objection: str, attempt: int, move: str) -> Optional[Tuple[str, str]]:
        """A playbook script making ``move`` for ``objection``, filled for this persona."""
        slots = {
            "car_model": self.persona.car_model,
            "budget": self.persona.budget,
            "competitor": self.persona.competitor,
        }
        used: Tuple[str, ...] = ()
        for _ in range(12):
            for a in (attempt, 1, 2, 3):
                choice = select_script(self.playbook, self.catalog, Context(objection, a, None, slots, (), used))
                if choice and choice.move == move:
                    return choice.text, choice.script_id
                if choice:
                    used += (choice.script_id,)
        for s in self.playbook.scripts_for(objection):
            if s.move == move and not s.facts:
                return s.text, s.id
        return None
