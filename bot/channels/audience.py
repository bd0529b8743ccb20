"""Two audiences, never mixed: prospects see only their answer; trainees also get the coaching.

The actions attach a ``custom`` payload to their answers (the principle and why it works, the
move, alternative scripts, the lead grade, roleplay scores). It stays in the tracker, for the
trainer's reports, but a channel sends it (beyond the few ``PROSPECT_KEYS``) only to a client that
asks for practice: a message whose
metadata carries ``{"roleplay": {"mode": "coach" | "customer"}}`` (the trainee page, ``python -m
bot chat`` and ``python -m bot roleplay`` send it with every message). Everyone else — the widget
on a showroom's site, WeChat, a plain REST client — gets text, buttons and images only.
"""

from asyncio import Queue
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.channels.rest import QueueOutputChannel

PRACTICE_MODES = ("coach", "customer")
# Parts of a custom payload meant for every client: {"handoff": {...}} tells the widget a person was
# asked for (it opens the call-back form) and WeChat to hand the user over to customer service.
PROSPECT_KEYS = ("handoff",)


def for_prospects(payload: Any) -> Optional[Dict[str, Any]]:
    """The part of a custom payload a prospect may see, or None."""
    if not isinstance(payload, dict):
        return None
    kept = {k: v for k, v in payload.items() if k in PROSPECT_KEYS}
    return kept or None


def wants_coaching(metadata: Optional[Dict[str, Any]]) -> bool:
    """True when the message comes from a practice client (coach or customer mode)."""
    roleplay = (metadata or {}).get("roleplay")
    return isinstance(roleplay, dict) and roleplay.get("mode") in PRACTICE_MODES


class AudienceCollectingOutputChannel(CollectingOutputChannel):
    """Collects the answers; ``custom`` payloads only for a practice client."""

    def __init__(self, coaching: bool) -> None:
        super().__init__()
        self.coaching = coaching

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        payload = json_message if self.coaching else for_prospects(json_message)
        if payload:
            await super().send_custom_json(recipient_id, payload, **kwargs)


class AudienceQueueOutputChannel(QueueOutputChannel):
    """The streaming (``?stream=true``) variant."""

    def __init__(self, message_queue: Optional[Queue], coaching: bool) -> None:
        super().__init__(message_queue)
        self.coaching = coaching

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        payload = json_message if self.coaching else for_prospects(json_message)
        if payload:
            await super().send_custom_json(recipient_id, payload, **kwargs)
