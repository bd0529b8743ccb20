"""Privacy and hostile input through the running servers: conversations only their owner can read,
coaching only for practice clients, WeChat safe mode and replays, odd texts, floods, consent."""

import concurrent.futures
import json
import urllib.parse

import pytest

from bot.channels.wechat_crypto import signature
from bot.leads.store import LeadStore
from tests.conftest import (
    COACH,
    WECHAT,
    account_for,
    http,
    unique_nonce,
    wechat_conversation,
    wechat_vector_accounts,
    widget_visitor,
)
from tests.support.wechat import wechat_text_xml

pytestmark = pytest.mark.server
PLAIN = {"Content-Type": "text/plain;charset=UTF-8"}


def widget(servers, path, body, raw=None):
    return http(
        "POST",
        f"{servers.url}/webhooks/widget/{path}",
        raw=raw if raw is not None else json.dumps(body).encode(),
        headers=PLAIN,
    )


def rest(servers, body, **params):
    query = ("?" + urllib.parse.urlencode(params)) if params else ""
    return http("POST", f"{servers.url}/webhooks/rest/webhook{query}", body)


def wechat_push(servers, openid, content, path="", token=WECHAT["token"], nonce=None, msg_id=None):
    nonce = nonce or unique_nonce()
    query = {"timestamp": "1714037059", "nonce": nonce, "signature": signature(token, "1714037059", nonce)}
    return http(
        "POST",
        f"{servers.url}/webhooks/wechat/webhook{path}?" + urllib.parse.urlencode(query),
        raw=wechat_text_xml("gh_test", openid, content, msg_id),
        headers={"Content-Type": "text/xml"},
    )


def user_texts(servers, sender):
    status, body = http("GET", f"{servers.url}/conversations/{sender}/tracker?token={servers.token}")
    assert status == 200, body
    return [e["text"] for e in body["events"] if e["event"] == "user"]


# -- 2. conversations only their owner can read --------------------------------------------------


def test_widget_history_and_lead_need_the_visitors_own_token(servers):
    alice, mallory = widget_visitor(servers), widget_visitor(servers)
    assert widget(servers, "webhook", {**alice, "message": "我手机13800138000，远山多少钱"})[0] == 200
    status, body = widget(servers, "history", alice)
    assert status == 200 and any("13800138000" in (m["text"] or "") for m in body["messages"])
    for forged in (
        {"sender": alice["sender"]},
        {"sender": alice["sender"], "token": mallory["token"]},
        {"sender": alice["sender"], "token": alice["token"][:-1] + "x"},
    ):
        status, body = widget(servers, "history", forged)
        assert status == 403 and "messages" not in body and "13800138000" not in json.dumps(body)
        status, _ = widget(servers, "lead", {**forged, "name": "坏人", "phone": "13900139000", "consent": True})
        assert status == 403
        status, _ = widget(servers, "webhook", {**forged, "message": "你好"})
        assert status == 403
    assert LeadStore(f"sqlite:///{servers.db}").get("widget:" + alice["sender"]) is None
    # the old GET with the sender in the URL reads nothing
    status, body = http("GET", f"{servers.url}/webhooks/widget/history?sender={alice['sender']}")
    assert status == 405 and "13800138000" not in json.dumps(body)


def test_widget_history_cannot_read_a_rest_or_wechat_conversation(servers):
    servers.send("rest-secret-1", "我的电话是13700137000")
    assert wechat_push(servers, "oSECRET1", "我电话13600136000")[0] == 200
    for sender in ("rest-secret-1", "oSECRET1", "wechat:default:oSECRET1"):
        status, body = widget(servers, "history", {"sender": sender, "token": "x"})
        assert status == 403, body
    # the WeChat conversation is stored under its account's namespace, not the bare OpenID
    assert "我电话13600136000" in user_texts(servers, wechat_conversation("oSECRET1"))
    assert user_texts(servers, "oSECRET1") == []


def test_rest_cannot_write_into_another_channels_namespace(servers):
    for sender in ("wechat:default:oSECRET1", "widget:abcdefghijklmnopqrstuvwx"):
        status, body = rest(servers, {"sender": sender, "message": "你好"})
        assert status == 403 and "other channels" in body["error"]


# -- 3. no 5xx -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sender", ["x\ud800", 5, None, "", "s" * 300])
def test_widget_lead_and_history_refuse_bad_senders_with_a_4xx(servers, sender):
    body = json.dumps({"sender": sender, "token": "t", "name": "李", "phone": "13800138000", "consent": True})
    for path in ("lead", "history"):
        status, answer = widget(servers, path, None, raw=body.encode())
        assert 400 <= status < 500 and isinstance(answer, dict) and answer["error"], (path, status, answer)
    for raw in (b"", b"[]", b"\xff\xfe", b"{" * 5000):
        assert 400 <= widget(servers, "lead", None, raw=raw)[0] < 500


@pytest.mark.parametrize("text", ["①", "²", "٣", "1" * 5000, "１", "0", "99"])
def test_wechat_digit_like_texts_are_answered_not_a_500(servers, text):
    status, body = wechat_push(servers, f"o_digits_{abs(hash(text)) % 10000}", text)
    assert status == 200 and body, body
    status, body = wechat_push(servers, "o_digits_after", "太贵了")
    assert status == 200 and body


def test_no_traceback_or_unmasked_wechat_url_in_the_logs(servers):
    text = (servers.logs / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "signature=" not in text and "13600136000" not in text


# -- 4. the widget lead under the conversation lock ---------------------------------------------


def test_widget_lead_and_messages_at_once_lose_no_event(servers):
    visitor = widget_visitor(servers)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        messages = [pool.submit(widget, servers, "webhook", {**visitor, "message": m}) for m in ("太贵了", "能分期吗")]
        lead = pool.submit(
            widget, servers, "lead", {**visitor, "name": "周女士", "phone": "13512345678", "consent": True}
        )
        assert [f.result()[0] for f in messages] == [200, 200] and lead.result()[0] == 200
    sender = "widget:" + visitor["sender"]
    assert sorted(user_texts(servers, sender)) == sorted(["太贵了", "能分期吗"])
    status, tracker = http("GET", f"{servers.url}/conversations/{sender}/tracker?token={servers.token}")
    assert tracker["slots"]["lead_phone"] == "13512345678"
    assert LeadStore(f"sqlite:///{servers.db}").get(sender).phone == "13512345678"


# -- 5. coaching only for practice clients ------------------------------------------------------


def test_prospects_get_the_answer_without_the_coaching(servers):
    visitor = widget_visitor(servers)
    status, body = widget(servers, "webhook", {**visitor, "message": "太贵了", "metadata": {"dealer": "sample-dealer"}})
    assert status == 200 and body and all("custom" not in m for m in body), body
    assert "principle" not in json.dumps(body, ensure_ascii=False)
    plain = servers.send("prospect-rest-1", "太贵了", coaching=False)
    assert plain and all("custom" not in m for m in plain), plain
    coached = servers.send("trainee-rest-1", "太贵了", metadata=COACH)
    assert any((m.get("custom") or {}).get("principle_why") for m in coached), coached
    status, streamed = http(
        "POST", f"{servers.url}/webhooks/rest/webhook?stream=true", {"sender": "prospect-rest-2", "message": "太贵了"}
    )
    assert status == 200 and "principle" not in str(streamed) and "custom" not in str(streamed)


# -- 6. WeChat safe mode and replays ------------------------------------------------------------


def test_a_safe_mode_account_refuses_plaintext_pushes(servers):
    name, settings = next((n, a) for n, a in wechat_vector_accounts().items() if a.get("encoding_aes_key"))
    status, body = wechat_push(servers, "o_plain_into_safe", "你好", path=f"/{name}", token=settings["token"])
    assert status == 403 and "safe mode" in body
    assert user_texts(servers, f"wechat:{name}:o_plain_into_safe") == []
    assert account_for({"token": settings["token"]}) == f"/{name}"


def test_a_replayed_signed_url_with_another_body_starts_no_turn(servers):
    nonce = unique_nonce()
    status, body = wechat_push(servers, "o_replay_victim", "你好", nonce=nonce)
    assert status == 200 and body != "success"
    status, body = wechat_push(servers, "o_replay_victim", "我要退订所有服务", nonce=nonce)
    assert status == 200 and body == "success"
    assert user_texts(servers, wechat_conversation("o_replay_victim")) == ["你好"]
    # WeChat's own retry of the same push (same URL, same body) is still answered once
    status, first = wechat_push(servers, "o_retry_same", "太贵了", nonce="777", msg_id=424242)
    status2, second = wechat_push(servers, "o_retry_same", "太贵了", nonce="777", msg_id=424242)
    assert status == status2 == 200
    assert user_texts(servers, wechat_conversation("o_retry_same")) == ["太贵了"]


# -- 10. floods from one address ------------------------------------------------------------------


def test_rotating_sender_ids_from_one_address_is_limited_then_answers_go_on(servers):
    def one(i):
        return rest(servers, {"sender": f"rotating-{i}", "message": "太贵了"}, **({"stream": "true"} if i % 2 else {}))

    # the servers fixture allows 8 messages waiting per address (BOT_MAX_PENDING_PER_ADDRESS)
    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        results = list(pool.map(one, range(120)))
    statuses = [s for s, _ in results]
    assert set(statuses) <= {200, 429} and 429 in statuses and 200 in statuses, sorted(set(statuses))
    refused = next(b for s, b in results if s == 429)
    assert "address" in refused["error"]
    status, body = rest(servers, {"sender": "after-rotation", "message": "你好"})
    assert status == 200 and body


# -- 1. consent over REST ------------------------------------------------------------------------


@pytest.mark.parametrize("reply", ["不同意", "不行", "不可以", "不好意思，不太方便"])
def test_a_refusal_to_be_called_keeps_no_lead(servers, reply):
    sender = f"consent-no-{abs(hash(reply)) % 100000}"
    servers.send(sender, "我再考虑考虑")
    servers.send(sender, "不急，过段时间再说")
    servers.send(sender, "一个月内吧")
    servers.send(sender, "我姓李，电话13800138000")
    servers.send(sender, reply)
    assert LeadStore(f"sqlite:///{servers.db}").get(sender) is None
