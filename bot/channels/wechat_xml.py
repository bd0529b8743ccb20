"""WeChat message XML (wechat-protocol.md §2, §3.4, §3.5, §6): a size cap and a parser that
refuses DTDs and entities, the inbound message as a dataclass, and replies built with an escaping
serializer (never string formatting)."""

import json
import re
import time
import xml.etree.ElementTree as ET  # only for building replies; parsing goes through defusedxml
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from bot.channels.datafiles import channel_texts

MAX_BODY_BYTES = 64 * 1024
MAX_REPLY_BYTES = 2048  # passive text reply limit (§2.4)
_SURROGATE = re.compile("[\ud800-\udfff]")


class WeChatXmlError(ValueError):
    """A body that is too large, not XML, hostile (DTD/entities) or missing required fields."""


@dataclass(frozen=True)
class InboundMessage:
    to_user: str
    from_user: str
    create_time: str
    msg_type: str
    msg_id: Optional[str] = None
    content: Optional[str] = None
    event: Optional[str] = None
    event_key: Optional[str] = None
    recognition: Optional[str] = None
    encrypt: Optional[str] = None
    fields: Dict[str, str] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; sender + CreateTime + event for events (§4.1)."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.from_user}:{self.create_time}:{(self.event or '').lower()}:{self.event_key or ''}"


def parse_xml(body: bytes) -> Dict[str, str]:
    """The child elements of ``<xml>`` as a dict of text. Raises WeChatXmlError."""
    if len(body) > MAX_BODY_BYTES:
        raise WeChatXmlError(f"body larger than {MAX_BODY_BYTES} bytes")
    if not body.strip():
        raise WeChatXmlError("empty body")
    try:
        root = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ET.ParseError, ValueError) as e:
        raise WeChatXmlError(f"not acceptable XML: {type(e).__name__}") from None
    if root.tag != "xml":
        raise WeChatXmlError("root element is not <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def parse_body(body: bytes) -> Dict[str, str]:
    """The fields of a push body: XML, or JSON for accounts set to the JSON data format."""
    if len(body) > MAX_BODY_BYTES:
        raise WeChatXmlError(f"body larger than {MAX_BODY_BYTES} bytes")
    if body.lstrip().startswith(b"{"):
        try:
            return parse_inner(body.decode("utf-8"))
        except UnicodeDecodeError:
            raise WeChatXmlError("body is not UTF-8") from None
    return parse_xml(body)


def parse_inner(plaintext: str) -> Dict[str, str]:
    """The fields of a decrypted push: XML for Official Accounts and WeCom, JSON for the
    mini-program data format (same crypto, wechat-protocol.md §7 D3)."""
    if plaintext.lstrip().startswith("{"):
        try:
            data = json.loads(plaintext)
        except (ValueError, RecursionError):  # deep nesting ends in RecursionError
            raise WeChatXmlError("decrypted payload is neither XML nor JSON") from None
        if not isinstance(data, dict):
            raise WeChatXmlError("decrypted JSON payload is not an object")
        fields = {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int, float))}
        if any(_SURROGATE.search(k) or _SURROGATE.search(v) for k, v in fields.items()):
            # "\ud800" escapes: not text, and a lone surrogate breaks hashing and storage downstream
            raise WeChatXmlError("JSON payload has lone surrogates (invalid UTF-16 escapes)")
        return fields
    try:
        return parse_xml(plaintext.encode("utf-8"))
    except UnicodeEncodeError:
        raise WeChatXmlError("payload is not valid Unicode text") from None
    except WeChatXmlError as e:
        raise WeChatXmlError(f"decrypted payload is not a message: {e}") from None


def parse_message(fields: Dict[str, str]) -> InboundMessage:
    """The inbound message of a parsed (and, in safe mode, decrypted) body."""
    for required in ("ToUserName", "FromUserName", "MsgType"):
        if not fields.get(required):
            raise WeChatXmlError(f"not a message: missing {required}")
    return InboundMessage(
        to_user=fields["ToUserName"],
        from_user=fields["FromUserName"],
        create_time=fields.get("CreateTime", ""),
        msg_type=fields["MsgType"].lower(),
        msg_id=fields.get("MsgId") or None,
        content=fields.get("Content"),
        event=fields.get("Event"),
        event_key=fields.get("EventKey"),
        recognition=fields.get("Recognition"),
        encrypt=fields.get("Encrypt"),
        fields=fields,
    )


def _xml(elements: Sequence[tuple]) -> str:
    root = ET.Element("xml")
    for name, value in elements:
        ET.SubElement(root, name).text = str(value)
    return ET.tostring(root, encoding="unicode")


def text_reply(message: InboundMessage, content: str, now: Optional[int] = None) -> str:
    """A passive text reply (sender and recipient swapped)."""
    return _xml(
        [
            ("ToUserName", message.from_user),
            ("FromUserName", message.to_user),
            ("CreateTime", now or int(time.time())),
            ("MsgType", "text"),
            ("Content", content),
        ]
    )


def transfer_reply(message: InboundMessage, kf_account: Optional[str] = None, now: Optional[int] = None) -> str:
    """A passive reply handing the user's message to the customer-service system (多客服):
    ``MsgType`` ``transfer_customer_service``, sender and recipient swapped, and with ``kf_account``
    (``prefix@account``) a ``<TransInfo><KfAccount>`` naming the agent who should take it. In safe
    mode it is encrypted like any passive reply (``encrypted_reply`` + ``encrypted_envelope``).

    Only a user's own message may be forwarded, never an event (menu click, subscribe...): the agent
    would see meaningless messages, so an event raises ValueError."""
    if message.msg_type == "event":
        raise ValueError("only a user's own messages are handed to customer service, not events")
    root = ET.Element("xml")
    for name, value in (
        ("ToUserName", message.from_user),
        ("FromUserName", message.to_user),
        ("CreateTime", now if now is not None else int(time.time())),
        ("MsgType", "transfer_customer_service"),
    ):
        ET.SubElement(root, name).text = str(value)
    if kf_account and kf_account.strip():
        ET.SubElement(ET.SubElement(root, "TransInfo"), "KfAccount").text = kf_account.strip()
    return ET.tostring(root, encoding="unicode")


def encrypted_envelope(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The safe-mode reply body around an encrypted reply (§3.5)."""
    return _xml([("Encrypt", encrypt), ("MsgSignature", msg_signature), ("TimeStamp", timestamp), ("Nonce", nonce)])


def split_text(text: str, limit: int = MAX_REPLY_BYTES) -> List[str]:
    """Chunks of at most ``limit`` UTF-8 bytes, cut at line breaks where possible; a line longer
    than ``limit`` is cut between characters (never inside one: emoji are 4 bytes). Raises
    ValueError if ``limit`` is smaller than one character of the text."""
    chunks: List[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        data = line.encode("utf-8")
        while len(data) > limit:
            cut = limit
            while cut > 0 and data[cut] & 0xC0 == 0x80:  # data[cut] continues a character: back off
                cut -= 1
            if cut == 0:
                raise ValueError(f"limit of {limit} bytes is smaller than one character")
            chunks.append(data[:cut].decode("utf-8"))
            data = data[cut:]
        current = data.decode("utf-8")
    if current:
        chunks.append(current)
    return chunks or [""]


def with_numbered_options(text: str, titles: Sequence[str]) -> str:
    """Buttons as numbered options the user answers with a digit (§4.4)."""
    if not titles:
        return text
    options = "\n".join(f"{i}. {t}" for i, t in enumerate(titles, 1))
    return f"{text}\n\n{channel_texts().numbered_options}\n{options}"
