"""Helpers several tests use: the project root, editing a copied data file, NLU entities and Rasa SDK
trackers for actions, running the rules engine over a conversation, the roleplay parts, a JSON answer
from a fake HTTP server, and the WeChat text push (also used by the server tests)."""

import shutil
from pathlib import Path

import sqlalchemy as sa
from rasa_sdk import Tracker

from bot.catalog import load_catalog
from bot.playbook.loader import load_playbook
from bot.playbook.rules import Context, select_script
from bot.roleplay.personas import load_personas
from bot.roleplay.reactions import ReplyReader, load_reactions
from bot.roleplay.rubric import load_rubric
from bot.roleplay.scorer import ReplyScorer

ROOT = Path(__file__).resolve().parents[2]


# --- data files ------------------------------------------------------------------------------------


def edit(path: Path, old: str, new: str, source: "Path | None" = None) -> Path:
    """Writes to `path` the text of `source` (default: `path` itself) with its first `old` replaced by
    `new`. `old` must be there, so a test of a broken file cannot pass because the edit missed."""
    text = (source or path).read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def playbook_with(tmp_path: Path, file: str, script: str) -> Path:
    """A copy of data/playbook with one more script (a YAML flow mapping) at the end of `file`'s list;
    returns the copy's folder."""
    folder = tmp_path / "playbook"
    shutil.copytree(ROOT / "data/playbook", folder)
    path = folder / file
    path.write_text(path.read_text(encoding="utf-8") + f"\n  - {script}\n", encoding="utf-8")
    return folder


def run_sql(url: str, *statements) -> None:
    """Runs the statements, each an SQL text or (SQL text, parameters), in one transaction on the
    database at `url`."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, None)
            conn.execute(sa.text(sql), params)
    engine.dispose()


# --- NLU and actions -------------------------------------------------------------------------------


def ents(text, *items):
    """Entities as the NLU pipeline gives them: (entity, surface, value) found in `text` with its span."""
    out = []
    for kind, surface, value in items:
        i = text.find(surface)
        out.append({"entity": kind, "value": value, "start": i, "end": i + len(surface)})
    return out


def sdk_tracker(sender, latest, slots=None, events=()):
    """A Rasa SDK tracker as the action server builds it, right after the user message `latest`."""
    return Tracker(sender, slots or {}, latest, list(events), False, None, {}, "action_listen")


def converse(playbook, catalog, objections, slots=None):
    """Runs the engine over a sequence of objections the way the action does; returns the choices."""
    used, last, stage, gifts, history, choices = (), None, None, 0, [], []
    for objection in objections:
        history.append(objection)
        ctx = Context(objection, history.count(objection), stage, slots or {}, tuple(history[:-1]), used, last, gifts)
        choice = select_script(playbook, catalog, ctx)
        choices.append(choice)
        if choice:
            used, last, stage = used + (choice.script_id,), choice.principle, choice.stage
            gifts += choice.offers_gift
    return choices


def model_contexts(catalog, priorities):
    """Slots for every catalog model with a budget, a spouse, a competitor and each of `priorities`."""
    base = {"budget": 150000, "family_member": "spouse", "competitor": "卡罗拉"}
    return [{"car_model": m.name, **base, "priority": p} for m in catalog.models for p in priorities]


def roleplay_parts():
    """(scorer, playbook, catalog, personas, reader) from the project's data, as customer mode uses them."""
    data = ROOT / "data"
    return (
        ReplyScorer(load_rubric(data / "roleplay/rubric.yml")),
        load_playbook(data / "playbook"),
        load_catalog(data / "catalog.yml"),
        load_personas(data / "roleplay/personas"),
        ReplyReader(load_reactions(data / "roleplay/reactions.yml")),
    )


# --- HTTP and WeChat -------------------------------------------------------------------------------


def send_json(handler, data: bytes) -> None:
    """Answers a fake server's request (http.server handler) with 200 and the JSON bytes `data`."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def use_fresh_data_dir(tmp_path, monkeypatch):
    """Points the lead store at an empty SQLite folder (no PostgreSQL, no WeCom robot) and returns it."""
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DB_HOST", raising=False)
    monkeypatch.delenv("WECOM_ROBOT_WEBHOOK", raising=False)
    return tmp_path
