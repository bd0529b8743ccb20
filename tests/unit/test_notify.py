"""The sales team's WeCom group robot notifications (bot/notify): composing, the durable outbox,
delivery with retries, backoff, the rate limit and batching, a restart, a slow or unreachable robot,
and the webhook URL kept out of the logs. Against a fake robot on 127.0.0.1 that checks every
request's JSON; time is an injected clock except where the background delivery is measured."""

import asyncio
import datetime as dt
import json
import logging
import threading
import time
from typing import Any, Callable, Dict, List, Optional

import pytest

from bot.exceptions import DataFileError
from bot.notify import (
    KINDS,
    Backoff,
    Message,
    Notifier,
    NotifyEvent,
    Outbox,
    RateLimit,
    RobotClient,
    compose,
    fit_bytes,
    load_templates,
    mask_url,
)
from bot.notify import sender as sender_module
from bot.notify.message import BYTE_LIMITS, combine, combined_size
from tests.conftest import free_port
from tests.unit.shared import send_json

SECRET = "5f3c2a9e-1b7d-4c8e-9a0f-SECRETKEY42"
T0 = 1_790_000_000.0  # an injected "now" (2026-09)
PHONE = "13800138000"


class FakeRobot:
    """A WeCom group robot on loopback. It checks each request (path, key, JSON shape) and answers
    as told: ``mode`` ok / errcode / http500 / garbage, after ``delay`` seconds."""

    def __init__(self) -> None:
        import http.server

        self.requests: List[Dict[str, Any]] = []
        self.problems: List[str] = []
        self.mode = "ok"
        self.errcode = 93000
        self.delay = 0.0
        self.on_request: Optional[Callable[[Dict[str, Any]], None]] = None
        self.received = threading.Event()
        self.answered = threading.Event()
        self.release = threading.Event()  # ends a delay early at teardown
        robot = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                robot.check(self.path, self.headers.get("Content-Type", ""), raw)
                robot.received.set()
                if robot.delay:
                    robot.release.wait(robot.delay)
                if robot.mode == "http500":
                    self.send_error(500)
                    robot.answered.set()
                    return
                if robot.mode == "garbage":
                    data = b"<html>oops</html>"
                elif robot.mode == "errcode":
                    data = json.dumps(
                        {"errcode": robot.errcode, "errmsg": f"invalid webhook url, hint: key={SECRET} {robot.url}"}
                    ).encode()
                else:
                    data = b'{"errcode":0,"errmsg":"ok"}'
                send_json(self, data)
                robot.answered.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key={SECRET}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def check(self, path: str, content_type: str, raw: bytes) -> None:
        def problem(text: str) -> None:
            self.problems.append(text)

        if path != f"/cgi-bin/webhook/send?key={SECRET}":
            problem(f"path {path}")
        if not content_type.startswith("application/json"):
            problem(f"content type {content_type}")
        if b"\\u" in raw:
            problem("\\u escapes instead of UTF-8")
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            problem("not JSON")
            return
        msgtype = body.get("msgtype")
        if msgtype not in ("text", "markdown") or set(body) != {"msgtype", msgtype}:
            problem(f"shape {sorted(body)}")
            return
        inner = body[msgtype]
        allowed = {"content", "mentioned_list", "mentioned_mobile_list"} if msgtype == "text" else {"content"}
        if not isinstance(inner, dict) or not set(inner) <= allowed or not isinstance(inner.get("content"), str):
            problem(f"{msgtype} fields {inner!r}")
            return
        if not inner["content"] or len(inner["content"].encode("utf-8")) > BYTE_LIMITS[msgtype]:
            problem(f"content of {len(inner['content'].encode('utf-8'))} bytes")
        for key in ("mentioned_list", "mentioned_mobile_list"):
            if key in inner and not (
                isinstance(inner[key], list) and inner[key] and all(isinstance(x, str) and x for x in inner[key])
            ):
                problem(f"{key} {inner[key]!r}")
        if self.on_request:
            self.on_request(body)
        self.requests.append(body)

    def contents(self) -> List[str]:
        return [r[r["msgtype"]]["content"] for r in self.requests]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "WECOM_ROBOT_WEBHOOK",
        "WECOM_ROBOT_MENTION",
        "WECOM_ROBOT_MENTION_MOBILE",
        "DB_HOST",
        "BOT_NOTIFY_TEMPLATES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.setitem(sender_module._warned, "no_webhook", False)


@pytest.fixture
def robot():
    fake = FakeRobot()
    yield fake
    fake.close()


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'rasa.db'}"


@pytest.fixture(scope="module")
def templates():
    return load_templates()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make(
    db: str,
    templates,
    url: Optional[str],
    clock=time.time,
    background: bool = False,
    timeout: float = 5.0,
    **kwargs: Any,
) -> Notifier:
    client = RobotClient(url, timeout=timeout) if url else None
    return Notifier(Outbox(db), client, templates, clock=clock, background=background, **kwargs)


def event(kind: str = "handoff", sender: str = "wechat:gh_1:o_user1", **kwargs: Any) -> NotifyEvent:
    fields: Dict[str, Any] = {
        "channel": "wechat",
        "car_model": "远山",
        "reason": "客户要求人工",
        "when": "明天下午",
        "grade": "A",
        "name": "李先生",
        "phone": PHONE,
    }
    fields.update(kwargs)
    return NotifyEvent(kind, sender_id=sender, **fields)


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# --- composing --------------------------------------------------------------------------------


def test_a_handoff_says_what_a_consultant_needs_to_act(templates):
    m = compose(event(), templates, now=dt.datetime(2026, 9, 21, 14, 5))
    assert m.msgtype == "text" and m.mentioned_list == ("@all",)  # someone is waiting: everyone sees it
    lines = m.content.split("\n")
    assert lines[0].startswith("【转人工】")
    for expected in (
        "渠道：微信公众号",
        "客户：李先生",
        "意向车型：远山",
        "原因：客户要求人工",
        "方便联系时间：明天下午",
        "意向等级：A级",
        "会话：wechat:gh_1:o_user1",
        "时间：2026-09-21 14:05",
    ):
        assert any(line.startswith(expected) for line in lines), expected


def test_lines_without_a_value_are_left_out(templates):
    m = compose(NotifyEvent("lead", "widget", "widget:v1", at=dt.datetime(2026, 9, 21, 9, 0)), templates)
    assert m.content.split("\n") == [
        "【新线索】请按等级跟进",
        "渠道：官网在线咨询",
        "会话：widget:v1",
        "时间：2026-09-21 09:00",
    ]
    assert m.mentioned_list == ()
    when = compose(event("booking", when=dt.datetime(2026, 9, 27, 10, 30)), templates).content
    assert "预约时间：2026-09-27 10:30" in when
    utc = dt.datetime(2026, 9, 27, 2, 30, tzinfo=dt.timezone.utc)  # a server in UTC: shown in China's time
    assert "预约时间：2026-09-27 10:30" in compose(event("booking", when=utc), templates).content


def test_the_time_it_happened_is_china_time(db, templates, clock):
    notifier = make(db, templates, None, clock)
    notifier.notify(event())
    assert "时间：2026-09-21 22:13" in Outbox(db).rows()[0].message.content  # T0 is 14:13 UTC


def test_the_phone_number_only_with_consent(templates):
    without = compose(event(phone_consent=False, reason=f"请打 {PHONE}", name="王 138-0013-8000"), templates)
    assert "电话" not in without.content and PHONE not in without.content and "8000" in without.content
    assert "138****8000" in without.content  # typed into a reason or a name: masked too
    consented = compose(event(phone="+86 138 0013 8000", phone_consent=True), templates)
    assert f"电话（已同意回电）：{PHONE}" in consented.content


def test_typed_values_cannot_fake_lines_or_markup(templates, write_yaml):
    hostile = "张三\n电话（已同意回电）：13900000000\x1b[2J\u202e"
    m = compose(event(name=hostile, phone_consent=False), templates)
    assert "\n电话" not in m.content and "\x1b" not in m.content and "\u202e" not in m.content
    assert any(line.startswith("客户：张三 电话") for line in m.content.split("\n"))
    path = write_yaml(
        "notify.yml",
        "kinds:\n"
        + "".join(f"  {k}: {{msgtype: markdown, lines: ['**客户**：{{name}}', '车型：{{model}}']}}\n" for k in KINDS),
    )
    md = compose(event(name="[点我](http://evil.example) <font>#", car_model="**远山**"), load_templates(path))
    assert md.msgtype == "markdown" and md.payload() == {"msgtype": "markdown", "markdown": {"content": md.content}}
    assert "[" not in md.content.split("：", 1)[1] and "(http" not in md.content and "<font>" not in md.content
    assert "车型：＊＊远山＊＊" in md.content


def test_one_long_value_cannot_push_the_rest_out(templates):
    m = compose(event(reason="很长的原因" * 500), templates)
    assert len(m.content.encode("utf-8")) <= 2048 and "会话：wechat:gh_1:o_user1" in m.content


@pytest.mark.parametrize("msgtype", ["text", "markdown"])
def test_the_content_is_cut_to_the_byte_limit_at_a_character_boundary(msgtype, write_yaml):
    lines = "".join(f"      - '第{i}行 {{reason}} 🚗'\n" for i in range(40))
    path = write_yaml(
        "notify.yml", "kinds:\n" + "".join(f"  {k}:\n    msgtype: {msgtype}\n    lines:\n{lines}" for k in KINDS)
    )
    m = compose(event(reason="价格" * 60 + "😀"), load_templates(path))
    data = m.content.encode("utf-8")
    assert BYTE_LIMITS[msgtype] - 8 <= len(data) <= BYTE_LIMITS[msgtype]
    assert data.decode("utf-8") == m.content and m.content.endswith("…")


def test_fit_bytes_never_splits_a_character():
    text = "a汉😀é" * 50
    for limit in range(3, 120):
        cut = fit_bytes(text, limit)
        assert len(cut.encode("utf-8")) <= limit and text.startswith(cut[:-1]) and cut.endswith("…")
    assert fit_bytes("短", 10) == "短"


def test_a_batch_fits_and_keeps_every_mention():
    a = Message("text", "甲" * 100, ("@all",))
    b = Message("text", "乙" * 100, ("zhangsan",), ("13900000000",))
    both = combine([a, b], "【{count} 条】")
    assert both.content.startswith("【2 条】\n") and both.mentioned_list == ("@all", "zhangsan")
    assert both.mentioned_mobile_list == ("13900000000",)
    assert combined_size([a, b], "【{count} 条】") == len(both.content.encode("utf-8"))


def test_the_shipped_templates_are_valid(templates):
    assert set(templates.kinds) == {"handoff", "booking", "cancel", "lead"}
    assert all(t.msgtype == "text" for t in templates.kinds.values())


def test_template_problems_name_the_file_and_the_field(write_yaml):
    path = write_yaml(
        "notify.yml",
        """
batch_header: "{total} 条"
kinds:
  handoff: {msgtype: markdown, mention_all: true, lines: ["{name}"]}
  booking: {msgtype: html, lines: ["{model!r}", "{nickname}", "{when:>10}", "{"]}
  surprise: {msgtype: text, lines: [x]}
""",
    )
    with pytest.raises(DataFileError) as e:
        load_templates(path)
    problems = "\n".join(e.value.problems)
    for where in (
        "batch_header: unknown placeholder {total}",
        "kinds: missing field 'lead'",
        "kinds.surprise: unknown field",
        "kinds.handoff.mention_all: the robot @-mentions only in text",
        "kinds.booking.msgtype: expected one of text, markdown",
        "kinds.booking.lines[0]: placeholder {model}",
        "kinds.booking.lines[1]: unknown placeholder {nickname}",
        "kinds.booking.lines[2]: placeholder {when}",
        "kinds.booking.lines[3]: bad braces",
    ):
        assert f"{path}: {where}" in problems, where


def test_events_are_checked_and_never_show_the_whole_phone():
    with pytest.raises(ValueError, match="handoff, booking, cancel, lead"):
        NotifyEvent("call_me", "rest", "u1")
    assert PHONE not in repr(event(phone_consent=True)) and "138****8000" in repr(event(phone_consent=True))


# --- the outbox and delivery ------------------------------------------------------------------


def test_the_row_is_written_before_the_robot_is_called(db, templates, robot, clock):
    notifier = make(db, templates, robot.url, clock)
    seen: List[List[str]] = []
    robot.on_request = lambda body: seen.append([r.status for r in Outbox(db).rows()])
    row_id = notifier.notify(event())
    assert [r.status for r in Outbox(db).rows()] == ["pending"] and robot.requests == []
    report = notifier.deliver_pending()
    assert seen == [["pending"]]  # durable while the request was in flight
    assert (report.requests, report.sent, report.failed) == (1, 1, 0)
    (row,) = Outbox(db).rows()
    assert (row.id, row.status, row.attempts, row.sent_at) == (row_id, "sent", 0, T0)
    assert robot.problems == []


def test_delivery_sends_the_robots_json_with_mentions(db, templates, robot, clock):
    notifier = make(db, templates, robot.url, clock, mentioned_list=["wangwu"], mentioned_mobile_list=["13900139000"])
    notifier.notify(event(phone_consent=True))
    notifier.deliver_pending()
    (body,) = robot.requests
    assert body["msgtype"] == "text" and f"电话（已同意回电）：{PHONE}" in body["text"]["content"]
    assert body["text"]["mentioned_list"] == ["wangwu", "@all"]
    assert body["text"]["mentioned_mobile_list"] == ["13900139000"]
    notifier.notify(event("lead", phone_consent=False))
    notifier.deliver_pending()
    assert robot.requests[1]["text"]["mentioned_list"] == ["wangwu"] and PHONE not in robot.contents()[1]
    assert robot.problems == []


def test_an_errcode_is_a_failed_attempt_of_that_message_only(db, templates, robot, clock):
    notifier = make(db, templates, robot.url, clock)
    robot.mode = "errcode"
    notifier.notify(event())
    report = notifier.deliver_pending()
    (row,) = Outbox(db).rows()
    assert (report.sent, report.failed, row.status, row.attempts) == (0, 1, "pending", 1)
    assert row.last_error.startswith("errcode 93000") and row.next_attempt_at == T0 + 10
    assert notifier.paused_until == 0  # the robot answered: other messages are not held back
    robot.mode = "ok"
    notifier.notify(event("lead", sender="rest:u2"))
    assert notifier.deliver_pending().sent == 1
    assert [r.status for r in Outbox(db).rows()] == ["pending", "sent"]
    clock.advance(10)
    assert notifier.deliver_pending().sent == 1 and Outbox(db).rows()[0].status == "sent"


@pytest.mark.parametrize("mode", ["http500", "garbage", "refused", "busy", "throttled"])
def test_an_outage_is_retried_with_backoff_and_pauses_the_sender(db, templates, robot, clock, mode):
    url = f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key={SECRET}" if mode == "refused" else robot.url
    robot.mode, robot.errcode = (
        ("errcode", -1 if mode == "busy" else 45009) if mode in ("busy", "throttled") else (mode, 0)
    )
    notifier = make(db, templates, url, clock)
    notifier.notify(event())
    notifier.notify(event("lead", sender="rest:u2"))
    report = notifier.deliver_pending()
    wait = 60 if mode == "throttled" else 10  # 45009: the robot throttles for a while
    assert (report.requests, report.failed) == (1, 2)  # both in one batch; then the sender pauses
    assert notifier.paused_until == T0 + wait and report.next_due == T0 + wait
    assert [(r.attempts, r.next_attempt_at) for r in Outbox(db).rows()] == [(1, T0 + wait)] * 2
    clock.advance(wait - 0.5)
    assert notifier.deliver_pending().requests == 0


def test_retries_back_off_exponentially_then_give_up(db, templates, robot, clock):
    robot.mode = "http500"
    notifier = make(db, templates, robot.url, clock, backoff=Backoff(base=10, factor=2, cap=60, max_attempts=6))
    notifier.notify(event())
    waits = []
    for _ in range(5):
        before = len(robot.requests)
        report = notifier.deliver_pending()
        assert len(robot.requests) == before + 1 and report.failed == 1
        (row,) = Outbox(db).rows()
        waits.append(row.next_attempt_at - clock.now)
        clock.advance(waits[-1] - 0.001)  # not yet due: nothing sent
        assert notifier.deliver_pending().requests == 0 and len(robot.requests) == before + 1
        clock.advance(0.001)
    assert waits == [10, 20, 40, 60, 60]
    report = notifier.deliver_pending()
    (row,) = Outbox(db).rows()
    assert (report.given_up, row.status, row.attempts, row.last_error) == (1, "failed", 6, "HTTP 500")
    assert report.next_due is None
    robot.mode = "ok"
    assert Outbox(db).retry_failed(clock.now) == 1
    notifier.paused_until = 0
    assert notifier.deliver_pending().sent == 1


def test_a_backlog_is_batched_under_the_rate_limit(db, templates, robot, clock):
    notifier = make(db, templates, robot.url, clock, rate=RateLimit(limit=3, per_seconds=60))
    for i in range(30):
        notifier.notify(event("lead" if i % 3 else "handoff", sender=f"rest:u{i}", reason=f"第{i}位客户"))
    report = notifier.deliver_pending()
    assert report.requests == 3 and report.rate_limited and report.next_due == T0 + 60
    assert all(c.startswith("【") and "条待处理通知" in c for c in robot.contents())
    first_batch = robot.contents()[0]
    assert "【转人工】" in first_batch.split("\n")[1]  # handoffs first
    clock.advance(59)
    assert notifier.deliver_pending().requests == 0
    other = make(db, templates, robot.url, clock, rate=RateLimit(limit=3, per_seconds=60))
    assert other.deliver_pending().rate_limited  # the window is in the database: every process honours it
    for _ in range(10):
        clock.advance(60)
        if notifier.deliver_pending().next_due is None:
            break
    rows = Outbox(db).rows()
    assert all(r.status == "sent" for r in rows) and robot.problems == []
    assert len(robot.requests) < len(rows) / 3  # several notifications a message
    everything = "\n".join(robot.contents())
    assert all(everything.count(f"会话：rest:u{i}\n") == 1 for i in range(30))  # each exactly once


def test_a_row_that_failed_goes_alone(db, templates, robot, clock):
    notifier = make(db, templates, robot.url, clock)
    robot.mode = "errcode"
    notifier.notify(event())
    notifier.deliver_pending()
    robot.mode = "ok"
    clock.advance(10)
    notifier.notify(event("lead", sender="rest:u2"))
    notifier.notify(event("lead", sender="rest:u3"))
    assert notifier.deliver_pending().requests == 2
    assert [c.count("会话：") for c in robot.contents()[1:]] == [1, 2]


def test_a_restart_picks_up_pending_rows(db, templates, robot, clock, caplog):
    caplog.set_level(logging.INFO, logger="bot.notify")
    before = make(db, templates, None, clock)  # no webhook configured yet
    for i in range(3):
        before.notify(event(sender=f"rest:u{i}"))
    assert before.deliver_pending().note == "no webhook configured"
    before.deliver_pending()
    assert [r.last_error for r in Outbox(db).rows()] == ["no webhook configured"] * 3
    assert caplog.text.count("no webhook configured (WECOM_ROBOT_WEBHOOK unset") == 1  # said once
    del before  # the process ends; a new one starts with the webhook set
    after = make(db, templates, robot.url, clock)
    assert after.deliver_pending().sent == 3
    assert [r.status for r in Outbox(db).rows()] == ["sent"] * 3 and len(robot.requests) == 1


def test_a_lease_of_a_crashed_sender_is_taken_over(db, templates, robot, clock):
    notifier = make(db, templates, robot.url, clock, lease=60)
    notifier.notify(event())
    assert len(Outbox(db).claim(clock.now, 10, lease=60)) == 1  # a sender took it, then died
    assert notifier.deliver_pending().requests == 0 and notifier.deliver_pending().next_due == T0 + 60
    clock.advance(60)
    assert notifier.deliver_pending().sent == 1 and Outbox(db).rows()[0].status == "sent"


def test_python_m_bot_notify_deliver(db, robot, monkeypatch, capsys):
    from bot.cli import main
    from bot.notify import notify

    notify(event())  # the default notifier, no webhook: stays in the outbox
    assert main(["notify", "--db", db]) == 0 and "1 pending" in capsys.readouterr().out
    assert main(["notify", "--deliver", "--db", db]) == 1
    assert "WECOM_ROBOT_WEBHOOK is not set" in capsys.readouterr().out
    monkeypatch.setenv("WECOM_ROBOT_WEBHOOK", f"file:///etc/passwd?key={SECRET}")
    assert main(["notify", "--deliver", "--db", db]) == 1
    out = capsys.readouterr().out
    assert "WECOM_ROBOT_WEBHOOK is not an http(s) URL: nothing sent, 1 pending" in out and SECRET not in out
    monkeypatch.setenv("WECOM_ROBOT_WEBHOOK", robot.url)
    assert main(["notify", "--deliver", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "sent 1 notification(s) in 1 request(s)" in out and "0 pending, 1 sent" in out
    assert SECRET not in out and mask_url(robot.url) in out and robot.problems == []


def test_forget_and_purge(db, templates, robot, clock):
    notifier = make(db, templates, robot.url, clock)
    notifier.notify(event(sender="rest:gone"))
    notifier.notify(event(sender="rest:stays"))
    assert Outbox(db).forget(["rest:gone"]) == 1
    notifier.deliver_pending()
    assert Outbox(db).purge(before=T0) == 0 and Outbox(db).purge(before=T0 + 1) == 1 and Outbox(db).rows() == []


# --- never delaying the caller ----------------------------------------------------------------


def test_a_slow_robot_does_not_delay_notify(db, templates, robot):
    robot.delay = 3.0
    notifier = make(db, templates, robot.url, background=True)
    started = time.monotonic()
    notifier.notify(event())
    elapsed = time.monotonic() - started
    assert not robot.answered.is_set()  # notify returned while the robot was still thinking
    assert elapsed < 1.0, elapsed  # (it answers after 3 s)
    assert Outbox(db).rows()[0].status == "pending"
    assert notifier.wait_idle(15) and robot.answered.is_set()
    assert Outbox(db).rows()[0].status == "sent" and robot.problems == []


def test_a_robot_that_never_answers_times_out(db, templates, robot, clock):
    robot.delay = 5.0
    notifier = make(db, templates, robot.url, clock, timeout=0.3)
    notifier.notify(event())
    started = time.monotonic()
    report = notifier.deliver_pending()
    assert time.monotonic() - started < 3 and report.errors == ["no answer within 0.3 s"]
    assert Outbox(db).rows()[0].attempts == 1


def test_an_unreachable_robot_does_not_delay_notify_and_the_worker_backs_off(db, templates):
    notifier = make(db, templates, f"http://127.0.0.1:{free_port()}/send?key={SECRET}", background=True)
    started = time.monotonic()
    notifier.notify(event())
    assert time.monotonic() - started < 1.0
    assert wait_until(lambda: Outbox(db).rows()[0].attempts == 1)
    assert not notifier.wait_idle(0.2)  # asleep until the retry is due, not spinning
    assert Outbox(db).rows()[0].attempts == 1
    assert notifier.close(timeout=5) and Outbox(db).rows()[0].status == "pending"


async def test_inside_a_running_loop_notify_returns_at_once(db, templates, robot):
    robot.delay = 1.0
    notifier = make(db, templates, robot.url, background=True)
    started = time.monotonic()
    notifier.notify(event())
    notifier.notify(event("lead", sender="rest:u2"))  # wakes the same worker, no second one
    assert time.monotonic() - started < 0.5 and not robot.received.is_set()
    assert len(notifier._worker.tasks) == 1
    deadline = time.monotonic() + 10
    while not notifier._worker.idle.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert [r.status for r in Outbox(db).rows()] == ["sent", "sent"] and robot.problems == []


# --- the secret URL ---------------------------------------------------------------------------


def test_the_webhook_url_is_never_logged(db, templates, robot, clock, caplog):
    caplog.set_level(logging.DEBUG)
    for mode in ("ok", "errcode", "http500", "garbage"):
        robot.mode = mode
        notifier = make(db, templates, robot.url, clock)
        notifier.notify(event())
        notifier.deliver_pending()
        clock.advance(3600)
    refused = make(db, templates, f"http://127.0.0.1:{free_port()}/x?key={SECRET}", clock)
    refused.deliver_pending()
    with pytest.raises(ValueError) as bad:
        RobotClient(f"file:///etc/passwd?key={SECRET}")
    stored = " ".join(str(r.last_error) for r in Outbox(db).rows())
    for text in (caplog.text, stored, str(bad.value), repr(notifier), repr(notifier.client)):
        assert SECRET not in text and SECRET[:8] not in text and robot.url not in text
    assert mask_url(robot.url) in caplog.text and "key=5f3c***" in mask_url(robot.url)
    assert "errcode 93000: invalid webhook url, hint: key=*** " in caplog.text  # the robot's errmsg quoted the
    # key and the URL: scrubbed, the rest kept
