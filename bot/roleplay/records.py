"""Practice records for trainers: every finished customer-mode visit with its turns, read from Rasa's
SQL tracker store, and trainers' corrections of the scorer kept in the same database.

A visit is rebuilt from the conversation's events, in order: ``roleplay_replies`` set to ``[]``
starts one (a 重来 starts it again), each ``roleplay_turn`` payload the action uttered is a turn
(the reply is the user text before it, the customer's line the bot text before the payload), and a
longer ``roleplay_history`` list finishes it with the entry the action kept (the ``roleplay_scorecard``
payload adds the notes and suggestions). The trainee is the name the practice page sends in the
metadata (``{"roleplay": {"trainee": "..."}}``), else the sender id. A visit's id is
``<sender>#<n>``, the n-th finished visit of that conversation, so it stays the same as visits
are added.

A correction is a trainer's verdict on one turn: for each check (and each penalty, as
``penalty:<name>``) whether the reply did it, next to what the rubric said at the time. The latest
verdict on a (visit, turn, check) counts. ``agreement`` compares them per check; the disagreements
are labelled replies for the next round of scorer work.

``summarise`` is the one view of the data that both ``python -m bot report`` and the trainer
dashboard show, so the two cannot drift apart. No Rasa imports.
"""

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from bot.roleplay.labels import DIMENSIONS, FILE_NAME, Labels, load_labels
from bot.roleplay.location import roleplay_dir as default_roleplay_dir
from bot.roleplay.rubric import CHECKS, PENALTIES

PENALTY_PREFIX = "penalty:"
CORRECTABLE = CHECKS + tuple(PENALTY_PREFIX + p for p in PENALTIES)
MAX_NOTE_CHARS = 500
MAX_TRAINEE_CHARS = 40
TABLE = "trainer_corrections"


def database_url(db: Union[str, Path, Any]) -> str:
    """A SQLAlchemy URL string for a SQLite file path or a URL."""
    if not isinstance(db, (str, Path)):
        return db.render_as_string(hide_password=False) if hasattr(db, "render_as_string") else str(db)
    text = str(db)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def _engine(db: Union[str, Path, Any]) -> Any:
    from bot.database import engine_for

    return engine_for(database_url(db))


def trainee_name(metadata: Any) -> Optional[str]:
    """The trainee's name the practice page sent, trimmed, or None."""
    roleplay = metadata.get("roleplay") if isinstance(metadata, dict) else None
    name = roleplay.get("trainee") if isinstance(roleplay, dict) else None
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())[:MAX_TRAINEE_CHARS]
    return name or None


def _customer_line(text: Optional[str]) -> str:
    text = text or ""
    for prefix in ("顾客：", "顾客:"):  # utter_roleplay_customer
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


@dataclass
class _Conversation:
    trainee: Optional[str] = None
    last_user: str = ""
    last_bot: str = ""
    history_len: int = 0
    finished: int = 0
    turns: Optional[List[Dict[str, Any]]] = None
    card: Optional[Dict[str, Any]] = None


def visits_from_events(rows: Iterable[Tuple[str, str, Any]]) -> List[Dict[str, Any]]:
    """Finished visits from ``(sender_id, type_name, event)`` rows in storage order (``event`` a
    dict or its JSON), oldest first."""
    conversations: Dict[str, _Conversation] = defaultdict(_Conversation)
    visits: List[Dict[str, Any]] = []
    for sender, kind, data in rows:
        event = json.loads(data) if isinstance(data, (str, bytes)) else data
        c = conversations[sender]
        if kind == "user":
            c.trainee = trainee_name(event.get("metadata")) or c.trainee
            c.last_user = event.get("text") or ""
        elif kind == "bot":
            custom = (event.get("data") or {}).get("custom")
            if isinstance(custom, dict) and isinstance(custom.get("roleplay_turn"), dict):
                turn = dict(custom["roleplay_turn"])
                turn.update(reply=c.last_user, customer_line=_customer_line(c.last_bot))
                c.turns = (c.turns or []) + [turn]
            elif isinstance(custom, dict) and isinstance(custom.get("roleplay_scorecard"), dict):
                c.card = custom["roleplay_scorecard"]
            elif event.get("text"):
                c.last_bot = event["text"]
        elif kind == "slot" and event.get("name") == "roleplay_replies" and event.get("value") == []:
            c.turns, c.card = [], None
        elif kind == "slot" and event.get("name") == "roleplay_history" and isinstance(event.get("value"), list):
            history = [h for h in event["value"] if isinstance(h, dict)]
            for i, entry in enumerate(history[c.history_len :]):
                last = i == len(history) - c.history_len - 1
                c.finished += 1
                card = c.card or {}
                visit = {
                    **entry,
                    "sender": sender,
                    "trainee": c.trainee or sender,
                    "attempt": c.finished,
                    "id": f"{sender}#{c.finished}",
                    "turn_list": list(c.turns or []) if last else [],
                    "turn_notes": list(card.get("turn_notes") or []) if last else [],
                    "suggestions": list(card.get("suggestions") or []) if last else [],
                    "comparison": card.get("comparison", "") if last else "",
                }
                visits.append(visit)
            c.history_len = len(history)
            c.turns, c.card = None, None
    return sorted(visits, key=lambda v: (v.get("finished_at", ""), v["trainee"], v["id"]))


def load_visits(db: Union[str, Path, Any]) -> List[Dict[str, Any]]:
    """Every finished practice visit in the database, oldest first."""
    import sqlalchemy as sa

    engine = _engine(db)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("events"):
                return []
            rows = conn.execute(
                sa.text(
                    "SELECT sender_id, type_name, data FROM events WHERE type_name IN ('user', 'bot', 'slot') "
                    "ORDER BY id"
                )
            )
            return visits_from_events((s, t, d) for s, t, d in rows)
    finally:
        engine.dispose()


def rubric_verdicts(turn: Dict[str, Any]) -> Dict[str, bool]:
    """What the rubric said on a stored turn, per correctable check."""
    checks = turn.get("checks") or {}
    penalties = set(turn.get("penalties") or [])
    out = {name: bool(checks.get(name)) for name in CHECKS}
    out.update({PENALTY_PREFIX + p: p in penalties for p in PENALTIES})
    return out


@dataclass(frozen=True)
class Correction:
    visit: str
    turn: int  # 1-based
    check: str
    rubric: bool
    trainer: bool
    note: str
    created_at: str


class CorrectionError(ValueError):
    """A correction that cannot be stored (no such visit or turn, unknown check)."""


def _table(metadata: Any) -> Any:
    import sqlalchemy as sa

    return sa.Table(
        TABLE,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("visit", sa.String(400), nullable=False, index=True),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("check_name", sa.String(64), nullable=False),
        sa.Column("rubric", sa.Boolean, nullable=False),
        sa.Column("trainer", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False, default=""),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


class CorrectionStore:
    """Trainers' corrections, in the conversations' database (table ``trainer_corrections``)."""

    def __init__(self, db: Union[str, Path, Any]) -> None:
        import sqlalchemy as sa

        self.engine = _engine(db)
        self.table = _table(sa.MetaData())
        self.table.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def record(
        self,
        visit: Dict[str, Any],
        turn: int,
        trainer: Dict[str, bool],
        note: str = "",
        when: Optional[dt.datetime] = None,
    ) -> List[Correction]:
        """Stores a trainer's verdict on turn ``turn`` (1-based) of ``visit``: ``trainer`` maps
        checks to whether the reply did them (checks left out keep the rubric's verdict, i.e. the
        trainer agrees). Raises CorrectionError for a turn or check that does not exist."""
        turns = visit.get("turn_list") or []
        if not isinstance(turn, int) or not 1 <= turn <= len(turns):
            raise CorrectionError(f"visit {visit.get('id')} has no turn {turn} (it has {len(turns)})")
        unknown = sorted(set(trainer) - set(CORRECTABLE))
        if unknown:
            raise CorrectionError(f"unknown checks: {', '.join(unknown)} (known: {', '.join(CORRECTABLE)})")
        rubric = rubric_verdicts(turns[turn - 1])
        stamp = (when or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
        note = " ".join(str(note or "").split())[:MAX_NOTE_CHARS]
        rows = [
            Correction(visit["id"], turn, name, rubric[name], bool(trainer.get(name, rubric[name])), note, stamp)
            for name in CORRECTABLE
        ]
        with self.engine.begin() as conn:
            conn.execute(
                self.table.insert(),
                [
                    {
                        "visit": r.visit,
                        "turn": r.turn,
                        "check_name": r.check,
                        "rubric": r.rubric,
                        "trainer": r.trainer,
                        "note": r.note,
                        "created_at": r.created_at,
                    }
                    for r in rows
                ],
            )
        return rows

    def latest(self) -> List[Correction]:
        """The latest verdict per (visit, turn, check), in the order they were first made."""
        with self.engine.connect() as conn:
            rows = conn.execute(self.table.select().order_by(self.table.c.id)).mappings().all()
        out: Dict[Tuple[str, int, str], Correction] = {}
        for r in rows:
            key = (r["visit"], r["turn"], r["check_name"])
            out.pop(key, None)
            out[key] = Correction(
                r["visit"],
                r["turn"],
                r["check_name"],
                bool(r["rubric"]),
                bool(r["trainer"]),
                r["note"] or "",
                r["created_at"],
            )
        return sorted(
            out.values(),
            key=lambda c: (c.created_at, c.visit, c.turn, CORRECTABLE.index(c.check) if c.check in CORRECTABLE else 99),
        )


def load_corrections(db: Union[str, Path, Any]) -> List[Correction]:
    """The latest corrections, or none when the table does not exist yet."""
    import sqlalchemy as sa

    engine = _engine(db)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(TABLE):
                return []
    finally:
        engine.dispose()
    store = CorrectionStore(db)
    try:
        return store.latest()
    finally:
        store.close()


def agreement(visits: Sequence[Dict[str, Any]], corrections: Sequence[Correction]) -> Dict[str, Any]:
    """Per check: turns a trainer reviewed, how many the rubric got right, the rate; and the
    disagreements with the reply they are about."""
    by_id = {v["id"]: v for v in visits}
    per: Dict[str, Dict[str, Any]] = {name: {"reviewed": 0, "agree": 0, "rate": None} for name in CORRECTABLE}
    disagreements: List[Dict[str, Any]] = []
    for c in corrections:
        if c.check not in per:
            continue
        per[c.check]["reviewed"] += 1
        per[c.check]["agree"] += c.trainer == c.rubric
        if c.trainer != c.rubric:
            visit = by_id.get(c.visit) or {}
            turns = visit.get("turn_list") or []
            turn = turns[c.turn - 1] if 0 < c.turn <= len(turns) else {}
            disagreements.append(
                {
                    "visit": c.visit,
                    "trainee": visit.get("trainee", ""),
                    "turn": c.turn,
                    "objection": turn.get("objection", ""),
                    "attempt": turn.get("attempt"),
                    "reply": turn.get("reply", ""),
                    "check": c.check,
                    "rubric": c.rubric,
                    "trainer": c.trainer,
                    "note": c.note,
                    "created_at": c.created_at,
                }
            )
    for row in per.values():
        row["rate"] = round(row["agree"] / row["reviewed"], 3) if row["reviewed"] else None
    reviewed_turns = len({(c.visit, c.turn) for c in corrections})
    return {"checks": per, "disagreements": disagreements, "reviewed_turns": reviewed_turns}


def _week(finished_at: str) -> str:
    try:
        day = dt.datetime.fromisoformat(finished_at).date()
    except (TypeError, ValueError):
        return "?"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def attempt_row(visit: Dict[str, Any]) -> Dict[str, Any]:
    """One visit as a report row (what the CSV and the dashboard's table show)."""
    dims = visit.get("dimensions") or {}
    return {
        "id": visit.get("id"),
        "trainee": visit.get("trainee"),
        "attempt": visit.get("attempt"),
        "persona": visit.get("persona"),
        "level": visit.get("level"),
        "outcome": visit.get("outcome"),
        "total": visit.get("total"),
        "turns": visit.get("turns"),
        "finished_at": visit.get("finished_at"),
        "dimensions": {d: dims.get(d) for d in DIMENSIONS},
        "missed": list(visit.get("missed") or []),
    }


def summarise(visits: Sequence[Dict[str, Any]], corrections: Sequence[Correction] = ()) -> Dict[str, Any]:
    """What the trainer report and the dashboard show, as plain JSON-able data."""
    rows = [attempt_row(v) for v in visits]
    trainees: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for r in rows:
        trainees[str(r["trainee"])].append(r)
    people = [
        {
            "trainee": name,
            "attempts": len(rs),
            "first": rs[0]["total"],
            "best": max(r["total"] or 0 for r in rs),
            "last": rs[-1]["total"],
            "average": round(sum(r["total"] or 0 for r in rs) / len(rs), 1),
            "last_at": rs[-1]["finished_at"],
        }
        for name, rs in sorted(trainees.items())
    ]
    weeks: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for r in rows:
        weeks[_week(r["finished_at"] or "")].append(r)
    over_time = [
        {
            "period": week,
            "visits": len(rs),
            "dimensions": {d: _mean([r["dimensions"].get(d) for r in rs]) for d in DIMENSIONS},
            "total": _mean([r["total"] for r in rs]),
        }
        for week, rs in sorted(weeks.items())
    ]
    misses: Dict[str, Counter] = defaultdict(Counter)
    turns_per: Counter = Counter()
    for v in visits:
        for t in v.get("turn_list") or []:
            objection = str(t.get("objection") or "?")
            turns_per[objection] += 1
            for m in t.get("missing") or []:
                misses[objection][m] += 1
            for p in t.get("penalties") or []:
                misses[objection][PENALTY_PREFIX + p] += 1
    by_objection = [
        {
            "objection": o,
            "turns": turns_per[o],
            "misses": [
                {"miss": m, "count": n} for m, n in sorted(misses[o].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            ],
        }
        for o in sorted(turns_per, key=lambda o: (-sum(misses[o].values()), o))
    ]
    overall = {d: _mean([r["dimensions"].get(d) for r in rows]) for d in DIMENSIONS}
    return {
        "attempts": rows,
        "trainees": people,
        "dimension_averages": overall,
        "over_time": over_time,
        "misses_by_objection": by_objection,
        "agreement": agreement(visits, corrections),
    }


def _mean(values: Sequence[Any]) -> Optional[float]:
    nums = [v for v in values if isinstance(v, (int, float))]
    return round(sum(nums) / len(nums), 1) if nums else None


def find_visit(visits: Sequence[Dict[str, Any]], visit_id: str) -> Optional[Dict[str, Any]]:
    return next((v for v in visits if v["id"] == visit_id), None)


def labels(roleplay_dir: Optional[str] = None, playbook_dir: Optional[str] = None) -> Dict[str, Dict[str, str]]:
    """Chinese names for everything the records hold by id: checks, penalties, moves, principles,
    objections, personas, outcomes, levels and dimensions. A data file that does not load leaves its
    ids as they are (the names are for display only)."""
    roleplay = Path(roleplay_dir) if roleplay_dir else default_roleplay_dir()
    out: Dict[str, Dict[str, str]] = {
        "objections": {},
        "outcomes": {},
        "levels": {},
        "dimensions": {},
        "checks": {},
        "moves": {},
        "principles": {},
        "personas": {},
    }
    names: Optional[Labels] = None
    try:
        names = load_labels(roleplay / FILE_NAME)
        out["objections"] = dict(names.objections)
        out["outcomes"] = dict(names.record_outcomes)
        out["levels"] = dict(names.levels)
        out["dimensions"] = dict(names.dimensions)
    except Exception:  # noqa: BLE001 (display names only)
        pass
    try:
        from bot.roleplay.rubric import load_rubric

        rubric = load_rubric(roleplay / "rubric.yml")
        out["checks"] = {name: c.zh for name, c in rubric.checks.items()}
        if names:
            out["checks"].update({PENALTY_PREFIX + name: names.penalty(p.zh) for name, p in rubric.penalties.items()})
    except Exception:  # noqa: BLE001 (display names only)
        pass
    try:
        from bot.playbook.loader import get_playbook

        playbook = get_playbook(playbook_dir)
        out["moves"] = {name: m.zh for name, m in playbook.moves.items()}
        out["principles"] = {name: p.zh for name, p in playbook.principles.items()}
    except Exception:  # noqa: BLE001
        pass
    try:
        from bot.roleplay.personas import load_personas

        out["personas"] = {pid: p.name for pid, p in load_personas(roleplay / "personas").items()}
    except Exception:  # noqa: BLE001
        pass
    return out
