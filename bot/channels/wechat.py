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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import aiohttp
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.identity import wechat_sender
from bot.channels.wechat_crypto import Keys, WeChatCryptoError, check_signature, encrypted_reply
from bot.channels.wechat_xml import (
    MAX_BODY_BYTES,
    InboundMessage,
    WeChatXmlError,
    encrypted_envelope,
    parse_body,
    parse_inner,
    parse_message,
    split_text,
    text_reply,
    transfer_reply,
    with_numbered_options,
)
from bot.rasa import patches


logger = logging.getLogger(__name__)
DEDUPE_TTL_S = 300
CUSTOMER_SERVICE = "customer_service"
RIDE_RETRIES = "retry"
TOKEN_ERRORS = {40001, 40014, 42001}
UNSUPPORTED_RESPONSE = "utter_wechat_unsupported"
ACCOUNT_NAME = re.compile(r"[a-z0-9_-]{1,40}")
SAFE, COMPATIBLE, PLAIN = "safe", "compatible", "plain"  # the console's 安全模式 / 兼容模式 / 明文模式
MODES = (SAFE, COMPATIBLE, PLAIN)
NUMBERED_OPTION = re.compile(r"[0-9]{1,2}")  # ASCII digits only: '①', '²' and 5,000 digits are plain text
DEFAULT_MENU = {"TEST_DRIVE": "/request_test_drive", "MODELS": "/choose_model", "FINANCE": "/ask_financing"}


def _env(credentials: Dict[str, Any], key: str, default: Any = None) -> Any:
    value = credentials.get(key)
    if value in (None, ""):
        value = os.environ.get(f"WECHAT_{key.upper()}")
    return default if value in (None, "") else value  # an empty variable means "not set"


@dataclass
class _Turn:
    task: "asyncio.Task[List[Dict[str, Any]]]"
    started: float
    delivered: bool = False  # sent in a passive reply or by the customer-service API
    async_scheduled: bool = False  # the passive budget ran out: the API will deliver it


@dataclass
class Account:
    """One Official Account (or WeCom app): its own token, AppID/CorpID, AES keys and access token.
    A dealer group runs one per showroom; the default account answers at ``/webhook`` and each
    named one at ``/webhook/<name>``."""

    name: str
    token: Optional[str]
    appid: str = ""
    appsecret: Optional[str] = None
    keys: Optional[Keys] = None
    delivery: str = CUSTOMER_SERVICE
    mode: str = PLAIN  # safe: only encrypted pushes are accepted (the default once a key is set)
    # customer service (客服) enabled: a request for a person is handed over with transfer_customer_service
    transfer_to_kf: bool = False
    kf_account: Optional[str] = None
    access_token: Optional[Tuple[str, float]] = None
    token_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def from_settings(cls, name: str, settings: Dict[str, Any], where: str = "") -> "Account":
        def text(key: str) -> Optional[str]:
            value = settings.get(key)
            if value is not None and not isinstance(value, (str, int)):
                raise ValueError(f"{where}{key}: expected text, got {type(value).__name__}")
            return str(value) if value not in (None, "") else None

        delivery = text("delivery") or CUSTOMER_SERVICE
        if delivery not in (CUSTOMER_SERVICE, RIDE_RETRIES):
            raise ValueError(f"{where}delivery: '{delivery}' is not {CUSTOMER_SERVICE} or {RIDE_RETRIES}")
        try:
            keys = Keys.from_settings(text("encoding_aes_key"), text("previous_encoding_aes_key")) \
                if text("encoding_aes_key") else None
        except WeChatCryptoError as e:
            raise ValueError(f"{where}encoding_aes_key: {e}") from None
        mode = text("mode") or (SAFE if keys else PLAIN)
        if mode not in MODES:
            raise ValueError(f"{where}mode: '{mode}' is not one of {', '.join(MODES)}")
        if mode != PLAIN and keys is None:
            raise ValueError(f"{where}mode: {mode} mode needs encoding_aes_key")
        transfer = (text("transfer_to_kf") or "false").lower()
        if transfer not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"{where}transfer_to_kf: '{transfer}' is not true or false")
        return cls(name=name, token=text("token"), appid=text("appid") or "", appsecret=text("appsecret"),
                   keys=keys, delivery=delivery, mode=mode, transfer_to_kf=transfer in ("true", "1", "yes"),
                   kf_account=text("kf_account"))


def _asks_for_a_person(messages: List[Dict[str, Any]]) -> bool:
    """The turn handed the conversation to a person (``action_hand_over`` sends ``{"handoff": ...}``)."""
    return any(isinstance(m.get("custom"), dict) and "handoff" in m["custom"] for m in messages)


def load_accounts(path: Path) -> Dict[str, Account]:
    """Named accounts from a YAML file kept outside the repository (it holds secrets)::

        accounts:
          - name: showroom-east        # served at /webhooks/wechat/webhook/showroom-east
            token: ...
            appid: wx...               # the CorpID for a WeCom app
            appsecret: ...
            encoding_aes_key: ...
            delivery: customer_service # or retry

    Errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ValueError(f"{path}: cannot read WeChat accounts: {e}") from None
    entries = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: accounts: expected a list of accounts")
    accounts: Dict[str, Account] = {}
    for i, entry in enumerate(entries):
        where = f"{path}: accounts[{i}]."
        if not isinstance(entry, dict):
            raise ValueError(f"{where[:-1]}: expected a mapping")
        name = str(entry.get("name") or "")
        if not ACCOUNT_NAME.fullmatch(name):
            raise ValueError(f"{where}name: '{name}' must be 1-40 of a-z, 0-9, - or _")
        if name in accounts:
            raise ValueError(f"{where}name: '{name}' is listed twice")
        account = Account.from_settings(name, entry, where)
        if not account.token:
            raise ValueError(f"{where}token: missing")
        accounts[name] = account
    return accounts


@dataclass
class _State:
    turns: Dict[str, _Turn] = field(default_factory=dict)
    options: Dict[str, List[str]] = field(default_factory=dict)  # sender id -> payloads of numbered options
    # (account, timestamp, nonce, signature) -> (dedupe key of the push first signed so, when seen)
    signed: Dict[Tuple[str, str, str, str], Tuple[str, float]] = field(default_factory=dict)
    turn_slots: Optional[asyncio.Semaphore] = None  # created on the server's event loop


class WeChatInput(InputChannel):
    """Rasa input channel for a WeChat Official Account (``/webhooks/wechat/webhook``)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        """Secrets come from environment variables (WECHAT_TOKEN, WECHAT_APPID, WECHAT_APPSECRET,
        WECHAT_ENCODING_AES_KEY, WECHAT_PREVIOUS_ENCODING_AES_KEY), so none is committed. Further
        accounts come from the YAML file named by WECHAT_ACCOUNTS_FILE (see ``load_accounts``)."""
        c = credentials or {}
        accounts_file = _env(c, "accounts_file")
        return cls(
            token=_env(c, "token"), appid=_env(c, "appid"), appsecret=_env(c, "appsecret"),
            encoding_aes_key=_env(c, "encoding_aes_key"),
            previous_encoding_aes_key=_env(c, "previous_encoding_aes_key"), mode=_env(c, "mode"),
            transfer_to_kf=_env(c, "transfer_to_kf"), kf_account=_env(c, "kf_account"),
            api_base=_env(c, "api_base", "https://api.weixin.qq.com"),
            reply_budget_s=float(_env(c, "reply_budget", 4.0)),
            reply_margin_s=float(_env(c, "reply_margin", 1.5)),
            timestamp_window_s=int(_env(c, "timestamp_window", 300)),
            delivery=_env(c, "delivery", CUSTOMER_SERVICE),
            menu=c.get("menu") or DEFAULT_MENU,
            welcome_payload=c.get("welcome_payload") or "/greet",
            max_concurrent_turns=int(_env(c, "max_concurrent_turns", 1)),
            accounts=load_accounts(Path(accounts_file)) if accounts_file else None,
        )

    def __init__(self, token: Optional[str], appid: Optional[str], appsecret: Optional[str] = None,
                 encoding_aes_key: Optional[str] = None, previous_encoding_aes_key: Optional[str] = None,
                 api_base: str = "https://api.weixin.qq.com", reply_budget_s: float = 4.0,
                 reply_margin_s: float = 1.5,
                 timestamp_window_s: int = 300, delivery: str = CUSTOMER_SERVICE,
                 menu: Optional[Dict[str, str]] = None, welcome_payload: str = "/greet",
                 max_concurrent_turns: int = 1, accounts: Optional[Dict[str, Account]] = None,
                 mode: Optional[str] = None, transfer_to_kf: Any = None, kf_account: Optional[str] = None) -> None:
        self.default = Account.from_settings("", {
            "token": token, "appid": appid, "appsecret": appsecret, "encoding_aes_key": encoding_aes_key,
            "previous_encoding_aes_key": previous_encoding_aes_key, "mode": mode,
            "transfer_to_kf": str(transfer_to_kf).lower() if transfer_to_kf not in (None, "") else None,
            "kf_account": kf_account,
            "delivery": delivery if delivery in (CUSTOMER_SERVICE, RIDE_RETRIES) else CUSTOMER_SERVICE})
        self.accounts = dict(accounts or {})
        self.api_base = api_base.rstrip("/")
        self.reply_budget_s = reply_budget_s
        # The budget is what WeChat sees. Under a burst the event loop runs late (Rasa computes on
        # it): with 100 pushes at once a request reached this handler up to 0.8 s after it was
        # sent, so the channel stops waiting for a passive answer a margin before the budget ends.
        self.passive_wait_s = max(0.2, reply_budget_s - max(0.0, reply_margin_s))
        self.timestamp_window_s = timestamp_window_s
        self.menu = dict(menu or {})
        self.welcome_payload = welcome_payload
        self.max_concurrent_turns = max(1, max_concurrent_turns)
        self.state = _State()
        self.tracker_store: Any = None  # the agent's, once the server starts (a paused conversation is noted)

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

    def _replayed(self, account: Account, request: Request, key: str) -> bool:
        """True when this push's signed URL was already used for a different push: a replay of a
        captured URL with another body. WeChat's own retries repeat the same push (same dedupe key)
        and pass; a replay is answered like a duplicate, never with a 4xx (§6)."""
        a = request.args
        signed = (account.name, a.get("timestamp", ""), a.get("nonce", ""),
                  a.get("msg_signature", "") or a.get("signature", ""))
        now = time.time()
        window = max(self.timestamp_window_s, DEDUPE_TTL_S)
        for k in [k for k, (_, seen) in self.state.signed.items() if now - seen > window]:
            del self.state.signed[k]
        first = self.state.signed.setdefault(signed, (key, now))
        return first[0] != key

    def _text_for(self, message: InboundMessage, sender: str) -> Optional[str]:
        """What to send to Rasa for this push, or None when no bot turn is due."""
        kind = message.msg_type
        if kind == "text":
            content = (message.content or "").strip()
            options = self.state.options.get(sender) or []
            if NUMBERED_OPTION.fullmatch(content) and 1 <= int(content) <= len(options):
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
                        message: InboundMessage, sender: str) -> List[Dict[str, Any]]:
        # Rasa's NLU and policies run on the event loop and block it while they compute. With every
        # push starting its turn at once, a burst of 100 users queues 100 blocking steps ahead of
        # the timers that end the passive budget, and WeChat saw 15 s responses. Admitting one turn
        # at a time (measured: slowest response 3.9 s with one, 5.9 s with two, same throughput on
        # two cores) keeps the loop free enough for each request to be answered within its budget;
        # the rest are answered through the customer-service API as they finish.
        if self.state.turn_slots is None:
            self.state.turn_slots = asyncio.Semaphore(self.max_concurrent_turns)
        async with self.state.turn_slots:
            return await self._run_turn_now(on_new_message, text, message, sender)

    async def _run_turn_now(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str,
                            message: InboundMessage, sender: str) -> List[Dict[str, Any]]:
        # The guard answers over-long text with a request to shorten it and, when the action server is
        # down or slow (bounded by BOT_ACTION_TIMEOUT), with the consultant follow-up text instead of nothing.
        from bot.channels.inputs import guard_for

        collector = CollectingOutputChannel()
        metadata = {"openid": message.from_user, "msg_id": message.msg_id, "msg_type": message.msg_type}
        await guard_for(self.name()).run(on_new_message, UserMessage(text, collector, sender,
                                                                     input_channel=self.name(), metadata=metadata),
                                         tracker_store=self.tracker_store)
        return collector.messages

    def _forget_follower(self, sender: str) -> None:
        """An unfollow deletes the follower's conversation and lead with this account (§6: an OpenID
        is personal data), off the event loop; the answer to WeChat does not wait for it."""
        from bot.privacy.retention import forget

        self.state.options.pop(sender, None)

        def run() -> None:
            try:
                forget(sender, other_ids=False)
                logger.info("wechat follower unsubscribed: conversation deleted")
            except Exception as e:  # the database is down: the follower can still ask to be forgotten
                logger.error("wechat unsubscribe: deleting the conversation failed (%s: %s)", type(e).__name__, e)

        asyncio.get_running_loop().run_in_executor(None, run)

    def _render(self, sender: str, messages: List[Dict[str, Any]]) -> List[str]:
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
            self.state.options[sender] = [p for _, p in payloads]
        else:
            self.state.options.pop(sender, None)
        return split_text(body) if body else []

    # -- customer-service API -----------------------------------------------------------------

    async def _access_token(self, account: Account, session: aiohttp.ClientSession,
                            stale: Optional[str] = None) -> str:
        """The account's access token; with ``stale`` (a token WeChat just refused), a new one —
        unless another request already replaced that token meanwhile: concurrent requests that all
        saw 40001 cause one refresh, not one each (single flight)."""
        async with account.token_lock:
            cached = account.access_token
            if cached and cached[1] > time.time() and cached[0] != stale:
                return cached[0]
            refresh = stale is not None
            async with session.post(f"{self.api_base}/cgi-bin/stable_token",
                                    json={"grant_type": "client_credential", "appid": account.appid,
                                          "secret": account.appsecret or "", "force_refresh": refresh}) as r:
                data = await r.json(content_type=None)
            if "access_token" not in data:
                raise RuntimeError(f"access_token refused: errcode {data.get('errcode')}")
            # refresh five minutes before it expires (§4.3)
            account.access_token = (data["access_token"], time.time() + int(data.get("expires_in", 7200)) - 300)
            return data["access_token"]

    async def _send_customer_service(self, account: Account, openid: str, chunks: List[str]) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for chunk in chunks:
                stale: Optional[str] = None
                for attempt in (1, 2):
                    token = await self._access_token(account, session, stale=stale)
                    body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": chunk}},
                                      ensure_ascii=False)  # unescaped UTF-8 (errcode 40033 otherwise)
                    async with session.post(f"{self.api_base}/cgi-bin/message/custom/send",
                                            params={"access_token": token}, data=body.encode("utf-8"),
                                            headers={"Content-Type": "application/json"}) as r:
                        result = await r.json(content_type=None)
                    code = result.get("errcode", 0)
                    if code in TOKEN_ERRORS and attempt == 1:
                        stale = token  # invalid or expired: refresh once (if nobody did) and retry once
                        continue
                    if code:
                        logger.warning("wechat customer-service send failed: errcode %s (%s)", code,
                                       "user out of the 48 h window or unfollowed" if code == 45015 else
                                       "send quota for this user exhausted" if code == 45047 else "see §4.5")
                    break

    async def _deliver_later(self, account: Account, key: str, turn: _Turn, openid: str, sender: str) -> None:
        try:
            messages = await turn.task
        except Exception:  # the Rasa turn failed: nothing to deliver, nothing to crash
            logger.exception("wechat turn failed")
            return
        if turn.delivered:
            return
        turn.delivered = True
        chunks = self._render(sender, messages)
        if chunks:
            try:
                await self._send_customer_service(account, openid, chunks)
                logger.info("wechat reply path=customer_service key=%s", key)
            except Exception:
                logger.exception("wechat customer-service delivery failed")

    # -- blueprint ----------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        patches.install()  # this channel's turns rely on the Rasa patches (action guard)
        bp = Blueprint("wechat_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": bool(self.default.token),
                                  "accounts": sorted(self.accounts)})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self._verify(request, self.default)

        @bp.route("/webhook/<name>", methods=["GET"])
        async def verify_named(request: Request, name: str) -> HTTPResponse:
            account = self.accounts.get(name)
            return self._verify(request, account) if account else response.text("unknown account", status=404)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive_safely(request, self.default, on_new_message)

        @bp.route("/webhook/<name>", methods=["POST"])
        async def receive_named(request: Request, name: str) -> HTTPResponse:
            account = self.accounts.get(name)
            if account is None:
                return response.text("unknown account", status=404)
            return await self._receive_safely(request, account, on_new_message)

        @bp.exception(Exception)
        async def unexpected(request: Request, error: Exception) -> HTTPResponse:
            # Any 5xx makes WeChat show 该公众号暂时无法提供服务; Sanic's own 4xx (404, 405) stay.
            status = getattr(error, "status_code", 500)
            if isinstance(status, int) and 400 <= status < 500:
                return response.text(str(error) or "bad request", status=status)
            logger.error("wechat request failed (%s: %s); answered success", type(error).__name__, error)
            return response.text("success")

        return bp

    async def _receive_safely(self, request: Request, account: Account,
                              on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """``_receive``; an unexpected error is logged (phone numbers masked, no URL with its signature
        and OpenID) and answered ``success``, so WeChat neither shows its error notice nor retries."""
        try:
            return await self._receive(request, account, on_new_message)
        except Exception as e:
            logger.error("wechat push to account '%s' failed (%s: %s); answered success", account.name or "default",
                         type(e).__name__, e)
            return response.text("success")

    def _verify(self, request: Request, account: Account) -> HTTPResponse:
        """URL verification: an Official Account echoes ``echostr``; a WeCom app (or an account in
        safe mode that signs with msg_signature) sends it encrypted and gets the plaintext back."""
        if not account.token:
            return response.text("wechat channel not configured", status=503)
        a = request.args
        timestamp, nonce, echostr = a.get("timestamp", ""), a.get("nonce", ""), a.get("echostr", "")
        if a.get("msg_signature"):
            if not account.keys:
                return response.text("encrypted verification without an EncodingAESKey", status=400)
            if not check_signature(account.token, timestamp, nonce, a.get("msg_signature", ""), echostr):
                return response.text("msg_signature mismatch", status=403)
            try:
                plain, _ = account.keys.decrypt(echostr, account.appid)
            except WeChatCryptoError as e:
                logger.warning("wechat verification refused: %s", e)
                return response.text(f"bad request: {e}", status=400)
            return response.text(plain)
        if check_signature(account.token, timestamp, nonce, a.get("signature", "")):
            return response.text(echostr)
        return response.text("signature mismatch", status=403)

    async def _receive(self, request: Request, account: Account,
                       on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        if not account.token:
            return response.text("wechat channel not configured", status=503)
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.text("body too large", status=413)
        a = request.args
        timestamp, nonce = a.get("timestamp", ""), a.get("nonce", "")
        encrypted = a.get("encrypt_type") == "aes" or (a.get("msg_signature") and not a.get("signature"))
        # Official Accounts sign the query with `signature` (safe mode adds msg_signature); WeCom
        # apps send only msg_signature, which covers the ciphertext.
        if not encrypted or a.get("signature"):
            if not check_signature(account.token, timestamp, nonce, a.get("signature", "")):
                return response.text("signature mismatch", status=403)
        if not encrypted and account.mode == SAFE:
            # In safe mode every genuine push is encrypted; a plaintext body signed only over the
            # query string could come from anyone who saw one signed URL.
            logger.warning("wechat plaintext push refused: account '%s' is in safe mode", account.name or "default")
            return response.text("plaintext push refused: this account is in safe mode", status=403)
        if not self._fresh(timestamp):
            return response.text("stale timestamp", status=403)
        try:
            fields = parse_body(request.body or b"")
            key = None
            if encrypted:
                if not account.keys or not fields.get("Encrypt"):
                    return response.text("encrypted message without key or Encrypt", status=400)
                if not check_signature(account.token, timestamp, nonce, a.get("msg_signature", ""),
                                       fields["Encrypt"]):
                    return response.text("msg_signature mismatch", status=403)
                inner, key = account.keys.decrypt(fields["Encrypt"], account.appid)
                fields = parse_inner(inner)
            message = parse_message(fields)
        except (WeChatXmlError, WeChatCryptoError) as e:
            logger.warning("wechat push refused: %s", e)
            return response.text(f"bad request: {e}", status=400)
        if self._replayed(account, request, message.dedupe_key):
            logger.warning("wechat push with a signed URL already used for another push: acknowledged, not answered")
            return response.text("success")
        reply = await self._handle(request, account, on_new_message, message)
        if reply is None:
            return response.text("success")
        if key is not None:
            enc, sig = encrypted_reply(account.token, key, account.appid, reply, timestamp, nonce)
            return response.text(encrypted_envelope(enc, sig, timestamp, nonce), content_type="application/xml")
        return response.text(reply, content_type="application/xml")

    async def _handle(self, request: Request, account: Account, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      message: InboundMessage) -> Optional[str]:
        """The passive reply XML for this push, or None to answer ``success``."""
        now = time.time()
        for k in [k for k, t in self.state.turns.items() if now - t.started > DEDUPE_TTL_S]:
            del self.state.turns[k]
        self.tracker_store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
        key = f"{account.name}:{message.dedupe_key}"
        sender = wechat_sender(account.name, message.from_user)
        turn = self.state.turns.get(key)
        duplicate = turn is not None
        if turn is None:
            text = self._text_for(message, sender)
            if message.msg_type == "event" and (message.event or "").lower() == "unsubscribe":
                self._forget_follower(sender)
            if text is None:
                if message.msg_type in ("image", "location", "link", "video", "shortvideo", "voice"):
                    return text_reply(message, self._unsupported_text(request))
                return None  # unsubscribe, VIEW, unknown events: nothing to say
            task = asyncio.ensure_future(self._run_turn(on_new_message, text, message, sender))
            turn = _Turn(task, now)
            self.state.turns[key] = turn
        if turn.delivered or turn.async_scheduled:
            logger.info("wechat duplicate already answered or on its way key=%s", key)
            return None
        budget = self.passive_wait_s
        if account.delivery == RIDE_RETRIES and not duplicate:
            budget = 5.5  # hold the first request past WeChat's 5 s; the retry gets the answer
        try:
            messages = await asyncio.wait_for(asyncio.shield(turn.task), timeout=budget)
        except asyncio.TimeoutError:
            if account.delivery == CUSTOMER_SERVICE and not turn.async_scheduled:
                turn.async_scheduled = True
                asyncio.ensure_future(self._deliver_later(account, key, turn, message.from_user, sender))
            logger.info("wechat reply path=%s key=%s", "async" if account.delivery == CUSTOMER_SERVICE else "await_retry",
                        key)
            return None
        except Exception:
            logger.exception("wechat turn failed")
            return None
        if turn.delivered:
            return None
        turn.delivered = True
        chunks = self._render(sender, messages)
        if account.transfer_to_kf and _asks_for_a_person(messages) and message.msg_type in ("text", "voice"):
            # Hand this message to the account's customer service (多客服); the bot's own answer (when a
            # person will answer) goes through the customer-service message API.
            if chunks and account.delivery == CUSTOMER_SERVICE:
                asyncio.ensure_future(self._send_customer_service(account, message.from_user, chunks))
            logger.info("wechat reply path=transfer_customer_service key=%s", key)
            return transfer_reply(message, account.kf_account)
        if not chunks:
            return None
        if len(chunks) > 1 and account.delivery == CUSTOMER_SERVICE:
            asyncio.ensure_future(self._send_customer_service(account, message.from_user, chunks[1:]))
        logger.info("wechat reply path=passive key=%s duplicate=%s", key, duplicate)
        return text_reply(message, chunks[0])

    @staticmethod
    def _unsupported_text(request: Request) -> str:
        domain = request.app.ctx.agent.domain
        variants = domain.responses.get(UNSUPPORTED_RESPONSE) or [{"text": ""}]
        return variants[0].get("text", "")
