"""WeChat Official Account bridge (wechat-protocol.md §1–§4, §6, §9).

GET verifies the server URL; POST takes messages in plain, compatible and safe (AES) mode. Each
push is verified (constant-time signatures, a freshness window), parsed with a hardened parser,
deduplicated (WeChat retries the same MsgId), and sent to Rasa with the OpenID as sender id. The
answer goes back as a passive reply when it is ready within the budget; otherwise the channel
answers ``success`` and delivers it through the customer-service message API, or — for accounts
without that API — waits for WeChat's retry and answers that.

This module holds the Rasa channel and its routes; the rest of the bridge is Rasa-free:
``wechat_accounts`` (account settings and the accounts file), ``wechat_api`` (customer-service API
and access tokens), ``wechat_options`` (buttons as numbered options), ``wechat_turns`` (dedupe,
replay refusal, one turn at a time), ``wechat_crypto`` and ``wechat_xml`` (the wire format).
"""

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import wechat_options
from bot.channels.identity import wechat_sender
from bot.channels.inputs import NamedChannel
from bot.channels.wechat_accounts import (  # noqa: F401 (Account, load_accounts: re-exported)
    CUSTOMER_SERVICE,
    DELIVERIES,
    RIDE_RETRIES,
    SAFE,
    Account,
    default_account,
    load_accounts,
)
from bot.channels.wechat_api import DEFAULT_API_BASE, CustomerServiceApi
from bot.channels.wechat_crypto import WeChatCryptoError, check_signature, encrypted_reply
from bot.channels.wechat_turns import Turn, TurnState
from bot.channels.wechat_xml import (
    MAX_BODY_BYTES,
    InboundMessage,
    WeChatXmlError,
    encrypted_envelope,
    parse_body,
    parse_inner,
    parse_message,
    text_reply,
    transfer_reply,
)
from bot.rasa import patches
from bot.rasa.names import UTTER_WECHAT_UNSUPPORTED

logger = logging.getLogger(__name__)
DEFAULT_MENU = {"TEST_DRIVE": "/request_test_drive", "MODELS": "/choose_model", "FINANCE": "/ask_financing"}
RIDE_RETRIES_HOLD_S = 5.5  # hold the first request past WeChat's 5 s; the retry gets the answer


def _env(credentials: Dict[str, Any], key: str, default: Any = None) -> Any:
    value = credentials.get(key)
    if value in (None, ""):
        value = os.environ.get(f"WECHAT_{key.upper()}")
    return default if value in (None, "") else value  # an empty variable means "not set"


class WeChatInput(NamedChannel, InputChannel):
    """Rasa input channel for a WeChat Official Account (``/webhooks/wechat/webhook``)."""

    channel = "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        """Secrets come from environment variables (WECHAT_TOKEN, WECHAT_APPID, WECHAT_APPSECRET,
        WECHAT_ENCODING_AES_KEY, WECHAT_PREVIOUS_ENCODING_AES_KEY), so none is committed. Further
        accounts come from the YAML file named by WECHAT_ACCOUNTS_FILE (see ``load_accounts``)."""
        c = credentials or {}
        accounts_file = _env(c, "accounts_file")
        return cls(
            token=_env(c, "token"),
            appid=_env(c, "appid"),
            appsecret=_env(c, "appsecret"),
            encoding_aes_key=_env(c, "encoding_aes_key"),
            previous_encoding_aes_key=_env(c, "previous_encoding_aes_key"),
            mode=_env(c, "mode"),
            transfer_to_kf=_env(c, "transfer_to_kf"),
            kf_account=_env(c, "kf_account"),
            api_base=_env(c, "api_base", DEFAULT_API_BASE),
            reply_budget_s=float(_env(c, "reply_budget", 4.0)),
            reply_margin_s=float(_env(c, "reply_margin", 1.5)),
            timestamp_window_s=int(_env(c, "timestamp_window", 300)),
            delivery=_env(c, "delivery", CUSTOMER_SERVICE),
            menu=c.get("menu") or DEFAULT_MENU,
            welcome_payload=c.get("welcome_payload") or "/greet",
            max_concurrent_turns=int(_env(c, "max_concurrent_turns", 1)),
            accounts=load_accounts(Path(accounts_file)) if accounts_file else None,
        )

    def __init__(
        self,
        token: Optional[str],
        appid: Optional[str],
        appsecret: Optional[str] = None,
        encoding_aes_key: Optional[str] = None,
        previous_encoding_aes_key: Optional[str] = None,
        api_base: str = DEFAULT_API_BASE,
        reply_budget_s: float = 4.0,
        reply_margin_s: float = 1.5,
        timestamp_window_s: int = 300,
        delivery: str = CUSTOMER_SERVICE,
        menu: Optional[Dict[str, str]] = None,
        welcome_payload: str = "/greet",
        max_concurrent_turns: int = 1,
        accounts: Optional[Dict[str, Account]] = None,
        mode: Optional[str] = None,
        transfer_to_kf: Any = None,
        kf_account: Optional[str] = None,
    ) -> None:
        self.default = default_account(
            {
                "token": token,
                "appid": appid,
                "appsecret": appsecret,
                "encoding_aes_key": encoding_aes_key,
                "previous_encoding_aes_key": previous_encoding_aes_key,
                "mode": mode,
                "transfer_to_kf": str(transfer_to_kf).lower() if transfer_to_kf not in (None, "") else None,
                "kf_account": kf_account,
                "delivery": delivery if delivery in DELIVERIES else CUSTOMER_SERVICE,
            }
        )
        self.accounts = dict(accounts or {})
        self.api = CustomerServiceApi(api_base)
        self.reply_budget_s = reply_budget_s
        # The budget is what WeChat sees. Under a burst the event loop runs late (Rasa computes on
        # it): under a burst a request reaches this handler late (BENCHMARKS.md, "WeChat under a
        # burst"), so the channel stops waiting for a passive answer a margin before the budget ends.
        self.passive_wait_s = max(0.2, reply_budget_s - max(0.0, reply_margin_s))
        self.timestamp_window_s = timestamp_window_s
        self.menu = dict(menu or {})
        self.welcome_payload = welcome_payload
        self.max_concurrent_turns = max(1, max_concurrent_turns)
        self.state = TurnState(max_concurrent=self.max_concurrent_turns)
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
        signed = (
            account.name,
            a.get("timestamp", ""),
            a.get("nonce", ""),
            a.get("msg_signature", "") or a.get("signature", ""),
        )
        return self.state.replayed(signed, key, self.timestamp_window_s)

    def _text_for(self, message: InboundMessage, sender: str) -> Optional[str]:
        """What to send to Rasa for this push, or None when no bot turn is due."""
        kind = message.msg_type
        if kind == "text":
            content = (message.content or "").strip()
            return wechat_options.chosen(self.state.options, sender, content) or content
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

    async def _run_turn(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str, message: InboundMessage, sender: str
    ) -> List[Dict[str, Any]]:
        # The guard answers over-long text with a request to shorten it and, when the action server is
        # down or slow (bounded by BOT_ACTION_TIMEOUT), with the consultant follow-up text instead of nothing.
        from bot.channels.inputs import guard_for

        collector = CollectingOutputChannel()
        metadata = {"openid": message.from_user, "msg_id": message.msg_id, "msg_type": message.msg_type}
        await guard_for(self.name()).run(
            on_new_message,
            UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata),
            tracker_store=self.tracker_store,
        )
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
        return wechat_options.render(self.state.options, sender, messages)

    # -- customer-service API -----------------------------------------------------------------

    async def _send_customer_service(self, account: Account, openid: str, chunks: List[str]) -> None:
        await self.api.send(account, openid, chunks)

    async def _deliver_later(self, account: Account, key: str, turn: Turn, openid: str, sender: str) -> None:
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
            return response.json(
                {"status": "ok", "configured": bool(self.default.token), "accounts": sorted(self.accounts)}
            )

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

    async def _receive_safely(
        self, request: Request, account: Account, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """``_receive``; an unexpected error is logged (phone numbers masked, no URL with its signature
        and OpenID) and answered ``success``, so WeChat neither shows its error notice nor retries."""
        try:
            return await self._receive(request, account, on_new_message)
        except Exception as e:
            logger.error(
                "wechat push to account '%s' failed (%s: %s); answered success",
                account.name or "default",
                type(e).__name__,
                e,
            )
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

    async def _receive(
        self, request: Request, account: Account, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
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
                if not check_signature(account.token, timestamp, nonce, a.get("msg_signature", ""), fields["Encrypt"]):
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

    async def _handle(
        self,
        request: Request,
        account: Account,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: InboundMessage,
    ) -> Optional[str]:
        """The passive reply XML for this push, or None to answer ``success``."""
        self.tracker_store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
        key = f"{account.name}:{message.dedupe_key}"
        sender = wechat_sender(account.name, message.from_user)
        turn = self.state.turn_for(key)
        duplicate = turn is not None
        if turn is None:
            text = self._text_for(message, sender)
            if message.msg_type == "event" and (message.event or "").lower() == "unsubscribe":
                self._forget_follower(sender)
            if text is None:
                if message.msg_type in ("image", "location", "link", "video", "shortvideo", "voice"):
                    return text_reply(message, self._unsupported_text(request))
                return None  # unsubscribe, VIEW, unknown events: nothing to say
            run_turn = self._run_turn  # bound now: `text` is narrowed to str here
            turn = self.state.start(key, self.state.admitted(lambda: run_turn(on_new_message, text, message, sender)))
        if turn.delivered or turn.async_scheduled:
            logger.info("wechat duplicate already answered or on its way key=%s", key)
            return None
        budget = self.passive_wait_s
        if account.delivery == RIDE_RETRIES and not duplicate:
            budget = RIDE_RETRIES_HOLD_S
        try:
            messages = await asyncio.wait_for(asyncio.shield(turn.task), timeout=budget)
        except asyncio.TimeoutError:
            if account.delivery == CUSTOMER_SERVICE and not turn.async_scheduled:
                turn.async_scheduled = True
                asyncio.ensure_future(self._deliver_later(account, key, turn, message.from_user, sender))
            logger.info(
                "wechat reply path=%s key=%s", "async" if account.delivery == CUSTOMER_SERVICE else "await_retry", key
            )
            return None
        except Exception:
            logger.exception("wechat turn failed")
            return None
        if turn.delivered:
            return None
        turn.delivered = True
        chunks = self._render(sender, messages)
        if (
            account.transfer_to_kf
            and wechat_options.asks_for_a_person(messages)
            and message.msg_type in ("text", "voice")
        ):
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
        from bot.channels.inputs import response_text

        return response_text(request.app.ctx.agent.domain, UTTER_WECHAT_UNSUPPORTED)
