"""The WeChat channel over its real HTTP endpoints on the running Rasa server: published vectors,
plain and safe mode, dedupe of retries, 100 users at once, hostile bodies, buttons and events."""

import concurrent.futures
import json
import time
import urllib.parse
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from bot.channels.wechat_crypto import aes_key, decrypt, encrypt, signature
from tests.conftest import WECHAT, account_for, http, unique_nonce, wechat_conversation
from tests.server.waiting import settled, turn_finished, wait_until

pytestmark = pytest.mark.server
VECTORS = json.loads((Path(__file__).resolve().parents[1] / "data/wechat_vectors.json").read_text(encoding="utf-8"))
ACCOUNT = "gh_testaccount"


def url(servers, **query):
    return f"{servers.url}/webhooks/wechat/webhook?" + urllib.parse.urlencode(query)


def signed(timestamp="1714037059", nonce=None):
    nonce = nonce or unique_nonce()
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature(WECHAT["token"], timestamp, nonce)}


def text_xml(openid, content, msg_id, kind="text", extra=""):
    body = f"<Content><![CDATA[{content}]]></Content>" if kind == "text" else extra
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{body}"
        + (f"<MsgId>{msg_id}</MsgId>" if msg_id else "")
        + "</xml>"
    ).encode()


def post(servers, body, **query):
    return http("POST", url(servers, **(query or signed())), raw=body, headers={"Content-Type": "text/xml"})


def reply_text(body):
    assert isinstance(body, (str, bytes)) and body not in ("success", ""), body
    root = ET.fromstring(body)
    return root.findtext("Content"), root.findtext("ToUserName"), root.findtext("FromUserName")


def test_url_verification_vector_d1(servers):
    v = VECTORS["signature"][0]
    status, body = http(
        "GET", url(servers, signature=v["signature"], timestamp=v["timestamp"], nonce=v["nonce"], echostr=v["echostr"])
    )
    assert (status, str(body)) == (200, v["echostr"])
    status, _ = http("GET", url(servers, signature="0" * 40, timestamp=v["timestamp"], nonce=v["nonce"], echostr="x"))
    assert status == 403


@pytest.mark.parametrize("vid", ["D2", "D3a"])
def test_push_signature_vectors_are_accepted_and_a_wrong_one_refused(servers, vid):
    v = next(x for x in VECTORS["signature"] if x["id"] == vid)
    status, body = post(
        servers,
        text_xml(f"o_vec_{vid}", "你好", f"9{vid.encode().hex()}"),
        timestamp=v["timestamp"],
        nonce=v["nonce"],
        signature=v["signature"],
    )
    assert status == 200 and "助手" in reply_text(body)[0]
    status, _ = post(
        servers,
        text_xml("o_vec_bad", "你好", "1"),
        timestamp=v["timestamp"],
        nonce=v["nonce"],
        signature=v["signature"][:-1] + "0",
    )
    assert status == 403


def test_plain_text_message_gets_a_passive_playbook_reply(servers):
    status, body = post(servers, text_xml("o_plain_1", "远山太贵了", "100001"))
    content, to_user, from_user = reply_text(body)
    assert status == 200 and (to_user, from_user) == ("o_plain_1", ACCOUNT)
    events = servers.tracker(wechat_conversation("o_plain_1"))["events"]
    tag = [e["data"]["custom"] for e in events if e["event"] == "bot" and (e.get("data") or {}).get("custom")][-1]
    assert tag["objection"] == "objection_price" and content and "{" not in content


def test_safe_mode_decrypts_the_push_and_encrypts_the_reply(servers):
    key = aes_key(WECHAT["encoding_aes_key"])
    d4 = VECTORS["encrypt_deterministic"][0]  # same token, key and AppID as the doc's safe-mode examples
    enc = encrypt(key, text_xml("o_safe_1", "能分期吗", "200001").decode(), WECHAT["appid"])
    q = {
        **signed(d4["timestamp"], d4["nonce"]),
        "encrypt_type": "aes",
        "msg_signature": signature(WECHAT["token"], d4["timestamp"], d4["nonce"], enc),
    }
    status, body = post(servers, f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{enc}</Encrypt></xml>".encode(), **q)
    assert status == 200
    envelope = ET.fromstring(body)
    assert envelope.findtext("MsgSignature") == signature(
        WECHAT["token"], envelope.findtext("TimeStamp"), envelope.findtext("Nonce"), envelope.findtext("Encrypt")
    )
    inner = decrypt(key, envelope.findtext("Encrypt"), WECHAT["appid"])
    assert "分期" in reply_text(inner.encode())[0] or "首付" in reply_text(inner.encode())[0]
    q["msg_signature"] = "0" * 40
    assert post(servers, f"<xml><Encrypt>{enc}</Encrypt></xml>".encode(), **q)[0] == 403


def vector(vid):
    return next(
        v for group in ("signature", "decrypt", "encrypt_deterministic") for v in VECTORS[group] if v["id"] == vid
    )


def vector_url(servers, v, **query):
    return f"{servers.url}/webhooks/wechat/webhook{account_for(v)}?" + urllib.parse.urlencode(query)


def envelope_for(v, json_body=False):
    if json_body:
        return json.dumps({"ToUserName": "gh_97417a04a28d", "Encrypt": v["encrypt"]}).encode()
    return f"<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[{v['encrypt']}]]></Encrypt></xml>".encode()


def open_envelope(v, body):
    envelope = ET.fromstring(body)
    assert envelope.findtext("MsgSignature") == signature(
        v["token"], envelope.findtext("TimeStamp"), envelope.findtext("Nonce"), envelope.findtext("Encrypt")
    )
    return decrypt(aes_key(v["encoding_aes_key"]), envelope.findtext("Encrypt"), v["receive_id"])


@pytest.mark.parametrize("vid", ["W1"])
def test_signature_vector_of_another_account_through_its_endpoint(servers, vid):
    v = vector(vid)
    query = {"timestamp": v["timestamp"], "nonce": v["nonce"], "echostr": "hello-w1"}
    assert http("GET", vector_url(servers, v, signature=v["signature"], **query)) == (200, "hello-w1")
    assert http("GET", vector_url(servers, v, signature=v["bad_signature"], **query))[0] == 403
    # the same signature is refused by the default account, which has another token
    assert http("GET", url(servers, signature=v["signature"], **query))[0] == 403


@pytest.mark.parametrize("vid", ["K1", "K3", "W2"])
def test_wecom_url_verification_vectors_decrypt_the_echostr(servers, vid):
    v = vector(vid)
    query = {"timestamp": v["timestamp"], "nonce": v["nonce"], "echostr": v["encrypt"]}
    status, body = http("GET", vector_url(servers, v, msg_signature=v["msg_signature"], **query))
    assert (status, str(body)) == (200, v["plaintext"])
    assert http("GET", vector_url(servers, v, msg_signature="0" * 40, **query))[0] == 403


@pytest.mark.parametrize("vid", ["S1", "K2", "K4", "W3"])
def test_decrypt_vectors_are_answered_with_an_encrypted_reply(servers, vid):
    v = vector(vid)
    query = {"timestamp": v["timestamp"], "nonce": v["nonce"], "msg_signature": v["msg_signature"]}
    if vid == "S1":  # an Official Account in safe mode also signs the query
        query.update(signature=v["plain_signature_same_params"], encrypt_type="aes")
    status, body = http(
        "POST", vector_url(servers, v, **query), raw=envelope_for(v), headers={"Content-Type": "text/xml"}
    )
    assert status == 200, body
    pushed = ET.fromstring(v["plaintext"])
    content, to_user, from_user = reply_text(open_envelope(v, body).encode())
    assert to_user == pushed.findtext("FromUserName") and from_user == pushed.findtext("ToUserName") and content
    users = [e for e in servers.tracker(wechat_conversation(to_user, v))["events"] if e["event"] == "user"]
    assert users[-1]["text"] == pushed.findtext("Content")
    query["msg_signature"] = "0" * 40
    assert http("POST", vector_url(servers, v, **query), raw=envelope_for(v))[0] == 403


def test_d3_json_format_push_decrypts_and_its_event_is_acknowledged(servers):
    v, d3a = vector("D3"), vector("D3a")
    query = {
        "timestamp": v["timestamp"],
        "nonce": v["nonce"],
        "signature": d3a["signature"],
        "msg_signature": v["msg_signature"],
        "encrypt_type": "aes",
    }
    assert http("POST", vector_url(servers, v, **query), raw=envelope_for(v, json_body=True)) == (200, "success")
    wrong_key = {**query, "msg_signature": signature(v["token"], v["timestamp"], v["nonce"], vector("S1")["encrypt"])}
    status, body = http("POST", vector_url(servers, v, **wrong_key), raw=envelope_for(vector("S1"), json_body=True))
    assert status == 400 and "bad request" in body


@pytest.mark.parametrize("vid", ["J2", "W4"])
def test_encrypt_vectors_pushed_as_messages_are_decrypted_and_answered(servers, vid):
    v = vector(vid)
    timestamp, nonce = v.get("timestamp") or vector("J1")["timestamp"], v.get("nonce") or vector("J1")["nonce"]
    msg_signature = v.get("msg_signature") or signature(v["token"], timestamp, nonce, v["encrypt"])
    status, body = http(
        "POST",
        vector_url(servers, v, timestamp=timestamp, nonce=nonce, msg_signature=msg_signature),
        raw=envelope_for(v),
        headers={"Content-Type": "text/xml"},
    )
    assert status == 200, body
    pushed = ET.fromstring(v["plaintext"])
    content, to_user, _ = reply_text(open_envelope(v, body).encode())
    assert to_user == pushed.findtext("FromUserName")
    if vid == "J2":  # a video: the polite "please type" answer
        assert "文字" in content


@pytest.mark.parametrize("vid", ["D4", "J1"])
def test_encrypt_vectors_that_are_not_messages_decrypt_then_get_a_clear_400(servers, vid):
    v = vector(vid)
    timestamp, nonce = v["timestamp"], v["nonce"]
    msg_signature = v.get("msg_signature") or v["msg_signature_computed_here"]
    status, body = http(
        "POST",
        vector_url(servers, v, timestamp=timestamp, nonce=nonce, msg_signature=msg_signature),
        raw=envelope_for(v),
        headers={"Content-Type": "text/xml"},
    )
    assert status == 400 and "not a message" in body  # decrypted (a bad key or padding says otherwise)


def test_unknown_account_is_404(servers):
    assert http("GET", f"{servers.url}/webhooks/wechat/webhook/nobody?echostr=x")[0] == 404


def test_retries_of_one_msgid_make_one_turn_and_one_reply(servers, wechat_api):
    body = text_xml("o_retry_1", "我得回去跟老婆商量一下", "300001")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        futures = []
        for i in range(3):
            futures.append(pool.submit(post, servers, body))
            # Input timing, not a wait: WeChat retries a push it has no answer to while the first
            # request may still be held; 2 s apart (WeChat's own interval is 5 s) puts both retries
            # inside the first request's budget, the case where a second turn could start.
            time.sleep(2 if i < 2 else 0)
        results = [f.result() for f in futures]
    passive = [b for s, b in results if s == 200 and b != "success"]
    events = wait_until(lambda: servers.tracker(wechat_conversation("o_retry_1"))["events"], turn_finished, 60)
    # the answer, if not passive, goes through the API after the turn; a second one would be a duplicate
    async_sent = settled(
        lambda: [m for m in wechat_api.sent if m["touser"] == "o_retry_1"],
        quiet_s=1.0,
        timeout_s=30,
        ready=lambda sent: bool(passive or sent),
    )
    assert len(passive) + len(async_sent) == 1, (passive, async_sent)
    users = [e for e in events if e["event"] == "user"]
    assert len(users) == 1


@pytest.mark.parametrize(
    "body, status",
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<xml><ToUserName>&b;</ToUserName></xml>",
            400,
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
            400,
        ),
        (b"<xml><ToUserName>unclosed", 400),
        (b"", 400),
        (b'{"json": true}', 400),
        (b"<xml><Content>no sender</Content></xml>", 400),
        (b"<xml>" + b"a" * (70 * 1024) + b"</xml>", 413),
    ],
)
def test_hostile_or_malformed_bodies_get_a_4xx_and_the_channel_keeps_working(servers, body, status):
    assert post(servers, body)[0] == status
    ok, reply = post(servers, text_xml("o_after_hostile", "你好", str(time.time_ns())))
    assert ok == 200 and reply_text(reply)[0]


def test_buttons_become_numbered_options_and_a_digit_picks_one(servers):
    status, body = post(servers, text_xml("o_buttons_1", "你好", "500001"))
    content = reply_text(body)[0]
    assert "回复数字选择" in content and "1. 帮我选车" in content
    status, body = post(servers, text_xml("o_buttons_1", "1", "500002"))
    assert "怎么用" in reply_text(body)[0]


def test_events_voice_and_other_message_types(servers):
    now = int(time.time())
    sub = (
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o_evt_1</FromUserName><CreateTime>{now}</CreateTime>"
        "<MsgType>event</MsgType><Event>subscribe</Event></xml>"
    ).encode()
    assert "助手" in reply_text(post(servers, sub)[1])[0]
    click = (
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o_evt_1</FromUserName><CreateTime>{now + 1}</CreateTime>"
        "<MsgType>event</MsgType><Event>CLICK</Event><EventKey>TEST_DRIVE</EventKey></xml>"
    ).encode()
    assert "试驾" in reply_text(post(servers, click)[1])[0]
    voice = text_xml(
        "o_evt_1",
        "",
        "600001",
        kind="voice",
        extra="<MediaId>m</MediaId><Format>amr</Format><Recognition>太贵了</Recognition>",
    )
    assert reply_text(post(servers, voice)[1])[0]
    image = text_xml("o_evt_1", "", "600002", kind="image", extra="<PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId>")
    assert "文字" in reply_text(post(servers, image)[1])[0]
    unsub = (
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o_evt_1</FromUserName><CreateTime>{now + 2}</CreateTime>"
        "<MsgType>event</MsgType><Event>unsubscribe</Event></xml>"
    ).encode()
    assert post(servers, unsub) == (200, "success")

    # unfollowing deletes the follower's conversation with this account (polled: it runs off the loop)
    def users():
        return [e for e in servers.tracker(wechat_conversation("o_evt_1"))["events"] if e["event"] == "user"]

    assert not wait_until(users, lambda found: not found, 30)


def test_100_users_at_once_are_each_answered_exactly_once_within_the_budget(servers, wechat_api):
    """WeChat gives up after 5 s; the channel's budget is 4 s (WECHAT_REPLY_BUDGET in conftest)."""
    budget, users = 4.0, [f"o_burst_{i:03d}" for i in range(100)]
    texts = ["太贵了，便宜点", "我要回去问问老婆", "哪款车适合我", "我再考虑考虑", "隔壁店比你们便宜"]

    def one(i, openid):
        started = time.monotonic()
        status, body = post(servers, text_xml(openid, texts[i % len(texts)], str(700000 + i)))
        return openid, status, body, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(100) as pool:
        results = list(pool.map(lambda a: one(*a), enumerate(users)))
    slowest = max(r[3] for r in results)
    assert all(r[1] == 200 for r in results), [r[:3] for r in results if r[1] != 200][:3]
    assert slowest < budget, f"slowest WeChat-visible response {slowest:.2f}s"
    passive = {r[0] for r in results if r[2] != "success"}
    for openid, _, body, _ in results:
        if openid in passive:
            assert reply_text(body)[1] == openid
    # every user answered, then a quiet second: a send still in flight would show up as a duplicate
    pushed = settled(
        lambda: [m["touser"] for m in wechat_api.sent if m["touser"].startswith("o_burst_")],
        quiet_s=1.0,
        timeout_s=180,
        ready=lambda sent: len(set(sent) | passive) == len(users),
    )
    assert set(pushed) | passive == set(users), f"lost: {sorted(set(users) - set(pushed) - passive)[:5]}"
    assert len(pushed) == len(set(pushed)) and not passive & set(pushed), "a user was answered twice"
    print(f"100 users: {len(passive)} passive, {len(pushed)} via the API, slowest response {slowest:.2f}s")
