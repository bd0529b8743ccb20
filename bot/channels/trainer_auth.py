"""The trainer dashboard's login, as pure parts: the password kept only as a scrypt hash, signed
expiring session tokens (the cookie's value), and a per-address backoff after wrong passwords.
No Sanic, no I/O: ``bot.channels.trainer`` wires them to routes."""

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

Clock = Callable[[], float]


class PasswordHash:
    """A password as a salted scrypt hash; the plain text is not kept."""

    # scrypt at n=2**14, r=8 (~16 MiB, some tens of ms per check): slow enough that a stolen memory
    # dump is no shortcut, fast enough for a login form.
    N, R, P = 2**14, 8, 1

    def __init__(self, password: str) -> None:
        if not password:
            raise ValueError("an empty password")
        self._salt = secrets.token_bytes(16)
        self._hash = self._derive(password)

    def _derive(self, password: str) -> bytes:
        return hashlib.scrypt(password.encode("utf-8"), salt=self._salt, n=self.N, r=self.R, p=self.P, dklen=32)

    def matches(self, candidate: object) -> bool:
        """True when ``candidate`` is the password (constant-time comparison of the hashes)."""
        if not isinstance(candidate, str) or not candidate or len(candidate) > 1024:
            return False
        return hmac.compare_digest(self._derive(candidate), self._hash)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


class SessionTokens:
    """``<expiry>.<nonce>.<HMAC-SHA256>``: valid until the expiry, for holders of the secret only.
    A random secret per process logs everyone out on restart; set one (``TRAINER_SESSION_SECRET``)
    to share sessions between servers."""

    def __init__(self, secret: Optional[bytes] = None, max_age_s: int = 8 * 3600, clock: Clock = time.time) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self.max_age_s = max_age_s
        self._clock = clock

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, b"trainer-session:" + payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self) -> str:
        payload = f"{int(self._clock()) + self.max_age_s}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload)}"

    def valid(self, token: object) -> bool:
        if not isinstance(token, str) or len(token) > 200 or token.count(".") != 2:
            return False
        payload, _, signature = token.rpartition(".")
        try:
            expiry = int(payload.split(".", 1)[0])
            expected = self._sign(payload)
        except (ValueError, UnicodeEncodeError):
            return False
        return (
            hmac.compare_digest(signature.encode("ascii", "replace"), expected.encode("ascii"))
            and self._clock() < expiry
        )


@dataclass
class LoginBackoff:
    """Per client address: after ``free`` wrong passwords in a row, each further attempt has to wait
    ``base_s`` doubled per failure (capped at ``cap_s``) after the last one. A right password clears
    the address. Guessing from one address becomes hopelessly slow; other addresses are not affected
    (locking the account itself would let anyone lock trainers out)."""

    free: int = 3
    base_s: float = 1.0
    cap_s: float = 900.0
    max_addresses: int = 10000
    clock: Clock = time.time
    _failures: Dict[str, Tuple[int, float]] = field(default_factory=dict)

    def wait_s(self, address: str) -> float:
        """Seconds before ``address`` may try again (0: now)."""
        failures, last = self._failures.get(address, (0, 0.0))
        if failures < self.free:
            return 0.0
        delay = min(self.cap_s, self.base_s * 2 ** (failures - self.free))
        return max(0.0, last + delay - self.clock())

    def failed(self, address: str) -> None:
        if address not in self._failures and len(self._failures) >= self.max_addresses:
            oldest = min(self._failures, key=lambda a: self._failures[a][1])
            del self._failures[oldest]
        failures, _ = self._failures.get(address, (0, 0.0))
        self._failures[address] = (failures + 1, self.clock())

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)
