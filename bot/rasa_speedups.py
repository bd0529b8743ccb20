"""Measured fixes to Rasa 3.6 hot spots that keep its behaviour (BENCHMARKS.md, "What we changed").

``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` for every action-server
response. That function first checks the schema itself against the metaschema and builds a new
validator each time; with Rasa's event schema this cost 155 ms of every 255 ms turn in
``bench/profile.py`` (60 %). The same schema is validated here with one validator built once, and a
failure still raises ``jsonschema.ValidationError`` with Rasa's message, so a malformed response from
an action server is refused exactly as before.
"""

import functools
from typing import Any, Dict, Text

_installed = False


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


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
    _installed = True
