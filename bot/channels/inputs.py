"""What every input channel of ours (REST, widget, WeChat) checks before a Rasa turn and guards
around it, so bad input or a failing action server never ends in a 500, a traceback or silence.

Checks (``parse_json_body``, ``check_sender``, ``check_message``, ``check_metadata``) raise
``InputError`` with an HTTP status and a short reason that ``error_response`` turns into JSON:
bodies above ``MAX_BODY_BYTES`` get a 413, anything not a JSON object with string ``sender`` and
``message`` (and an object as ``metadata``) a 400. Text is cleaned of control characters and lone
surrogates (invalid in UTF-8, they would break storage).

``TurnGuard.run`` runs one turn:
- a message longer than ``MAX_MESSAGE_CHARS`` (a paste, not a question) is answered with a polite
  request to shorten it, without running NLU on it;
- with ``max_pending`` set, more than that many messages of one sender waiting at once are refused
  (``SenderBusy``, a 429 on REST and the widget) instead of queueing behind Rasa's conversation lock;
- custom actions get ``action_timeout_s`` (``BOT_ACTION_TIMEOUT``, default 8 s) instead of
  Rasa 3.6's fixed five minutes; once the action server proved unreachable or too slow, the turn's
  other custom actions fail at once (each would wait for the same server);
- when a custom action failed (server down, slow, or the action crashed) and the turn said nothing
  after that, or the turn itself raised, the user gets the domain response
  ``utter_consultant_follow_up`` (a consultant will follow up) instead of silence. A turn that still
  answered (e.g. the roleplay slot mapping failed, then the greeting was uttered) is left alone.

Rasa 3.6 has no setting for the action timeout: ``RemoteAction.run`` passes the constant
``DEFAULT_REQUEST_TIMEOUT`` (300 s) and a ``timeout`` under ``action_endpoint`` in endpoints.yml is
ignored. ``guard_action_run`` therefore wraps ``RemoteAction.run``, installed by ``bot.rasa.patches``.
"""

import asyncio
import contextvars
import functools
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import aiohttp
from sanic import response
from sanic.response import HTTPResponse

from bot.channels.datafiles import channel_texts, domain_response_text
from bot.rasa.names import UTTER_CONSULTANT_FOLLOW_UP, UTTER_WITH_A_PERSON
from bot.validation import env_positive

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # a JSON chat message is a few KiB; 20,000 escaped CJK characters fit
MAX_REQUEST_MESSAGE_CHARS = 20000  # longer 'message' fields are refused (400)
MAX_MESSAGE_CHARS = 2000  # longer messages are answered with a request to shorten them
MAX_SENDER_CHARS = 256
MAX_METADATA_BYTES = 16 * 1024
MAX_METADATA_DEPTH = 8
ENV_ACTION_TIMEOUT = "BOT_ACTION_TIMEOUT"
ENV_MAX_PENDING = "BOT_MAX_PENDING_PER_SENDER"
ENV_MAX_PENDING_PER_ADDRESS = "BOT_MAX_PENDING_PER_ADDRESS"
DEFAULT_ACTION_TIMEOUT_S = 8.0
DEFAULT_MAX_PENDING = 5
DEFAULT_MAX_PENDING_PER_ADDRESS = 20
# The domain response as domain.yml has it; used while the loaded model predates that response.
FOLLOW_UP_TEXT = domain_response_text(UTTER_CONSULTANT_FOLLOW_UP)
TOO_LONG_TEXT = channel_texts().too_long.format(max_chars=MAX_MESSAGE_CHARS)
# C0/C1 control characters except tab and line breaks, and lone surrogates (not encodable as UTF-8)
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class NamedChannel:
    """Mixed into our Rasa input channels: the channel's name (its routes under ``/webhooks/<name>/``,
    the tracker's ``input_channel``) is the class attribute ``channel``."""

    channel = ""

    @classmethod
    def name(cls) -> Text:
        return cls.channel


class InputError(ValueError):
    """A request the channel refuses: ``status`` (4xx) and a reason for the client."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class Busy(InputError):
    """Too many messages from one ``source`` waiting at once (a 429)."""

    source = "this client"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"too many messages at once from {self.source} (at most {limit} waiting); "
            "wait for the answers, then send again",
            status=429,
        )


class SenderBusy(Busy):
    """Too many messages of one sender waiting for their turn."""

    source = "this sender"


class AddressBusy(Busy):
    """Too many messages from one client address waiting at once (whatever their sender ids)."""

    source = "this address"


def _release(pending: Dict[str, int], key: str) -> None:
    """One message of ``key`` is done: its count in ``pending`` goes down (and away at zero)."""
    left = pending.get(key, 1) - 1
    if left > 0:
        pending[key] = left
    else:
        pending.pop(key, None)


class AddressLimiter:
    """Caps the messages one client address has in flight, so rotating sender ids or streaming does
    not get round the per-sender cap. Behind a proxy, the address is the one Sanic resolves from
    the forwarding headers it trusts (``SANIC_PROXIES_COUNT``, ``SANIC_REAL_IP_HEADER``); nginx's
    ``limit_req`` (deploy/nginx.conf) limits the rate in front of it."""

    def __init__(self, limit: Optional[int] = None) -> None:
        self.limit = limit or int(env_number(ENV_MAX_PENDING_PER_ADDRESS, DEFAULT_MAX_PENDING_PER_ADDRESS))
        self.pending: Dict[str, int] = {}

    def acquire(self, address: str) -> None:
        if self.pending.get(address, 0) >= self.limit:
            logger.info("message refused: %d already waiting from one address", self.limit)
            raise AddressBusy(self.limit)
        self.pending[address] = self.pending.get(address, 0) + 1

    def release(self, address: str) -> None:
        _release(self.pending, address)


def error_response(error: InputError) -> HTTPResponse:
    return response.json({"error": error.reason, "status": error.status}, status=error.status)


def clean_text(text: str) -> str:
    """``text`` without control characters (tab and line breaks stay) and lone surrogates."""
    return _UNWANTED.sub("", text)


def parse_json_body(body: Optional[bytes], max_bytes: int = MAX_BODY_BYTES) -> Dict[str, Any]:
    """The request body as a JSON object; InputError (413, 400) otherwise."""
    body = body or b""
    if len(body) > max_bytes:
        raise InputError(f"body larger than {max_bytes} bytes", status=413)
    if not body.strip():
        raise InputError("empty body: send a JSON object with 'sender' and 'message'")
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("body is not UTF-8") from None
    except (ValueError, RecursionError):
        raise InputError("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InputError("body must be a JSON object with 'sender' and 'message'")
    return data


def check_sender(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_SENDER_CHARS or clean_text(value) != value:
        raise InputError(
            f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters "
            "without control characters"
        )
    return value


def check_message(value: Any) -> str:
    """The message text, cleaned; empty is allowed (the bot answers it)."""
    if not isinstance(value, str):
        raise InputError("'message' must be a string")
    if len(value) > MAX_REQUEST_MESSAGE_CHARS:
        raise InputError(f"'message' is longer than {MAX_REQUEST_MESSAGE_CHARS} characters")
    return clean_text(value)


def _depth(value: Any, limit: int) -> int:
    if limit < 0:
        return 0
    if isinstance(value, dict):
        return 1 + max((_depth(v, limit - 1) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v, limit - 1) for v in value), default=0)
    return 0


def check_metadata(value: Any) -> Optional[Dict[str, Any]]:
    """The optional ``metadata`` object (kept in the tracker): small, shallow, JSON-safe."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InputError("'metadata' must be a JSON object")
    if _depth(value, MAX_METADATA_DEPTH + 1) > MAX_METADATA_DEPTH:
        raise InputError(f"'metadata' is nested deeper than {MAX_METADATA_DEPTH} levels")
    encoded = json.dumps(value, ensure_ascii=False)
    if clean_text(encoded) != encoded:
        value = json.loads(clean_text(encoded))  # control characters are escaped in JSON: only surrogates
    if len(encoded.encode("utf-8", "replace")) > MAX_METADATA_BYTES:
        raise InputError(f"'metadata' is larger than {MAX_METADATA_BYTES} bytes")
    return value


def env_number(name: str, default: float) -> float:
    return env_positive(name, float(default), float)


# -- one turn ---------------------------------------------------------------------------------


@dataclass
class TurnState:
    """What happened to custom actions during the current turn (one per running turn)."""

    action_timeout_s: float
    action_failed: bool = False
    domain: Any = None  # the agent's domain, seen when a custom action ran
    failures: list = field(default_factory=list)
    sent_at_failure: Optional[int] = None  # messages the turn had sent when the first action failed
    server_unavailable: bool = False  # unreachable or too slow: the turn's other custom actions are skipped

    def failed(self, output_channel: Any, reason: str, unavailable: bool) -> None:
        if not self.action_failed:
            self.sent_at_failure = _sent(output_channel)
        self.action_failed = True
        self.server_unavailable = self.server_unavailable or unavailable
        self.failures.append(reason)


def _sent(output_channel: Any) -> Optional[int]:
    """How many messages a collecting output channel holds (None for other channels)."""
    messages = getattr(output_channel, "messages", None)
    return len(messages) if isinstance(messages, list) else None


_TURN: "contextvars.ContextVar[Optional[TurnState]]" = contextvars.ContextVar("bot_channel_turn", default=None)


def guard_action_run(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Rasa's ``RemoteAction.run`` wrapped (installed by ``bot.rasa.patches``): inside a guarded turn a
    custom action gets the turn's timeout and a failure is recorded; after a connection error or a
    timeout the turn's further custom actions are not attempted (each would wait for the same
    unavailable server). Outside a guarded turn (Rasa's HTTP API, ``rasa shell``) actions run unchanged."""
    from rasa.core.actions import action as rasa_action
    from rasa.shared.exceptions import RasaException

    @functools.wraps(original)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        state = _TURN.get()
        if state is None:
            return await original(self, output_channel, nlg, tracker, domain)
        state.domain = domain
        if state.server_unavailable:
            raise RasaException(
                f"custom action '{self.name()}' skipped: the action server already failed " "in this turn"
            )
        try:
            try:
                return await asyncio.wait_for(
                    original(self, output_channel, nlg, tracker, domain), timeout=state.action_timeout_s
                )
            except RasaException as e:
                if not _transient(e):
                    raise
                # A connection the server closed as we wrote to it (seen under load with several
                # Rasa instances): the request never reached the action, so one retry is safe.
                logger.info("custom action '%s': %s; retrying once", self.name(), e.__cause__ or e.__context__)
                await asyncio.sleep(0.1)
                return await asyncio.wait_for(
                    original(self, output_channel, nlg, tracker, domain), timeout=state.action_timeout_s
                )
        except rasa_action.ActionExecutionRejection:
            raise  # a form validation rejecting the input: the server works
        except asyncio.TimeoutError:
            state.failed(output_channel, f"{self.name()}: no answer within {state.action_timeout_s:g} s", True)
            # a RasaException, which Rasa's slot extraction handles like an unreachable server
            raise RasaException(
                f"custom action '{self.name()}': the action server did not answer within "
                f"{state.action_timeout_s:g} s"
            ) from None
        except Exception as e:
            # unreachable (connection refused, reset) or an error answer (the action itself crashed)
            cause = e.__cause__ or e.__context__
            state.failed(output_channel, f"{self.name()}: {e}", isinstance(cause, aiohttp.ClientConnectionError))
            raise

    return run


def install_action_guard() -> None:
    """The guard needs the Rasa patches: installs them all (``bot.rasa.patches.install``, idempotent)."""
    from bot.rasa import patches

    patches.install()


_TRANSIENT = (
    "Can not write request body",
    "Cannot write to closing transport",
    "Server disconnected",
    "Connection reset by peer",
)


def _transient(error: BaseException) -> bool:
    """A connection error after which the request cannot have been handled by the action server."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, aiohttp.ServerDisconnectedError):
        return True
    return isinstance(cause, aiohttp.ClientConnectionError) and any(t in str(cause) for t in _TRANSIENT)


def response_text(domain: Any, name: str) -> str:
    """The first text of the domain response ``name`` ('' if the domain has none)."""
    variants = getattr(domain, "responses", {}).get(name) if domain is not None else None
    return next((v["text"] for v in variants or [] if isinstance(v, dict) and v.get("text")), "")


def follow_up_text(domain: Any) -> str:
    """The text of ``utter_consultant_follow_up`` in ``domain``, else the same response of domain.yml."""
    return response_text(domain, UTTER_CONSULTANT_FOLLOW_UP) or FOLLOW_UP_TEXT


class TurnGuard:
    """Runs Rasa turns for one channel (see the module docstring)."""

    def __init__(
        self, channel: str, max_pending: Optional[int] = None, action_timeout_s: Optional[float] = None
    ) -> None:
        self.channel = channel
        self.max_pending = max_pending
        self.action_timeout_s = action_timeout_s or env_number(ENV_ACTION_TIMEOUT, DEFAULT_ACTION_TIMEOUT_S)
        self.pending: Dict[str, int] = {}
        install_action_guard()

    def busy(self, sender: str) -> bool:
        return self.max_pending is not None and self.pending.get(sender, 0) >= self.max_pending

    async def run(
        self,
        on_new_message: Callable[[Any], Awaitable[Any]],
        message: Any,
        domain: Any = None,
        admit: bool = True,
        tracker_store: Any = None,
    ) -> None:
        """One turn for ``message`` (a ``UserMessage``); its answers go to ``message.output_channel``.
        Raises only ``SenderBusy`` (when ``admit`` and the sender has too many messages waiting)."""
        sender = message.sender_id
        if not isinstance(sender, str) or not sender.strip() or clean_text(sender) != sender:
            # e.g. a lone surrogate: the SQL tracker store would exit the whole server on it
            logger.warning("%s: message from an unusable sender id dropped: %r", self.channel, sender)
            return
        if admit and self.busy(sender):
            logger.info(
                "%s: message refused, %d already waiting for this sender", self.channel, self.pending.get(sender, 0)
            )
            raise SenderBusy(self.max_pending or 0)
        message.text = clean_text(message.text or "").strip()
        if len(message.text) > MAX_MESSAGE_CHARS:
            logger.info("%s: message of %d characters answered without a turn", self.channel, len(message.text))
            await message.output_channel.send_text_message(sender, TOO_LONG_TEXT)
            return
        state = TurnState(self.action_timeout_s, domain=domain)
        token = _TURN.set(state)
        self.pending[sender] = self.pending.get(sender, 0) + 1
        try:
            await on_new_message(message)
        except Exception as e:  # the turn itself failed (tracker store, lock): say so politely
            logger.error(
                "%s: turn failed (%s: %s); answered with the follow-up text", self.channel, type(e).__name__, e
            )
            state.action_failed, state.sent_at_failure = True, None
        finally:
            _TURN.reset(token)
            _release(self.pending, sender)
        if not state.action_failed:
            if tracker_store is not None and _sent(message.output_channel) == 0:
                await self._note_if_with_a_person(message, tracker_store, domain)
            return
        sent = _sent(message.output_channel)
        if state.sent_at_failure is not None and sent is not None and sent > state.sent_at_failure:
            # e.g. the roleplay slot mapping failed, then the greeting was uttered: the user has an answer
            logger.warning(
                "%s: action server unavailable in this turn (%s); the turn still answered",
                self.channel,
                "; ".join(state.failures),
            )
            return
        logger.warning(
            "%s: action server unavailable in this turn (%s); the user was told a consultant " "will follow up",
            self.channel,
            "; ".join(state.failures) or "turn failed",
        )
        await message.output_channel.send_text_message(sender, follow_up_text(state.domain))

    async def _note_if_with_a_person(self, message: Any, tracker_store: Any, domain: Any) -> None:
        """A turn that said nothing because a person has the conversation (``action_hand_over``
        paused it): a short note that the message reached the person, instead of silence."""
        try:
            tracker = await tracker_store.retrieve(message.sender_id)
        except Exception as e:
            logger.warning("%s: could not check whether a person has the conversation (%s)", self.channel, e)
            return
        if tracker is not None and tracker.is_paused():
            await message.output_channel.send_text_message(
                message.sender_id, response_text(domain, UTTER_WITH_A_PERSON)
            )


_GUARDS: Dict[str, TurnGuard] = {}


def guard_for(channel: str) -> TurnGuard:
    """The process's guard for ``channel`` (no per-sender cap), created on first use."""
    if channel not in _GUARDS:
        _GUARDS[channel] = TurnGuard(channel)
    return _GUARDS[channel]
