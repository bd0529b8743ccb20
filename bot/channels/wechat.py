"""WeChat Official Account bridge (wechat-protocol.md §1–§4, §6, §9).

GET verifies the server URL; POST takes messages in plain, compatible and safe (AES) mode. Each
push is verified (constant-time signatures, a freshness window), parsed with a hardened parser,
deduplicated (WeChat retries the same MsgId), and sent to Rasa with the OpenID as sender id. The
answer goes back as a passive reply when it is ready within the budget; otherwise the channel
answers ``success`` and delivers it through the customer-service message API, or — for accounts
without that API — waits for WeChat's retry and answers that.
"""

import asyncio
import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.wechat_crypto import Keys, WeChatCryptoError, check_signature, encrypted_reply
from bot.channels.wechat_xml import (
    MAX_BODY_BYTES,
    InboundMessage,
    WeChatXmlError,
    encrypted_envelope,
    parse_message,
    parse_xml,
    split_text,
    text_reply,
    with_numbered_options,
)

logger = logging.getLogger(__name__)
DEDUPE_TTL_S = 300
CUSTOMER_SERVICE = "customer_service"
RIDE_RETRIES = "retry"
TOKEN_ERRORS = {40001, 40014, 42001}
UNSUPPORTED_RESPONSE = "utter_wechat_unsupported"
DEFAULT_MENU = {"TEST_DRIVE": "/request_test_drive", "MODELS": "/choose_model", "FINANCE": "/ask_financing"}


def _env(credentials: Dict[str, Any], key: str, default: Any = None) -> Any:
    value = credentials.get(key)
    return value if value not in (None, "") else os.environ.get(f"WECHAT_{key.upper()}", default)


@dataclass
class _Turn:
    task: "asyncio.Task[List[Dict[str, Any]]]"
    started: float
    delivered: bool = False  # sent in a passive reply or by the customer-service API
    async_scheduled: bool = False  # the passive budget ran out: the API will deliver it


@dataclass
class _State:
    turns: Dict[str, _Turn] = field(default_factory=dict)
    options: Dict[str, List[str]] = field(default_factory=dict)  # OpenID -> payloads of numbered options
    token: Optional[Tuple[str, float]] = None
    token_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class WeChatInput(InputChannel):
    """Rasa input channel for a WeChat Official Account (``/webhooks/wechat/webhook``)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        """Secrets come from environment variables (WECHAT_TOKEN, WECHAT_APPID, WECHAT_APPSECRET,
        WECHAT_ENCODING_AES_KEY, WECHAT_PREVIOUS_ENCODING_AES_KEY), so none is committed."""
        c = credentials or {}
        return cls(
            token=_env(c, "token"), appid=_env(c, "appid"), appsecret=_env(c, "appsecret"),
            encoding_aes_key=_env(c, "encoding_aes_key"),
            previous_encoding_aes_key=_env(c, "previous_encoding_aes_key"),
            api_base=_env(c, "api_base", "https://api.weixin.qq.com"),
            reply_budget_s=float(_env(c, "reply_budget", 4.0)),
            timestamp_window_s=int(_env(c, "timestamp_window", 300)),
            delivery=_env(c, "delivery", CUSTOMER_SERVICE),
            menu=c.get("menu") or DEFAULT_MENU,
            welcome_payload=c.get("welcome_payload") or "/greet",
        )

    def __init__(self, token: Optional[str], appid: Optional[str], appsecret: Optional[str] = None,
                 encoding_aes_key: Optional[str] = None, previous_encoding_aes_key: Optional[str] = None,
                 api_base: str = "https://api.weixin.qq.com", reply_budget_s: float = 4.0,
                 timestamp_window_s: int = 300, delivery: str = CUSTOMER_SERVICE,
                 menu: Optional[Dict[str, str]] = None, welcome_payload: str = "/greet") -> None:
        self.token = token
        self.appid = appid or ""
        self.appsecret = appsecret
        self.keys = Keys.from_settings(encoding_aes_key, previous_encoding_aes_key) if encoding_aes_key else None
        self.api_base = api_base.rstrip("/")
        self.reply_budget_s = reply_budget_s
        self.timestamp_window_s = timestamp_window_s
        self.delivery = delivery if delivery in (CUSTOMER_SERVICE, RIDE_RETRIES) else CUSTOMER_SERVICE
        self.menu = dict(menu or {})
        self.welcome_payload = welcome_payload
        self.state = _State()

    # -- verification -------------------------------------------------------------------------

    def _fresh(self, timestamp: str) -> bool:
        # Without a window a captured signed URL could be replayed forever (plain mode signs only
        # the query string, §6).
        if self.timestamp_window_s <= 0:
            return True
        try:
            return abs(time.time() - int(timestamp)) <= self.timestamp_window_s
        except ValueError:
            return False

    # -- Rasa turn ----------------------------------------------------------------------------

    def _text_for(self, message: InboundMessage) -> Optional[str]:
        """What to send to Rasa for this push, or None when no bot turn is due."""
        kind = message.msg_type
        if kind == "text":
            content = (message.content or "").strip()
            options = self.state.options.get(message.from_user) or []
            if content.isdigit() and 1 <= int(content) <= len(options):
                return options[int(content) - 1]
            return content
        if kind == "voice":
            return (message.recognition or "").strip() or None
        if kind == "event":
            event = (message.event or "").lower()
            if event == "subscribe":
                return self.welcome_payload
            if event == "click":
                return self.menu.get(message.event_key or "")
            return None
        return None

    async def _run_turn(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str,
                        message: InboundMessage) -> List[Dict[str, Any]]:
        collector = CollectingOutputChannel()
        metadata = {"openid": message.from_user, "msg_id": message.msg_id, "msg_type": message.msg_type}
        await on_new_message(UserMessage(text, collector, message.from_user, input_channel=self.name(),
                                         metadata=metadata))
        return collector.messages

    def _render(self, openid: str, messages: List[Dict[str, Any]]) -> List[str]:
        """Bot messages as text chunks of at most 2048 bytes; buttons become numbered options."""
        texts, payloads = [], []
        for m in messages:
            if m.get("text"):
                texts.append(m["text"])
            for b in m.get("buttons") or []:
                payloads.append((b.get("title", ""), b.get("payload", "")))
        body = "\n\n".join(texts)
        if payloads:
            body = with_numbered_options(body, [t for t, _ in payloads])
            self.state.options[openid] = [p for _, p in payloads]
        else:
            self.state.options.pop(openid, None)
        return split_text(body) if body else []

    # -- customer-service API -----------------------------------------------------------------

    async def _access_token(self, session: aiohttp.ClientSession, refresh: bool = False) -> str:
        async with self.state.token_lock:
            cached = self.state.token
            if cached and not refresh and cached[1] > time.time():
                return cached[0]
            async with session.post(f"{self.api_base}/cgi-bin/stable_token",
                                    json={"grant_type": "client_credential", "appid": self.appid,
                                          "secret": self.appsecret or "", "force_refresh": refresh}) as r:
                data = await r.json(content_type=None)
            if "access_token" not in data:
                raise RuntimeError(f"access_token refused: errcode {data.get('errcode')}")
            # refresh five minutes before it expires (§4.3)
            self.state.token = (data["access_token"], time.time() + int(data.get("expires_in", 7200)) - 300)
            return data["access_token"]

    async def _send_customer_service(self, openid: str, chunks: List[str]) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for chunk in chunks:
                for attempt in (1, 2):
                    token = await self._access_token(session, refresh=attempt == 2)
                    body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": chunk}},
                                      ensure_ascii=False)  # unescaped UTF-8 (errcode 40033 otherwise)
                    async with session.post(f"{self.api_base}/cgi-bin/message/custom/send",
                                            params={"access_token": token}, data=body.encode("utf-8"),
                                            headers={"Content-Type": "application/json"}) as r:
                        result = await r.json(content_type=None)
                    code = result.get("errcode", 0)
                    if code in TOKEN_ERRORS and attempt == 1:
                        continue  # token invalid or expired: refresh once and retry once
                    if code:
                        logger.warning("wechat customer-service send failed: errcode %s (%s)", code,
                                       "user out of the 48 h window or unfollowed" if code == 45015 else
                                       "send quota for this user exhausted" if code == 45047 else "see §4.5")
                    break

    async def _deliver_later(self, key: str, turn: _Turn, openid: str) -> None:
        try:
            messages = await turn.task
        except Exception:  # the Rasa turn failed: nothing to deliver, nothing to crash
            logger.exception("wechat turn failed")
            return
        if turn.delivered:
            return
        turn.delivered = True
        chunks = self._render(openid, messages)
        if chunks:
            try:
                await self._send_customer_service(openid, chunks)
                logger.info("wechat reply path=customer_service key=%s", key)
            except Exception:
                logger.exception("wechat customer-service delivery failed")

    # -- blueprint ----------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("wechat_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": bool(self.token)})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.token:
                return response.text("wechat channel not configured", status=503)
            a = request.args
            if check_signature(self.token, a.get("timestamp", ""), a.get("nonce", ""), a.get("signature", "")):
                return response.text(a.get("echostr", ""))
            return response.text("signature mismatch", status=403)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.token:
                return response.text("wechat channel not configured", status=503)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.text("body too large", status=413)
            a = request.args
            timestamp, nonce = a.get("timestamp", ""), a.get("nonce", "")
            if not check_signature(self.token, timestamp, nonce, a.get("signature", "")):
                return response.text("signature mismatch", status=403)
            if not self._fresh(timestamp):
                return response.text("stale timestamp", status=403)
            try:
                fields = parse_xml(request.body)
                key = None
                if a.get("encrypt_type") == "aes":
                    if not self.keys or not fields.get("Encrypt"):
                        return response.text("encrypted message without key or Encrypt", status=400)
                    if not check_signature(self.token, timestamp, nonce, a.get("msg_signature", ""),
                                           fields["Encrypt"]):
                        return response.text("msg_signature mismatch", status=403)
                    inner, key = self.keys.decrypt(fields["Encrypt"], self.appid)
                    fields = parse_xml(inner.encode("utf-8"))
                message = parse_message(fields)
            except (WeChatXmlError, WeChatCryptoError) as e:
                logger.warning("wechat push refused: %s", e)
                return response.text(f"bad request: {e}", status=400)
            reply = await self._handle(request, on_new_message, message)
            if reply is None:
                return response.text("success")
            if key is not None:
                enc, sig = encrypted_reply(self.token, key, self.appid, reply, timestamp, nonce)
                return response.text(encrypted_envelope(enc, sig, timestamp, nonce), content_type="application/xml")
            return response.text(reply, content_type="application/xml")

        return bp

    async def _handle(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      message: InboundMessage) -> Optional[str]:
        """The passive reply XML for this push, or None to answer ``success``."""
        now = time.time()
        for k in [k for k, t in self.state.turns.items() if now - t.started > DEDUPE_TTL_S]:
            del self.state.turns[k]
        key = message.dedupe_key
        turn = self.state.turns.get(key)
        duplicate = turn is not None
        if turn is None:
            text = self._text_for(message)
            if text is None:
                if message.msg_type in ("image", "location", "link", "video", "shortvideo", "voice"):
                    return text_reply(message, self._unsupported_text(request))
                return None  # unsubscribe, VIEW, unknown events: nothing to say
            task = asyncio.ensure_future(self._run_turn(on_new_message, text, message))
            turn = _Turn(task, now)
            self.state.turns[key] = turn
        if turn.delivered or turn.async_scheduled:
            logger.info("wechat duplicate already answered or on its way key=%s", key)
            return None
        budget = self.reply_budget_s
        if self.delivery == RIDE_RETRIES and not duplicate:
            budget = 5.5  # hold the first request past WeChat's 5 s; the retry gets the answer
        try:
            messages = await asyncio.wait_for(asyncio.shield(turn.task), timeout=budget)
        except asyncio.TimeoutError:
            if self.delivery == CUSTOMER_SERVICE and not turn.async_scheduled:
                turn.async_scheduled = True
                asyncio.ensure_future(self._deliver_later(key, turn, message.from_user))
            logger.info("wechat reply path=%s key=%s", "async" if self.delivery == CUSTOMER_SERVICE else "await_retry",
                        key)
            return None
        except Exception:
            logger.exception("wechat turn failed")
            return None
        if turn.delivered:
            return None
        turn.delivered = True
        chunks = self._render(message.from_user, messages)
        if not chunks:
            return None
        if len(chunks) > 1 and self.delivery == CUSTOMER_SERVICE:
            asyncio.ensure_future(self._send_customer_service(message.from_user, chunks[1:]))
        logger.info("wechat reply path=passive key=%s duplicate=%s", key, duplicate)
        return text_reply(message, chunks[0])

    @staticmethod
    def _unsupported_text(request: Request) -> str:
        domain = request.app.ctx.agent.domain
        variants = domain.responses.get(UNSUPPORTED_RESPONSE) or [{"text": ""}]
        return variants[0].get("text", "")
