"""REST and widget routes in-process (no model, no servers): the optional REST API token, coaching
only for practice clients, and no 5xx when something behind a route fails."""

import json

from tests.channels.conftest import TOKENS, RecordingAgent
from tests.conftest import http

COACHING = {"principle": "commitment", "principle_why": "人愿意和自己说过的话保持一致"}


def coached_reply(message):
    return [{"text": "理解您的顾虑。", "custom": COACHING}]


def test_rest_needs_the_bearer_token_when_one_is_set(channels, monkeypatch):
    agent = channels.use(RecordingAgent())
    app = channels
    body = {"sender": "crm-1", "message": "你好"}
    assert http("POST", f"{app.url}/webhooks/rest/webhook", body)[0] == 200  # no token set: open
    monkeypatch.setenv("REST_API_TOKEN", "s3cret-token")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}):
        status, answer = http("POST", f"{app.url}/webhooks/rest/webhook", body, headers=headers)
        assert status == 401 and "REST_API_TOKEN" in answer["error"]
    status, answer = http(
        "POST", f"{app.url}/webhooks/rest/webhook", body, headers={"Authorization": "Bearer s3cret-token"}
    )
    assert status == 200 and answer[0]["text"] == "收到：你好"
    assert [m.text for m in agent.received] == ["你好", "你好"]


def test_coaching_goes_only_to_practice_clients(channels):
    channels.use(RecordingAgent(reply=coached_reply))
    app = channels
    url = f"{app.url}/webhooks/rest/webhook"
    _, prospect = http("POST", url, {"sender": "p1", "message": "太贵了"})
    _, trainee = http("POST", url, {"sender": "t1", "message": "太贵了", "metadata": {"roleplay": {"mode": "coach"}}})
    _, streamed = http("POST", url + "?stream=true", {"sender": "p2", "message": "太贵了"})
    assert prospect == [{"recipient_id": "p1", "text": "理解您的顾虑。"}]
    assert any(m.get("custom") == COACHING for m in trainee)
    assert "principle" not in str(streamed) and "理解您的顾虑" in str(streamed)


class BrokenStore:
    async def retrieve(self, sender):
        raise RuntimeError("database is down: 13800138000")


def test_a_failure_behind_a_route_is_no_5xx(channels):
    channels.use(RecordingAgent(tracker_store=BrokenStore()))
    app = channels
    visitor, token = TOKENS.issue()
    status, body = http(
        "POST",
        f"{app.url}/webhooks/widget/history",
        raw=json.dumps({"sender": visitor, "token": token}).encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert status == 200 and body["ok"] is False and "try again" in body["error"]
    assert http("GET", f"{app.url}/webhooks/widget/nothing-here")[0] == 404  # Sanic's own 4xx stay
    assert http("GET", f"{app.url}/webhooks/widget/history")[0] == 405
