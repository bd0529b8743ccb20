"""The trainer dashboard's routes in-process (bot.channels.trainer): login with the password kept as
a hash, the signed expiring session cookie, the per-address backoff, the data (the same as
`python -m bot report`), corrections and the CSV export."""

import json
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

import pytest
from sanic import Sanic

from bot.channels.trainer import COOKIE, TrainerInput
from bot.channels.trainer_auth import LoginBackoff, PasswordHash, SessionTokens
from bot.roleplay.records import load_corrections, load_visits, summarise
from bot.roleplay.report import attempts_csv
from tests.channels.conftest import serve
from tests.unit.test_corrections import sample_database

# Several Sanic apps in one process (this module's and the session's `channels`): without test mode
# Sanic 21.12 rewrites its HTTP class once per app and the second app fails to start.
Sanic.test_mode = True

PASSWORD = "展厅-trainer-2026"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("trainer") / "rasa.db"
    sample_database(path)
    return path


@pytest.fixture(scope="module")
def dashboard(db, clock):
    channel = TrainerInput(
        PASSWORD,
        b"route-test-session-secret",
        session_hours=1,
        db=db,
        backoff=LoginBackoff(free=3, base_s=2, clock=clock),
        clock=clock,
    )
    off = TrainerInput(None, db=db)
    running, loop = serve([channel])
    running_off, loop_off = serve([off])
    yield channel, running.url + "/webhooks/trainer", running_off.url + "/webhooks/trainer"
    loop.call_soon_threadsafe(loop.stop)
    loop_off.call_soon_threadsafe(loop_off.stop)


@pytest.fixture(autouse=True)
def fresh_backoff(dashboard):
    dashboard[0].backoff._failures.clear()


def call(
    method: str, url: str, body: Any = None, cookie: Optional[str] = None, content_type: str = "application/json"
) -> "tuple[int, Dict[str, str], Any]":
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": content_type}
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:
            status, head, payload = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        status, head, payload = e.code, e.headers, e.read()
    try:
        parsed = json.loads(payload)
    except ValueError:
        parsed = payload.decode("utf-8-sig", "replace")
    return status, head, parsed


def login(url: str, password: str = PASSWORD) -> str:
    status, head, body = call("POST", f"{url}/login", {"password": password})
    assert status == 200, (status, body)
    return head["Set-Cookie"].split(";")[0].split("=", 1)[1]


def test_nothing_without_login_but_the_login_page(dashboard):
    _, url, _ = dashboard
    status, head, page = call("GET", f"{url}/")
    assert status == 200 and "教练登录" in page and "教练密码" in page
    assert head["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in head["Content-Security-Policy"]
    for path in ("/api/summary", "/api/visit?id=widget%3Aaaa%231", "/export.csv"):
        status, _, body = call("GET", url + path)
        assert status == 401 and body["error"] == "login required", path
    status, _, _ = call("POST", f"{url}/api/corrections", {"visit": "widget:aaa#1", "turn": 1, "checks": {}})
    assert status == 401
    assert load_corrections(dashboard[0].db) == []


def test_wrong_password_is_refused_and_the_right_one_sets_a_strict_http_only_cookie(dashboard):
    channel, url, _ = dashboard
    status, head, body = call("POST", f"{url}/login", {"password": "guess"})
    assert status == 401 and "Set-Cookie" not in head
    channel.backoff._failures.clear()
    for bad in ({}, {"password": 123}, None):
        assert call("POST", f"{url}/login", bad)[0] == 401
    channel.backoff._failures.clear()
    status, head, body = call("POST", f"{url}/login", {"password": PASSWORD})
    assert status == 200 and body == {"ok": True}
    cookie = head["Set-Cookie"]
    attrs = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attrs
    assert "SameSite=Strict" in cookie and "Path=/webhooks/trainer" in cookie and "Max-Age=3600" in cookie
    assert PASSWORD not in json.dumps({k: repr(v) for k, v in vars(channel.password).items()})


def test_the_dashboard_data_is_the_reports(dashboard, db):
    _, url, _ = dashboard
    cookie = login(url)
    status, _, data = call("GET", f"{url}/api/summary", cookie=cookie)
    assert status == 200
    expected = json.loads(json.dumps(summarise(load_visits(db), load_corrections(db)), ensure_ascii=False))
    assert {k: data[k] for k in expected} == expected
    assert data["labels"]["checks"]["value"] and data["labels"]["objections"]["objection_price"] == "嫌贵"
    status, head, text = call("GET", f"{url}/export.csv", cookie=cookie)
    assert status == 200 and "attachment" in head["Content-Disposition"]
    assert text == attempts_csv(load_visits(db)).lstrip("\ufeff")


def test_a_tampered_or_expired_cookie_is_refused(dashboard, clock):
    _, url, _ = dashboard
    cookie = login(url)
    expiry, nonce, signature = cookie.split(".")
    forged = f"{int(expiry) + 86400}.{nonce}.{signature}"
    assert call("GET", f"{url}/api/summary", cookie=forged)[0] == 401
    assert call("GET", f"{url}/api/summary", cookie=cookie + "x")[0] == 401
    assert call("GET", f"{url}/api/summary", cookie=cookie)[0] == 200
    other = SessionTokens(b"another-server-secret", 3600, clock).issue()
    assert call("GET", f"{url}/api/summary", cookie=other)[0] == 401
    clock.now += 3601
    assert call("GET", f"{url}/api/summary", cookie=cookie)[0] == 401
    status, head, _ = call("POST", f"{url}/logout")
    assert status == 200 and "Max-Age=0" in head["Set-Cookie"]


def test_repeated_wrong_passwords_are_slowed_down_per_address(dashboard, clock):
    channel, url, _ = dashboard
    for _ in range(3):  # three mistakes in a row are free...
        assert call("POST", f"{url}/login", {"password": "guess"})[0] == 401
    status, head, body = call("POST", f"{url}/login", {"password": PASSWORD})
    assert status == 429 and head["Retry-After"] == "3" and "Set-Cookie" not in head  # ...then 2 s, even when right
    clock.now += 2.5
    assert call("POST", f"{url}/login", {"password": "guess"})[0] == 401  # 4th: now 4 s
    assert call("POST", f"{url}/login", {"password": PASSWORD})[0] == 429
    clock.now += 4.5
    assert call("POST", f"{url}/login", {"password": PASSWORD})[0] == 200  # right: the address is cleared
    assert channel.backoff.wait_s("127.0.0.1") == 0
    other = LoginBackoff(free=0, base_s=1, cap_s=10, clock=clock)
    for _ in range(20):
        other.failed("10.0.0.9")
    assert other.wait_s("10.0.0.9") == 10 and other.wait_s("10.0.0.8") == 0  # capped; other addresses free


def test_a_correction_is_saved_and_shown_with_the_visit(dashboard, db):
    _, url, _ = dashboard
    cookie = login(url)
    status, _, data = call("GET", f"{url}/api/visit?id=widget%3Aaaa%231", cookie=cookie)
    assert status == 200 and [t["reply"] for t in data["visit"]["turn_list"]] == ["理解您，预算多少？", "便宜五千给您"]
    assert data["visit"]["turn_list"][0]["evidence"]["clarify"] == ["预算多少"]
    body = {"visit": "widget:aaa#1", "turn": 1, "checks": {"value": True}, "note": "讲了好处"}
    assert call("POST", f"{url}/api/corrections", body, cookie=cookie, content_type="text/plain")[0] == 415
    assert call("POST", f"{url}/api/corrections", {**body, "turn": 9}, cookie=cookie)[0] == 400
    assert call("POST", f"{url}/api/corrections", {**body, "visit": "nope#1"}, cookie=cookie)[0] == 404
    assert call("POST", f"{url}/api/corrections", {**body, "checks": {"value": "yes"}}, cookie=cookie)[0] == 400
    status, _, saved = call("POST", f"{url}/api/corrections", body, cookie=cookie)
    assert status == 200 and saved["ok"]
    _, _, data = call("GET", f"{url}/api/visit?id=widget%3Aaaa%231", cookie=cookie)
    value = next(c for c in data["corrections"] if c["check"] == "value")
    assert value["rubric"] is False and value["trainer"] is True and value["note"] == "讲了好处"
    _, _, summary = call("GET", f"{url}/api/summary", cookie=cookie)
    assert summary["agreement"]["checks"]["value"] == {"reviewed": 1, "agree": 0, "rate": 0.0}
    assert summary["agreement"]["disagreements"][0]["reply"] == "理解您，预算多少？"


def test_without_a_configured_password_the_dashboard_is_off(dashboard):
    _, _, off = dashboard
    assert call("POST", f"{off}/login", {"password": ""})[0] == 503
    assert call("GET", f"{off}/api/summary")[0] == 503
    assert call("GET", f"{off}/")[0] == 200  # the page explains it


def test_password_hash_and_tokens_as_units():
    hashed = PasswordHash("pw-1")
    assert hashed.matches("pw-1") and not hashed.matches("pw-2") and not hashed.matches(None)
    assert not hashed.matches("x" * 5000)
    tokens = SessionTokens(b"k" * 32, 60, clock=lambda: 100.0)
    token = tokens.issue()
    assert tokens.valid(token) and not tokens.valid("1.2") and not tokens.valid(None) and not tokens.valid("é.é.é")
