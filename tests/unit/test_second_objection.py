"""A second objection in one message, found by cue words in a clause of its own (no servers)."""

import pytest

from bot.exceptions import DataFileError
from bot.playbook.second_objection import (
    clauses,
    get_cues,
    load_cues,
    mentions,
    objections_by_cues,
    objections_in_message,
)

CUES = get_cues("data/lexicon")


def family(text, word):
    start = text.index(word)
    return [{"entity": "family_member", "start": start, "end": start + len(word), "value": "spouse"}]


@pytest.mark.parametrize(
    "text, main, entities, expected",
    [
        (
            "太贵了，而且我还得回家问问老婆",
            "objection_price",
            family("太贵了，而且我还得回家问问老婆", "老婆"),
            ["objection_price", "consult_family"],
        ),
        ("能不能再低点，另外提车要多久", "ask_discount", [], ["ask_discount", "ask_delivery"]),
        ("提车要多久？太贵了", "objection_price", [], ["ask_delivery", "objection_price"]),  # in the order said
        ("质量靠谱吗，保养贵不贵", "objection_quality", [], ["objection_quality", "objection_after_sales"]),
        ("远山太贵了，能便宜点吗", "objection_price", [], ["objection_price"]),  # one point, said twice
        ("我再考虑考虑", "delay_decision", [], ["delay_decision"]),
        ("问问老婆再说", "consult_family", family("问问老婆再说", "老婆"), ["consult_family"]),
        ("太贵了，我问问", "objection_price", [], ["objection_price"]),  # 问问 without a family member
        ("有点贵，分期的话首付多少", "objection_price", [], ["objection_price", "ask_financing"]),
    ],
)
def test_objections_in_the_order_said(text, main, entities, expected):
    assert objections_in_message(text, main, entities, CUES) == expected


def test_traditional_characters_are_read_like_simplified():
    text = "太貴了，而且還要問問老婆"
    assert objections_in_message(text, "objection_price", family(text, "老婆"), CUES) == [
        "objection_price",
        "consult_family",
    ]


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        ("太貴了，而且還要問問老婆", family("太貴了，而且還要問問老婆", "老婆"), ["objection_price", "consult_family"]),
        ("远山pro太贵了 而且也太费油了吧", [], ["objection_price", "objection_quality"]),
        ("别家同价位配置更高，你们维修网点也少", [], ["objection_competitor", "objection_after_sales"]),  # 别家 unnamed
        ("续航才400不够用，最低多少钱能拿下", [], ["objection_quality", "ask_discount"]),
        ("太贵了，能便宜点吗", [], []),  # one point: price and discount are the same topic
        ("太贵了", [], []),  # a single cue is too weak to act on without the classifier
        ("今天天气不错，我们出去走走", [], []),
    ],
)
def test_a_message_the_classifier_could_not_place_is_read_by_cues(text, entities, expected):
    assert objections_by_cues(text, entities, CUES) == expected


def test_a_follow_up_question_mentions_no_objection():
    assert not mentions("油耗呢", "objection_quality", [], CUES)
    assert mentions("质量靠谱吗", "objection_quality", [], CUES)
    assert not mentions("旗舰版呢？", "choose_model", [], CUES)


def test_clauses_split_at_punctuation_and_connectives():
    text = "太贵了而且还得问问老婆，另外提车多久"
    assert [text[a:b] for a, b in clauses(text)] == ["太贵了", "还得问问老婆", "提车多久"]


def test_problems_name_the_file_and_the_field(tmp_path):
    path = tmp_path / "objection_cues.yml"
    path.write_text(
        "cues:\n  objection_prize: {words: [贵]}\n  consult_family: {words: [商量], with_entity: pet}\n"
        "same_topic:\n  - [objection_price, ask_cheaper]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as e:
        load_cues(path)
    text = str(e.value)
    path.write_text("cues:\n  objection_price: {words: [贵], words_alone: [太贵]}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="cues.objection_price.words_alone"):
        load_cues(path)
    assert "cues.objection_prize" in text and "cues.consult_family.with_entity" in text and "same_topic[0]" in text
