"""The trained pipeline as the server runs it: our jieba dictionary and the entity rules."""

import jieba
import pytest

from bot.constants import ANNOTATED_ENTITIES

pytestmark = pytest.mark.server


def tokens(parse):
    return [parse["text"][s:e] for s, e in parse["text_tokens"]]


@pytest.mark.parametrize(
    "text, name",
    [
        ("远山Pro七座怎么样", "远山Pro"),
        ("星河EV续航多少", "星河EV"),
        ("远山七座有现车吗", "远山七座"),
        ("比亚迪宋PLUS便宜", "宋PLUS"),
    ],
)
def test_our_dictionary_keeps_names_whole_inside_the_trained_pipeline(servers, text, name):
    assert name not in jieba.Tokenizer().lcut(text)  # plain jieba splits it...
    assert name in tokens(servers.parse(text))  # ...the trained model's tokenizer does not


def test_hand_written_dictionary_is_loaded_too(servers):
    assert jieba.Tokenizer().lcut("零百加速几秒")[0] != "零百加速"
    assert tokens(servers.parse("零百加速几秒"))[0] == "零百加速"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("老婆嫌远山Pro贵，预算就二十万", [("family_member", "spouse"), ("car_model", "远山Pro"), ("money", 200000)]),
        ("比亚迪宋PLUS比你们便宜2w", [("competitor", "比亚迪"), ("competitor", "宋PLUS"), ("money", 20000)]),
        ("爸妈说15.8万的晨风就够了", [("family_member", "parent"), ("money", 158000), ("car_model", "晨风")]),
        ("首付两千，月供3k行不", [("money", 2000), ("money", 3000)]),
    ],
)
def test_server_extracts_normalised_entities(servers, text, expected):
    got = [(e["entity"], e["value"]) for e in servers.parse(text)["entities"] if e["entity"] in ANNOTATED_ENTITIES]
    assert got == expected  # trim and spec: tests/server/test_visitor_requests.py


def test_entities_fill_slots(servers):
    servers.send("slots-1", "我老婆觉得远山Pro太贵了，预算就二十万")
    slots = servers.tracker("slots-1")["slots"]
    assert slots["family_member"] == "spouse"
    assert slots["car_model"] == "远山Pro"
    assert slots["budget"] == 200000
