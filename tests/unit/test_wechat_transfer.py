"""The hand-over to WeChat customer service (多客服): the transfer_customer_service passive reply,
plain and through the safe-mode path (encrypted_reply + encrypted_envelope) with the published
vectors' keys."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.channels.wechat_crypto import aes_key, check_signature, decrypt, encrypted_reply
from bot.channels.wechat_xml import (
    InboundMessage,
    encrypted_envelope,
    parse_body,
    parse_message,
    parse_xml,
    transfer_reply,
)

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "data/wechat_vectors.json").read_text(encoding="utf-8"))
# every account of the published vectors (token, key, AppID/CorpID) once
KEYED = list(
    {
        (v["token"], v["encoding_aes_key"], v["receive_id"]): v
        for v in VECTORS["encrypt_deterministic"] + VECTORS["decrypt"]
    }.values()
)
USER_TEXT = (
    b"<xml><ToUserName><![CDATA[gh_showroom]]></ToUserName><FromUserName><![CDATA[o_user_1]]></FromUserName>"
    b"<CreateTime>1714036504</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    b"<Content><![CDATA[\xe6\x88\x91\xe8\xa6\x81\xe6\x89\xbe\xe4\xba\xba\xe5\xb7\xa5]]></Content>"
    b"<MsgId>24612345678901234</MsgId></xml>"
)


def inbound(**overrides) -> InboundMessage:
    fields = {
        "to_user": "gh_showroom",
        "from_user": "o_user_1",
        "create_time": "1714036504",
        "msg_type": "text",
        "msg_id": "1",
        "content": "我要找人工",
    }
    fields.update(overrides)
    return InboundMessage(**fields)


def test_transfer_reply_swaps_sender_and_recipient_and_names_the_type():
    message = parse_message(parse_body(USER_TEXT))
    reply = transfer_reply(message, now=1714036600)
    root = ET.fromstring(reply)
    assert root.tag == "xml"
    assert [child.tag for child in root] == ["ToUserName", "FromUserName", "CreateTime", "MsgType"]
    assert parse_xml(reply.encode("utf-8")) == {
        "ToUserName": "o_user_1",
        "FromUserName": "gh_showroom",
        "CreateTime": "1714036600",
        "MsgType": "transfer_customer_service",
    }
    assert root.find("TransInfo") is None


def test_create_time_defaults_to_now():
    created = int(parse_xml(transfer_reply(inbound()).encode())["CreateTime"])
    assert created > 1_700_000_000


def test_kf_account_goes_in_trans_info():
    root = ET.fromstring(transfer_reply(inbound(), kf_account="  test1@gh_showroom "))
    assert root.find("TransInfo/KfAccount").text == "test1@gh_showroom"
    assert [c.tag for c in root] == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "TransInfo"]


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_no_kf_account_means_no_trans_info(blank):
    assert ET.fromstring(transfer_reply(inbound(), kf_account=blank)).find("TransInfo") is None


def test_text_is_escaped_not_pasted_into_cdata():
    hostile_openid = "o_]]><MsgType>text</MsgType><x>&amp;"
    hostile_kf = "kf]]></KfAccount></TransInfo><Content>hi</Content><KfAccount>&lt;"
    reply = transfer_reply(inbound(from_user=hostile_openid, to_user="gh_<a&b>"), kf_account=hostile_kf, now=1)
    assert "]]>" not in reply.replace("]]&gt;", "") and "<![CDATA[" not in reply
    root = ET.fromstring(reply)
    assert [c.tag for c in root] == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "TransInfo"]
    assert root.find("ToUserName").text == hostile_openid
    assert root.find("FromUserName").text == "gh_<a&b>"
    assert root.find("MsgType").text == "transfer_customer_service"
    assert [c.tag for c in root.find("TransInfo")] == ["KfAccount"]
    assert root.find("TransInfo/KfAccount").text == hostile_kf


@pytest.mark.parametrize("kind", ["voice", "image", "text"])
def test_user_messages_of_any_type_can_be_forwarded(kind):
    assert "transfer_customer_service" in transfer_reply(inbound(msg_type=kind))


def test_events_are_never_forwarded():
    with pytest.raises(ValueError, match="events"):
        transfer_reply(inbound(msg_type="event", msg_id=None, event="CLICK", event_key="menu_1"))


@pytest.mark.parametrize("v", KEYED, ids=[v["id"] for v in KEYED])
def test_safe_mode_reply_is_encrypted_signed_and_decrypts_back(v):
    key = aes_key(v["encoding_aes_key"])
    timestamp, nonce = v.get("timestamp", "1714036504"), v.get("nonce", "415670741")  # J2 has neither
    reply = transfer_reply(inbound(), kf_account="小王@gh_showroom", now=int(timestamp))
    enc, sig = encrypted_reply(v["token"], key, v["receive_id"], reply, timestamp, nonce)
    body = encrypted_envelope(enc, sig, timestamp, nonce)
    outer = parse_xml(body.encode("utf-8"))
    assert set(outer) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert check_signature(v["token"], outer["TimeStamp"], outer["Nonce"], outer["MsgSignature"], outer["Encrypt"])
    plain = decrypt(key, outer["Encrypt"], v["receive_id"])
    assert plain == reply
    fields = parse_xml(plain.encode("utf-8"))
    assert fields["MsgType"] == "transfer_customer_service" and fields["ToUserName"] == "o_user_1"
    assert ET.fromstring(plain).find("TransInfo/KfAccount").text == "小王@gh_showroom"


def test_safe_mode_reply_is_deterministic_with_the_vectors_random_prefix():
    v = VECTORS["encrypt_deterministic"][0]
    key = aes_key(v["encoding_aes_key"])
    reply = transfer_reply(inbound(), now=int(v["timestamp"]))
    first = encrypted_reply(v["token"], key, v["receive_id"], reply, v["timestamp"], v["nonce"], v["random16"].encode())
    again = encrypted_reply(v["token"], key, v["receive_id"], reply, v["timestamp"], v["nonce"], v["random16"].encode())
    assert first == again
    assert decrypt(key, first[0], v["receive_id"]) == reply
