"""WeChat's customer-service message API (客服消息, wechat-protocol.md §4): an access token per
account, cached and refreshed by one request at a time, and text sends. No Rasa."""

import json
import logging
import time
from typing import List, Optional

import aiohttp

from bot.channels.wechat_accounts import Account

logger = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://api.weixin.qq.com"
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid, malformed or expired access token
TOKEN_MARGIN_S = 300  # refresh five minutes before the token expires (§4.3)
SEND_TIMEOUT_S = 10


class CustomerServiceApi:
    """Sends text to a follower through an account's customer-service API. The access token is
    cached on the account (``Account.access_token``) under its ``token_lock``."""

    def __init__(self, api_base: str = DEFAULT_API_BASE) -> None:
        self.api_base = api_base.rstrip("/")

    async def access_token(self, account: Account, session: aiohttp.ClientSession, stale: Optional[str] = None) -> str:
        """The account's access token; with ``stale`` (a token WeChat just refused), a new one —
        unless another request already replaced that token meanwhile: concurrent requests that all
        saw 40001 cause one refresh, not one each (single flight)."""
        async with account.token_lock:
            cached = account.access_token
            if cached and cached[1] > time.time() and cached[0] != stale:
                return cached[0]
            refresh = stale is not None
            async with session.post(
                f"{self.api_base}/cgi-bin/stable_token",
                json={
                    "grant_type": "client_credential",
                    "appid": account.appid,
                    "secret": account.appsecret or "",
                    "force_refresh": refresh,
                },
            ) as r:
                data = await r.json(content_type=None)
            if "access_token" not in data:
                raise RuntimeError(f"access_token refused: errcode {data.get('errcode')}")
            expires_in = int(data.get("expires_in", 7200))
            account.access_token = (data["access_token"], time.time() + expires_in - TOKEN_MARGIN_S)
            return data["access_token"]

    async def send(self, account: Account, openid: str, chunks: List[str]) -> None:
        """Each chunk as one text message; a refused token is refreshed once and the send retried
        once. Other errors are logged, not raised (the follower may be outside the 48 h window)."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT_S)) as session:
            for chunk in chunks:
                stale: Optional[str] = None
                for attempt in (1, 2):
                    token = await self.access_token(account, session, stale=stale)
                    body = json.dumps(
                        {"touser": openid, "msgtype": "text", "text": {"content": chunk}}, ensure_ascii=False
                    )  # unescaped UTF-8 (errcode 40033 otherwise)
                    async with session.post(
                        f"{self.api_base}/cgi-bin/message/custom/send",
                        params={"access_token": token},
                        data=body.encode("utf-8"),
                        headers={"Content-Type": "application/json"},
                    ) as r:
                        result = await r.json(content_type=None)
                    code = result.get("errcode", 0)
                    if code in TOKEN_ERRORS and attempt == 1:
                        stale = token  # invalid or expired: refresh once (if nobody did) and retry once
                        continue
                    if code:
                        logger.warning(
                            "wechat customer-service send failed: errcode %s (%s)",
                            code,
                            "user out of the 48 h window or unfollowed"
                            if code == 45015
                            else "send quota for this user exhausted"
                            if code == 45047
                            else "see §4.5",
                        )
                    break
