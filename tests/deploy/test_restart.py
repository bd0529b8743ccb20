"""A conversation survives ``kill -9`` of the Rasa server, on the SQLite default and on PostgreSQL."""

import os
import secrets
import signal
import tempfile
from pathlib import Path

import pytest

from tests.conftest import http, latest_model
from tests.deploy.services import Postgres, base_env, start_actions, start_rasa, stop, write_endpoints

pytestmark = [pytest.mark.server, pytest.mark.deploy]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_conversation_continues_after_kill_9(backend, tmp_path):
    pg = Postgres() if backend == "postgresql" else None
    data_dir = Path(tempfile.mkdtemp(prefix="bot-data-"))
    env = base_env(data_dir, pg.env() if pg else None)
    token = secrets.token_hex(8)
    actions, rasa = None, None
    try:
        actions, action_port = start_actions(env, tmp_path / "actions.log")
        endpoints = write_endpoints(tmp_path, action_port)
        rasa, port = start_rasa(latest_model(), endpoints, env, token, tmp_path / "rasa.log")
        url = f"http://127.0.0.1:{port}"

        def send(text):
            status, body = http("POST", f"{url}/webhooks/rest/webhook", {"sender": "survivor", "message": text})
            assert status == 200 and body, (status, body)
            return body

        def tracker():
            status, body = http("GET", f"{url}/conversations/survivor/tracker?token={token}")
            assert status == 200
            return body

        send("远山太贵了")
        send("我得回家跟老婆商量一下")
        before = tracker()
        assert before["slots"]["car_model"] == "远山" and before["slots"]["family_member"] == "spouse"
        used_before = before["slots"]["used_scripts"]
        assert len(used_before) == 2

        os.kill(rasa.pid, signal.SIGKILL)
        rasa.wait(timeout=10)
        rasa, port = start_rasa(latest_model(), endpoints, env, token, tmp_path / "rasa.log", port=port)

        after_restart = tracker()
        assert after_restart["events"][: len(before["events"])] == before["events"]
        answer = send("那能再便宜点吗")
        assert any(m.get("text") for m in answer)
        after = tracker()
        assert after["slots"]["car_model"] == "远山" and after["slots"]["family_member"] == "spouse"
        used_after = after["slots"]["used_scripts"]
        assert used_after[:2] == used_before and len(used_after) == 3 and used_after[2] not in used_before
        users = [e["text"] for e in after["events"] if e["event"] == "user"]
        assert users == ["远山太贵了", "我得回家跟老婆商量一下", "那能再便宜点吗"]
        if backend == "sqlite":
            assert (data_dir / "rasa.db").exists()
    finally:
        for proc in (rasa, actions):
            if proc:
                stop(proc)
        if pg:
            pg.stop()
