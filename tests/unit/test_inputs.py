"""bot.channels.inputs: the request checks of the REST and widget channels, and the turn guard of
every channel (over-long text, a sender flooding, the action server down or slow)."""

import asyncio
import json
import time

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.channels import inputs
from bot.channels.inputs import MAX_MESSAGE_CHARS, TOO_LONG_TEXT, InputError, SenderBusy, TurnGuard


def test_clean_text_drops_control_characters_and_lone_surrogates_only():
    assert inputs.clean_text("a\x00b\x07c\x1b[31m\x7f\x85d") == "abc[31md"
    assert inputs.clean_text("太贵了\ud800\udfff!") == "太贵了!"
    assert inputs.clean_text("第一行\n第二行\t🚗\r\n") == "第一行\n第二行\t🚗\r\n"


@pytest.mark.parametrize(
    "body, status, reason",
    [
        (b"", 400, "empty body"),
        (b"  \n", 400, "empty body"),
        (b"\xff\xfe\xfa", 400, "not UTF-8"),
        (b"not json", 400, "not valid JSON"),
        (b"[" * 100000 + b"]" * 100000, 400, "not valid JSON"),  # RecursionError inside json
        (b"[1, 2]", 400, "JSON object"),
        (b'"text"', 400, "JSON object"),
        (b"null", 400, "JSON object"),
        (b'{"message": "' + b"a" * (300 * 1024) + b'"}', 413, "larger than"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused_with_a_reason(body, status, reason):
    with pytest.raises(InputError) as e:
        inputs.parse_json_body(body)
    assert e.value.status == status and reason in e.value.reason


def test_a_json_object_body_is_returned():
    body = {"sender": "s", "message": "太贵了"}
    assert inputs.parse_json_body(json.dumps(body, ensure_ascii=False).encode()) == body


BAD_SENDERS = [None, 5, 1.5, ["a"], {"a": 1}, True, "", "   ", "x" * 257, "a\ud800", "a\x00b"]
BAD_MESSAGES = [None, 5, ["a"], {"text": "hi"}, True, "a" * 20001]


@pytest.mark.parametrize("field, value", [("sender", v) for v in BAD_SENDERS] + [("message", v) for v in BAD_MESSAGES])
def test_bad_senders_and_messages_are_refused(field, value):
    check = {"sender": inputs.check_sender, "message": inputs.check_message}[field]
    with pytest.raises(InputError) as e:
        check(value)
    assert e.value.status == 400 and f"'{field}'" in e.value.reason


def test_good_senders_pass_unchanged():
    assert inputs.check_sender("用户-1 🚗") == "用户-1 🚗"
    assert inputs.check_sender("x" * 256) == "x" * 256


def test_messages_are_cleaned_and_may_be_empty():
    assert inputs.check_message("") == ""
    assert inputs.check_message("太贵\x00了\ud800") == "太贵了"
    assert inputs.check_message("啊" * 20000) == "啊" * 20000  # long ones are answered politely by the guard


@pytest.mark.parametrize("metadata", ["a string", 5, ["a"], True])
def test_metadata_must_be_an_object(metadata):
    with pytest.raises(InputError, match="'metadata' must be a JSON object"):
        inputs.check_metadata(metadata)


def test_metadata_limits_and_cleaning():
    assert inputs.check_metadata(None) is None
    assert inputs.check_metadata({"dealer": "d", "utm": {"source": "wx"}}) == {"dealer": "d", "utm": {"source": "wx"}}
    assert inputs.check_metadata({"page": "x\ud800y"}) == {"page": "xy"}
    nested: dict = {}
    node = nested
    for _ in range(20):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(InputError, match="nested deeper"):
        inputs.check_metadata(nested)
    with pytest.raises(InputError, match="larger than"):
        inputs.check_metadata({"blob": "x" * (17 * 1024)})


def test_error_response_is_json_with_the_status():
    resp = inputs.error_response(SenderBusy(5))
    assert resp.status == 429
    assert json.loads(resp.body)["error"].startswith("too many messages at once")


def test_follow_up_text_comes_from_the_domain_or_the_built_in_text():
    domain = Domain.from_dict({"responses": {"utter_consultant_follow_up": [{"text": "顾问稍后联系您"}]}})
    assert inputs.follow_up_text(domain) == "顾问稍后联系您"
    assert inputs.follow_up_text(Domain.empty()) == inputs.FOLLOW_UP_TEXT == inputs.follow_up_text(None)
    assert "顾问稍后" in inputs.FOLLOW_UP_TEXT


# -- the turn guard -------------------------------------------------------------------------


DOMAIN = Domain.from_dict(
    {
        "actions": ["action_answer_objection"],
        "responses": {"utter_consultant_follow_up": [{"text": "顾问稍后会尽快联系您。"}]},
    }
)


def message(text, sender="s1"):
    return UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest")


def texts(msg):
    return [m.get("text") for m in msg.output_channel.messages]


async def answer(msg):
    await msg.output_channel.send_text_message(msg.sender_id, f"答：{msg.text}")


def processor_like(url, actions=("action_answer_objection",), utter_after=False):
    """What Rasa's processor does with custom actions: run them, log and swallow any exception;
    ``utter_after``: a response is uttered after them (like utter_greet after the slot mappings)."""

    async def on_new_message(msg):
        tracker = DialogueStateTracker(msg.sender_id, [])
        for name in actions:
            try:
                events = await RemoteAction(name, EndpointConfig(url)).run(msg.output_channel, None, tracker, DOMAIN)
            except ActionExecutionRejection:
                raise
            except Exception:
                continue
            for event in events:  # the processor sends what the action uttered
                if isinstance(event, BotUttered):
                    await msg.output_channel.send_text_message(msg.sender_id, event.text)
        if utter_after:
            await msg.output_channel.send_text_message(msg.sender_id, "您好！")

    return on_new_message


async def test_a_normal_turn_passes_through_with_clean_text():
    msg = message("  太贵\x00了  ")
    await TurnGuard("rest").run(answer, msg)
    assert texts(msg) == ["答：太贵了"]


async def test_an_over_long_message_gets_a_polite_request_without_a_turn():
    called = []

    async def on_new_message(m):
        called.append(m)

    msg = message("啊" * (MAX_MESSAGE_CHARS + 1))
    await TurnGuard("rest").run(on_new_message, msg)
    assert texts(msg) == [TOO_LONG_TEXT] and not called
    msg = message("啊" * MAX_MESSAGE_CHARS)
    await TurnGuard("rest").run(answer, msg)
    assert texts(msg)[0].startswith("答：")


async def test_a_failing_turn_gets_the_follow_up_text():
    async def broken(m):
        raise RuntimeError("tracker store unavailable")

    msg = message("太贵了")
    await TurnGuard("rest").run(broken, msg, DOMAIN)
    assert texts(msg) == ["顾问稍后会尽快联系您。"]


async def test_action_server_down_gets_the_follow_up_text_from_the_domain():
    msg = message("太贵了")
    await TurnGuard("rest").run(processor_like("http://127.0.0.1:9/webhook"), msg)
    assert texts(msg) == ["顾问稍后会尽快联系您。"]


async def test_a_slow_action_server_is_cut_off_and_later_actions_of_the_turn_fail_fast():
    async def hang(reader, writer):
        await asyncio.sleep(30)
        writer.close()

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        msg = message("太贵了")
        started = time.monotonic()
        await TurnGuard("rest", action_timeout_s=0.5).run(
            processor_like(f"http://127.0.0.1:{port}/webhook", ["a1", "a2", "a3"]), msg
        )
        assert time.monotonic() - started < 3
        assert texts(msg) == ["顾问稍后会尽快联系您。"]
    finally:
        server.close()


async def test_a_turn_that_still_answered_after_a_failure_gets_no_follow_up():
    msg = message("你好")
    await TurnGuard("rest").run(processor_like("http://127.0.0.1:9/webhook", utter_after=True), msg)
    assert texts(msg) == ["您好！"]


@pytest.fixture
async def action_server():
    """A loopback action server: ``action_crash`` answers 500, every other action says its name."""
    from aiohttp import web

    calls = []

    async def webhook(request):
        name = (await request.json())["next_action"]
        calls.append(name)
        if name == "action_crash":
            return web.json_response({"error": "boom"}, status=500)
        return web.json_response({"events": [], "responses": [{"text": name}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/webhook", calls
    await runner.cleanup()


async def test_an_action_that_crashes_does_not_stop_the_next_one(action_server):
    url, calls = action_server
    msg = message("太贵了")
    await TurnGuard("rest").run(processor_like(url, ["action_crash", "action_answer_objection"]), msg)
    assert calls == ["action_crash", "action_answer_objection"]
    assert texts(msg) == ["action_answer_objection"]  # it answered after the failure: no follow-up
    msg = message("太贵了")
    await TurnGuard("rest").run(processor_like(url, ["action_answer_objection", "action_crash"]), msg)
    assert texts(msg) == ["action_answer_objection", "顾问稍后会尽快联系您。"]


async def test_outside_a_guarded_turn_actions_run_as_in_rasa():
    from rasa.shared.exceptions import RasaException

    inputs.install_action_guard()
    with pytest.raises(RasaException, match="Couldn't connect"):
        await RemoteAction("action_answer_objection", EndpointConfig("http://127.0.0.1:9/webhook")).run(
            CollectingOutputChannel(), None, DialogueStateTracker("s", []), DOMAIN
        )


async def test_a_rejection_by_a_form_validation_is_not_a_failure():
    async def rejecting(msg):
        try:
            raise ActionExecutionRejection("validate_model_needs_form")
        except ActionExecutionRejection:
            await msg.output_channel.send_text_message(msg.sender_id, "请再说一次预算")

    msg = message("随便")
    await TurnGuard("rest").run(rejecting, msg)
    assert texts(msg) == ["请再说一次预算"]


async def test_a_sender_with_too_many_messages_waiting_is_refused_and_others_are_not():
    release = asyncio.Event()

    async def slow(msg):
        await release.wait()
        await answer(msg)

    guard = TurnGuard("rest", max_pending=2)
    first = [asyncio.ensure_future(guard.run(slow, message(f"m{i}"))) for i in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(SenderBusy) as e:
        await guard.run(slow, message("m3"))
    assert e.value.status == 429
    other = message("别人", sender="s2")
    other_turn = asyncio.ensure_future(guard.run(slow, other))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*first, other_turn)
    assert texts(other) == ["答：别人"] and guard.pending == {}
    msg = message("m4")
    await guard.run(answer, msg)
    assert texts(msg) == ["答：m4"]


async def test_an_unusable_sender_id_never_reaches_rasa():
    called = []

    async def on_new_message(m):
        called.append(m)

    await TurnGuard("wechat").run(on_new_message, message("hi", sender="o\ud800"))
    assert not called


def test_guard_for_gives_one_guard_per_channel():
    assert inputs.guard_for("wechat") is inputs.guard_for("wechat")
    assert inputs.guard_for("wechat").max_pending is None


def test_the_action_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(inputs.ENV_ACTION_TIMEOUT, "3.5")
    assert TurnGuard("rest").action_timeout_s == 3.5
    monkeypatch.setenv(inputs.ENV_ACTION_TIMEOUT, "soon")
    assert TurnGuard("rest").action_timeout_s == inputs.DEFAULT_ACTION_TIMEOUT_S


def test_only_connection_errors_before_the_action_ran_are_retried():
    import aiohttp
    from rasa.shared.exceptions import RasaException

    from bot.channels.inputs import _transient

    def wrapped(cause):
        try:
            raise RasaException("Failed to execute custom action") from cause
        except RasaException as e:
            return e

    assert _transient(wrapped(aiohttp.ClientOSError(None, "Can not write request body for http://x/webhook")))
    assert _transient(wrapped(aiohttp.ServerDisconnectedError()))
    assert not _transient(wrapped(aiohttp.ClientOSError(111, "Connect call failed: connection refused")))
    assert not _transient(wrapped(ValueError("the action crashed")))
    assert not _transient(RasaException("no cause"))
