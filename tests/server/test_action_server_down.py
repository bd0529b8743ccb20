"""The action server down or slow: a separate Rasa server (same model, its own SQLite tracker store)
whose action endpoint is a port where these tests start and stop a real action server or a server
that accepts and never answers. The user always gets a polite answer that a consultant will follow
up — within a bounded time — and once the action server is back the same conversations go on."""

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional
from xml.etree import ElementTree as ET

import pytest

from bot.channels.inputs import DEFAULT_ACTION_TIMEOUT_S
from bot.channels.wechat_crypto import signature
from tests.conftest import COACH, WECHAT, http, unique_nonce, wechat_conversation, wechat_env, widget_visitor
from tests.server.waiting import settled, wait_until
from tests.support.servers import (
    Server,
    child_env,
    free_port,
    latest_model,
    ready_or_fail,
    sqlite_tracker_store,
    start_action_server,
    start_rasa_server,
    stop,
    write_endpoints,
)

pytestmark = pytest.mark.server
BOUND_S = 15  # what the user waits at most when the action server does not answer
FOLLOW_UP_WORDS = ("顾问稍后", "会尽快联系")


class SlowActionServer:
    """Accepts connections on the action port and answers nothing until stopped."""

    def __init__(self, port: int) -> None:
        self.requests = 0
        self.stop_event = threading.Event()
        slow = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                slow.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                slow.stop_event.wait(120)
                try:
                    data = b'{"events": [], "responses": []}'
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # Rasa gave up and closed the connection

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()


class Bot:
    def __init__(self, url: str, action_port: int, logs: Path, env: Dict[str, str]) -> None:
        self.url, self.action_port, self.logs, self.env = url, action_port, logs, env
        self.visitors: Dict[str, Dict[str, str]] = {}
        self.actions: Optional[Server] = None
        self.slow: Optional[SlowActionServer] = None

    # -- what listens on the action port --

    def actions_down(self) -> None:
        if self.slow:
            self.slow.stop()
            self.slow = None
        if self.actions:
            stop(self.actions)
            self.actions = None

    def actions_slow(self) -> SlowActionServer:
        self.actions_down()
        self.slow = SlowActionServer(self.action_port)
        return self.slow

    def actions_up(self) -> None:
        if self.actions and self.actions.proc.poll() is None:
            return
        self.actions_down()
        # without deploy/logging.yml, like this module's Rasa server
        self.actions = start_action_server(
            self.action_port, self.logs / "actions.log", self.env, logging_config=None, append=True
        )
        ready_or_fail(self.actions)

    # -- channels --

    def rest(self, sender: str, text: str, channel: str = "rest") -> "tuple[List[Dict[str, Any]], float]":
        """One message as a coach-mode practice client (the answers carry the coaching tags)."""
        started = time.monotonic()
        headers = {"Content-Type": "text/plain;charset=UTF-8"} if channel == "widget" else None
        who: Dict[str, Any] = {"sender": sender}
        if channel == "widget":
            if sender not in self.visitors:
                self.visitors[sender] = widget_visitor(self)
            who = dict(self.visitors[sender])
        status, body = http(
            "POST",
            f"{self.url}/webhooks/{channel}/webhook",
            raw=json.dumps({**who, "message": text, "metadata": COACH}).encode(),
            headers=headers,
        )
        assert status == 200 and isinstance(body, list), (status, body)
        return body, time.monotonic() - started

    def wechat(self, openid: str, text: str) -> "tuple[int, str]":
        root = ET.Element("xml")
        for name, value in (
            ("ToUserName", "gh_testaccount"),
            ("FromUserName", openid),
            ("CreateTime", int(time.time())),
            ("MsgType", "text"),
            ("Content", text),
            ("MsgId", time.time_ns()),
        ):
            ET.SubElement(root, name).text = str(value)
        nonce = unique_nonce()
        query = {
            "timestamp": "1714037059",
            "nonce": nonce,
            "signature": signature(WECHAT["token"], "1714037059", nonce),
        }
        return http(
            "POST",
            f"{self.url}/webhooks/wechat/webhook?" + urllib.parse.urlencode(query),
            raw=ET.tostring(root, encoding="utf-8"),
            headers={"Content-Type": "text/xml"},
        )


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory, wechat_api) -> Bot:
    """A Rasa server of its own whose action server the tests switch off, slow down and back on."""
    model = latest_model()
    if model is None:
        pytest.fail("no trained model in models/: run `make train` (make test does)")
    tmp = tmp_path_factory.mktemp("actions_down")
    action_port, rasa_port = free_port(), free_port()
    token = secrets.token_hex(16)
    endpoints = write_endpoints(tmp, action_port, stores=sqlite_tracker_store(tmp / "tracker.db"))
    env = child_env(wechat_env(wechat_api.url))
    env.pop("BOT_ACTION_TIMEOUT", None)  # the shipped default is what is tested
    env.pop("WECHAT_ACCOUNTS_FILE", None)
    rasa = start_rasa_server(model, endpoints, rasa_port, tmp / "rasa.log", env, token=token, logging_config=None)
    bot = Bot(rasa.url, action_port, tmp, env)
    bot.token = token  # type: ignore[attr-defined]
    try:
        ready_or_fail(rasa)
        yield bot
    finally:
        bot.actions_down()
        stop(rasa)


def texts(messages: List[Dict[str, Any]]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def tags(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict) and "script_id" in m["custom"]]


def follow_up(text: str) -> bool:
    return any(w in text for w in FOLLOW_UP_WORDS)


def api_messages(wechat_api, openid: str) -> List[str]:
    return [m["text"]["content"] for m in wechat_api.sent if m["touser"] == openid]


def wechat_answer(bot: Bot, wechat_api, openid: str, text: str) -> str:
    """The passive reply or, when the turn outlasted the reply budget (a loaded machine), what the
    customer-service API was sent."""
    before = len(api_messages(wechat_api, openid))
    status, body = bot.wechat(openid, text)
    assert status == 200, (status, body)
    if body != "success":
        return ET.fromstring(body).findtext("Content") or ""
    # all of the answer: it may come in more than one message, so wait until none has come for a second
    return "".join(settled(lambda: api_messages(wechat_api, openid)[before:], quiet_s=1.0, timeout_s=30, ready=bool))


def test_action_server_down_every_channel_says_a_consultant_will_follow_up(bot, wechat_api):
    bot.actions_down()
    for channel in ("rest", "widget"):
        reply, elapsed = bot.rest(f"down-{channel}", "太贵了", channel)
        assert follow_up(texts(reply)) and not tags(reply), reply
        assert elapsed < BOUND_S
    assert follow_up(wechat_answer(bot, wechat_api, "o_down_1", "太贵了"))
    # messages that need no custom action are still answered as usual
    reply, _ = bot.rest("down-rest", "你好")
    assert "助手" in texts(reply) and not follow_up(texts(reply))


def test_slow_action_server_the_polite_answer_comes_within_the_bound(bot, wechat_api):
    slow = bot.actions_slow()
    reply, elapsed = bot.rest("slow-rest", "太贵了")
    assert slow.requests >= 1  # the request reached the action server, which did not answer
    assert follow_up(texts(reply)) and not tags(reply), reply
    assert DEFAULT_ACTION_TIMEOUT_S - 1 < elapsed < BOUND_S, elapsed
    # WeChat: past the passive budget, so "success" now and the answer through the customer-service API
    started = time.monotonic()
    status, body = bot.wechat("o_slow_1", "太贵了")
    assert status == 200 and body == "success", body
    sent = wait_until(lambda: api_messages(wechat_api, "o_slow_1"), bool, BOUND_S - (time.monotonic() - started))
    assert sent and follow_up(sent[0]), sent
    assert time.monotonic() - started < BOUND_S


def test_once_the_action_server_is_back_the_same_conversations_go_on(bot, wechat_api):
    bot.actions_up()
    for sender, channel in (("down-rest", "rest"), ("down-widget", "widget"), ("slow-rest", "rest")):
        reply, _ = bot.rest(sender, "还是太贵了", channel)
        assert [t["objection"] for t in tags(reply)] == ["objection_price"], reply
        assert texts(reply).strip() and not follow_up(texts(reply))
        reply, _ = bot.rest(sender, "我再考虑考虑吧", channel)
        assert [t["objection"] for t in tags(reply)] == ["delay_decision"], reply
    content = wechat_answer(bot, wechat_api, "o_down_1", "太贵了")
    assert content and not follow_up(content)
    status, tracker = http(
        "GET", f"{bot.url}/conversations/{wechat_conversation('o_down_1')}/tracker?token={bot.token}"
    )
    custom = [
        e["data"]["custom"] for e in tracker["events"] if e["event"] == "bot" and (e.get("data") or {}).get("custom")
    ]
    assert custom[-1]["objection"] == "objection_price"
