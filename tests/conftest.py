"""Shared fixtures. Server tests start the real action server and Rasa server once per session
on free loopback ports and drive them over HTTP; unit tests need neither."""

import json
import os
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

# ROOT, free_port and latest_model are imported from here by test modules too
from tests.support.servers import (
    ROOT,
    child_env,
    free_port,
    latest_model,
    ready_or_fail,
    start_action_server,
    start_rasa_server,
    stop,
    write_endpoints,
)

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
COACH = {"roleplay": {"mode": "coach"}}


def http(
    method: str,
    url: str,
    body: Any = None,
    raw: Optional[bytes] = None,
    headers: Optional[Dict[str, str]] = None,
    timeout: float = 60,
) -> "tuple[int, Any]":
    """One request; returns (status, parsed JSON or text). Never raises on HTTP errors."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, payload = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    try:
        return status, json.loads(payload)
    except ValueError:
        return status, payload.decode("utf-8", "replace")


@dataclass
class BotServers:
    url: str
    token: str
    action_url: str
    logs: Path
    db: Path
    dealer_port: int

    def send(
        self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None, coaching: bool = True
    ) -> List[Dict[str, Any]]:
        """One REST message. By default as a practice client in coach mode, so the answers carry the
        coaching payload the tests look at; ``coaching=False`` sends as a plain (prospect) client."""
        body: Dict[str, Any] = {"sender": sender, "message": message}
        if coaching and metadata is None:
            metadata = COACH
        if metadata is not None:
            body["metadata"] = metadata
        status, body = http("POST", f"{self.url}/webhooks/rest/webhook", body)
        assert status == 200, (status, body)
        return body

    def parse(self, text: str) -> Dict[str, Any]:
        status, body = http("POST", f"{self.url}/model/parse?token={self.token}", {"text": text})
        assert status == 200, (status, body)
        return body

    def tracker(self, sender: str) -> Dict[str, Any]:
        status, body = http("GET", f"{self.url}/conversations/{sender}/tracker?token={self.token}")
        assert status == 200, (status, body)
        return body


class FakeWeChatApi:
    """Stand-in for api.weixin.qq.com on loopback (WeChat itself cannot be reached from here):
    issues access tokens and records every customer-service message it is sent."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.sent: List[Dict[str, Any]] = []
        self.token_calls = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path.startswith("/cgi-bin/stable_token"):
                    api.token_calls += 1
                    answer = {"access_token": "TOKEN1", "expires_in": 7200}
                elif self.path.startswith("/cgi-bin/message/custom/send"):
                    api.sent.append(body)
                    answer = {"errcode": 0, "errmsg": "ok"}
                else:
                    answer = {"errcode": 47001}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


WECHAT = {"token": "AAAAA", "appid": "wxba5fad812f8e6fb9", "encoding_aes_key": "A" * 43}
# a plain-mode account with customer service (多客服): a request for a person is handed over to it
KF_ACCOUNT = {
    "name": "kf",
    "token": "kftoken0123",
    "appid": "wxkf0123",
    "appsecret": "s",
    "transfer_to_kf": "true",
    "delivery": "customer_service",
}


def wechat_env(api_url: str) -> Dict[str, str]:
    """The default account (``WECHAT``) of a Rasa server under test, whose WeChat API is ``api_url``."""
    return {
        "WECHAT_TOKEN": WECHAT["token"],
        "WECHAT_APPID": WECHAT["appid"],
        "WECHAT_APPSECRET": "test-secret",
        "WECHAT_ENCODING_AES_KEY": WECHAT["encoding_aes_key"],
        # The published vectors are from 2024: the freshness window is tested as a unit, off here.
        "WECHAT_TIMESTAMP_WINDOW": "0",
        # the default account takes plaintext pushes too (compatible mode); the vector accounts are in safe mode
        "WECHAT_MODE": "compatible",
        "WECHAT_API_BASE": api_url,
        "WECHAT_REPLY_BUDGET": "4.0",
    }


VECTOR_FILE = ROOT / "tests/data/wechat_vectors.json"


def wechat_vector_accounts() -> Dict[str, Dict[str, str]]:
    """One named account per (token, key, receive id) in the published vectors other than the
    default account's, so every vector can be sent through the real endpoints: name -> settings."""
    vectors = json.loads(VECTOR_FILE.read_text(encoding="utf-8"))
    accounts: Dict[str, Dict[str, str]] = {}
    for group in ("signature", "decrypt", "encrypt_deterministic"):
        for v in vectors[group]:
            if v["token"] == WECHAT["token"]:
                continue
            name = "acct-" + v["token"].lower()[:12]
            entry = accounts.setdefault(name, {"name": name, "token": v["token"], "delivery": "customer_service"})
            if v.get("encoding_aes_key"):
                entry.update(encoding_aes_key=v["encoding_aes_key"], appid=v["receive_id"], appsecret="s")
    return accounts


def wechat_conversation(openid: str, vector: Optional[Dict[str, Any]] = None) -> str:
    """The tracker's sender id of a WeChat follower (of the vector's account, else the default)."""
    from bot.channels.identity import wechat_sender

    return wechat_sender(account_for(vector).lstrip("/") if vector else "", openid)


def widget_visitor(servers: "BotServers") -> Dict[str, str]:
    """A new widget visitor: ``{"sender", "token"}`` as the widget gets them."""
    status, body = http(
        "POST", f"{servers.url}/webhooks/widget/session", raw=b"", headers={"Content-Type": "text/plain"}
    )
    assert status == 200 and set(body) == {"sender", "token"}, (status, body)
    return body


def unique_nonce() -> str:
    """WeChat signs every push with a new nonce; a signed URL used again for another body is a replay."""
    return str(secrets.randbelow(10**9))


def account_for(vector: Dict[str, Any]) -> str:
    """The webhook path suffix serving a vector's token."""
    return "" if vector["token"] == WECHAT["token"] else "/acct-" + vector["token"].lower()[:12]


@pytest.fixture(scope="session")
def wechat_api() -> FakeWeChatApi:
    api = FakeWeChatApi()
    yield api
    api.server.shutdown()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory, wechat_api: FakeWeChatApi) -> BotServers:
    """The action server and the Rasa server (REST channel + token-protected HTTP API)."""
    model = latest_model()
    if model is None:
        pytest.fail("no trained model in models/: run `make train` (make test does)")
    tmp = tmp_path_factory.mktemp("servers")
    action_port, rasa_port, dealer_port = free_port(), free_port(), free_port()
    dealer_origin = f"http://127.0.0.1:{dealer_port}"  # a dealer site allowed to embed the widget
    token = secrets.token_hex(16)
    db = tmp / "rasa.db"  # bot.database: $BOT_DATA_DIR/rasa.db, shared by Rasa and the action server
    endpoints = write_endpoints(tmp, action_port)
    accounts_file = tmp / "wechat-accounts.yml"
    accounts_file.write_text(json.dumps({"accounts": list(wechat_vector_accounts().values()) + [KF_ACCOUNT]}))  # YAML
    env = child_env(
        {
            "WIDGET_ALLOWED_ORIGINS": dealer_origin,
            "BOT_DATA_DIR": str(tmp),
            "DB_HOST": "",
            "REDIS_HOST": "",
            **wechat_env(wechat_api.url),
            "WIDGET_SECRET": "test-widget-secret-0123456789abcdef",
            "BOT_MAX_PENDING_PER_ADDRESS": "8",
            # the trainer dashboard is on, with a password known to the tests (tests/browser/test_dashboard.py)
            "TRAINER_PASSWORD": f"trainer-{token}",
            "WECHAT_ACCOUNTS_FILE": str(accounts_file),
        }
    )
    started = []  # both start side by side, then each is waited for
    try:
        started.append(start_action_server(action_port, tmp / "actions.log", env))
        started.append(start_rasa_server(model, endpoints, rasa_port, tmp / "rasa.log", env, token=token))
        ready_or_fail(*started)
        actions, rasa = started
        yield BotServers(rasa.url, token, actions.url, tmp, db, dealer_port)
    finally:
        stop(*started)


@pytest.fixture(scope="session")
def lexicon():
    from bot.nlu.lexicon import load_lexicon

    return load_lexicon(ROOT / "data/catalog.yml", ROOT / "data/lexicon")


@pytest.fixture(scope="session")
def finder(lexicon):
    from bot.nlu.entities import EntityFinder

    return EntityFinder(lexicon)


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Writes ``text`` to ``tmp_path/name`` and returns the path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
