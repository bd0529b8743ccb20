"""Customer-mode practice as the bot runs it: a visit is rebuilt from the trainee's replies
so far (the session is deterministic), so the conversation store holds all of its state."""

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from bot.catalog import get_catalog
from bot.playbook.loader import get_playbook
from bot.roleplay.labels import STOPPED, Labels, labels_in
from bot.roleplay.personas import Persona, load_personas
from bot.roleplay.reactions import ReplyReader, load_reactions
from bot.roleplay.rubric import load_rubric
from bot.roleplay.scorer import ReplyScorer
from bot.roleplay.session import CustomerSession, Scorecard
from bot.validation import Checker
from bot.yamlfile import read_yaml

COMMANDS = ("hint", "restart", "stop")


@dataclass(frozen=True)
class Practice:
    scorer: ReplyScorer
    personas: Dict[str, Persona]
    reader: ReplyReader
    commands: Dict[str, Tuple[str, ...]]
    labels: Labels
    catalog_path: str
    playbook_dir: Optional[str]

    def visit(self, persona_id: str, level: str, replies: Sequence[str]) -> CustomerSession:
        """The visit after ``replies`` (replayed in order)."""
        persona = self.personas.get(persona_id) or next(iter(self.personas.values()))
        level = level if level in persona.levels else "normal"
        session = CustomerSession(
            persona,
            level,
            self.scorer,
            get_playbook(self.playbook_dir),
            get_catalog(self.catalog_path),
            self.reader,
            labels=self.labels,
        )
        for reply in replies:
            if session.outcome:
                break
            session.respond(reply)
        return session

    def command(self, text: str) -> Optional[str]:
        """The command a message is, if any."""
        t = text.strip().lower()
        return next((name for name, words in self.commands.items() if t in {w.lower() for w in words}), None)


def load_commands(path: Union[str, Path]) -> Dict[str, Tuple[str, ...]]:
    raw = read_yaml(path)
    c = Checker(Path(path))
    out: Dict[str, Tuple[str, ...]] = {}
    if c.mapping(raw, "", COMMANDS):
        out = {name: c.texts(raw[name], name) for name in COMMANDS}
    c.raise_if_any()
    return out


@functools.lru_cache(maxsize=2)
def get_practice(roleplay_dir: str, catalog_path: str, playbook_dir: Optional[str] = None) -> Practice:
    d = Path(roleplay_dir)
    reactions = d / "reactions.yml"
    return Practice(
        ReplyScorer(load_rubric(d / "rubric.yml"), get_catalog(catalog_path), playbook=get_playbook(playbook_dir)),
        load_personas(d / "personas", reactions),
        ReplyReader(load_reactions(reactions)),
        load_commands(d / "commands.yml"),
        labels_in(d),
        catalog_path,
        playbook_dir,
    )


def history_entry(session: CustomerSession, card: Scorecard, when: Optional[dt.datetime] = None) -> Dict[str, Any]:
    """What is kept of a finished visit for comparisons and the trainer report."""
    misses: List[str] = [m for t in session.turns for m in t.score.missing]
    misses += [f"penalty:{p.name}" for t in session.turns for p in t.score.penalties]
    return {
        "persona": card.persona_id,
        "level": card.level,
        "outcome": card.outcome or STOPPED,
        "total": card.total,
        "dimensions": dict(card.dimensions),
        "turns": len(session.turns),
        "missed": misses,
        "finished_at": (when or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
    }
