"""Property-based tests (hypothesis): the rules engine and the WeChat parser and crypto on arbitrary
input. The engine never raises and only answers with an unused script of the asked objection; the
parsers and the decryption raise nothing but WeChatXmlError / WeChatCryptoError."""

import base64
import json
import string
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from bot.catalog import load_catalog
from bot.channels.wechat_crypto import Keys, WeChatCryptoError, aes_key, check_signature, decrypt, encrypt
from bot.channels.wechat_xml import (
    InboundMessage,
    WeChatXmlError,
    parse_body,
    parse_inner,
    parse_message,
    parse_xml,
    split_text,
)
from bot.constants import OBJECTION_INTENTS
from bot.playbook.facts import PLACEHOLDER
from bot.playbook.loader import load_playbook
from bot.playbook.model import CONTEXT_SLOTS
from bot.playbook.rules import Context, ScriptChoice, select_script

ROOT = Path(__file__).resolve().parents[2]
# Examples, deadline and database come from the hypothesis profile in tests/unit/conftest.py ("ci":
# derandomized, no database; HYPOTHESIS_PROFILE=explore: random). Hypothesis's caches go to a
# temporary directory, not into the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "showroom-hypothesis")
PLAYBOOK = load_playbook(ROOT / "data/playbook")
CATALOG = load_catalog(ROOT / "data/catalog.yml")
SCRIPT_IDS = sorted(s.id for s in PLAYBOOK.scripts)
FAST = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- strategies -----------------------------------------------------------------------------

any_text = st.text(max_size=30)
# every code point, lone surrogates included (what a JSON "\ud800" escape produces)
raw_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=30)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), any_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)),
    max_leaves=12,
)
intents = st.one_of(st.sampled_from(OBJECTION_INTENTS), st.sampled_from(["greet", "nlu_fallback", ""]), any_text)
stages = st.one_of(st.none(), st.sampled_from(PLAYBOOK.stages), any_text)
slot_values = st.one_of(
    json_values,
    st.sampled_from([m.name for m in CATALOG.models] + [m.id for m in CATALOG.models]),
    st.sampled_from(["spouse", "parent", "child", "other", "安全性", "动力与操控", "舒适实用"]),
    st.floats(min_value=1, max_value=1e7),
    st.sampled_from([float("inf"), float("nan"), -1.0, 0]),
)
slot_maps = st.dictionaries(
    st.one_of(st.sampled_from(CONTEXT_SLOTS + ("lead_phone",)), any_text), slot_values, max_size=6
)
used_ids = st.lists(st.one_of(st.sampled_from(SCRIPT_IDS), any_text), max_size=len(SCRIPT_IDS)).map(tuple)
principles = st.one_of(st.none(), st.sampled_from(sorted(PLAYBOOK.principles)), any_text)


@st.composite
def contexts(draw) -> Context:
    return Context(
        objection=draw(intents),
        attempt=draw(st.integers(min_value=-3, max_value=1000)),
        stage=draw(stages),
        slots=draw(slot_maps),
        history=tuple(draw(st.lists(intents, max_size=6))),
        used_scripts=draw(used_ids),
        last_principle=draw(principles),
        gifts_offered=draw(st.integers(min_value=-2, max_value=20)),
    )


# -- the rules engine -----------------------------------------------------------------------


def check_choice(choice: ScriptChoice, ctx: Context) -> None:
    script = PLAYBOOK.script(choice.script_id)
    assert script is not None and script.objection == ctx.objection == choice.objection
    assert choice.script_id not in ctx.used_scripts
    assert choice.principle == script.principle and choice.move == script.move
    assert choice.stage in PLAYBOOK.stages and choice.attempt == ctx.attempt
    assert choice.text and not PLACEHOLDER.search(choice.text)
    assert choice.follow_up is None or not PLACEHOLDER.search(choice.follow_up)
    ids = [a.script_id for a in choice.alternatives]
    assert len(ids) <= 2 and len(set(ids)) == len(ids) and choice.script_id not in ids
    for alt in choice.alternatives:
        other = PLAYBOOK.script(alt.script_id)
        assert other is not None and other.objection == ctx.objection and alt.script_id not in ctx.used_scripts
        assert alt.text and not PLACEHOLDER.search(alt.text) and alt.principle == other.principle
    json.dumps(choice.annotation(), ensure_ascii=False)  # the custom payload is JSON


@FAST
@given(contexts())
def test_select_script_never_raises_and_answers_with_an_unused_script_of_the_objection(ctx):
    choice = select_script(PLAYBOOK, CATALOG, ctx)
    if ctx.objection not in PLAYBOOK.rules:
        assert choice is None
    if choice is not None:
        check_choice(choice, ctx)
    assert select_script(PLAYBOOK, CATALOG, ctx) == choice  # deterministic


@FAST
@given(st.sampled_from(sorted(PLAYBOOK.rules)), slot_maps, st.lists(intents, max_size=12))
def test_a_conversation_never_repeats_a_script_and_the_next_answer_avoids_the_last_principle(objection, slots, others):
    used, last, stage, gifts, history = (), None, None, 0, []
    for raised in [objection] * 6 + others:
        history.append(raised)
        ctx = Context(raised, history.count(raised), stage, slots, tuple(history[:-1]), used, last, gifts)
        choice = select_script(PLAYBOOK, CATALOG, ctx)
        if choice is None:
            continue
        check_choice(choice, ctx)
        if choice.principle == last:  # the same principle twice only when nothing else was eligible
            others_eligible = [a for a in choice.alternatives if a.principle != last]
            assert not others_eligible
        used, last, stage = used + (choice.script_id,), choice.principle, choice.stage
        gifts += choice.offers_gift
    assert len(used) == len(set(used))


@FAST
@given(
    st.sampled_from(sorted(PLAYBOOK.rules)),
    st.integers(min_value=1, max_value=3),
    st.sampled_from((None,) + PLAYBOOK.stages),
)
def test_every_objection_is_answered_at_the_start_of_a_conversation(objection, attempt, stage):
    ctx = Context(objection, attempt, stage, {"car_model": CATALOG.models[0].name})
    choice = select_script(PLAYBOOK, CATALOG, ctx)
    assert choice is not None
    check_choice(choice, ctx)


# -- the WeChat parser ----------------------------------------------------------------------


def only_xml_errors(fn, *args):
    try:
        return fn(*args)
    except WeChatXmlError:
        return None


tag_names = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)
# characters XML 1.0 allows in text (no other control characters, no surrogates)
xml_chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff") | st.sampled_from(
    "\t\n"
)
xml_text = st.text(alphabet=xml_chars, max_size=40)
xml_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda s: s.encode("utf-8", "surrogatepass"), raw_text),
    st.builds(lambda inner: b"<xml>" + inner + b"</xml>", st.binary(max_size=200)),
    st.builds(
        lambda a, b: b"<xml><" + a.encode() + b">" + b + b"</" + a.encode() + b"></xml>",
        tag_names,
        st.binary(max_size=60),
    ),
    st.sampled_from(
        [
            b"",
            b"   ",
            b"<xml/>",
            b"<xml></xml>",
            b"<notxml/>",
            b"<?xml version='1.0'?>",
            b'<!DOCTYPE x [<!ENTITY a "a">]><xml>&a;</xml>',
            b"<xml><![CDATA[",
            b"{",
            b"{}",
            b"[]",
            b'{"a": 1}',
            b"\xef\xbb\xbf<xml/>",
            b"<xml>" * 500,
        ]
    ),
)


@FAST
@given(xml_bodies)
def test_parse_xml_and_parse_body_raise_only_wechat_xml_errors(body):
    for fn in (parse_xml, parse_body):
        fields = only_xml_errors(fn, body)
        if fields is not None:
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())
            message = only_xml_errors(parse_message, fields)
            assert message is None or isinstance(message, InboundMessage)


@FAST
@given(st.dictionaries(tag_names, xml_text, max_size=8))
def test_well_formed_xml_gives_back_its_fields(fields):
    root = ET.Element("xml")
    for name, value in fields.items():
        ET.SubElement(root, name).text = value
    body = ET.tostring(root, encoding="utf-8")
    assert parse_xml(body) == {k: v.strip() for k, v in fields.items()}
    assert parse_body(body) == {k: v.strip() for k, v in fields.items()}


json_bodies = st.one_of(
    raw_text,
    st.builds(lambda s: "{" + s, raw_text),
    st.builds(lambda v: json.dumps(v), json_values),
    st.builds(lambda v: json.dumps(v, ensure_ascii=False), st.dictionaries(raw_text, json_values, max_size=6)),
    st.builds(lambda s: json.dumps({"ToUserName": "gh", "FromUserName": s, "MsgType": "text", "Content": s}), raw_text),
    st.sampled_from(
        [
            "{" * 100000,
            "[" * 100000,
            '{"a": ' + "[" * 5000 + "]" * 5000 + "}",
            '{"a": NaN}',
            '{"Content": "\\ud800"}',
            '{"FromUserName": "\\udfff", "ToUserName": "a", "MsgType": "text"}',
        ]
    ),
)


@FAST
@given(json_bodies)
def test_parse_inner_raises_only_wechat_xml_errors_and_gives_text_fields(plaintext):
    fields = only_xml_errors(parse_inner, plaintext)
    if fields is not None:
        for key, value in fields.items():
            assert isinstance(key, str) and isinstance(value, str)
            key.encode("utf-8")  # storable: no lone surrogates reach Rasa
            value.encode("utf-8")
        message = only_xml_errors(parse_message, fields)
        assert message is None or isinstance(message, InboundMessage)
    body = plaintext.encode("utf-8", "surrogatepass")
    only_xml_errors(parse_body, body)


@FAST
@given(
    st.dictionaries(
        st.one_of(
            st.sampled_from(
                ["ToUserName", "FromUserName", "MsgType", "MsgId", "Content", "Event", "EventKey", "CreateTime"]
            ),
            any_text,
        ),
        any_text,
        max_size=9,
    )
)
def test_parse_message_raises_only_wechat_xml_errors(fields):
    message = only_xml_errors(parse_message, fields)
    if message is None:
        assert not all(fields.get(k) for k in ("ToUserName", "FromUserName", "MsgType"))
    else:
        assert message.from_user == fields["FromUserName"] and message.msg_type == fields["MsgType"].lower()
        assert isinstance(message.dedupe_key, str)


@FAST
@given(st.text(max_size=3000), st.integers(min_value=4, max_value=2048))
def test_split_text_chunks_fit_and_lose_nothing_but_line_breaks(text, limit):
    chunks = split_text(text, limit)
    assert all(len(c.encode("utf-8")) <= limit for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


# emoji (4 bytes), CJK (3), accented (2), ASCII (1) and line breaks; small limits so cuts are frequent
emoji_heavy = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
        st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, blacklist_categories=("Cs",)),
        st.sampled_from("远山试驾é a\n"),
    ),
    max_size=400,
)


@FAST
@given(emoji_heavy, st.integers(min_value=4, max_value=64))
def test_split_text_cuts_4_byte_characters_to_the_limit(text, limit):
    chunks = split_text(text, limit)
    assert all(len(c.encode("utf-8")) <= limit for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


def test_split_text_regression_4_byte_character_after_a_3_byte_one():
    # split_text assumed at most 3 bytes per character: this came back as one 7-byte chunk
    assert split_text("\u0800\U00010000", 6) == ["\u0800", "\U00010000"]
    text = "🚗💨远山Pro试驾👍🏻🎉" * 300 + "\n" + "😀" * 700 + "\n👨‍👩‍👧‍👦 ok"
    for limit in (4, 5, 6, 7, 2047, 2048):
        chunks = split_text(text, limit)
        assert all(len(c.encode("utf-8")) <= limit for c in chunks), limit
        assert "".join(chunks).replace("\n", "") == text.replace("\n", "")
    assert split_text("abc", 1) == ["a", "b", "c"]  # ASCII still fits any positive limit
    with pytest.raises(ValueError):
        split_text("😀", 3)  # no chunk can hold a 4-byte character


# -- the WeChat crypto ----------------------------------------------------------------------

keys32 = st.binary(min_size=32, max_size=32)
receive_ids = st.one_of(st.sampled_from(["wxba5fad812f8e6fb9", ""]), any_text)


def only_crypto_errors(fn, *args):
    try:
        return fn(*args)
    except WeChatCryptoError:
        return None


ciphertexts = st.one_of(
    raw_text,
    st.builds(lambda b: base64.b64encode(b).decode(), st.binary(max_size=200)),
    st.builds(lambda n, b: base64.b64encode(b * n).decode(), st.integers(1, 6), st.binary(min_size=32, max_size=32)),
    st.sampled_from(["", "=", "====", "A" * 43, "A" * 44, "\ud800", "漢字", "AAAA\n"]),
)


@FAST
@given(st.one_of(keys32, st.binary(max_size=64)), ciphertexts, receive_ids)
def test_decrypt_raises_only_wechat_crypto_errors(key, encrypted, receive_id):
    plain = only_crypto_errors(decrypt, key, encrypted, receive_id)
    assert plain is None or isinstance(plain, str)


@FAST
@given(keys32, st.text(max_size=500), receive_ids, st.binary(min_size=16, max_size=16), st.data())
def test_encrypt_then_decrypt_round_trips_and_any_tampering_is_a_crypto_error(key, message, receive_id, random16, data):
    enc = encrypt(key, message, receive_id, random16)
    assert decrypt(key, enc, receive_id) == message
    raw = bytearray(base64.b64decode(enc))
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= data.draw(st.integers(1, 255))
    tampered = only_crypto_errors(decrypt, key, base64.b64encode(bytes(raw)).decode(), receive_id)
    assert tampered is None or isinstance(tampered, str)  # CBC: a flip may still decrypt, never crash
    other = data.draw(keys32)
    assume(other != key)
    only_crypto_errors(decrypt, other, enc, receive_id)  # the wrong key: a crypto error (or, rarely, garbage)


@FAST
@given(
    st.one_of(raw_text, st.text(alphabet=string.ascii_letters + string.digits + "+/=", min_size=40, max_size=46)),
    st.one_of(st.none(), raw_text),
)
def test_key_settings_raise_only_wechat_crypto_errors(current, previous):
    keys = only_crypto_errors(Keys.from_settings, current, previous)
    if keys is not None:
        assert len(keys.current) == 32
        assert only_crypto_errors(keys.decrypt, "A" * 44, "x") is None
    only_crypto_errors(aes_key, current)


@FAST
@given(raw_text, raw_text, raw_text, raw_text, st.one_of(st.none(), raw_text))
def test_check_signature_is_a_bool_for_any_text(token, timestamp, nonce, given_signature, encrypted):
    assert check_signature(token, timestamp, nonce, given_signature, encrypted) in (True, False)


@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb"])
def test_a_json_push_with_lone_surrogates_is_refused_not_crashed(bad):
    body = json.dumps({"ToUserName": "gh", "FromUserName": bad, "MsgType": "text", "Encrypt": bad}).encode()
    with pytest.raises(WeChatXmlError):
        parse_body(body)
