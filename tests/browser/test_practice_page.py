"""The trainee's practice page (/webhooks/widget/practice) in headless Chromium against the real
Rasa and action servers: full customer-mode visits at desktop and phone width.

Screenshots go to docs/screenshots/ only when asked: ``BOT_SCREENSHOTS=1 pytest tests/browser``."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]
ROLEPLAY = ROOT / "data" / "roleplay"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
WEAK = "您好，欢迎看车。"
GOOD = "理解您的顾虑，多比较是应该的。您最看重的是价格还是空间？远山后排宽敞，全家出行更舒服，周末来试驾感受一下好吗？"


def enter_name(page, name):
    page.wait_for_selector("#name-panel:not([hidden])")
    page.fill("#name-input", name)
    page.press("#name-input", "Enter")  # keyboard only
    page.wait_for_selector("#name-panel", state="hidden")
    assert page.inner_text("#trainee-name") == name


def start_customer_visit(page, persona):
    page.select_option("#setup [name=mode]", "customer")
    page.select_option("#setup [name=persona]", persona)
    page.select_option("#setup [name=level]", "easy")
    page.click("#start")
    page.wait_for_selector(".row.customer", timeout=30000)


def reply(page, text):
    """Sends a reply with Enter; waits for its score beside it. False once the visit has ended."""
    before = page.locator(".turn-score").count()
    page.fill("#input", text)
    page.press("#input", "Enter")
    page.wait_for_function(f"() => document.querySelectorAll('.turn-score').length > {before}", timeout=30000)
    return page.locator("#scorecard").is_hidden()


def finish(page, ended):
    if ended:  # still going: 结束
        page.click("#commands button[data-command=结束]")
    page.wait_for_selector("#scorecard:not([hidden])", timeout=30000)
    page.wait_for_function("() => document.querySelector('#attempts').dataset.count", timeout=15000)


def play(page, persona):
    start_customer_visit(page, persona)
    still = reply(page, WEAK)
    if still:
        still = reply(page, GOOD)
    finish(page, still)


def assert_scorecard(page):
    card = page.locator("#scorecard")
    assert card.locator(".total-number").inner_text().isdigit()
    assert card.locator("#dimension-chart svg rect.bar").count() == 6  # the chart of the dimensions
    assert "认同" in card.locator("#dimension-chart").inner_text()
    assert card.locator(".suggestions li").count() == 3
    assert "参考说法" in card.locator(".suggestions").inner_text()
    assert card.locator(".turn-notes li").count() >= 1
    assert [t.strip() for t in card.locator("#attempts dt").all_inner_texts()] == ["第一次", "最好", "最近"]


PROSPECT_ELEMENTS = (
    ".sc-root, .sc-launcher, .sc-panel, .sc-lead, .sc-human, .sc-trainee, input[type=tel], "
    "script[src*='widget.js'], link[href*='widget.css']"
)


def assert_no_prospect_elements(page):
    """Nothing for prospects: no floating widget or its script, no call-back form or phone field, no
    找真人顾问 anywhere on the page's own text, hidden panels included (the conversation aside: the
    customer's and the model consultant's words are the practice's content)."""
    assert page.locator(PROSPECT_ELEMENTS).count() == 0
    own = page.evaluate("""() => { const copy = document.body.cloneNode(true);
        copy.querySelectorAll('#log, script').forEach(e => e.remove()); return copy.textContent; }""")
    for word in ("找真人顾问", "真人顾问", "转人工", "在线咨询", "回电", "手机号", "留下电话", "联系方式"):
        assert word not in own, word


def readiness_words():
    """Each persona's readiness as the card should show it: persona id -> (R1-R4, its words)."""
    from bot.roleplay.personas import load_personas
    from bot.roleplay.reactions import load_reactions

    levels = load_reactions(ROLEPLAY / "reactions.yml").readiness
    return {p.id: (p.readiness, levels[p.readiness].zh) for p in load_personas(ROLEPLAY / "personas").values()}


def assert_readiness_shown(page, persona):
    level, words = readiness_words()[persona]
    shown = page.locator("#persona-card .persona-readiness")
    assert shown.is_visible() and level in shown.inner_text() and words in shown.inner_text()


def test_a_full_customer_visit_at_desktop_width_then_a_second_one(browser, servers):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{servers.url}/webhooks/widget/practice")
    enter_name(page, "练习学员甲")
    persona = page.locator("#setup [name=persona] option").first.get_attribute("value")
    start_customer_visit(page, persona)
    card = page.locator("#persona-card")
    assert card.is_visible() and card.locator(".persona-name").inner_text()
    assert card.locator(".persona-cares").inner_text() and "：“" in card.locator(".persona-opening").inner_text()
    assert_readiness_shown(page, persona)
    assert_no_prospect_elements(page)
    still = reply(page, WEAK)
    score = page.locator(".row.user .turn-score").first
    assert score.is_visible() and "分" in score.inner_text() and "认同" in score.inner_text()
    box_reply = page.locator(".row.user .bubble").first.bounding_box()
    box_score = score.bounding_box()
    assert box_score["x"] < box_reply["x"]  # beside the reply, not under it
    if still:
        page.click("#commands button[data-command=提示]")
        page.wait_for_selector(".note.hint", timeout=30000)
        still = reply(page, GOOD)
    if still:
        screenshot(page, "practice-desktop.png", full_page=True)
    finish(page, still)
    assert_scorecard(page)
    assert page.locator("#attempts").get_attribute("data-count") == "1"
    screenshot(page, "practice-scorecard-desktop.png", full_page=True)

    page.click("#again")  # a second visit on the same persona
    page.wait_for_selector("#scorecard", state="hidden")
    page.wait_for_selector(".row.customer", timeout=30000)
    still = reply(page, GOOD)
    finish(page, still)
    assert page.locator("#attempts").get_attribute("data-count") == "2"
    assert "第2次练习" in page.inner_text("#scorecard .comparison")
    context.close()


def test_a_full_customer_visit_at_phone_width(browser, servers):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{servers.url}/webhooks/widget/practice")
    enter_name(page, "练习学员乙")
    persona = page.locator("#setup [name=persona] option").last.get_attribute("value")
    start_customer_visit(page, persona)
    assert page.locator("#persona-card").is_visible()
    assert_readiness_shown(page, persona)
    assert_no_prospect_elements(page)
    still = reply(page, WEAK)
    assert "分" in page.locator(".turn-score").first.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    screenshot(page, "practice-phone.png", full_page=True)
    finish(page, still)
    assert_scorecard(page)
    page.locator("#scorecard").scroll_into_view_if_needed()
    assert page.locator("#dimension-chart svg").bounding_box()["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "practice-scorecard-phone.png", full_page=True)
    context.close()


def test_coach_mode_shows_the_coaching_beside_the_model_answers(browser, servers):
    """Coach mode (was the old trainee page's): the trainee plays the customer, the model answer comes
    with its principle, move and alternatives as a side note, never inside the consultant's words; then
    customer mode starts a visit with the persona card. Prospects never see coaching
    (tests/browser/test_widget.py: assert_no_coaching)."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{servers.url}/webhooks/widget/practice")
    enter_name(page, "练习学员丙")
    page.select_option("#setup [name=mode]", "coach")
    assert page.locator("#persona-card").is_hidden()  # the trainee is the customer
    page.click("#start")
    assert page.locator("#commands").is_hidden()
    page.fill("#input", "远山太贵了")
    page.press("#input", "Enter")
    page.wait_for_selector(".row.consultant .coach-note", timeout=30000)
    note = page.locator(".coach-note").last.inner_text()
    assert "原则：" in note and "动作：" in note and "也可以" in note
    words = page.locator(".row.consultant .bubble").last.inner_text()
    assert words.strip() and not any(w in words for w in ("原则：", "动作：", "也可以（"))
    assert_no_prospect_elements(page)

    page.select_option("#setup [name=mode]", "customer")
    page.select_option("#setup [name=persona]", "hesitant_staller")
    page.click("#start")
    page.wait_for_selector(".row.customer", timeout=30000)
    assert "练习开始" in page.inner_text("#log") and page.locator("#commands").is_visible()
    assert_readiness_shown(page, "hesitant_staller")
    assert readiness_words()["hesitant_staller"][0] == "R1"
    assert_no_prospect_elements(page)
    context.close()


def test_the_page_is_rendered_again_when_the_reaction_rules_change(tmp_path, monkeypatch):
    """The page (persona cards with readiness words) is cached until one of its files changes:
    reactions.yml is one of them. No servers needed."""
    import shutil

    from bot.channels import practice_page

    roleplay = tmp_path / "roleplay"
    shutil.copytree(ROLEPLAY, roleplay)
    monkeypatch.setenv("BOT_ROLEPLAY_DIR", str(roleplay))
    practice_page._render.cache_clear()
    first = practice_page.render_practice_page()
    level, words = readiness_words()["hesitant_staller"]
    assert words in first and practice_page.render_practice_page() is first  # cached
    reactions = roleplay / "reactions.yml"
    reactions.write_text(reactions.read_text(encoding="utf-8").replace(words, "还没想好买不买"), encoding="utf-8")
    os.utime(reactions, ns=(reactions.stat().st_atime_ns, reactions.stat().st_mtime_ns + 10**9))
    again = practice_page.render_practice_page()
    assert "还没想好买不买" in again and words not in again
    practice_page._render.cache_clear()
