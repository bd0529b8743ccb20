"""The spaCy entity rules, tested without Rasa: exact spans, types and normalised values."""

import pytest


def ents(finder, text):
    return [(f.text, f.entity, f.value) for f in finder.find(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # car_model: names, Latin aliases in any case and spacing, nicknames, typos
        ("远山Pro怎么样", [("远山Pro", "car_model", "远山Pro")]),
        ("yuanshan pro 七座", [("yuanshan pro", "car_model", "远山Pro")]),
        ("YUANSHANPRO多少钱", [("YUANSHANPRO", "car_model", "远山Pro")]),
        ("大远山有现车吗", [("大远山", "car_model", "远山Pro")]),
        ("星河ev和晨风选哪个", [("星河ev", "car_model", "星河EV"), ("晨风", "car_model", "晨风")]),
        ("陈风油耗高吗", [("陈风", "car_model", "晨风")]),
        ("cf落地多少", [("cf", "car_model", "晨风")]),
        # competitor: brands and models, value is the listed name
        ("比亚迪宋PLUS便宜", [("比亚迪", "competitor", "比亚迪"), ("宋PLUS", "competitor", "宋PLUS")]),
        ("毛豆Y更好", [("毛豆Y", "competitor", "Model Y")]),
        ("model y 续航长", [("model y", "competitor", "Model Y")]),
        ("camry保值", [("camry", "competitor", "凯美瑞")]),
        ("隔壁丰田报价低", [("丰田", "competitor", "丰田")]),
        # family_member normalised to spouse / parent / child / other
        ("我得问问老婆", [("老婆", "family_member", "spouse")]),
        ("回去和媳妇儿商量", [("媳妇儿", "family_member", "spouse")]),
        ("我老公说了算", [("老公", "family_member", "spouse")]),
        ("爸妈觉得贵", [("爸妈", "family_member", "parent")]),
        ("我妈说太贵", [("妈", "family_member", "parent")]),
        ("孩子他妈不同意", [("孩子他妈", "family_member", "spouse")]),
        ("娃要坐安全座椅", [("娃", "family_member", "child")]),
        ("跟家里人商量", [("家里人", "family_member", "other")]),
        # money normalised to yuan
        ("预算20万", [("20万", "money", 200000)]),
        ("二十万能买吗", [("二十万", "money", 200000)]),
        ("20w落地", [("20w", "money", 200000)]),
        ("15.8万太贵了", [("15.8万", "money", 158000)]),
        ("首付两千行吗", [("两千", "money", 2000)]),
        # mixed, and digits inside a competitor's name are not money
        (
            "远山pro跟RAV4比，落地25万",
            [("远山pro", "car_model", "远山Pro"), ("RAV4", "competitor", "RAV4"), ("25万", "money", 250000)],
        ),
        ("CS75落地12万", [("CS75", "competitor", "CS75"), ("12万", "money", 120000)]),
        # nothing to find
        ("哥们，这车咋样", []),
        ("今天天气不错", []),
    ],
)
def test_finder_extracts_entities_with_normalised_values(finder, text, expected):
    assert ents(finder, text) == expected


def test_finder_reports_offsets_into_the_original_full_width_text(finder):
    text = "ＹＳ　Ｐｒｏ预算２０万"
    found = finder.find(text)
    assert [(f.start, f.end, f.text, f.value) for f in found] == [
        (0, 6, "ＹＳ　Ｐｒｏ", "远山Pro"),
        (8, 11, "２０万", 200000),
    ]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "\x00\x01", "a" * 10000, "万" * 500, "？？？"])
def test_finder_survives_odd_input(finder, text):
    assert isinstance(finder.find(text), list)
