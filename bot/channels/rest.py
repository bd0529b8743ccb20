"""Rasa's REST channel with its request body checked first.

Rasa's ``RestInput`` assumes a JSON object with string fields; an empty body, a JSON array or a
number as ``message`` ends in a 500. Here such requests get a 400 with a short reason, and the
channel name cannot be spoofed from the body. Same URL: ``/webhooks/rest/webhook``.
"""

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage
from sanic.request import Request

MAX_MESSAGE_CHARS = 20000  # far above any chat message; longer bodies are refused, not truncated
MAX_SENDER_CHARS = 256


def _body(req: Request) -> Dict[str, Any]:
    body = req.json  # Sanic answers 400 itself when the body is not JSON
    if not isinstance(body, dict):
        raise InvalidUsage("body must be a JSON object with 'sender' and 'message'")
    return body


class CheckedRestInput(RestInput):
    """REST channel that refuses malformed requests with a 400 instead of failing inside Rasa."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string")
        if len(message) > MAX_MESSAGE_CHARS:
            raise InvalidUsage(f"'message' is longer than {MAX_MESSAGE_CHARS} characters")
        return message

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """The body's ``metadata`` object (e.g. the trainee page's practice mode), if any."""
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidUsage("'metadata' must be a JSON object")
        return metadata
