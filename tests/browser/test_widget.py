"""The showroom widget in headless Chromium (Debian's package, driven by Playwright), against the real
running Rasa and action servers; the old trainee page now redirects to the practice page."""

import datetime as dt
import http.server
import json
import threading

import pytest

from bot.notify import Outbox
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.server


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def sender_of(page, mode="prospect"):
    """The conversation's id in the tracker store: the visitor id the server issued, widget-prefixed."""
    saved = page.evaluate(f"() => localStorage.getItem('showroomchat:sample-dealer:{mode}')")
    return "widget:" + json.loads(saved)["sender"] if saved else None


def bot_bubbles(page):
    return page.locator(".sc-msg.sc-bot")


def open_widget(page, url):
    page.goto(url)
    page.click(".sc-launcher")
    page.wait_for_selector(".sc-panel:not([hidden])")


def say(page, text):
    """Types ``text`` and waits for the answer; returns the text of the bot's new bubbles."""
    before = bot_bubbles(page).count()
    page.fill(".sc-input", text)
    page.press(".sc-input", "Enter")
    page.wait_for_function(f"() => document.querySelectorAll('.sc-msg.sc-bot').length > {before}", timeout=30000)
    return "\n".join(bot_bubbles(page).all_inner_texts()[before:])


def lead_of(servers, sender):
    from bot.leads.store import LeadStore

    return LeadStore(f"sqlite:///{servers.db}").get(sender)


def assert_no_coaching(page):
    """A prospect sees the answers only: no coach annotation, no principle or move, no raw payload."""
    shown = page.locator(".sc-root").inner_text()
    assert page.locator(".sc-annotation").count() == 0
    for word in ("原则：", "动作：", "也可以（", "阶段：", "handoff", "need_phone", "script_id", "objection_"):
        assert word not in shown, (word, shown)


def test_prospect_asks_about_price_and_gets_a_playbook_answer(page, servers):
    open_widget(page, f"{servers.url}/webhooks/widget/demo")
    assert "智能购车助手" in bot_bubbles(page).first.inner_text()  # greeting on first open
    say(page, "太贵了")
    events = servers.tracker(sender_of(page))["events"]
    tags = [e["data"]["custom"] for e in events if e["event"] == "bot" and (e.get("data") or {}).get("custom")]
    assert tags and tags[-1]["objection"] == "objection_price"
    assert page.locator(".sc-annotation").count() == 0  # prospects see only the text
    user = events[[i for i, e in enumerate(events) if e["event"] == "user"][-1]]
    assert user["metadata"]["dealer"] == "sample-dealer" and "/webhooks/widget/demo" in user["metadata"]["page"]
    screenshot(page, "widget-desktop.png")


def test_quick_reply_click_and_reload_restores_the_conversation(page, servers):
    open_widget(page, f"{servers.url}/webhooks/widget/demo?utm_source=wechat_ad")
    say(page, "你好")
    page.wait_for_selector(".sc-quick-btn")
    before = bot_bubbles(page).count()
    page.click(".sc-quick-btn >> text=帮我选车")
    assert page.locator(".sc-msg.sc-user").last.inner_text() == "帮我选车"  # the title, not the payload
    page.wait_for_function(f"() => document.querySelectorAll('.sc-msg.sc-bot').length > {before}")
    assert "怎么用" in page.locator(".sc-log").inner_text()
    assert page.locator(".sc-quick-btn >> text=帮我选车").count() == 0  # used buttons disappear
    user_events = [e for e in servers.tracker(sender_of(page))["events"] if e["event"] == "user"]
    assert user_events[0]["metadata"]["utm_source"] == "wechat_ad"
    transcript = page.locator(".sc-log").inner_text()
    sender = sender_of(page)
    page.reload()
    page.wait_for_selector(".sc-panel:not([hidden]) .sc-msg.sc-user")
    assert sender_of(page) == sender
    restored = page.locator(".sc-log").inner_text()
    assert "你好" in restored and "帮我选车" in restored and "怎么用" in restored
    assert transcript.endswith(restored)  # everything but the page's own greeting comes back
    page.click(".sc-reset")
    assert sender_of(page) != sender and page.locator(".sc-msg.sc-user").count() == 0


def test_enter_that_confirms_an_ime_candidate_does_not_send(page, servers):
    open_widget(page, f"{servers.url}/webhooks/widget/demo")
    page.fill(".sc-input", "tai gui le")
    for init in ("{key: 'Enter', isComposing: true, bubbles: true}", "{key: 'Enter', keyCode: 229, bubbles: true}"):
        page.evaluate(f"() => document.querySelector('.sc-input').dispatchEvent(new KeyboardEvent('keydown', {init}))")
    assert page.locator(".sc-msg.sc-user").count() == 0
    assert page.input_value(".sc-input") == "tai gui le"
    page.fill(".sc-input", "太贵了")
    say(page, "太贵了")
    assert page.locator(".sc-msg.sc-user").count() == 1


def test_consent_form_stores_a_lead_with_the_conversation(page, servers):
    open_widget(page, f"{servers.url}/webhooks/widget/demo")
    say(page, "我想了解一下远山")
    page.click(".sc-human")
    page.fill(".sc-lead [name=name]", "李先生")
    page.fill(".sc-lead [name=phone]", "138 0013 8000")
    page.click(".sc-lead button[type=submit]")
    assert "同意" in page.locator(".sc-lead-error").inner_text()  # no consent, nothing stored
    assert servers.tracker(sender_of(page))["slots"]["lead_phone"] is None
    page.check(".sc-lead [name=consent]")
    page.click(".sc-lead button[type=submit]")
    page.wait_for_selector(".sc-msg.sc-bot >> text=谢谢您的信任")
    slots = servers.tracker(sender_of(page))["slots"]
    assert slots["lead_name"] == "李先生" and slots["lead_phone"] == "13800138000" and slots["lead_consent"] is True


def test_phone_sized_screen_is_full_screen_and_keyboard_usable(browser, servers):
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(f"{servers.url}/webhooks/widget/demo")
    pg.focus(".sc-launcher")
    pg.keyboard.press("Enter")  # keyboard opens it
    pg.wait_for_selector(".sc-panel:not([hidden])")
    box = pg.locator(".sc-panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 667)
    assert pg.evaluate("() => document.activeElement.className") == "sc-input"
    say(pg, "能分期吗")
    screenshot(pg, "widget-phone.png")
    pg.keyboard.press("Escape")
    assert pg.locator(".sc-panel").is_hidden()
    context.close()


def ask_for_a_person_and_leave_a_number(page, servers):
    """Types 转人工 in the widget and fills in the call-back form the answer opens: (sender, the lead
    row right after the handoff, the lead row after the form)."""
    open_widget(page, f"{servers.url}/webhooks/widget/demo")
    assert page.locator(".sc-lead").is_hidden()  # nothing opens it but the handoff (the button is not clicked)
    answer = say(page, "转人工")
    assert "真人顾问" in answer, answer
    page.wait_for_selector(".sc-lead:not([hidden])", timeout=5000)  # opened by the handoff payload
    assert_no_coaching(page)
    sender = sender_of(page)
    events = servers.tracker(sender)["events"]
    assert any(e["event"] == "pause" for e in events), [e["event"] for e in events]  # a person has it now
    handed_off = lead_of(servers, sender)
    page.fill(".sc-lead [name=name]", "周女士")
    page.fill(".sc-lead [name=phone]", "137 1234 5678")
    page.check(".sc-lead [name=consent]")
    page.click(".sc-lead button[type=submit]")
    page.wait_for_selector(".sc-msg.sc-bot >> text=谢谢您的信任", timeout=30000)
    assert page.locator(".sc-lead").is_hidden() and page.locator(".sc-lead-error").inner_text() == ""
    return sender, handed_off, lead_of(servers, sender)


def test_asking_for_a_person_opens_the_call_back_form_and_pauses_the_bot(page, servers):
    sender, handed_off, lead = ask_for_a_person_and_leave_a_number(page, servers)
    assert handed_off is not None and handed_off.reason == "客户要求真人顾问", handed_off  # the handoff recorded
    assert handed_off.follow_up_date == dt.date.today()
    assert lead is not None and (lead.channel, lead.phone, lead.name) == ("widget", "13712345678", "周女士"), lead
    assert any(e["event"] == "pause" for e in servers.tracker(sender)["events"])  # still a person's conversation
    assert_no_coaching(page)


def test_the_number_left_after_a_handoff_keeps_the_handoff_on_the_lead(page, servers):
    _, _, lead = ask_for_a_person_and_leave_a_number(page, servers)
    assert (lead.reason, lead.follow_up_date) == ("客户要求真人顾问", dt.date.today()), lead
    queued = [r for r in Outbox(f"sqlite:///{servers.db}").rows() if r.sender_id == lead.sender_id]
    assert [r.kind for r in queued] == ["handoff", "lead"] and "13712345678" in queued[-1].message.content, queued


def test_a_test_drive_booked_in_one_message_is_read_back_with_the_phone_masked(page, servers):
    open_widget(page, f"{servers.url}/webhooks/widget/demo")
    answer = say(page, "我手机号13800138000，周六上午来试驾远山")
    assert "预约好了" in answer and "周六" in answer and "上午" in answer and "远山" in answer, answer
    assert "138****8000" in answer, answer
    # the whole number is on the page once: in the visitor's own bubble, never in the bot's
    assert "13800138000" not in "".join(bot_bubbles(page).all_inner_texts())
    assert page.locator(".sc-msg.sc-user").last.inner_text() == "我手机号13800138000，周六上午来试驾远山"
    assert page.content().count("13800138000") == 1
    assert_no_coaching(page)
    lead = lead_of(servers, sender_of(page))
    assert lead is not None and lead.grade == "O" and "预约试驾" in (lead.reason or ""), lead
    assert (lead.channel, lead.phone, lead.car_model) == ("widget", "13800138000", "远山"), lead


def test_a_test_drive_booked_over_several_messages_moves_an_impossible_date(page, servers):
    open_widget(page, f"{servers.url}/webhooks/widget/demo")
    say(page, "你好")
    first_sender = sender_of(page)
    page.click(".sc-reset")  # a second conversation, in the same widget
    assert "哪款车" in say(page, "想约个试驾")
    assert sender_of(page) != first_sender
    assert "哪天" in say(page, "晨风吧")
    proposed = say(page, "2月30号上午")
    assert "2月30号" in proposed and "最近能约的是" in proposed and "手机号" in proposed, proposed  # at once
    read_back = say(page, "13912345678")
    assert "晨风" in read_back and "139****5678" in read_back and "确认" in read_back, read_back
    assert "预约好了" not in read_back and lead_of(servers, sender_of(page)) is None  # a moved slot waits for a yes
    booked = say(page, "确认")
    assert "预约好了" in booked and "晨风" in booked and "139****5678" in booked, booked
    assert "13912345678" not in "".join(bot_bubbles(page).all_inner_texts())
    assert_no_coaching(page)
    lead = lead_of(servers, sender_of(page))
    assert (
        lead is not None and lead.grade == "O" and "预约试驾" in (lead.reason or "") and lead.car_model == "晨风"
    ), lead


class _Site(http.server.SimpleHTTPRequestHandler):
    bot_url = ""

    def do_GET(self):  # noqa: N802 (http.server API)
        page = (
            f'<!doctype html><meta charset="utf-8"><script>window.ShowroomChat={{botUrl:"{self.bot_url}",'
            f'dealer:"other"}};</script><script src="{self.bot_url}/webhooks/widget/widget.js"></script>'
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args):
        pass


def _serve(port, bot_url):
    handler = type("Site", (_Site,), {"bot_url": bot_url})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_configured_dealer_origin_works_and_an_unlisted_origin_is_refused(page, servers):
    from tests.conftest import free_port, http

    allowed = _serve(servers.dealer_port, servers.url)
    other_port = free_port()
    other = _serve(other_port, servers.url)
    try:
        open_widget(page, f"http://127.0.0.1:{servers.dealer_port}/")
        say(page, "太贵了")
        assert "网络好像不太稳定" not in page.locator(".sc-log").inner_text()
        open_widget(page, f"http://127.0.0.1:{other_port}/")
        page.fill(".sc-input", "太贵了")
        page.press(".sc-input", "Enter")
        page.wait_for_selector(".sc-msg.sc-bot >> text=网络好像不太稳定")
    finally:
        allowed.shutdown()
        other.shutdown()
    status, body = http(
        "POST",
        f"{servers.url}/webhooks/widget/webhook",
        raw=json.dumps({"sender": "x", "message": "hi"}).encode(),
        headers={"Origin": f"http://127.0.0.1:{other_port}"},
    )
    assert status == 403 and body["error"] == "origin not allowed"


def test_the_old_trainee_page_redirects_to_the_practice_page(page, servers):
    """Trainees practise on the practice page (tests/browser/test_practice_page.py drives coach mode
    there); the floating-widget trainee page is gone."""
    old = page.request.get(f"{servers.url}/webhooks/widget/trainee", max_redirects=0)
    assert old.status == 302 and old.headers["location"].endswith("/webhooks/widget/practice")
    page.goto(f"{servers.url}/webhooks/widget/trainee")
    assert page.url == f"{servers.url}/webhooks/widget/practice"
    page.wait_for_selector("#setup")
    assert page.locator(".sc-root, .sc-launcher, .sc-trainee").count() == 0  # no floating widget
