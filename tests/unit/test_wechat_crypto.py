"""WeChat signature and AES functions against every published vector in
tests/data/wechat_vectors.json (copied from shared/docs/wechat-test-vectors.json)."""

import json
from pathlib import Path

import pytest

from bot.channels.wechat_crypto import (
    Keys,
    WeChatCryptoError,
    aes_key,
    check_signature,
    decrypt,
    encrypt,
    encrypted_reply,
    signature,
)

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "data/wechat_vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("v", VECTORS["signature"], ids=[v["id"] for v in VECTORS["signature"]])
def test_signature_vectors(v):
    assert signature(v["token"], v["timestamp"], v["nonce"]) == v["signature"]
    assert check_signature(v["token"], v["timestamp"], v["nonce"], v["signature"])
    if "bad_signature" in v:
        assert not check_signature(v["token"], v["timestamp"], v["nonce"], v["bad_signature"])


@pytest.mark.parametrize("v", VECTORS["decrypt"], ids=[v["id"] for v in VECTORS["decrypt"]])
def test_decrypt_vectors(v):
    assert check_signature(v["token"], v["timestamp"], v["nonce"], v["msg_signature"], v["encrypt"])
    key = aes_key(v["encoding_aes_key"])
    assert decrypt(key, v["encrypt"], v["receive_id"]) == v["plaintext"]
    with pytest.raises(WeChatCryptoError, match="ReceiveId"):
        decrypt(key, v["encrypt"], "wx_someone_else")
    if "random16" in v:  # re-encrypting with the same random prefix gives the same ciphertext
        assert encrypt(key, v["plaintext"], v["receive_id"], v["random16"].encode()) == v["encrypt"]


@pytest.mark.parametrize("v", VECTORS["encrypt_deterministic"], ids=[v["id"] for v in VECTORS["encrypt_deterministic"]])
def test_encrypt_vectors(v):
    key = aes_key(v["encoding_aes_key"])
    assert encrypt(key, v["plaintext"], v["receive_id"], v["random16"].encode()) == v["encrypt"]
    expected_sig = v.get("msg_signature") or v.get("msg_signature_computed_here")
    if expected_sig:
        enc, sig = encrypted_reply(
            v["token"], key, v["receive_id"], v["plaintext"], v["timestamp"], v["nonce"], v["random16"].encode()
        )
        assert (enc, sig) == (v["encrypt"], expected_sig)
    assert decrypt(key, v["encrypt"], v["receive_id"]) == v["plaintext"]


def test_previous_key_is_accepted_during_a_key_change():
    old, new = "A" * 43, VECTORS["decrypt"][1]["encoding_aes_key"]
    enc = encrypt(aes_key(old), "<xml>hi</xml>", "wx1")
    message, used = Keys.from_settings(new, previous=old).decrypt(enc, "wx1")
    assert message == "<xml>hi</xml>" and used == aes_key(old)
    with pytest.raises(WeChatCryptoError):
        Keys.from_settings(new).decrypt(enc, "wx1")


@pytest.mark.parametrize("bad", ["", "short", "A" * 42 + "!", "A" * 44])
def test_bad_keys_are_refused(bad):
    with pytest.raises(WeChatCryptoError):
        aes_key(bad)


@pytest.mark.parametrize("ciphertext", ["", "not base64!!", "QUJD", "A" * 44, "A" * 64])
def test_bad_ciphertexts_raise_a_clear_error(ciphertext):
    with pytest.raises(WeChatCryptoError):
        decrypt(aes_key("A" * 43), ciphertext, "wx1")


def test_freshness_window():
    import time as _time

    from bot.channels.wechat import WeChatInput

    channel = WeChatInput("t", "wx1", timestamp_window_s=300)
    now = int(_time.time())
    assert channel._fresh(str(now - 299)) and channel._fresh(str(now + 100))
    assert not channel._fresh(str(now - 301)) and not channel._fresh("not-a-number")
    assert WeChatInput("t", "wx1", timestamp_window_s=0)._fresh("1")


def test_long_answers_are_split_to_the_passive_reply_limit():
    from bot.channels.wechat_xml import MAX_REPLY_BYTES, split_text

    text = "远山Pro七座空间大。" * 400 + "\n第二段"
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c.encode("utf-8")) <= MAX_REPLY_BYTES for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


def test_reply_xml_escapes_text_that_would_break_cdata():
    from xml.etree import ElementTree as ET

    from bot.channels.wechat_xml import InboundMessage, text_reply

    xml = text_reply(InboundMessage("gh", "o1", "1", "text"), "a ]]> <b>&", now=1)
    assert ET.fromstring(xml).findtext("Content") == "a ]]> <b>&"
