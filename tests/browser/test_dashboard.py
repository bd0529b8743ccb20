"""The trainer dashboard (/webhooks/trainer/) in headless Chromium against the real Rasa and action
servers: refused without login, a wrong password refused, the visit just played visible after login,
a correction saved and shown; and its data is what `python -m bot report` writes for the same
database. Screenshot with ``BOT_SCREENSHOTS=1``."""

import json
import secrets
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_practice_page import DESKTOP, GOOD, WEAK

pytestmark = pytest.mark.server
TRAINEE = "看板学员"


def trainer_password(servers):
    """The servers fixture starts Rasa with TRAINER_PASSWORD set to this (tests/conftest.py)."""
    return f"trainer-{servers.token}"


def played_visit(servers):
    """One finished customer-mode visit by TRAINEE over REST (as the practice page sends it)."""
    sender = "dashboard-" + secrets.token_hex(4)
    meta = {"roleplay": {"mode": "customer", "persona": "comparison_shopper", "level": "easy", "trainee": TRAINEE}}
    servers.send(sender, "重来", meta)
    for text in (WEAK, GOOD):
        answer = servers.send(sender, text, meta)
        if any("roleplay_scorecard" in (m.get("custom") or {}) for m in answer):
            return sender
    servers.send(sender, "结束", meta)
    return sender


@pytest.fixture(scope="module")
def visit(servers):
    return played_visit(servers)


def test_dashboard_login_visit_and_correction(browser, servers, visit):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    url = f"{servers.url}/webhooks/trainer/"
    assert page.request.get(url + "api/summary").status == 401  # refused without login
    assert page.request.get(url + "export.csv").status == 401
    page.goto(url)
    page.wait_for_selector("#login:not([hidden])")
    assert page.locator("#dashboard").is_hidden()
    assert page.evaluate("() => document.activeElement.id") == "password"
    page.fill("#password", "not-the-password")
    page.press("#password", "Enter")
    page.wait_for_function("() => document.querySelector('#login-error').textContent.length > 0")
    assert "密码不对" in page.inner_text("#login-error") and page.locator("#dashboard").is_hidden()
    page.fill("#password", trainer_password(servers))
    page.press("#password", "Enter")
    page.wait_for_selector("#dashboard:not([hidden])")
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["trainer_session"]["httpOnly"] and cookies["trainer_session"]["sameSite"] == "Strict"
    assert page.evaluate("() => document.cookie") == ""  # not readable by scripts

    row = page.locator(f"#attempts tbody tr[data-visit='{visit}#1']")
    from bot.roleplay.personas import load_personas

    persona_name = load_personas(Path("data/roleplay/personas"))["comparison_shopper"].name
    assert TRAINEE in row.inner_text() and persona_name in row.inner_text()
    assert TRAINEE in page.inner_text("#trainees")
    assert page.locator("#dims-chart svg").count() == 1 and page.locator("#misses .miss-group").count() >= 1
    row.locator("button").click()
    page.wait_for_selector("#transcript:not([hidden]) .turn")
    turn = page.locator("#transcript-body .turn").first
    assert WEAK in turn.inner_text() and "评分依据" in turn.inner_text()
    value = turn.locator("input[name=value]")
    rubric_said = value.is_checked()
    value.focus()
    page.keyboard.press("Space")  # keyboard: the trainer says the rubric got "value" wrong
    turn.locator("input[name=note]").fill("这句没讲好处")
    turn.locator("button[type=submit]").click()
    page.wait_for_selector("#transcript-body .turn .corrected")
    turn = page.locator("#transcript-body .turn").first
    assert "已保存" in turn.inner_text() and "解答" in turn.locator(".corrected").inner_text()
    assert turn.locator("input[name=value]").is_checked() is (not rubric_said)
    page.wait_for_function("() => document.querySelectorAll('#agreement tbody tr').length > 0")
    assert "这句没讲好处" in page.inner_text("#disagreements")
    screenshot(page, "dashboard-desktop.png", full_page=True)
    context.close()


@pytest.mark.filterwarnings("ignore:Glyph .* missing from current font")
def test_dashboard_data_matches_bot_report(browser, servers, visit, tmp_path):
    from bot import cli

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    assert (
        page.request.post(
            f"{servers.url}/webhooks/trainer/login", data=json.dumps({"password": trainer_password(servers)})
        ).status
        == 200
    )
    dashboard = page.request.get(f"{servers.url}/webhooks/trainer/api/summary").json()
    csv_text = page.request.get(f"{servers.url}/webhooks/trainer/export.csv").text()
    context.close()
    assert cli.main(["report", "--db", str(servers.db), "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert {k: dashboard[k] for k in report} == report
    assert any(a["trainee"] == TRAINEE for a in report["attempts"])
    assert csv_text.lstrip("\ufeff") == (tmp_path / "attempts.csv").read_bytes().decode("utf-8").lstrip("\ufeff")
