"""Rasa's REST channel with its request body checked first and every turn guarded.

Rasa's ``RestInput`` assumes a JSON object with string fields; an empty body, a JSON array or a
number as ``message`` ends in a 500, and a sender id with a lone surrogate (``"\\ud800"`` in JSON)
even stops the server (the SQL tracker store exits on the encoding error). Here such requests get a
JSON error with a 4xx status (``bot.channels.inputs``: 400, 413 for bodies over 256 KiB, 429 when
one sender has too many messages waiting), and each turn runs under a ``TurnGuard``: very long
messages get a polite request to shorten them, and when the action server is down or slow the
user is told that a consultant will follow up. The channel name cannot be spoofed from the body.
Same URL: ``/webhooks/rest/webhook`` (``?stream=true`` streams as in Rasa).
"""

import inspect
from typing import Any, Awaitable, Callable, Text

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.inputs import (
    DEFAULT_MAX_PENDING,
    ENV_MAX_PENDING,
    InputError,
    SenderBusy,
    TurnGuard,
    check_message,
    check_metadata,
    check_sender,
    env_number,
    error_response,
    parse_json_body,
)


class CheckedRestInput(RestInput):
    """REST channel that refuses malformed requests with a 4xx instead of failing inside Rasa."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST routes (``GET /``, ``POST /webhook``) with the checks and the turn guard."""
        module = inspect.getmodule(self)
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)
        guard = TurnGuard(self.name(), max_pending=int(env_number(ENV_MAX_PENDING, DEFAULT_MAX_PENDING)))

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = parse_json_body(request.body)
                sender = check_sender(body.get("sender"))
                text = check_message(body.get("message"))
                metadata = check_metadata(body.get("metadata"))
            except InputError as e:
                return error_response(e)
            agent = getattr(request.app.ctx, "agent", None)
            domain = getattr(agent, "domain", None)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                if guard.busy(sender):
                    return error_response(SenderBusy(guard.max_pending or 0))

                async def guarded(message: UserMessage) -> None:  # admitted above, before the stream starts
                    await guard.run(on_new_message, message, domain, admit=False)

                return response.stream(self.stream_response(guarded, text, sender, self.name(), metadata),
                                       content_type="text/event-stream")
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
            try:
                await guard.run(on_new_message, message, domain)
            except SenderBusy as e:
                return error_response(e)
            return response.json(collector.messages)

        return bp
