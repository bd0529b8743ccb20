"""Two Rasa servers behind nginx sharing PostgreSQL (conversations, leads) and a Redis lock store:
50 users whose messages alternate between the instances, each conversation complete and in order."""

import asyncio
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import ROOT, latest_model
from tests.deploy.services import (
    Nginx,
    Postgres,
    Redis,
    base_env,
    start_actions,
    start_rasa,
    stop,
    wait_http,
    write_endpoints,
)

pytestmark = [pytest.mark.server, pytest.mark.deploy]
USERS = 50
MESSAGES = ["远山太贵了", "我得回家问问老婆", "隔壁店便宜两万", "能分期吗"]
RESULTS = ROOT / "reports" / "deploy" / "scale_out.json"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    pg, redis = Postgres(), Redis()
    env = base_env(Path(tempfile.mkdtemp(prefix="bot-data-")), {**pg.env(), **redis.env()})
    token = secrets.token_hex(8)
    procs = []
    try:
        actions, action_port = start_actions(env, tmp / "actions.log")
        procs.append(actions)
        endpoints = write_endpoints(tmp, action_port)
        starting = [start_rasa(latest_model(), endpoints, env, token, tmp / f"rasa{i}.log", wait=False) for i in (1, 2)]
        procs += [p for p, _ in starting]
        for i, (p, port) in enumerate(starting, 1):
            wait_http(f"http://127.0.0.1:{port}/status?token={token}", p, tmp / f"rasa{i}.log")
        nginx = Nginx([port for _, port in starting])
        yield {
            "instances": [f"http://127.0.0.1:{port}" for _, port in starting],
            "nginx": nginx.url,
            "token": token,
            "pg": pg,
        }
        nginx.stop()
    finally:
        for p in procs:
            stop(p)
        redis.stop()
        pg.stop()


async def _post(session, url, sender, text):
    async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
        body = await r.json(content_type=None)
        return r.status, body


async def _conversations(urls_for, prefix):
    """Each user sends MESSAGES in order (waiting for each answer); returns (seconds, messages, errors)."""
    errors = []

    async def user(session, u):
        for i, text in enumerate(MESSAGES):
            status, body = await _post(session, urls_for(u, i), f"{prefix}{u}", text)
            if status != 200 or not body:
                errors.append((u, i, status, body))

    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        await asyncio.gather(*(user(session, u) for u in range(USERS)))
    return time.monotonic() - started, USERS * len(MESSAGES), errors


def _events(url, token, sender):
    import urllib.request

    with urllib.request.urlopen(f"{url}/conversations/{sender}/tracker?token={token}", timeout=30) as r:
        return json.loads(r.read())["events"]


def test_fifty_users_alternating_between_two_instances(cluster):
    a, b = cluster["instances"]
    seconds, count, errors = asyncio.run(_conversations(lambda u, i: (a, b)[(u + i) % 2], "alt-"))
    assert not errors, errors[:3]
    for u in range(USERS):
        events = _events(a, cluster["token"], f"alt-{u}")
        assert events == _events(b, cluster["token"], f"alt-{u}")  # one shared store
        users = [e for e in events if e["event"] == "user"]
        assert [e["text"] for e in users] == MESSAGES, f"alt-{u}: lost or duplicated messages"
        # every message was answered before the next one was processed: user, bot..., listen, user...
        turns = [e["event"] for e in events if e["event"] in ("user", "bot")]
        for i, kind in enumerate(turns):
            if kind == "user":
                assert i + 1 < len(turns) and turns[i + 1] == "bot", (
                    f"alt-{u}: a message was not answered: "
                    + "; ".join(
                        f"{e['event']}:{e.get('name') or e.get('text') or ''}@{e.get('timestamp')}" for e in events
                    )
                )


def test_one_conversation_hit_on_both_instances_at_once_is_serialised_by_the_lock(cluster):
    a, b = cluster["instances"]

    async def both():
        async with aiohttp.ClientSession() as session:
            return await asyncio.gather(
                _post(session, a, "locked-1", "太贵了"), _post(session, b, "locked-1", "能分期吗")
            )

    results = asyncio.run(both())
    assert all(status == 200 and body for status, body in results)
    events = [e["event"] for e in _events(a, cluster["token"], "locked-1") if e["event"] in ("user", "bot")]
    assert events.count("user") == 2
    second = events.index("user", 1)
    assert events[0] == "user" and "bot" in events[1:second] and "bot" in events[second:], events


def test_throughput_one_instance_and_two_behind_nginx(cluster):
    one, _, errors_one = asyncio.run(_conversations(lambda u, i: cluster["instances"][0], "one-"))
    two, count, errors_two = asyncio.run(_conversations(lambda u, i: cluster["nginx"], "two-"))
    assert not errors_one and not errors_two
    result = {
        "users": USERS,
        "messages": count,
        "one_instance_msg_per_s": round(count / one, 1),
        "two_instances_nginx_msg_per_s": round(count / two, 1),
        "cores": os.cpu_count(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print("scale-out throughput:", result)
