"""Dialogue basics through the REST channel of the running servers, and input that must not break them."""

from pathlib import Path

import pytest
import yaml

from tests.conftest import http

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]


def texts(messages):
    return " ".join(m.get("text", "") for m in messages)


def test_greeting_says_it_is_an_assistant_and_offers_buttons(servers):
    reply = servers.send("greet-1", "你好")
    assert "助手" in texts(reply) and "AI" in texts(reply)
    assert any(m.get("buttons") for m in reply)


def domain_variants(response_name):
    """Every text variant of a response in domain.yml: Rasa picks one at random."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [variant["text"] for variant in domain["responses"][response_name]]


@pytest.mark.parametrize(
    "message, response_name",
    [("谢谢你啊", "utter_thank"), ("拜拜", "utter_goodbye"), ("今天晚上吃啥好呢", "utter_out_of_scope")],
)
def test_small_talk_gets_one_of_its_response_variants(servers, message, response_name):
    assert texts(servers.send(f"talk-{message}", message)) in domain_variants(response_name)


def test_a_price_objection_gets_a_budget_script(servers):
    assert "预算" in texts(servers.send("talk-price", "太贵了吧"))


def test_a_button_payload_is_understood(servers):
    reply = servers.send("button-1", "/request_test_drive")
    assert "试驾" in texts(reply)


def test_low_confidence_gets_the_help_menu_with_buttons(servers):
    reply = servers.send("fallback-1", "嗯嗯啊啊哦哦额额")
    parse = servers.parse("嗯嗯啊啊哦哦额额")
    if parse["intent"]["name"] == "nlu_fallback":
        assert "没太理解" in texts(reply)
        assert len([b for m in reply for b in m.get("buttons") or []]) >= 4
    else:  # a confident reading must at least get an answer
        assert texts(reply)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "\n\t",
        "🚗" * 50,
        "啊" * 10000,
        "x" * 20000,
        "\x00\x07\x1b[31m",
        "<script>alert(1)</script>",
        "'; DROP TABLE events; --",
        "/nonexistent_intent",
        '/greet{"bad json',
    ],
)
def test_odd_input_never_breaks_the_server(servers, message):
    status, body = http("POST", f"{servers.url}/webhooks/rest/webhook", {"sender": "odd-1", "message": message})
    assert status == 200 and isinstance(body, list)
    assert "Traceback" not in str(body)
    assert "助手" in texts(servers.send("odd-1", "你好"))  # and the conversation goes on


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b'{"sender": "x"}',
        b'{"message": 5, "sender": "x"}',
        b'{"message": "hi"}',
        b'{"message": "hi", "sender": ""}',
        b"\xff\xfe\xfa",
        b'{"message": "' + b"a" * 30000 + b'", "sender": "x"}',
    ],
)
def test_malformed_request_bodies_get_a_clear_400(servers, raw):
    status, body = http("POST", f"{servers.url}/webhooks/rest/webhook", raw=raw)
    assert status == 400, (status, body)
    assert "Traceback" not in str(body)
    assert "助手" in texts(servers.send("malformed-after", "你好"))


def test_http_api_needs_the_token(servers):
    status, _ = http("POST", f"{servers.url}/model/parse", {"text": "你好"})
    assert status == 401
