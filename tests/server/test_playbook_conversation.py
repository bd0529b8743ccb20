"""Playbook answers through the running servers' REST channel."""

import pytest

pytestmark = pytest.mark.server


def annotations(messages):
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict) and "script_id" in m["custom"]]


def texts(messages):
    return " ".join(m.get("text") or "" for m in messages)


TWELVE_TURNS = [
    ("远山这车也太贵了吧", "objection_price"),
    ("比亚迪宋PLUS比你们便宜两万", "objection_competitor"),
    ("还是觉得贵，超预算了", "objection_price"),
    ("我得回去跟老婆商量一下", "consult_family"),
    ("你们这车质量靠得住吗", "objection_quality"),
    ("最低能优惠多少", "ask_discount"),
    # "保养一次多少钱" asks a fact now (ask_product_info, answered from the catalog); a worry about it is still an objection
    ("以后保养会不会很贵，售后网点多吗", "objection_after_sales"),
    ("能分期吗，首付多少", "ask_financing"),
    ("我那台旧车能置换吗", "ask_trade_in"),
    ("价格真的接受不了", "objection_price"),
    ("现车有吗，多久能提", "ask_delivery"),
    ("我再考虑考虑吧", "delay_decision"),
]


def test_twelve_turns_of_mixed_objections_get_relevant_non_repeating_tagged_answers(servers):
    sender = "mixed-12"
    seen, principles, tags_by_turn = [], [], []
    for text, intent in TWELVE_TURNS:
        assert servers.parse(text)["intent"]["name"] == intent, text
        reply = servers.send(sender, text)
        tags = annotations(reply)
        assert len(tags) == 1, (text, reply)
        tag = tags[0]
        assert tag["objection"] == intent  # relevant: answers the objection raised
        assert (
            tag["principle"]
            in ("reciprocity", "social_proof", "commitment", "liking", "testimonial", "friendship", "peer_identity")
            and tag["principle_zh"]
        )
        assert tag["move"] and tag["stage"] and texts(reply).strip()
        assert "{" not in texts(reply)
        seen.append(tag["script_id"])
        tags_by_turn.append(tag)
        principles.append(tag["principle"])
    assert len(seen) == len(set(seen)), seen  # never the same script twice
    price = [tag for tag in tags_by_turn if tag["objection"] == "objection_price"]
    assert [t["attempt"] for t in price] == [1, 2, 3]
    assert price[0]["move"] in ("acknowledge", "clarify") and price[2]["move"] == "concession"
    tracker = servers.tracker(sender)
    assert tracker["slots"]["car_model"] == "远山"
    assert tracker["slots"]["used_scripts"] == seen
    concessions = [t for t in tags_by_turn if t["move"] == "concession"]
    assert tracker["slots"]["gifts_offered"] == len(concessions) >= 1  # each concession offered one gift


def test_model_choice_form_with_an_objection_in_the_middle(servers):
    sender = "form-1"
    reply = servers.send(sender, "远山和晨风选哪个好")
    assert "怎么用" in texts(reply)
    reply = servers.send(sender, "主要是家用带娃")
    assert "几个人" in texts(reply)
    reply = servers.send(sender, "首付要多少")  # an objection mid-form: answered, then the form resumes
    assert annotations(reply)[0]["objection"] == "ask_financing"
    assert "几个人" in texts(reply)
    reply = servers.send(sender, "一家四口")
    assert "预算" in texts(reply)
    reply = servers.send(sender, "20万左右")
    assert "最看重" in texts(reply)
    reply = servers.send(sender, "安全性")
    tag = annotations(reply)[0]
    assert tag["objection"] == "choose_model" and tag["move"] in ("value", "next_step")
    slots = servers.tracker(sender)["slots"]
    assert slots["usage"] == "family" and slots["passengers"] == 4 and slots["budget"] == 200000
    assert slots["priority"] == "安全性" and slots["car_model"] == "远山"
    assert slots["car_model"] in texts(reply)


def test_stalling_twice_leads_to_a_graded_lead(servers):
    sender = "lead-1"
    first = servers.send(sender, "我再考虑考虑")
    assert annotations(first)[0]["move"] in ("clarify", "acknowledge")
    second = servers.send(sender, "不急，过段时间再说")
    assert annotations(second)[0]["move"] == "next_step"
    assert "什么时候用车" in texts(second)
    done = servers.send(sender, "一个月内吧")
    assert "顾问" in texts(done)
    slots = servers.tracker(sender)["slots"]
    assert slots["lead_grade"] == "A" and slots["follow_up_date"] and slots["lead_pending"] is False


def test_terminal_chat_shows_answers_annotations_and_numbered_buttons(servers):
    import io

    from bot.chat import run

    out = io.StringIO()
    assert run(servers.url, "terminal-test", io.StringIO("你好\n1\n太贵了\n/quit\n"), out) == 0
    screen = out.getvalue()
    assert "机器人: 您好" in screen and "[1] 帮我选车" in screen
    assert "怎么用" in screen  # button 1 (/choose_model) started the needs form
    assert "〔" in screen and "objection_price" not in screen.split("〔")[0]
    plain = io.StringIO()
    run(servers.url, "terminal-test-2", io.StringIO("太贵了\n"), plain, annotations=False)
    assert "〔" not in plain.getvalue() and "机器人:" in plain.getvalue()
