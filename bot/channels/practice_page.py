"""The trainee's practice page, ``/webhooks/widget/practice``: a full-page practice screen served by
the widget channel and talking to it (visitor ids and tokens as the widget's, the practice mode in
the message metadata, so the coaching payloads reach it: ``bot.channels.audience``).

The page shows a persona card (with the customer's readiness, R1–R4, in words), the chat, each
reply's score and checks beside it, 提示/重来/结束 as buttons and, at the end, a scorecard panel
(total, a chart of the dimensions, per-turn notes with the scorer's evidence, three suggestions with
model answers, and the trainee's first, best and last attempts on that persona). It carries nothing
for prospects (no call-back form, no 找真人顾问). The trainee's name, entered once and kept in the
browser, goes with every message (``{"roleplay": {"trainee": ...}}``) so the trainer's records group
attempts by person; each name has its own conversation in that browser. The old trainee page,
``/webhooks/widget/trainee``, redirects here.
"""

import functools
import html
import json
from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.catalog.location import catalog_from_env, catalog_path
from bot.channels.datafiles import STATIC_DIR, channel_texts, files_stamp
from bot.channels.inputs import InputError, error_response, parse_json_body
from bot.rasa.names import SLOT_ROLEPLAY_HISTORY
from bot.roleplay.location import roleplay_dir

if TYPE_CHECKING:  # pragma: no cover
    from bot.channels.widget import WidgetInput

STATIC_TYPES = {
    "practice.js": "application/javascript; charset=utf-8",
    "chart.js": "application/javascript; charset=utf-8",
    "practice.css": "text/css; charset=utf-8",
}


def render_practice_page() -> str:
    """The page with its personas and labels; rendered again only when one of its files changes."""
    from bot.roleplay.labels import FILE_NAME as LABELS_FILE
    from bot.roleplay.personas import reactions_path

    roleplay = roleplay_dir()
    sources = [STATIC_DIR / "practice.html", roleplay / "rubric.yml", roleplay / LABELS_FILE, catalog_path()]
    sources += sorted((roleplay / "personas").glob("*.yml"))
    sources.append(reactions_path(roleplay / "personas"))  # the readiness levels' words, the personas' check
    return _render(files_stamp(sources))


def persona_cards() -> List[Dict[str, Any]]:
    """What the persona card shows, per persona (public Persona fields only), with the customer's
    readiness (R1–R4) in the words of data/roleplay/reactions.yml."""
    from bot.roleplay.labels import labels_in
    from bot.roleplay.personas import load_personas, reactions_path
    from bot.roleplay.reactions import load_reactions

    directory = roleplay_dir() / "personas"
    objection_names = labels_in(roleplay_dir()).objections
    readiness = load_reactions(reactions_path(directory)).readiness
    # what a readiness level's extra warmth (reactions.yml) means for the trainee, in their words
    patience = channel_texts().readiness_patience
    cards = []
    for p in load_personas(directory).values():
        first = p.objections[0]
        level = readiness.get(p.readiness)
        cards.append(
            {
                "id": p.id,
                "name": p.name,
                "background": p.background,
                "car_model": p.car_model,
                "competitor": p.competitor,
                "cares_about": list(p.cares_about),
                "readiness": {
                    "level": p.readiness,
                    "zh": level.zh if level else "",
                    "patience": patience[max(0, min(level.extra_warmth, len(patience) - 1))] if level else "",
                },
                "opening": {"objection": objection_names.get(first.objection, first.objection), "line": first.open[0]},
            }
        )
    return cards


@functools.lru_cache(maxsize=4)
def _render(stamp: Tuple[Tuple[str, int], ...]) -> str:
    from bot.roleplay.records import labels

    catalog = catalog_from_env()
    config = {"dealer": catalog.dealer.id, "personas": persona_cards(), "labels": labels()}
    # JSON inside <script>: no "</script>" or "<!--" can end it early.
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    page = (STATIC_DIR / "practice.html").read_text(encoding="utf-8")
    return page.replace("__DEALER_NAME__", html.escape(catalog.dealer.name)).replace("__CONFIG__", data)


def add_practice_routes(bp: Blueprint, widget: "WidgetInput") -> None:
    """The practice page's routes on the widget's blueprint."""

    @bp.route("/practice", methods=["GET"])
    async def practice_page(request: Request) -> HTTPResponse:
        return response.html(render_practice_page())

    @bp.route("/<name:(practice\\.js|practice\\.css|chart\\.js)>", methods=["GET"])
    async def practice_static(request: Request, name: str) -> HTTPResponse:
        return response.text((STATIC_DIR / name).read_text(encoding="utf-8"), content_type=STATIC_TYPES[name])

    @bp.route("/practice/attempts", methods=["POST"])
    async def attempts(request: Request) -> HTTPResponse:
        """The trainee's finished visits (this conversation's), optionally for one persona:
        ``{"sender", "token", "persona"}`` -> ``{"attempts": [{"total", "outcome", ...}]}``, oldest first."""
        try:
            body = parse_json_body(request.body)
            sender = widget.conversation_id(request, body)
        except InputError as e:
            return error_response(e)
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        history = (tracker.get_slot(SLOT_ROLEPLAY_HISTORY) if tracker else None) or []
        persona = body.get("persona")
        keep = ("persona", "level", "outcome", "total", "finished_at")
        out = [
            {k: h.get(k) for k in keep}
            for h in history
            if isinstance(h, dict) and (not isinstance(persona, str) or h.get("persona") == persona)
        ]
        return response.json({"attempts": out})
