"""The trainer dashboard: ``/webhooks/trainer/``, a page served by the Rasa process (a channel
blueprint, like the widget) that reads the practice records from the conversations' database.

- Login: the password comes from ``TRAINER_PASSWORD`` (read once at start, kept only as a scrypt
  hash; without it the dashboard answers 503). A right password gets a signed session cookie
  (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS) that expires after
  ``session_hours``; wrong passwords from one address are slowed down (``LoginBackoff``).
- ``GET /api/summary``: trainees and attempts, per-dimension averages per week, the most frequent
  misses per objection, and trainers' agreement with the rubric (``bot.roleplay.records.summarise``,
  the same data ``python -m bot report`` writes); ``GET /api/visit?id=``: one visit's transcript with
  per-turn checks, evidence and corrections; ``POST /api/corrections``: a trainer's verdict on a
  turn; ``GET /export.csv``: the attempts as in the report.
- Cross-site requests cannot use the session: the cookie is SameSite=Strict, and writes need a JSON
  body (a cross-site form cannot send one without a CORS preflight we never answer).
"""

import asyncio
import functools
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.datafiles import STATIC_DIR
from bot.channels.inputs import NamedChannel
from bot.channels.rest import client_address
from bot.channels.trainer_auth import LoginBackoff, PasswordHash, SessionTokens

logger = logging.getLogger(__name__)

STATIC_FILES = {
    "trainer.js": "application/javascript; charset=utf-8",
    "chart.js": "application/javascript; charset=utf-8",
    "trainer.css": "text/css; charset=utf-8",
}
ENV_PASSWORD = "TRAINER_PASSWORD"
ENV_SESSION_SECRET = "TRAINER_SESSION_SECRET"
COOKIE = "trainer_session"
MAX_BODY_BYTES = 16 * 1024
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}


def _error(message: str, status: int, **headers: str) -> HTTPResponse:
    return response.json({"ok": False, "error": message}, status=status, headers=headers or None)


class TrainerInput(NamedChannel, InputChannel):
    """The trainer dashboard as a Rasa channel (it sends no messages to the bot)."""

    channel = "trainer"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TrainerInput":
        credentials = credentials or {}
        secret = os.environ.get(ENV_SESSION_SECRET, "").strip()
        return cls(
            os.environ.get(ENV_PASSWORD) or None,
            secret.encode("utf-8") if secret else None,
            session_hours=float(credentials.get("session_hours") or 8),
        )

    def __init__(
        self,
        password: Optional[str],
        session_secret: Optional[bytes] = None,
        session_hours: float = 8,
        db: Any = None,
        backoff: Optional[LoginBackoff] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.password = PasswordHash(password) if password else None
        self.sessions = SessionTokens(session_secret, int(session_hours * 3600), clock)
        self.backoff = backoff or LoginBackoff(clock=clock)
        self._db = db

    @property
    def db(self) -> Any:
        """The conversations' database (``bot.database``), unless one was given."""
        if self._db is None:
            from bot.database import database_settings

            self._db = database_settings().url()
        return self._db

    def logged_in(self, request: Request) -> bool:
        return self.password is not None and self.sessions.valid(request.cookies.get(COOKIE))

    def _refusal(self, request: Request) -> Optional[HTTPResponse]:
        if self.password is None:
            return _error(f"the trainer dashboard is off: set {ENV_PASSWORD}", 503)
        if not self.logged_in(request):
            return _error("login required", 401)
        return None

    def _trainers_only(self, handler: Callable[[Request], Awaitable[HTTPResponse]]) -> Any:
        """A route for logged-in trainers: anyone else gets the refusal (401, or 503 when off)."""

        @functools.wraps(handler)
        async def route(request: Request) -> HTTPResponse:
            return self._refusal(request) or await handler(request)

        return route

    async def _read(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Runs a blocking database read off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args))

    def _records(self) -> Dict[str, Any]:
        from bot.roleplay.records import load_corrections, load_visits, summarise

        visits, corrections = load_visits(self.db), load_corrections(self.db)
        return {"visits": visits, "corrections": corrections, "summary": summarise(visits, corrections)}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("trainer_webhook", __name__)

        @bp.middleware("response")
        async def security_headers(request: Request, resp: HTTPResponse) -> None:
            for name, value in SECURITY_HEADERS.items():
                resp.headers.setdefault(name, value)

        @bp.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return response.html((STATIC_DIR / "trainer.html").read_text(encoding="utf-8"))

        @bp.route("/<name:(trainer\\.js|trainer\\.css|chart\\.js)>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            return response.text((STATIC_DIR / name).read_text(encoding="utf-8"), content_type=STATIC_FILES[name])

        @bp.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            if self.password is None:
                return _error(f"the trainer dashboard is off: set {ENV_PASSWORD}", 503)
            address = client_address(request)
            wait = self.backoff.wait_s(address)
            if wait > 0:
                return _error(
                    "too many wrong passwords; wait and try again", 429, **{"Retry-After": str(int(wait) + 1)}
                )
            body = _json_body(request)
            password = body.get("password") if isinstance(body, dict) else None
            ok = await self._read(self.password.matches, password)
            if not ok:
                self.backoff.failed(address)
                logger.info("trainer login refused from %s", address)
                return _error("wrong password", 401)
            self.backoff.succeeded(address)
            resp = response.json({"ok": True})
            self._set_cookie(request, resp, self.sessions.issue(), self.sessions.max_age_s)
            return resp

        @bp.route("/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            resp = response.json({"ok": True})
            self._set_cookie(request, resp, "", 0)
            return resp

        @bp.route("/api/summary", methods=["GET"])
        @self._trainers_only
        async def summary(request: Request) -> HTTPResponse:
            records = await self._read(self._records)
            return response.json({**records["summary"], "labels": await self._read(_labels)})

        @bp.route("/api/visit", methods=["GET"])
        @self._trainers_only
        async def visit(request: Request) -> HTTPResponse:
            from bot.roleplay.records import find_visit

            records = await self._read(self._records)
            found = find_visit(records["visits"], request.args.get("id", ""))
            if found is None:
                return _error("no such visit", 404)
            mine = [c.__dict__ for c in records["corrections"] if c.visit == found["id"]]
            return response.json({"visit": found, "corrections": mine})

        @bp.route("/api/corrections", methods=["POST"])
        @self._trainers_only
        async def correct(request: Request) -> HTTPResponse:
            if "application/json" not in (request.headers.get("content-type") or ""):
                return _error("send JSON", 415)
            body = _json_body(request)
            checks = body.get("checks") if isinstance(body, dict) else None
            if not isinstance(checks, dict) or not all(isinstance(v, bool) for v in checks.values()):
                return _error("'checks' must map check names to true/false", 400)
            from bot.roleplay.records import CorrectionError, CorrectionStore, find_visit

            records = await self._read(self._records)
            found = find_visit(records["visits"], str(body.get("visit", "")))
            if found is None:
                return _error("no such visit", 404)

            def store() -> Any:
                s = CorrectionStore(self.db)
                try:
                    return s.record(found, body.get("turn"), checks, str(body.get("note") or ""))
                finally:
                    s.close()

            try:
                rows = await self._read(store)
            except CorrectionError as e:
                return _error(str(e), 400)
            return response.json({"ok": True, "corrections": [r.__dict__ for r in rows]})

        @bp.route("/export.csv", methods=["GET"])
        @self._trainers_only
        async def export(request: Request) -> HTTPResponse:
            from bot.roleplay.report import attempts_csv

            records = await self._read(self._records)
            return response.text(
                attempts_csv(records["visits"]),
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="attempts.csv"'},
            )

        return bp

    @staticmethod
    def _set_cookie(request: Request, resp: HTTPResponse, value: str, max_age: int) -> None:
        resp.cookies[COOKIE] = value
        cookie = resp.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/webhooks/trainer"
        cookie["max-age"] = max_age
        if request.scheme == "https":
            cookie["secure"] = True


def _json_body(request: Request) -> Any:
    if len(request.body or b"") > MAX_BODY_BYTES:
        return None
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None


@functools.lru_cache(maxsize=1)
def _labels_cached(stamp: int) -> Dict[str, Dict[str, str]]:
    from bot.roleplay.records import labels

    return labels()


def _labels() -> Dict[str, Dict[str, str]]:
    return _labels_cached(int(time.time() // 300))  # data files may change; names are re-read every 5 min
