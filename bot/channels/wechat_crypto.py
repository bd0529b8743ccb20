"""WeChat callback security as pure functions (wechat-protocol.md §1, §3): SHA-1 signatures
compared in constant time, AES-256-CBC with 32-byte PKCS#7 blocks for safe mode, and key
rotation (the previous EncodingAESKey is still accepted during a change, §3.6)."""

import base64
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass
from typing import Optional, Tuple

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16 (§3.1)


class WeChatCryptoError(ValueError):
    """A signature, key, ciphertext or ReceiveId that does not check out."""


def signature(*parts: str) -> str:
    """sha1 hex of the parts sorted and joined (token, timestamp, nonce[, Encrypt])."""
    # surrogatepass: a lone surrogate (from a JSON body's "\ud800") is hashed, never raised on
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison, so a signature cannot be guessed byte by byte from timings."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def check_signature(token: str, timestamp: str, nonce: str, given: str, encrypted: Optional[str] = None) -> bool:
    parts = (token, timestamp, nonce) + ((encrypted,) if encrypted is not None else ())
    return same(signature(*parts), given or "")


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey."""
    if len(encoding_aes_key or "") != 43:
        raise WeChatCryptoError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except ValueError as e:
        raise WeChatCryptoError(f"EncodingAESKey is not base64: {e}") from None
    if len(key) != 32:
        raise WeChatCryptoError("EncodingAESKey must decode to 32 bytes")
    return key


def encrypt(key: bytes, message: str, receive_id: str, random16: Optional[bytes] = None) -> str:
    """base64(AES-CBC(pad32(random16 + len + message + receive_id))). ``random16`` is for tests."""
    body = message.encode("utf-8")
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + receive_id.encode("utf-8")
    n = BLOCK - len(plain) % BLOCK
    plain += bytes([n]) * n
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")


def decrypt(key: bytes, encrypted: str, receive_id: str) -> str:
    """The message inside ``encrypted``; raises WeChatCryptoError on any inconsistency."""
    if len(key) != 32:
        raise WeChatCryptoError("AES key must be 32 bytes")
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except ValueError:
        raise WeChatCryptoError("ciphertext is not base64") from None
    if not raw or len(raw) % BLOCK:
        raise WeChatCryptoError("ciphertext length is not a multiple of 32")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(raw) + decryptor.finalize()
    n = plain[-1]
    if not 1 <= n <= BLOCK or plain[-n:] != bytes([n]) * n:
        raise WeChatCryptoError("bad padding")
    content = plain[16:-n]
    if len(content) < 4:
        raise WeChatCryptoError("plaintext too short")
    (length,) = struct.unpack(">I", content[:4])
    if 4 + length > len(content):
        raise WeChatCryptoError("message length exceeds the plaintext")
    try:
        found_id = content[4 + length :].decode("utf-8")
        message = content[4 : 4 + length].decode("utf-8")
    except UnicodeDecodeError:
        raise WeChatCryptoError("plaintext is not UTF-8") from None
    if not same(found_id, receive_id):
        raise WeChatCryptoError("ReceiveId does not match our AppID")
    return message


@dataclass(frozen=True)
class Keys:
    """The current EncodingAESKey and, during a key change, the previous one."""

    current: bytes
    previous: Optional[bytes] = None

    @classmethod
    def from_settings(cls, current: str, previous: Optional[str] = None) -> "Keys":
        return cls(aes_key(current), aes_key(previous) if previous else None)

    def decrypt(self, encrypted: str, receive_id: str) -> Tuple[str, bytes]:
        """The message and the key that opened it (the reply is encrypted with the same key)."""
        errors = []
        for key in (self.current, self.previous):
            if key is None:
                continue
            try:
                return decrypt(key, encrypted, receive_id), key
            except WeChatCryptoError as e:
                errors.append(str(e))
        raise WeChatCryptoError("; ".join(errors))


def encrypted_reply(
    token: str,
    key: bytes,
    receive_id: str,
    reply_xml: str,
    timestamp: str,
    nonce: str,
    random16: Optional[bytes] = None,
) -> Tuple[str, str]:
    """(Encrypt, MsgSignature) for a safe-mode passive reply (§3.5)."""
    enc = encrypt(key, reply_xml, receive_id, random16)
    return enc, signature(token, timestamp, nonce, enc)
