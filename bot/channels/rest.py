"""Rasa's REST channel with its request body checked first and every turn guarded.

Rasa's ``RestInput`` assumes a JSON object with string fields; an empty body, a JSON array or a
number as ``message`` ends in a 500, and a sender id with a lone surrogate (``"\\ud800"`` in JSON)
even stops the server (the SQL tracker store exits on the encoding error). Here such requests get a
JSON error with a 4xx status (``bot.channels.inputs``: 400, 413 for bodies over 256 KiB, 429 when
one sender or one client address has too many messages waiting), and each turn runs under a
``TurnGuard``: very long messages get a polite request to shorten them, and when the action server
is down or slow the user is told that a consultant will follow up. The channel name cannot be
spoofed from the body.

REST is a server-to-server API (``bot.channels.identity``): sender ids of other channels'
namespaces are refused, and with ``REST_API_TOKEN`` set every request needs
``Authorization: Bearer <token>``. Coaching payloads go only to practice clients
(``bot.channels.audience``). Same URL: ``/webhooks/rest/webhook`` (``?stream=true`` streams as in Rasa).
"""

import asyncio
import inspect
import json
import logging
from typing import Any, Awaitable, Callable, Coroutine, Dict, Optional, Union

import rasa.utils.endpoints
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels.audience import AudienceCollectingOutputChannel, AudienceQueueOutputChannel, wants_coaching
from bot.channels.identity import check_bearer, check_rest_sender, rest_token
from bot.channels.inputs import (
    DEFAULT_MAX_PENDING,
    ENV_MAX_PENDING,
    AddressLimiter,
    InputError,
    NamedChannel,
    SenderBusy,
    TurnGuard,
    check_message,
    check_metadata,
    check_sender,
    env_number,
    error_response,
    follow_up_text,
    parse_json_body,
)
from bot.rasa import patches

logger = logging.getLogger(__name__)


def client_address(request: Request) -> str:
    """The client's address: the one Sanic resolved from trusted proxy headers, else the peer's."""
    return request.remote_addr or request.ip or "unknown"


class CheckedRestInput(NamedChannel, RestInput):
    """REST channel that refuses malformed requests with a 4xx instead of failing inside Rasa."""

    channel = "rest"

    def authorise(self, request: Request) -> None:
        """Raises InputError when the request may not use this channel at all."""
        check_bearer(request.headers.get("authorization"), rest_token())

    def conversation_id(self, request: Request, body: Dict[str, Any]) -> str:
        """The conversation (tracker sender id) this request speaks in; InputError if refused."""
        return check_rest_sender(check_sender(body.get("sender")))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes (``GET /``, ``POST /webhook``) with the checks and the turn guard."""
        patches.install()  # this channel's turns rely on the Rasa patches (action guard)
        module = inspect.getmodule(self)
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)
        guard = TurnGuard(self.name(), max_pending=int(env_number(ENV_MAX_PENDING, DEFAULT_MAX_PENDING)))
        addresses = AddressLimiter()
        self.guard, self.addresses = guard, addresses

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[HTTPResponse, ResponseStream]:
            try:
                self.authorise(request)
                body = parse_json_body(request.body)
                check_sender(body.get("sender"))
                text = check_message(body.get("message"))
                metadata = check_metadata(body.get("metadata"))
                sender = self.conversation_id(request, body)
            except InputError as e:
                return error_response(e)
            agent = getattr(request.app.ctx, "agent", None)
            domain = getattr(agent, "domain", None)
            coaching = wants_coaching(metadata)
            address = client_address(request)
            if guard.busy(sender):
                return error_response(SenderBusy(guard.max_pending or 0))
            try:
                addresses.acquire(address)
            except InputError as e:
                return error_response(e)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self._stream(on_new_message, guard, addresses, address, domain, text, sender, metadata, coaching),
                    content_type="text/event-stream",
                )
            collector = AudienceCollectingOutputChannel(coaching)
            message = UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
            try:
                await guard.run(on_new_message, message, domain, tracker_store=getattr(agent, "tracker_store", None))
            except SenderBusy as e:
                return error_response(e)
            finally:
                addresses.release(address)
            return response.json(collector.messages)

        self.add_routes(bp, on_new_message)

        @bp.exception(Exception)
        async def unexpected(request: Request, error: Exception) -> HTTPResponse:
            """No 5xx from a channel route: Sanic's own 4xx (404, 405) keep their status; anything else is
            logged without the request (phone numbers masked) and answered as the route's client expects."""
            status = getattr(error, "status_code", 500)
            if isinstance(status, int) and 400 <= status < 500:
                return error_response(InputError(str(error) or "bad request", status=status))
            logger.error(
                "%s %s failed (%s: %s)", self.name(), request.path.rsplit("/", 1)[-1], type(error).__name__, error
            )
            if request.path.endswith("/webhook"):
                domain = getattr(getattr(request.app.ctx, "agent", None), "domain", None)
                return response.json([{"recipient_id": "", "text": follow_up_text(domain)}])
            return response.json({"ok": False, "error": "temporarily unavailable; please try again in a moment"})

        return bp

    def add_routes(self, bp: Blueprint, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Further routes of a subclass (the widget's)."""

    def _stream(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        guard: TurnGuard,
        addresses: AddressLimiter,
        address: str,
        domain: Any,
        text: str,
        sender: str,
        metadata: Optional[Dict[str, Any]],
        coaching: bool,
    ) -> Callable[[Any], Coroutine[Any, Any, None]]:
        """Rasa's streaming answer (one JSON message per line), admitted before the stream starts."""

        async def stream(resp: Any) -> None:
            queue: asyncio.Queue = asyncio.Queue()

            async def turn() -> None:
                message = UserMessage(
                    text,
                    AudienceQueueOutputChannel(queue, coaching),
                    sender,
                    input_channel=self.name(),
                    metadata=metadata,
                )
                try:
                    await guard.run(on_new_message, message, domain, admit=False)
                finally:
                    addresses.release(address)
                    await queue.put("DONE")

            task = asyncio.ensure_future(turn())
            while True:
                result = await queue.get()
                if result == "DONE":
                    break
                await resp.write(json.dumps(result) + "\n")
            await task

        return stream
