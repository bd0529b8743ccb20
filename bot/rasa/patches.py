"""Every change this project makes to Rasa's behaviour, in one place, installed explicitly.

``install()`` is called once per Rasa process by the entry points that need it: the input channels
of credentials.yml (``bot.channels.rest``, ``widget``, ``wechat``, ``trainer``) when Rasa asks them
for their routes, and ``TurnGuard`` (the turns those channels run). Importing a module installs
nothing. It refuses to install on any Rasa version but ``PINNED_RASA`` (the version in
requirements.in): each patch relies on a private detail of that version, listed below with the
upstream signature it wraps or replaces, and ``tests/unit/test_rasa_patches.py`` compares each
signature with the installed Rasa so an upgrade fails there, loudly, instead of in production.

The patches (all on ``rasa.core.actions.action.RemoteAction``):

1. ``_validate_action_result(self, result: Dict[Text, Any]) -> bool`` is replaced by
   ``validate_action_result``: the same JSON schema check with one validator built once
   (BENCHMARKS.md, "What we changed"). Rasa's version calls ``jsonschema.validate`` for every
   action-server response, which checks the schema against the metaschema and builds a new
   validator each time: most of a turn's time in ``bench/profile.py`` (BENCHMARKS.md). A malformed response still
   raises ``jsonschema.ValidationError`` with Rasa's message.
2. ``run(self, output_channel, nlg, tracker, domain) -> List[Event]`` is wrapped by the channels'
   action guard (``bot.channels.inputs.guard_action_run``): inside a turn run by ``TurnGuard`` a
   custom action gets the turn's timeout (Rasa 3.6 always waits ``DEFAULT_REQUEST_TIMEOUT``, 300 s,
   and ignores a ``timeout`` in endpoints.yml), one retry after a connection the server closed, and
   its failure is recorded for the follow-up answer. Outside a guarded turn actions run unchanged.

The practice choice in the message metadata needs no patch: the NLU component
``bot.nlu.roleplay_metadata.RoleplayMetadataReader`` turns it into entities that fill the roleplay
slots by ``from_entity`` mappings, so no custom slot-mapping action is called for every message.
"""

import functools
import importlib.metadata
import inspect
from typing import Any, Callable, Dict, List, Text

PINNED_RASA = "3.6.21"  # requirements.in: rasa[spacy]==3.6.21

# The upstream signatures each patch relies on (checked by install() and tests/unit/test_rasa_patches.py).
SIGNATURES: Dict[str, List[str]] = {
    "RemoteAction._validate_action_result": ["self", "result"],
    "RemoteAction.run": ["self", "output_channel", "nlg", "tracker", "domain"],
    "RemoteAction.action_response_format_spec": [],
}

_installed = False


class RasaVersionError(RuntimeError):
    """The installed Rasa is not the version the patches were written for."""


def installed_rasa_version() -> str:
    return importlib.metadata.version("rasa")


def check_rasa_version(found: str = "") -> None:
    """Raises ``RasaVersionError`` naming both versions unless Rasa ``PINNED_RASA`` is installed."""
    found = found or installed_rasa_version()
    if found != PINNED_RASA:
        raise RasaVersionError(
            f"bot.rasa.patches is written for Rasa {PINNED_RASA} but Rasa {found} is installed: check each "
            f"patch in bot/rasa/patches.py against the new version (tests/unit/test_rasa_patches.py), then "
            f"change PINNED_RASA together with requirements.in"
        )


def parameters(func: Callable[..., Any]) -> List[str]:
    """The parameter names of ``func`` (unwrapped: our wrappers keep the original's signature)."""
    return list(inspect.signature(inspect.unwrap(func)).parameters)


def _upstream(name: str) -> Callable[..., Any]:
    from rasa.core.actions.action import RemoteAction

    attr = name.split(".", 1)[1]
    return getattr(RemoteAction, attr)


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate would on every call
    return cls(schema)


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Patch 1: ``RemoteAction._validate_action_result`` with a validator built once."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        error = next(iter(sorted(_validator().iter_errors(result), key=lambda e: e.path)), None)
        if error is None:
            return True
        raise error
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> None:
    """Installs every patch, once per process (later calls do nothing). Raises ``RasaVersionError``
    on another Rasa version, and ``RasaVersionError`` too if a patched function's signature differs
    from the one the patch was written for."""
    global _installed
    if _installed:
        return
    check_rasa_version()
    for name, expected in SIGNATURES.items():
        found = parameters(_upstream(name))
        if found != expected:
            raise RasaVersionError(f"bot.rasa.patches: Rasa's {name} takes {found}, the patch expects {expected}")

    from rasa.core.actions.action import RemoteAction

    from bot.channels.inputs import guard_action_run

    RemoteAction._validate_action_result = validate_action_result
    RemoteAction.run = guard_action_run(RemoteAction.run)
    _installed = True


def installed() -> bool:
    return _installed
