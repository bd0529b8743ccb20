"""Hostile input through every channel of the running servers (REST, the web widget, WeChat): each
request gets a clear 4xx with a readable JSON/text reason or a polite bot answer — never a 500, an
HTML page or a traceback — and the next normal message is answered as usual."""

import concurrent.futures
import json
import time
import urllib.parse
from xml.etree import ElementTree as ET

import pytest

from bot.channels.inputs import MAX_MESSAGE_CHARS, TOO_LONG_TEXT
from bot.channels.wechat_crypto import signature
from tests.conftest import COACH, WECHAT, http, unique_nonce, wechat_conversation, widget_visitor
from tests.server.waiting import settled
from tests.support.wechat import wechat_text_xml

pytestmark = pytest.mark.server
ACCOUNT = "gh_testaccount"
ONE_MB = 1024 * 1024
LEAKS = ("Traceback", 'File "/', "<html", "<!DOCTYPE", "Exception", "sanic")


@pytest.fixture(scope="module")
def log_start(servers):
    """Where the Rasa and action server logs stood before this module's requests."""
    return {name: (servers.logs / name).stat().st_size for name in ("rasa.log", "actions.log")}


def tags(messages):
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict) and "script_id" in m["custom"]]


def no_leak(body):
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    assert not any(leak in text for leak in LEAKS), text[:500]


def polite(status, body):
    """A 200 with at least one non-empty bot text and nothing technical in it."""
    assert status == 200, (status, body)
    assert isinstance(body, list) and body, body
    assert any((m.get("text") or "").strip() for m in body), body
    no_leak(body)


def refused(status, body, expected):
    assert status == expected, (status, body)
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], body
    no_leak(body)


# -- REST and widget --------------------------------------------------------------------------


class Channel:
    def __init__(self, servers, name):
        self.name, self.url = name, f"{servers.url}/webhooks/{name}/webhook"
        # the widget sends JSON as text/plain from an allowed dealer page (no CORS preflight)
        self.headers = (
            {"Content-Type": "text/plain;charset=UTF-8", "Origin": f"http://127.0.0.1:{servers.dealer_port}"}
            if name == "widget"
            else {"Content-Type": "application/json"}
        )
        self.servers = servers
        self.visitors = {}

    def post(self, body=None, raw=None, timeout=60):
        data = raw if raw is not None else json.dumps(body).encode()
        return http("POST", self.url, raw=data, headers=self.headers, timeout=timeout)

    def identify(self, sender):
        """REST: the sender id itself; widget: a visitor id and its token issued for this test sender."""
        if self.name != "widget":
            return {"sender": sender}
        if sender not in self.visitors:
            self.visitors[sender] = widget_visitor(self.servers)
        return dict(self.visitors[sender])

    def say(self, sender, message):
        return self.post({**self.identify(sender), "message": message, "metadata": COACH})

    def assert_answers_normally(self, sender):
        status, body = self.say(sender, "太贵了")
        polite(status, body)
        assert [t["objection"] for t in tags(body)] == ["objection_price"], body


@pytest.fixture(params=["rest", "widget"])
def channel(request, servers, log_start):
    return Channel(servers, request.param)


HOSTILE_MESSAGES = {
    "empty": "",
    "spaces": "   ",
    "whitespace": "\n\t \r\n",
    "emoji": "🚗🚙🚕😀👍" * 10,
    "one-emoji": "😀",
    "control": "\x00\x07\x08\x1b[31m\x7f",
    "control-around-text": "\x00你好\x1b",
    "lone-surrogate": "太贵\ud800了\udfff",  # json.dumps writes "\ud800" escapes: valid JSON, invalid text
    "10k-chars": "啊" * 10000,
    "20k-ascii": "x" * 20000,
    "just-over-limit": "好" * (MAX_MESSAGE_CHARS + 1),
    "html": "<script>alert(1)</script><b>",
    "sql": "'; DROP TABLE events; --",
    "format": "{car_model} %s %d {0} ${x}",
    "rtl-zero-width": "\u202e\u200b\u200d\ufeff价格\u2066",
    "bad-intent-json": '/greet{"bad json',
    "unknown-intent": "/nonexistent_intent",
    "slot-as-object": '/objection_price{"family_member": {"x": 1}}',
    "slot-as-list": '/consult_family{"family_member": ["spouse", "parent"]}',
    "priority-as-list": '/objection_price{"priority": [1, 2], "car_model": {"a": []}}',
    "budget-as-text": '/objection_price{"budget": "很多"}',
}


@pytest.mark.parametrize("case", sorted(HOSTILE_MESSAGES))
def test_odd_messages_get_a_polite_answer_and_the_conversation_goes_on(channel, case):
    sender = f"hostile-{channel.name}-{case}"
    status, body = channel.say(sender, HOSTILE_MESSAGES[case])
    polite(status, body)
    if len(HOSTILE_MESSAGES[case].strip()) > MAX_MESSAGE_CHARS:
        assert [m.get("text") for m in body] == [TOO_LONG_TEXT]
    channel.assert_answers_normally(sender)


def big(n):
    return b'{"sender": "big", "message": "' + b"a" * n + b'"}'


def with_field(field, value):
    """A request body from sender "x" saying "hi", with `field` set to `value`: JSON text as sent."""
    values = {"sender": '"x"', "message": '"hi"', field: value}
    return ("{" + ", ".join(f'"{name}": {text}' for name, text in values.items()) + "}").encode()


# field: {case: the field's value as JSON text}, each refused with a 400
BAD_FIELDS = {
    "sender": {
        "number": "5",
        "list": '["a"]',
        "null": "null",
        "object": '{"id": 1}',
        "empty": '""',
        "lone-surrogate": '"x\\ud800"',  # used to stop the server
        "control": '"x\\u0000y"',
    },
    "message": {"object": '{"text": "hi"}', "list": '["hi"]', "null": "null", "number": "3.14", "bool": "true"},
    "metadata": {"string": '"string"', "list": "[1]", "deep": '{"a": ' * 50 + "1" + "}" * 50},
}
HOSTILE_BODIES = {
    "empty": (b"", 400),
    "spaces": (b"   \n", 400),
    "invalid-utf8": (b"\xff\xfe\xfa", 400),
    "invalid-utf8-in-json": (b'{"sender": "x", "message": "\xff\xc3("}', 400),
    "latin1": ('{"sender": "x", "message": "café"}'.encode("latin-1"), 400),
    "not-json": (b"not json", 400),
    "truncated-json": (b'{"sender": "x", "message": "hi', 400),
    "array": (b"[1, 2]", 400),
    "string": (b'"text"', 400),
    "null": (b"null", 400),
    "number": (b"42", 400),
    "deep-nesting": (b"[" * 100000 + b"]" * 100000, 400),
    **{
        f"{field}-{case}": (with_field(field, value), 400)
        for field, cases in BAD_FIELDS.items()
        for case, value in cases.items()
    },
    "sender-too-long": (json.dumps({"sender": "s" * 300, "message": "hi"}).encode(), 400),
    "missing-message": (b'{"sender": "x"}', 400),
    "missing-sender": (b'{"message": "hi"}', 400),
    "metadata-huge": (json.dumps({"sender": "x", "message": "hi", "metadata": {"a": "b" * 100000}}).encode(), 400),
    "message-over-20k": (big(30000), 400),
    "1mb-message": (big(ONE_MB), 413),
    "1mb-garbage": (bytes(range(256)) * (ONE_MB // 256), 413),
    "1mb-json-array": (b"[" + b"1," * (ONE_MB // 2) + b"1]", 413),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BODIES))
def test_malformed_bodies_get_a_clear_json_4xx_and_the_channel_keeps_working(channel, case):
    raw, expected = HOSTILE_BODIES[case]
    refused(*channel.post(raw=raw), expected)
    channel.assert_answers_normally(f"after-body-{channel.name}-{case}")


def test_the_widget_refuses_other_origins_with_a_json_403(servers):
    def post(raw, **origin):
        headers = {"Content-Type": "text/plain", **origin}
        return http("POST", f"{servers.url}/webhooks/widget/webhook", raw=raw, headers=headers)

    refused(*post(b'{"sender": "w", "message": "hi"}', Origin="https://evil.example"), 403)
    # a widget request without an Origin (not a cross-origin browser request) is served
    polite(*post(json.dumps({**widget_visitor(servers), "message": "hi"}).encode()))


def test_a_flood_of_500_messages_from_one_sender_gets_answers_or_429s_then_a_normal_answer(channel):
    sender = f"flood-{channel.name}"
    lines = ["你好", "🚗", "随便看看", "嗯", "谢谢", "哈哈", "？？", "在吗", "", "x" * 3000]

    def one(i):
        return channel.say(sender, lines[i % len(lines)])

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(500)))
    elapsed = time.monotonic() - started
    answered = [b for s, b in results if s == 200]
    busy = [b for s, b in results if s == 429]
    assert len(answered) + len(busy) == 500, sorted({s for s, _ in results})
    assert answered, "no message of the flood was answered"
    for body in answered:
        polite(200, body)
    for body in busy:
        refused(429, body, 429)
    print(f"{channel.name} flood: {len(answered)} answered, {len(busy)} refused with 429 in {elapsed:.1f}s")
    channel.assert_answers_normally(sender)


# -- WeChat -----------------------------------------------------------------------------------


def wechat_url(servers, **query):
    nonce = unique_nonce()
    query = query or {
        "timestamp": "1714037059",
        "nonce": nonce,
        "signature": signature(WECHAT["token"], "1714037059", nonce),
    }
    return f"{servers.url}/webhooks/wechat/webhook?" + urllib.parse.urlencode(query)


def wechat_post(servers, body, timeout=60, **query):
    return http("POST", wechat_url(servers, **query), raw=body, headers={"Content-Type": "text/xml"}, timeout=timeout)


def text_xml(openid, content, msg_id=None):
    return wechat_text_xml(ACCOUNT, openid, content, msg_id)


def wechat_reply(status, body):
    assert status == 200, (status, body)
    assert isinstance(body, str) and body != "success", body
    root = ET.fromstring(body)
    content = root.findtext("Content") or ""
    assert content.strip()
    no_leak(content)
    return content


def wechat_refused(status, body, expected):
    assert status == expected, (status, body)
    assert isinstance(body, str) and body.strip(), body
    no_leak(body)


def wechat_say(servers, wechat_api, openid, text):
    """The answer to one text push: the passive reply or, when the turn took longer than the reply
    budget (a loaded machine), what the customer-service API was sent."""
    before = len(wechat_api.sent)
    status, body = wechat_post(servers, text_xml(openid, text))
    if body != "success":
        return wechat_reply(status, body)
    assert status == 200
    # a long answer comes in more than one message: take them once no more has come for a second
    sent = settled(
        lambda: [m["text"]["content"] for m in wechat_api.sent[before:] if m["touser"] == openid],
        quiet_s=1.0,
        timeout_s=60,
        ready=bool,
    )
    if not sent:
        pytest.fail(f"no answer for {openid} within 60 s")
    content = "".join(sent)
    no_leak(content)
    return content


def wechat_answers_normally(servers, wechat_api, openid):
    assert wechat_say(servers, wechat_api, openid, "太贵了").strip()
    deadline = time.monotonic() + 60  # an answer delivered late may be a previous turn's: wait for this one
    while True:
        user, bot = last_turn(servers.tracker(wechat_conversation(openid))["events"])
        custom = [(e.get("data") or {}).get("custom") for e in bot if (e.get("data") or {}).get("custom")]
        if (user and user["text"] == "太贵了" and custom) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert user["text"] == "太贵了" and [c["objection"] for c in custom] == ["objection_price"], bot


def last_turn(events):
    """The last user event and the bot events after it."""
    i = max((n for n, e in enumerate(events) if e["event"] == "user"), default=None)
    return (events[i], [e for e in events[i + 1 :] if e["event"] == "bot"]) if i is not None else (None, [])


WECHAT_TEXTS = {
    "empty": "",
    "spaces": "    ",
    "emoji": "🚗😀👍" * 20,
    "10k-chars": "啊" * 10000,  # 30 KB: under the 64 KiB body cap, over the message limit
    "20k-ascii": "x" * 20000,
    "rtl-zero-width": "\u202e\u200b价格\ufeff",
    "markup": "<xml><Content>inner</Content></xml> ]]> &amp;",
    "slot-as-object": '/objection_price{"family_member": {"x": 1}}',
}


@pytest.mark.parametrize("case", sorted(WECHAT_TEXTS))
def test_wechat_odd_texts_get_a_polite_answer(servers, log_start, wechat_api, case):
    openid = f"o_hostile_{case}"
    content = wechat_say(servers, wechat_api, openid, WECHAT_TEXTS[case])
    assert content.strip()
    if len(WECHAT_TEXTS[case]) > MAX_MESSAGE_CHARS:
        assert content == TOO_LONG_TEXT
    wechat_answers_normally(servers, wechat_api, openid)


def wechat_json(**fields):
    return json.dumps(fields).encode()


WECHAT_BODIES = {
    "control-chars-in-xml": (
        b"<xml><ToUserName>a</ToUserName><FromUserName>o_c</FromUserName>"
        b"<MsgType>text</MsgType><Content>\x01\x02\x1b</Content></xml>",
        400,
    ),
    "control-char-reference": (
        b"<xml><ToUserName>a</ToUserName><FromUserName>o_c</FromUserName>"
        b"<MsgType>text</MsgType><Content>&#1;</Content></xml>",
        400,
    ),
    "invalid-utf8": (b"<xml><ToUserName>a</ToUserName><FromUserName>\xff\xfe</FromUserName></xml>", 400),
    "garbage": (b"\x00\xff" * 100, 400),
    "empty": (b"", 400),
    "json-missing-fields": (wechat_json(Content="hi"), 400),
    "json-wrong-types": (json.dumps({"ToUserName": 5, "FromUserName": ["o"], "MsgType": None}).encode(), 400),
    "json-lone-surrogate": (
        b'{"ToUserName": "a", "FromUserName": "o_\\ud800", "MsgType": "text", "Content": "hi"}',
        400,
    ),
    "json-deep": (b'{"ToUserName": ' + b"[" * 20000 + b"]" * 20000 + b"}", 400),  # under the 64 KiB cap
    "json-array": (b"[1, 2, 3]", 400),
    "1mb": (b"<xml><Content>" + b"a" * ONE_MB + b"</Content></xml>", 413),
    "1mb-json": (b'{"Content": "' + b"a" * ONE_MB + b'"}', 413),
}


@pytest.mark.parametrize("case", sorted(WECHAT_BODIES))
def test_wechat_malformed_bodies_get_a_clear_4xx_and_the_channel_keeps_working(servers, log_start, wechat_api, case):
    body, expected = WECHAT_BODIES[case]
    wechat_refused(*wechat_post(servers, body), expected)
    wechat_answers_normally(servers, wechat_api, f"o_after_body_{case}")


def test_wechat_json_push_with_wrongly_typed_content_is_answered_or_acknowledged(servers, log_start, wechat_api):
    status, body = wechat_post(
        servers,
        json.dumps(
            {"ToUserName": ACCOUNT, "FromUserName": "o_json_types", "MsgType": "text", "Content": {"a": 1}, "MsgId": 42}
        ).encode(),
    )
    wechat_reply(status, body)  # the object is dropped: an empty text, answered like one
    status, body = wechat_post(
        servers, json.dumps({"ToUserName": ACCOUNT, "FromUserName": "o_json_types", "MsgType": 5, "MsgId": 43}).encode()
    )
    assert (status, body) == (200, "success")  # an unknown message type: acknowledged, nothing to say
    wechat_answers_normally(servers, wechat_api, "o_json_types")


def test_wechat_unsigned_and_badly_signed_pushes_are_refused(servers, log_start, wechat_api):
    body = text_xml("o_unsigned", "你好")
    wechat_refused(*wechat_post(servers, body, timestamp="1", nonce="2"), 403)
    wechat_refused(*wechat_post(servers, body, timestamp="1", nonce="2", signature="0" * 40), 403)
    wechat_refused(*wechat_post(servers, body, timestamp="1", nonce="2", signature="\u00ff" * 40), 403)
    # WeCom style (msg_signature only, over the ciphertext): a lone surrogate as Encrypt used to be a 500
    surrogate = b'{"ToUserName": "a", "Encrypt": "\\ud800"}'
    status, reply = wechat_post(servers, surrogate, timestamp="1", nonce="2", msg_signature="0" * 40)
    assert status in (400, 403), (status, reply)
    no_leak(reply)
    garbage = wechat_json(ToUserName="a", Encrypt="!!not base64!!")
    good = signature(WECHAT["token"], "1", "2", "!!not base64!!")
    query = {
        "timestamp": "1",
        "nonce": "2",
        "msg_signature": good,
        "encrypt_type": "aes",
        "signature": signature(WECHAT["token"], "1", "2"),
    }
    wechat_refused(*wechat_post(servers, garbage, **query), 400)
    wechat_answers_normally(servers, wechat_api, "o_unsigned")


def test_wechat_100_messages_from_one_openid_are_each_acknowledged_then_a_normal_answer(servers, log_start, wechat_api):
    openid = "o_flood_1"
    lines = ["你好", "🚗", "随便看看", "嗯", "哈哈", "？？", "在吗", "", "x" * 3000, "谢谢"]

    def one(i):
        return wechat_post(servers, text_xml(openid, lines[i % len(lines)], f"88800{i:03d}"))

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(100)))
    for status, body in results:
        assert status == 200, (status, body)
        if body != "success":
            wechat_reply(status, body)
    # the turns queue up (one at a time): the next message is answered passively or through the API
    status, body = wechat_post(servers, text_xml(openid, "太贵了", "888999"))
    assert status == 200
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        user, bot = last_turn(servers.tracker(wechat_conversation(openid))["events"])
        if user and user["text"] == "太贵了" and any((e.get("data") or {}).get("custom") for e in bot):
            break
        time.sleep(2)
    events = servers.tracker(wechat_conversation(openid))["events"]
    turns = sum(1 for i in range(100) if len(lines[i % len(lines)]) <= MAX_MESSAGE_CHARS) + 1
    assert len([e for e in events if e["event"] == "user"]) == turns  # one turn per MsgId, none for the long ones
    user, bot = last_turn(events)
    custom = [(e.get("data") or {}).get("custom") for e in bot if (e.get("data") or {}).get("custom")]
    assert user["text"] == "太贵了" and custom and custom[0]["objection"] == "objection_price"
    answer = next(e["text"] for e in bot if e.get("text"))
    if body == "success":  # not ready within the budget: delivered through the customer-service API
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            m["touser"] == openid and answer[:20] in m["text"]["content"] for m in wechat_api.sent
        ):
            time.sleep(1)
        assert any(m["touser"] == openid and answer[:20] in m["text"]["content"] for m in wechat_api.sent)
    else:
        assert answer[:20] in wechat_reply(status, body)
    assert not [m for m in wechat_api.sent if m["touser"] == openid and not m["text"]["content"].strip()]


# -- last: the logs ---------------------------------------------------------------------------


def test_no_traceback_in_the_server_logs_from_these_inputs(servers, log_start):
    for name, start in log_start.items():
        with open(servers.logs / name, "rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
        assert "Traceback" not in text, text[text.index("Traceback") - 2000 : text.index("Traceback") + 3000]
        assert "Exception occurred" not in text and "exceptions.SystemExit" not in text
