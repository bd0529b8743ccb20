"""Measured fixes to Rasa 3.6 hot spots that keep its behaviour (BENCHMARKS.md, "What we changed").
Installed by ``bot.channels`` in every Rasa process that serves our channels.

``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` for every action-server
response. That function first checks the schema itself against the metaschema and builds a new
validator each time; with Rasa's event schema this cost 155 ms of every 255 ms turn in
``bench/profile.py`` (60 %). The same schema is validated here with one validator built once, and a
failure still raises ``jsonschema.ValidationError`` with Rasa's message, so a malformed response from
an action server is refused exactly as before.

Rasa's ``action_extract_slots`` calls every custom slot-mapping action on every message. Ours,
``action_read_roleplay_metadata``, only acts on messages whose metadata carries ``roleplay`` (the
trainee page and ``python -m bot roleplay`` send it) and returns nothing otherwise; the round trip
to the action server cost 73 ms of every customer message in the profile. ``SKIP_WITHOUT_METADATA``
lists such actions with the metadata key they need: without it, the call is not made and the
result is the same empty list of events.
"""

import functools
from typing import Any, Dict, List, Text

_installed = False
SKIP_WITHOUT_METADATA = {"action_read_roleplay_metadata": "roleplay"}


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate would on every call
    return cls(schema)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        error = next(iter(sorted(_validator().iter_errors(result), key=lambda e: e.path)), None)
        if error is None:
            return True
        raise error
    except ValidationError as e:
        e.message += (". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
        raise e


def needs_call(action_name: str, tracker: Any) -> bool:
    key = SKIP_WITHOUT_METADATA.get(action_name)
    if key is None:
        return True
    metadata = getattr(tracker, "latest_message", None) and tracker.latest_message.metadata
    return isinstance(metadata, dict) and isinstance(metadata.get(key), dict)


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
    original_run = RemoteAction.run

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        if not needs_call(self.name(), tracker):
            return []
        return await original_run(self, output_channel, nlg, tracker, domain)

    RemoteAction.run = run
    _installed = True
