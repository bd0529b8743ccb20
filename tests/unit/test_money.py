import pytest

from bot.nlu.money import MoneyParser


@pytest.fixture(scope="module")
def parser(lexicon):
    return MoneyParser(lexicon.money)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20万", 200000),
        ("二十万", 200000),
        ("20w", 200000),
        ("20W", 200000),
        ("15.8万", 158000),
        ("十五万八", 158000),
        ("十五点八万", 158000),
        ("两千", 2000),
        ("三千五", 3500),
        ("一万五", 15000),
        ("1万5", 15000),
        ("一万二千", 12000),
        ("5k", 5000),
        ("3000块", 3000),
        ("两万块钱", 20000),
        ("一百万", 1000000),
        ("十块", 10),
        ("五百元", 500),
        ("20.5w", 205000),
        ("3000", 3000),
    ],
)
def test_parser_normalises_amounts_to_yuan(parser, text, expected):
    assert parser.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "十几万",  # vague
        "20来万",
        "一两万",  # a range
        "几千",
        "一万多",
        "跑了10万公里",  # distance
        "2025年",  # a year
        "二零二五年",
        "13800138000",  # a phone number
        "三点钟",
        "金九银十",
        "五十",  # small number without 块/元
        "分36期",
        "7座",
        "千万别",
        "万一",
        "CS75",
    ],
)
def test_parser_finds_no_amount_where_there_is_none(parser, text):
    assert parser.find(text) == []


def test_parser_finds_amounts_in_a_sentence_with_offsets(parser):
    text = "预算20万左右，首付两千块行吗，月供3k"
    found = [(a.start, a.end, a.text, a.value) for a in parser.find(text)]
    assert found == [(2, 5, "20万", 200000), (10, 13, "两千块", 2000), (18, 20, "3k", 3000)]
