"""The showroom chat widget: a REST channel that also serves the widget itself.

One `<script src=".../webhooks/widget/widget.js">` on a dealer's page (plus a small config object)
embeds it; the script talks to `/webhooks/widget/webhook` with the page's metadata (dealer, page
URL, utm source). Requests are plain "simple" CORS requests (JSON sent as text/plain, so no
preflight); any request whose Origin is neither this server nor a configured dealer origin gets a
403. Reloading restores the transcript from `/webhooks/widget/history`; `/webhooks/widget/lead`
stores a consented call-back request with the conversation.

A visitor's conversation is theirs (``bot.channels.identity``): the widget first asks
`/webhooks/widget/session` for an unguessable visitor id and its HMAC token, keeps both in the
browser, and sends them with every message, history and lead request; the conversation is stored
as ``widget:<visitor>``. Without a valid token nothing is read or written.
"""

import functools
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.catalog.location import catalog_from_env, catalog_path
from bot.channels.datafiles import STATIC_DIR, channel_texts, files_stamp
from bot.channels.identity import VisitorTokens
from bot.channels.inputs import InputError, check_sender, clean_text, error_response, parse_json_body
from bot.channels.practice_page import add_practice_routes
from bot.channels.rest import CheckedRestInput
from bot.leads.capture import record_form_lead
from bot.privacy.phone import normalise_phone
from bot.roleplay.location import roleplay_dir

logger = logging.getLogger(__name__)
ENV_ALLOWED_ORIGINS = "WIDGET_ALLOWED_ORIGINS"
STATIC_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
}
MAX_NAME_CHARS = 50


def _sources(name: str) -> Tuple[Path, ...]:
    personas = tuple(sorted((roleplay_dir() / "personas").glob("*.yml")))
    return (STATIC_DIR / f"{name}.html", catalog_path()) + personas


def render_page(name: str) -> str:
    """The sample showroom page or the trainee page, filled from the catalog and personas; rendered
    once and again only when one of its files changes (a page request reads no YAML)."""
    return _render_page(name, files_stamp(_sources(name)))


@functools.lru_cache(maxsize=8)
def _render_page(name: str, stamp: Tuple[Tuple[str, int], ...]) -> str:
    import html
    import json

    from bot.roleplay.personas import load_personas

    catalog = catalog_from_env()
    texts = channel_texts()
    page = (STATIC_DIR / f"{name}.html").read_text(encoding="utf-8")
    models = "".join(
        f'<div class="model"><h3>{html.escape(m.name)}</h3><p>{html.escape(m.body)} · '
        f"{html.escape(texts.demo_model_seats.format(seats=m.seats))}</p>"
        f"<p>{html.escape(texts.demo_model_price.format(price_wan=m.price_range[0] / 10000))}</p></div>"
        for m in catalog.models
    )
    personas = [{"id": p.id, "name": p.name} for p in load_personas(roleplay_dir() / "personas").values()]
    return (
        page.replace("__MODELS__", models)
        .replace("__DEALER_NAME__", html.escape(catalog.dealer.name))
        .replace("__DEALER_ID__", html.escape(catalog.dealer.id))
        .replace("__PERSONAS__", json.dumps(personas, ensure_ascii=False))
    )


def _origin_allowed(request: Request, allowed: List[str]) -> bool:
    origin = request.headers.get("origin")
    if not origin:
        return True  # not a browser cross-origin request
    own = f"{request.scheme}://{request.host}"
    return origin == own or origin in allowed


class WidgetInput(CheckedRestInput):
    """REST channel for the website widget, with static files, visitor sessions, history and
    lead capture."""

    channel = "widget"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WidgetInput":
        credentials = credentials or {}
        origins = list(credentials.get("allowed_origins") or [])
        origins += [o.strip() for o in os.environ.get(ENV_ALLOWED_ORIGINS, "").split(",") if o.strip()]
        return cls(origins)

    def __init__(self, allowed_origins: Optional[List[str]] = None, tokens: Optional[VisitorTokens] = None) -> None:
        self.allowed_origins = [o.rstrip("/") for o in allowed_origins or []]
        self.tokens = tokens or VisitorTokens.from_environment()

    def authorise(self, request: Request) -> None:
        """Browsers call the widget directly: no API token, the visitor token instead."""

    def conversation_id(self, request: Request, body: Dict[str, Any]) -> str:
        return self.tokens.verify(check_sender(body.get("sender")), body.get("token"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def refuse_other_origins(request: Request) -> Optional[HTTPResponse]:
            if not _origin_allowed(request, self.allowed_origins):
                logger.info("widget request from a non-allowed origin refused: %s", request.headers.get("origin"))
                return response.json({"error": "origin not allowed", "status": 403}, status=403)
            return None

        @bp.middleware("response")
        async def allow_dealer_origins(request: Request, resp: HTTPResponse) -> None:
            origin = request.headers.get("origin")
            if origin and _origin_allowed(request, self.allowed_origins):
                resp.headers["Access-Control-Allow-Origin"] = origin
                resp.headers["Vary"] = "Origin"

        return bp

    def add_routes(self, bp: Blueprint, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        @bp.route("/<name:(widget\\.js|widget\\.css)>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            file = STATIC_DIR / name
            return response.text(file.read_text(encoding="utf-8"), content_type=STATIC_TYPES[file.suffix])

        @bp.route("/demo", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return response.html(render_page("demo"))

        @bp.route("/trainee", methods=["GET"])
        async def old_trainee_page(request: Request) -> HTTPResponse:
            """The floating-widget trainee page is gone: trainees practise on the practice page."""
            return response.redirect(request.path.rsplit("/", 1)[0] + "/practice", status=302)

        add_practice_routes(bp, self)  # the trainee's practice page: /practice

        @bp.route("/cars/<name:[a-z_]+\\.svg>", methods=["GET"])
        async def car_image(request: Request, name: str) -> HTTPResponse:
            file = STATIC_DIR / "cars" / name
            if not file.is_file():
                return response.json({"error": "not found", "status": 404}, status=404)
            return response.text(file.read_text(encoding="utf-8"), content_type=STATIC_TYPES[".svg"])

        @bp.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            """A new visitor id and its token (the widget keeps them in localStorage)."""
            visitor, token = self.tokens.issue()
            return response.json({"sender": visitor, "token": token})

        @bp.route("/history", methods=["POST"])
        async def history(request: Request) -> HTTPResponse:
            """The visitor's own transcript: ``{"sender": visitor, "token": token}``."""
            try:
                sender = self.conversation_id(request, parse_json_body(request.body))
            except InputError as e:
                return error_response(e)
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
            return response.json({"messages": transcript(tracker.events if tracker else [])})

        @bp.route("/lead", methods=["POST"])
        async def lead(request: Request) -> HTTPResponse:
            """A consented call-back request: ``{"sender", "token", "name", "phone", "consent": true}``."""
            try:
                body = parse_json_body(request.body)
                check_sender(body.get("sender"))
                if body.get("consent") is not True:
                    raise InputError("consent is required to keep a name and phone number")
                name, phone = body.get("name"), body.get("phone")
                if not isinstance(name, str) or not clean_text(name).strip() or len(name) > MAX_NAME_CHARS:
                    raise InputError(f"'name' is required (at most {MAX_NAME_CHARS} characters)")
                phone = normalise_phone(phone) if isinstance(phone, str) else None
                if phone is None:
                    raise InputError("'phone' must be a mainland mobile or landline number")
                sender = self.conversation_id(request, body)
            except InputError as e:
                return error_response(e)
            reply = channel_texts().call_back_requested
            await record_form_lead(
                request.app.ctx.agent,
                sender,
                self.name(),
                clean_text(name).strip(),
                phone,
                reply,
                catalog_from_env().dealer,
            )
            return response.json({"ok": True, "message": reply})


def transcript(events: Any) -> List[Dict[str, Any]]:
    """What the visitor saw: their texts (a quick reply's title, not its payload) and the bot's."""
    out: List[Dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered) and event.text:
            shown = (event.metadata or {}).get("shown")
            text = shown if isinstance(shown, str) else event.text
            if not text.startswith("/"):
                out.append({"from": "user", "text": text})
        elif isinstance(event, BotUttered) and (event.text or event.data.get("image")):
            out.append({"from": "bot", "text": event.text, "image": event.data.get("image")})
    return out
