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
from tests.conftest import WECHAT, http

pytestmark = pytest.mark.server
VECTORS = json.loads((Path(__file__).resolve().parents[1] / "data/wechat_vectors.json").read_text(encoding="utf-8"))
ACCOUNT = "gh_testaccount"


def url(servers, **query):
    return f"{servers.url}/webhooks/wechat/webhook?" + urllib.parse.urlencode(query)


def signed(timestamp="1714037059", nonce="486452656"):
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature(WECHAT["token"], timestamp, nonce)}


def text_xml(openid, content, msg_id, kind="text", extra=""):
    body = f"<Content><![CDATA[{content}]]></Content>" if kind == "text" else extra
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{body}"
            + (f"<MsgId>{msg_id}</MsgId>" if msg_id else "") + "</xml>").encode()


def post(servers, body, **query):
    return http("POST", url(servers, **(query or signed())), raw=body, headers={"Content-Type": "text/xml"})


def reply_text(body):
    assert isinstance(body, (str, bytes)) and body not in ("success", ""), body
    root = ET.fromstring(body)
    return root.findtext("Content"), root.findtext("ToUserName"), root.findtext("FromUserName")


def test_url_verification_vector_d1(servers):
    v = VECTORS["signature"][0]
    status, body = http("GET", url(servers, signature=v["signature"], timestamp=v["timestamp"], nonce=v["nonce"],
                                   echostr=v["echostr"]))
    assert (status, str(body)) == (200, v["echostr"])
    status, _ = http("GET", url(servers, signature="0" * 40, timestamp=v["timestamp"], nonce=v["nonce"], echostr="x"))
    assert status == 403


@pytest.mark.parametrize("vid", ["D2", "D3a"])
def test_push_signature_vectors_are_accepted_and_a_wrong_one_refused(servers, vid):
    v = next(x for x in VECTORS["signature"] if x["id"] == vid)
    status, body = post(servers, text_xml(f"o_vec_{vid}", "你好", f"9{vid.encode().hex()}"),
                        timestamp=v["timestamp"], nonce=v["nonce"], signature=v["signature"])
    assert status == 200 and "助手" in reply_text(body)[0]
    status, _ = post(servers, text_xml("o_vec_bad", "你好", "1"), timestamp=v["timestamp"], nonce=v["nonce"],
                     signature=v["signature"][:-1] + "0")
    assert status == 403


def test_plain_text_message_gets_a_passive_playbook_reply(servers):
    status, body = post(servers, text_xml("o_plain_1", "远山太贵了", "100001"))
    content, to_user, from_user = reply_text(body)
    assert status == 200 and (to_user, from_user) == ("o_plain_1", ACCOUNT)
    events = servers.tracker("o_plain_1")["events"]
    tag = [e["data"]["custom"] for e in events if e["event"] == "bot" and (e.get("data") or {}).get("custom")][-1]
    assert tag["objection"] == "objection_price" and content and "{" not in content


def test_safe_mode_decrypts_the_push_and_encrypts_the_reply(servers):
    key = aes_key(WECHAT["encoding_aes_key"])
    d4 = VECTORS["encrypt_deterministic"][0]  # same token, key and AppID as the doc's safe-mode examples
    enc = encrypt(key, text_xml("o_safe_1", "能分期吗", "200001").decode(), WECHAT["appid"])
    q = {**signed(d4["timestamp"], d4["nonce"]), "encrypt_type": "aes",
         "msg_signature": signature(WECHAT["token"], d4["timestamp"], d4["nonce"], enc)}
    status, body = post(servers, f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{enc}</Encrypt></xml>".encode(), **q)
    assert status == 200
    envelope = ET.fromstring(body)
    assert envelope.findtext("MsgSignature") == signature(WECHAT["token"], envelope.findtext("TimeStamp"),
                                                          envelope.findtext("Nonce"), envelope.findtext("Encrypt"))
    inner = decrypt(key, envelope.findtext("Encrypt"), WECHAT["appid"])
    assert "分期" in reply_text(inner.encode())[0] or "首付" in reply_text(inner.encode())[0]
    q["msg_signature"] = "0" * 40
    assert post(servers, f"<xml><Encrypt>{enc}</Encrypt></xml>".encode(), **q)[0] == 403


def test_d4_reply_envelope_vector_decrypts_at_our_key(servers):
    v = VECTORS["encrypt_deterministic"][0]
    assert signature(v["token"], v["timestamp"], v["nonce"], v["encrypt"]) == v["msg_signature"]
    assert decrypt(aes_key(v["encoding_aes_key"]), v["encrypt"], WECHAT["appid"]) == v["plaintext"]


def test_retries_of_one_msgid_make_one_turn_and_one_reply(servers, wechat_api):
    body = text_xml("o_retry_1", "我得回去跟老婆商量一下", "300001")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        futures = []
        for i in range(3):
            futures.append(pool.submit(post, servers, body))
            time.sleep(2 if i < 2 else 0)
        results = [f.result() for f in futures]
    passive = [b for s, b in results if s == 200 and b != "success"]
    time.sleep(1)
    async_sent = [m for m in wechat_api.sent if m["touser"] == "o_retry_1"]
    assert len(passive) + (1 if async_sent else 0) == 1
    users = [e for e in servers.tracker("o_retry_1")["events"] if e["event"] == "user"]
    assert len(users) == 1


@pytest.mark.parametrize(
    "body, status",
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
         b"<xml><ToUserName>&b;</ToUserName></xml>", 400),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
         400),
        (b"<xml><ToUserName>unclosed", 400),
        (b"", 400),
        (b"{\"json\": true}", 400),
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
    sub = (f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o_evt_1</FromUserName><CreateTime>{now}</CreateTime>"
           "<MsgType>event</MsgType><Event>subscribe</Event></xml>").encode()
    assert "助手" in reply_text(post(servers, sub)[1])[0]
    click = (f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o_evt_1</FromUserName><CreateTime>{now + 1}</CreateTime>"
             "<MsgType>event</MsgType><Event>CLICK</Event><EventKey>TEST_DRIVE</EventKey></xml>").encode()
    assert "试驾" in reply_text(post(servers, click)[1])[0]
    voice = text_xml("o_evt_1", "", "600001", kind="voice",
                     extra="<MediaId>m</MediaId><Format>amr</Format><Recognition>太贵了</Recognition>")
    assert reply_text(post(servers, voice)[1])[0]
    image = text_xml("o_evt_1", "", "600002", kind="image", extra="<PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId>")
    assert "文字" in reply_text(post(servers, image)[1])[0]
    unsub = (f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o_evt_1</FromUserName><CreateTime>{now + 2}</CreateTime>"
             "<MsgType>event</MsgType><Event>unsubscribe</Event></xml>").encode()
    assert post(servers, unsub) == (200, "success")
