"""Customer mode: the bot plays a persona, the trainee sells. Each trainee reply is scored by
the rubric; the customer softens and moves on after good answers, repeats or hardens after weak
ones, and ends the visit with a test drive or by walking out. Pure and deterministic."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from bot.catalog import Catalog
from bot.playbook.model import Playbook
from bot.playbook.rules import Context, matches, select_script
from bot.roleplay.personas import Persona
from bot.roleplay.scorer import Expectation, ReplyScorer, Score
from bot.roleplay.rubric import CHECKS

TEST_DRIVE = "test_drive"
WALK_OUT = "walk_out"


@dataclass(frozen=True)
class TurnRecord:
    objection: str
    attempt: int
    reply: str
    score: Score
    good: bool
    customer_line: str


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
    index: int = 0  # which of the persona's objections is being raised
    attempt: int = 1  # how many times it has been raised
    progress: int = 0  # good answers to it so far
    weak: int = 0  # weak answers in the whole visit
    turns: List[TurnRecord] = field(default_factory=list)
    outcome: Optional[str] = None

    @property
    def level(self):
        return self.persona.levels[self.level_name]

    @property
    def current(self):
        return self.persona.objections[self.index]

    def opening(self) -> str:
        """The customer's first words."""
        return self.current.open[0]

    def _context(self) -> Context:
        slots = {"car_model": self.persona.car_model, "budget": self.persona.budget,
                 "competitor": self.persona.competitor}
        history = tuple(o.objection for o in self.persona.objections[: self.index])
        return Context(self.current.objection, self.attempt, None, slots, history)

    def expectation(self) -> Expectation:
        """The moves the playbook's rule table expects for this turn."""
        ctx = self._context()
        rule = self.playbook.rules[ctx.objection]
        row = next((r for r in rule.rows if matches(r.when, ctx)), rule.rows[-1])
        return Expectation(ctx.objection, ctx.attempt, row.moves)

    def hint(self) -> str:
        """The next move the rubric expects, with why it works (the in-session 'hint' command)."""
        moves = self.expectation().moves
        return "；".join(f"{self.playbook.moves[m].zh}：{self.playbook.moves[m].why}" for m in moves)

    def respond(self, reply: str) -> TurnRecord:
        """Scores the trainee's reply and returns the customer's reaction."""
        if self.outcome:
            raise ValueError("the visit has ended; restart to play again")
        score = self.scorer.score(reply, self.expectation())
        good = score.total >= self.level.good_score and not score.penalties
        lines = self.current
        objection, attempt = lines.objection, self.attempt
        if good:
            self.progress += 1
            if self.progress >= self.level.good_answers_needed:
                soften = lines.soften[min(self.attempt - 1, len(lines.soften) - 1)]
                if self.index + 1 < len(self.persona.objections):
                    self.index, self.attempt, self.progress = self.index + 1, 1, 0
                    line = f"{soften} {self.current.open[0]}"
                else:
                    self.outcome = TEST_DRIVE
                    line = f"{soften} {self.persona.endings[TEST_DRIVE]}"
            else:
                self.attempt += 1
                line = lines.soften[min(self.attempt - 2, len(lines.soften) - 1)]
        else:
            self.weak += 1
            if self.weak >= self.level.patience:
                self.outcome = WALK_OUT
                line = self.persona.endings[WALK_OUT]
            else:
                line = lines.repeat[min(self.attempt - 1, len(lines.repeat) - 1)]
                self.attempt += 1
        record = TurnRecord(objection, attempt, reply, score, good, line)
        self.turns.append(record)
        return record

    def scorecard(self, previous_totals: Sequence[int] = ()) -> Scorecard:
        """The end-of-visit scorecard; ``previous_totals`` are this trainee's earlier totals on the
        same persona, oldest first."""
        n = len(self.turns) or 1
        dims = {name: round(100 * sum(t.score.checks[name].passed for t in self.turns) / n) for name in CHECKS}
        dims["principle"] = round(100 * sum(bool(t.score.principles) for t in self.turns) / n)
        dims["no_penalty"] = round(100 * sum(not t.score.penalties for t in self.turns) / n)
        total = round(sum(t.score.total for t in self.turns) / n) if self.turns else 0
        notes = tuple(f"第{i + 1}轮（{t.objection} 第{t.attempt}次）{t.score.total}分：{t.score.notes()}"
                      for i, t in enumerate(self.turns))
        return Scorecard(self.persona.id, self.level_name, self.outcome, total, dims, notes,
                         self._suggestions(), _compare(total, previous_totals))

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
                t = self.turns[0] if self.turns else None
                answer = self._model_answer(t.objection if t else self.current.objection, 1, move)
                if answer:
                    out.append(Suggestion(move, self.playbook.moves[move].zh, self.playbook.moves[move].why, *answer))
        return tuple(out)

    def _model_answer(self, objection: str, attempt: int, move: str) -> Optional[Tuple[str, str]]:
        """A playbook script making ``move`` for ``objection``, filled for this persona."""
        slots = {"car_model": self.persona.car_model, "budget": self.persona.budget,
                 "competitor": self.persona.competitor}
        used: Tuple[str, ...] = ()
        for _ in range(12):
            for a in (attempt, 1, 2, 3):
                choice = select_script(self.playbook, self.catalog,
                                       Context(objection, a, None, slots, (), used))
                if choice and choice.move == move:
                    return choice.text, choice.script_id
                if choice:
                    used += (choice.script_id,)
        for s in self.playbook.scripts_for(objection):
            if s.move == move and not s.facts:
                return s.text, s.id
        return None


def _compare(total: int, previous: Sequence[int]) -> str:
    if not previous:
        return "这是您第一次练习这个顾客。"
    best, last = max(previous), previous[-1]
    trend = "进步" if total > last else ("持平" if total == last else "退步")
    return f"第{len(previous) + 1}次练习：本次{total}分，上次{last}分（{trend}{abs(total - last)}分），历史最好{best}分。"
