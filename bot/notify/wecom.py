"""The WeCom group robot's webhook (企业微信群机器人): one POST of a JSON message, answered with
JSON ``errcode`` 0 on success.

The webhook URL carries the robot's secret ``key``: it comes only from the environment
(``WECOM_ROBOT_WEBHOOK``), and only its masked form (``mask_url``) is ever logged, stored or shown;
errors are scrubbed of it too. Requests time out after ``DEFAULT_TIMEOUT`` seconds.
"""

import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Mapping, Optional

from bot.notify.message import Message

ENV_WEBHOOK = "WECOM_ROBOT_WEBHOOK"
DEFAULT_TIMEOUT = 5.0
MAX_ANSWER_BYTES = 64 * 1024
ERRCODE_RATE_LIMITED = 45009  # "api freq out of limit": the robot took more than about 20 a minute
RATE_LIMITED_WAIT = 60.0
ERRCODES_OUTAGE = (-1, ERRCODE_RATE_LIMITED)  # system busy, throttled: nothing gets through for now


def mask_url(url: str) -> str:
    """The URL without its secrets: scheme, host and path; the query's values and any user info
    replaced by their first 4 characters and ``***``."""
    try:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
    except ValueError:
        return "(unparsable URL)"
    masked = "&".join(f"{k}={v[:4]}***" for k, v in query)
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, masked, ""))


def webhook_from_env(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    env = os.environ if env is None else env
    return (env.get(ENV_WEBHOOK) or "").strip() or None


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str = ""
    # True unless the robot answered and refused this message (errcode other than busy/throttled):
    # then no message gets through now, and the sender pauses instead of trying the next one
    outage: bool = True
    retry_after: float = 0.0  # at least this long before the next request (the robot throttles)


class RobotClient:
    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            # not the URL itself in the message: it is a secret
            raise ValueError(f"{ENV_WEBHOOK} must be an http(s) URL, got {mask_url(url)}")
        self._url = url
        self._secrets = [url] + [v for _, v in urllib.parse.parse_qsl(parts.query) if len(v) >= 4]
        self.timeout = timeout
        self.masked_url = mask_url(url)

    def __repr__(self) -> str:
        return f"RobotClient({self.masked_url})"

    def scrub(self, text: str) -> str:
        """The text without the URL or its key (an error message may quote them)."""
        for secret in self._secrets:
            text = text.replace(secret, self.masked_url if secret == self._url else "***")
        return text

    def send(self, message: Message) -> SendResult:
        """Posts the message; never raises for network, HTTP or answer problems."""
        body = json.dumps(message.payload(), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self._url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as e:
            return SendResult(False, f"HTTP {e.code}")
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                return SendResult(False, f"no answer within {self.timeout:g} s")
            return SendResult(False, self.scrub(f"connection failed: {type(reason).__name__}: {reason}")[:200])
        except (socket.timeout, TimeoutError):
            return SendResult(False, f"no answer within {self.timeout:g} s")
        except (OSError, ValueError) as e:  # connection reset while reading, a bad chunked body...
            return SendResult(False, self.scrub(f"{type(e).__name__}: {e}")[:200])
        try:
            answer = json.loads(raw)
            errcode = int(answer.get("errcode", -1))
        except (ValueError, AttributeError, TypeError):
            return SendResult(False, "the answer is not the robot's JSON")
        if errcode == 0:
            return SendResult(True, outage=False)
        errmsg = self.scrub(str(answer.get("errmsg", "")))[:150]
        wait = RATE_LIMITED_WAIT if errcode == ERRCODE_RATE_LIMITED else 0.0
        return SendResult(False, f"errcode {errcode}: {errmsg}", outage=errcode in ERRCODES_OUTAGE, retry_after=wait)
