"""WeChat accounts: one per Official Account (or WeCom app), their settings and the YAML file of
named accounts (wechat-protocol.md §1, §6). No Rasa, no network."""

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import yaml

from bot.channels.wechat_crypto import Keys, WeChatCryptoError
from bot.validation import Checker

CUSTOMER_SERVICE = "customer_service"  # answers too late for a passive reply go through the 客服 API
RIDE_RETRIES = "retry"  # accounts without that API: hold the push and answer WeChat's retry
DELIVERIES = (CUSTOMER_SERVICE, RIDE_RETRIES)
SAFE, COMPATIBLE, PLAIN = "safe", "compatible", "plain"  # the console's 安全模式 / 兼容模式 / 明文模式
MODES = (SAFE, COMPATIBLE, PLAIN)
ACCOUNT_NAME = re.compile(r"[a-z0-9_-]{1,40}")
YES, NO = ("true", "1", "yes"), ("false", "0", "no")
# Where the default account's settings come from, for error messages.
DEFAULT_SOURCE = Path("credentials.yml")


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
    # the customer-service API's access token and its expiry, cached by wechat_api.CustomerServiceApi
    access_token: Optional[Tuple[str, float]] = None
    token_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def from_settings(cls, name: str, settings: Dict[str, Any], check: Checker, where: str = "") -> "Account":
        """The account described by ``settings``; each problem is reported to ``check`` as
        ``<where><field>`` (the caller raises them all at once)."""

        def text(key: str) -> Optional[str]:
            value = settings.get(key)
            if value is not None and not isinstance(value, (str, int)):
                check.fail(f"{where}{key}", f"expected text, got {type(value).__name__}")
                return None
            return str(value) if value not in (None, "") else None

        delivery = text("delivery") or CUSTOMER_SERVICE
        if delivery not in DELIVERIES:
            check.fail(f"{where}delivery", f"'{delivery}' is not {CUSTOMER_SERVICE} or {RIDE_RETRIES}")
            delivery = CUSTOMER_SERVICE
        keys = None
        aes_key = text("encoding_aes_key")
        if aes_key:
            try:
                keys = Keys.from_settings(aes_key, text("previous_encoding_aes_key"))
            except WeChatCryptoError as e:
                check.fail(f"{where}encoding_aes_key", str(e))
        mode = text("mode") or (SAFE if keys else PLAIN)
        if mode not in MODES:
            check.fail(f"{where}mode", f"'{mode}' is not one of {', '.join(MODES)}")
        elif mode != PLAIN and keys is None:
            check.fail(f"{where}mode", f"{mode} mode needs encoding_aes_key")
        transfer = (text("transfer_to_kf") or "false").lower()
        if transfer not in YES + NO:
            check.fail(f"{where}transfer_to_kf", f"'{transfer}' is not true or false")
        return cls(
            name=name,
            token=text("token"),
            appid=text("appid") or "",
            appsecret=text("appsecret"),
            keys=keys,
            delivery=delivery,
            mode=mode,
            transfer_to_kf=transfer in YES,
            kf_account=text("kf_account"),
        )


def default_account(settings: Dict[str, Any]) -> Account:
    """The account of credentials.yml's ``bot.channels.wechat.WeChatInput`` entry and the WECHAT_*
    variables (name ``""``). Raises DataFileError naming the field and its variable."""
    check = _DefaultAccountChecker(DEFAULT_SOURCE)
    account = Account.from_settings("", settings, check)
    check.raise_if_any()
    return account


class _DefaultAccountChecker(Checker):
    """Names each field with the variable it may come from: ``mode (WECHAT_MODE)``."""

    def fail(self, where: str, reason: str) -> None:
        super().fail(f"{where} (WECHAT_{where.upper()})", reason)


def load_accounts(path: Path) -> Dict[str, Account]:
    """Named accounts from a YAML file kept outside the repository (it holds secrets)::

        accounts:
          - name: showroom-east        # served at /webhooks/wechat/webhook/showroom-east
            token: ...
            appid: wx...               # the CorpID for a WeCom app
            appsecret: ...
            encoding_aes_key: ...
            delivery: customer_service # or retry

    Raises DataFileError listing every problem with the file and the field."""
    check = Checker(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        check.fail("", f"cannot read WeChat accounts: {e}")
        check.raise_if_any()
    entries = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        check.fail("accounts", "expected a list of accounts")
        check.raise_if_any()
    accounts: Dict[str, Account] = {}
    for i, entry in enumerate(entries or []):
        where = f"accounts[{i}]"
        if not isinstance(entry, dict):
            check.fail(where, "expected a mapping")
            continue
        name = str(entry.get("name") or "")
        if not ACCOUNT_NAME.fullmatch(name):
            check.fail(f"{where}.name", f"'{name}' must be 1-40 of a-z, 0-9, - or _")
        elif name in accounts:
            check.fail(f"{where}.name", f"'{name}' is listed twice")
        account = Account.from_settings(name, entry, check, f"{where}.")
        if not account.token and entry.get("token") in (None, ""):
            check.fail(f"{where}.token", "missing")
        accounts.setdefault(name, account)
    check.raise_if_any()
    return accounts
