"""Channel identity and audience rules without servers: visitor tokens, namespaces, the REST bearer
token, coaching payloads, WeChat's numbered options and single-flight token refresh, page caching."""

import asyncio
import http.server
import json
import threading
import time

import pytest

from bot.channels.audience import AudienceCollectingOutputChannel, wants_coaching
from bot.channels.identity import VisitorTokens, check_bearer, check_rest_sender, wechat_sender
from bot.channels.inputs import AddressLimiter, InputError
from bot.channels.wechat import Account, WeChatInput
from bot.channels.wechat_xml import InboundMessage
from tests.unit.shared import send_json


def test_visitor_tokens_verify_only_their_own_visitor(tmp_path):
    tokens = VisitorTokens(b"0123456789abcdef0123")
    visitor, token = tokens.issue()
    other, other_token = tokens.issue()
    assert visitor != other and len(visitor) == 24
    assert tokens.verify(visitor, token) == f"widget:{visitor}"
    for bad in (
        (visitor, other_token),
        (visitor, None),
        (visitor, token + "x"),
        ("short", token),
        (visitor + "\ud800", token),
        (123, token),
        (visitor, "\ud800"),
    ):
        with pytest.raises(InputError) as e:
            tokens.verify(*bad)
        assert e.value.status == 403
    with pytest.raises(InputError):
        VisitorTokens(b"another-secret-0123456").verify(visitor, token)


def test_the_widget_secret_is_created_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("WIDGET_SECRET", raising=False)
    first = VisitorTokens.from_environment(str(tmp_path))
    visitor, token = first.issue()
    assert (tmp_path / "widget-secret").stat().st_mode & 0o777 == 0o600
    assert VisitorTokens.from_environment(str(tmp_path)).verify(visitor, token) == f"widget:{visitor}"
    monkeypatch.setenv("WIDGET_SECRET", "shared-between-servers-0123")
    with pytest.raises(InputError):
        VisitorTokens.from_environment(str(tmp_path)).verify(visitor, token)


def test_namespaces_and_the_rest_bearer_token():
    assert wechat_sender("", "oX") == "wechat:default:oX" and wechat_sender("east", "oX") == "wechat:east:oX"
    assert check_rest_sender("customer-42") == "customer-42"
    for sender in ("wechat:default:oX", "widget:abc"):
        with pytest.raises(InputError):
            check_rest_sender(sender)
    check_bearer(None, None)  # no token configured: open, as documented
    check_bearer("Bearer s3cret", "s3cret")
    for header in (None, "", "Bearer wrong", "s3cret", "Basic s3cret", "Bearer s3cret\u00e9"):
        with pytest.raises(InputError) as e:
            check_bearer(header, "s3cret")
        assert e.value.status == 401


def test_coaching_payloads_only_for_practice_clients():
    assert wants_coaching({"roleplay": {"mode": "coach"}}) and wants_coaching({"roleplay": {"mode": "customer"}})
    for meta in (None, {}, {"roleplay": {"mode": "off"}}, {"roleplay": "coach"}, {"dealer": "x"}):
        assert not wants_coaching(meta)

    async def answer(channel):
        await channel.send_response("u", {"text": "理解您的顾虑。", "custom": {"principle_why": "…"}})
        return channel.messages

    prospect = asyncio.run(answer(AudienceCollectingOutputChannel(False)))
    trainee = asyncio.run(answer(AudienceCollectingOutputChannel(True)))
    assert [m.get("text") for m in prospect] == ["理解您的顾虑。"] and all("custom" not in m for m in prospect)
    assert any(m.get("custom") for m in trainee)


def test_address_limiter_counts_waiting_messages_per_address():
    limiter = AddressLimiter(2)
    limiter.acquire("a")
    limiter.acquire("a")
    limiter.acquire("b")
    with pytest.raises(InputError) as e:
        limiter.acquire("a")
    assert e.value.status == 429
    limiter.release("a")
    limiter.acquire("a")
    limiter.release("a"), limiter.release("a"), limiter.release("b")
    assert limiter.pending == {}


@pytest.mark.parametrize("text", ["①", "²", "٣", "1" * 5000, "１", "0", "3", "-1", " 1 "])
def test_numbered_options_take_only_small_ascii_numbers(text):
    channel = WeChatInput(token="t", appid="wx")
    channel.state.options["wechat:default:o1"] = ["/affirm", "/deny"]
    message = InboundMessage(to_user="gh", from_user="o1", create_time="1", msg_type="text", content=text)
    expected = {"1": "/affirm", " 1 ": "/affirm"}.get(text, text.strip())
    assert channel._text_for(message, "wechat:default:o1") == expected


class _TokenApi(http.server.BaseHTTPRequestHandler):
    """Refuses the old token with 40001 (slowly, so both senders see it) and counts refreshes."""

    refreshes = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path.startswith("/cgi-bin/stable_token"):
            with _TokenApi.lock:
                _TokenApi.refreshes += 1
                answer = {"access_token": f"NEW{_TokenApi.refreshes}", "expires_in": 7200}
        elif "access_token=OLD" in self.path:
            time.sleep(0.2)
            answer = {"errcode": 40001, "errmsg": "invalid credential"}
        else:
            answer = {"errcode": 0, "touser": body.get("touser")}
        data = json.dumps(answer).encode()
        send_json(self, data)

    def log_message(self, *args):
        pass


def test_two_senders_that_both_see_40001_cause_one_refresh():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        channel = WeChatInput(token="t", appid="wx", appsecret="s", api_base=f"http://127.0.0.1:{server.server_port}")
        account: Account = channel.default
        account.access_token = ("OLD", time.time() + 3600)  # cached, but WeChat already revoked it

        async def both():
            await asyncio.gather(
                channel._send_customer_service(account, "o1", ["一"]),
                channel._send_customer_service(account, "o2", ["二"]),
            )

        asyncio.run(both())
        assert _TokenApi.refreshes == 1 and account.access_token[0] == "NEW1"
    finally:
        server.shutdown()


def test_pages_are_rendered_once_until_a_file_changes(monkeypatch, tmp_path):
    import bot.roleplay.personas as personas
    from bot.channels import widget

    calls = []
    real = personas.load_personas
    monkeypatch.setattr(personas, "load_personas", lambda d: calls.append(d) or real(d))
    widget._render_page.cache_clear()
    first = widget.render_page("trainee")
    assert widget.render_page("trainee") == first and widget.render_page("trainee") == first
    assert len(calls) == 1
