"""Who may read and write which conversation.

Every channel keeps its conversations under its own sender-id namespace, so an id valid on one
channel never names a conversation of another:

- WeChat: ``wechat:<account>:<OpenID>`` (``default`` for the account configured by WECHAT_TOKEN).
  An OpenID is not a secret, but only WeChat's signed pushes reach that namespace.
- Widget: ``widget:<visitor>``, where the visitor id is issued by the server (``POST
  /webhooks/widget/session``), unguessable (144 random bits) and comes with an HMAC token the widget
  keeps in the browser; every widget route (message, ``/history``, ``/lead``) checks the token.
- REST: the sender id as the calling server sends it; ids starting with another channel's prefix
  are refused. REST is a server-to-server API: expose it only to your own systems, and set
  ``REST_API_TOKEN`` to require ``Authorization: Bearer <token>`` on it.
"""

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Optional, Tuple

from bot.channels.inputs import InputError

logger = logging.getLogger(__name__)

WIDGET_PREFIX = "widget:"
WECHAT_PREFIX = "wechat:"
RESERVED_PREFIXES = (WIDGET_PREFIX, WECHAT_PREFIX)
ENV_WIDGET_SECRET = "WIDGET_SECRET"
ENV_REST_TOKEN = "REST_API_TOKEN"
SECRET_FILE = "widget-secret"
VISITOR = re.compile(r"[A-Za-z0-9_-]{24}")
_TOKEN_CONTEXT = b"showroom-widget-visitor:"


def wechat_sender(account: str, openid: str) -> str:
    """The sender id of a WeChat follower of ``account`` ('' is the default account)."""
    return f"{WECHAT_PREFIX}{account or 'default'}:{openid}"


def widget_sender(visitor: str) -> str:
    return f"{WIDGET_PREFIX}{visitor}"


def check_rest_sender(sender: str) -> str:
    """A REST sender id may not borrow another channel's namespace."""
    if sender.startswith(RESERVED_PREFIXES):
        raise InputError(
            "'sender' may not start with 'widget:' or 'wechat:' (those conversations belong to " "other channels)",
            status=403,
        )
    return sender


def check_bearer(authorization: Optional[str], expected: Optional[str]) -> None:
    """Refuses (401) a request without ``Authorization: Bearer <expected>`` when a token is set."""
    if not expected:
        return
    given = (authorization or "").strip()
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise InputError("missing or wrong API token: send 'Authorization: Bearer <REST_API_TOKEN>'", status=401)


def rest_token() -> Optional[str]:
    return os.environ.get(ENV_REST_TOKEN, "").strip() or None


class VisitorTokens:
    """Issues widget visitor ids with an HMAC-SHA256 token and verifies them (constant time)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the widget secret must be at least 16 bytes")
        self._secret = secret

    @classmethod
    def from_environment(cls, data_dir: Optional[str] = None) -> "VisitorTokens":
        """``WIDGET_SECRET`` (required when several servers serve the widget: they must share it);
        otherwise a random secret kept in ``$BOT_DATA_DIR/widget-secret`` (created once, mode 0600),
        so visitors keep their conversation across restarts."""
        value = os.environ.get(ENV_WIDGET_SECRET, "").strip()
        if value:
            return cls(value.encode("utf-8"))
        directory = Path(data_dir or os.environ.get("BOT_DATA_DIR") or "var")
        path = directory / SECRET_FILE
        try:
            return cls(path.read_bytes().strip())
        except FileNotFoundError:
            pass
        directory.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it a moment ago
            return cls(path.read_bytes().strip())
        with os.fdopen(fd, "wb") as f:
            f.write(secret)
        logger.info("widget secret created in %s (set %s to share one between servers)", path, ENV_WIDGET_SECRET)
        return cls(secret)

    def _token(self, visitor: str) -> str:
        digest = hmac.new(self._secret, _TOKEN_CONTEXT + visitor.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def issue(self) -> Tuple[str, str]:
        """A new (visitor id, token)."""
        visitor = secrets.token_urlsafe(18)
        return visitor, self._token(visitor)

    def verify(self, visitor: object, token: object) -> str:
        """The widget sender id for a valid (visitor, token); InputError 403 otherwise."""
        if not isinstance(visitor, str) or not VISITOR.fullmatch(visitor):
            raise InputError("'sender' must be the visitor id issued by /webhooks/widget/session", status=403)
        if not isinstance(token, str) or not hmac.compare_digest(
            token.encode("utf-8", "replace"), self._token(visitor).encode()
        ):
            raise InputError(
                "missing or wrong visitor token: start a new session at /webhooks/widget/session", status=403
            )
        return widget_sender(visitor)
