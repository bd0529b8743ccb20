"""Answering what a visitor asks from the dealer's data (bot/product, bot/catalog/hours.py, the catalog's
facts): our own table of questions, and the independent set tests/data/visitor_questions.yml."""

import shutil
from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.catalog import load_catalog
from bot.catalog.hours import OpeningHours
from bot.exceptions import DataFileError
from bot.product import answer, load_product_knowledge
from bot.yamlfile import read_yaml
from tests.unit.shared import ROOT, edit


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "data/catalog.yml")


def catalog_error(tmp_path, old, new):
    """What loading a copy of data/catalog.yml with `old` replaced by `new` reports."""
    path = edit(tmp_path / "catalog.yml", old, new, source=ROOT / "data/catalog.yml")
    with pytest.raises(DataFileError) as e:
        load_catalog(path)
    return str(e.value)


# ---------------------------------------------------------------- opening hours

HOURS = OpeningHours(time(9), time(18), frozenset({date(2026, 2, 16), date(2026, 2, 17)}))


def test_the_sample_dealer_has_opening_hours(catalog):
    hours = catalog.dealer.opening_hours
    assert hours is not None
    assert hours.describe() == "每天9:00–18:00"
    assert date(2026, 2, 16) in hours.closed


@pytest.mark.parametrize(
    "at, is_open",
    [
        (datetime(2026, 3, 2, 8, 59), False),
        (datetime(2026, 3, 2, 9, 0), True),
        (datetime(2026, 3, 2, 17, 59), True),
        (datetime(2026, 3, 2, 18, 0), False),
        (datetime(2026, 2, 16, 10, 0), False),  # a closed date
    ],
)
def test_is_open(at, is_open):
    assert HOURS.is_open(at) is is_open


@pytest.mark.parametrize(
    "at, duration, expected",
    [
        (datetime(2026, 3, 2, 7, 30), timedelta(hours=1), datetime(2026, 3, 2, 9, 0)),  # before opening
        (datetime(2026, 3, 2, 10, 15), timedelta(hours=1), datetime(2026, 3, 2, 10, 15)),  # open now
        (datetime(2026, 3, 2, 17, 0), timedelta(hours=1), datetime(2026, 3, 2, 17, 0)),  # ends exactly at closing
        (datetime(2026, 3, 2, 17, 1), timedelta(hours=1), datetime(2026, 3, 3, 9, 0)),  # would end after closing
        (datetime(2026, 3, 2, 19, 0), timedelta(minutes=30), datetime(2026, 3, 3, 9, 0)),
        (datetime(2026, 2, 15, 17, 30), timedelta(hours=1), datetime(2026, 2, 18, 9, 0)),  # skips both closed days
        (datetime(2026, 2, 16, 11, 0), timedelta(0), datetime(2026, 2, 18, 9, 0)),
        (datetime(2026, 3, 2, 9, 0), timedelta(hours=9), datetime(2026, 3, 2, 9, 0)),  # the whole day
    ],
)
def test_next_open(at, duration, expected):
    assert HOURS.next_open(at, duration) == expected


def test_next_open_keeps_the_time_zone_and_refuses_a_visit_longer_than_a_day():
    cst = timezone(timedelta(hours=8))
    assert HOURS.next_open(datetime(2026, 3, 2, 20, 0, tzinfo=cst)) == datetime(2026, 3, 3, 9, 0, tzinfo=cst)
    with pytest.raises(ValueError):
        HOURS.next_open(datetime(2026, 3, 2, 8, 0), timedelta(hours=9, minutes=1))


def test_opening_hours_describe_minutes():
    assert OpeningHours(time(8, 30), time(20, 0)).describe() == "每天8:30–20:00"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('    open: "09:00"\n', '    open: "9点"\n', ".open: expected a time of day"),
        ('    close: "18:00"\n', '    close: "08:00"\n', ".close: closing time 8:00 is not after opening time 9:00"),
        ('    close: "18:00"\n', "", ": missing field 'close'"),
        ('closed: ["2026-02-16", ', 'closed: ["2026-02-30", ', ".closed[0]: expected a date"),
        ('    close: "18:00"\n', '    close: "18:00"\n    lunch: "12:00"\n', ".lunch: unknown field"),
    ],
)
def test_opening_hours_errors_name_file_and_field(tmp_path, old, new, message):
    assert f"catalog.yml: dealer.opening_hours{message}" in catalog_error(tmp_path, old, new)


# ---------------------------------------------------------------- the catalog's new fields


def test_catalog_showroom_and_model_facts(catalog):
    d = catalog.dealer
    assert "示例" in d.address and "示例" in d.phone and "010-12345678" in d.phone
    yuanshan = catalog.model_by_name("远山")
    assert yuanshan.engine == "2.0T发动机"
    assert yuanshan.features["全景天窗"] == ("两驱豪华版", "四驱旗舰版")
    assert "森林绿" in yuanshan.colours
    xinghe = catalog.model_by_name("星河EV")
    assert xinghe.range_cycle == "CLTC"
    assert [t.range_km for t in xinghe.trims] == [None, 520]  # the standard range is not in the data


@pytest.mark.parametrize(
    "energy, day, tax",
    [
        ("燃油", date(2026, 3, 2), 13522),  # 152800 / 1.13 * 10%
        ("纯电", date(2025, 6, 1), 0),  # exempt (relief 100%, at most 30000)
        ("纯电", date(2026, 3, 2), 6761),  # halved (at most 15000 off)
        ("纯电", date(2028, 1, 1), 13522),
    ],
)
def test_on_the_road_estimate_follows_the_tax_rule_of_the_day(catalog, energy, day, tax):
    est = catalog.on_the_road.estimate(152800, energy, day)
    assert est.purchase_tax == tax
    assert est.insurance == 950 + round(152800 * 0.025)
    assert est.total == 152800 + tax + est.insurance + 500


def test_on_the_road_estimate_is_none_without_a_rule(catalog):
    assert catalog.on_the_road.estimate(152800, "纯电", date(2023, 6, 1)) is None


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("  phone: 010-12345678（示例号码）\n", "  phone: 示例号码\n", "dealer.phone: expected a Chinese phone number"),
        (
            "      全景天窗: [两驱豪华版, 四驱旗舰版]\n",
            "      全景天窗: [两驱豪华版, 四驱豪华版]\n",
            "models[1].features.全景天窗[1]: '四驱豪华版' is not one of the model's trims",
        ),
        ("    range_cycle: CLTC\n", "", "models[3].range_cycle: needed when a trim has range_km"),
        (
            "{name: 长续航版, price: 152800, range_km: 520}",
            "{name: 长续航版, price: 152800, range_km: 五百}",
            "models[3].trims[1].range_km: expected a whole number",
        ),
        (
            "    - {energy: 燃油, rate: 0.10}\n",
            "    - {energy: 柴油, rate: 0.10}\n",
            "on_the_road.purchase_tax[0].energy: '柴油' is not the energy of any model",
        ),
        (
            'from: "2026-01-01", until: "2027-12-31"',
            'from: "2026-01-01", until: "2025-12-31"',
            "on_the_road.purchase_tax[2].until: is before 'from'",
        ),
        (
            "  insurance: {base: 950, rate: 0.025}\n",
            "  insurance: {base: 950, rate: 2.5}\n",
            "on_the_road.insurance.rate: expected a fraction between 0 and 1",
        ),
        ("  registration_fee: 500\n", "", "on_the_road: missing field 'registration_fee'"),
        ("    colours: [珍珠白, 星空黑, 曜石灰]\n", "    colours: 珍珠白\n", "models[2].colours: expected a list"),
    ],
)
def test_catalog_errors_name_file_and_field(tmp_path, old, new, message):
    assert f"catalog.yml: {message}" in catalog_error(tmp_path, old, new)


# ---------------------------------------------------------------- the vocabulary and sentence files


@pytest.fixture
def data_copy(tmp_path):
    shutil.copy(ROOT / "data/catalog.yml", tmp_path / "catalog.yml")
    shutil.copy(ROOT / "data/product_answers.yml", tmp_path / "product_answers.yml")
    shutil.copytree(ROOT / "data/lexicon", tmp_path / "lexicon")
    return tmp_path


def _load(d):
    return load_product_knowledge(d / "catalog.yml", d / "lexicon", d / "product_answers.yml")


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        (
            "lexicon/specs.yml",
            "  economy: {label: 油耗,",
            "  fuel: {label: 油耗,",
            ["specs.yml: specs: missing spec 'economy'", "specs.yml: specs.fuel: not a spec the engine answers"],
        ),
        (
            "lexicon/specs.yml",
            "  boot: {label: 后备箱容积, words: [后备箱多大,",
            "  boot: {label: 后备箱容积, words: [油耗,",
            ["specs.yml: not_in_catalog.boot: '油耗' is also listed in specs.economy"],
        ),
        (
            "lexicon/specs.yml",
            "  电动尾门: [电动尾门, ",
            "  电尾: [电动尾门, ",
            ["catalog.yml: models[0].features.电动尾门: no words for this equipment"],
        ),
        (
            "lexicon/specs.yml",
            "  cheapest: [",
            "  cheap: [",
            ["specs.yml: superlatives: missing field 'cheapest'", "specs.yml: superlatives.cheap: unknown field"],
        ),
        (
            "product_answers.yml",
            'price_trim: "{model}{trim}指导价{price}。"',
            'price_trim: "{model}{trim}指导价{cost}。"',
            ["product_answers.yml: price_trim: unknown placeholder {cost}"],
        ),
        (
            "product_answers.yml",
            "unknown: 这个我这里没有准确数据，顾问会和您确认。\n",
            "",
            ["product_answers.yml: missing field 'unknown'"],
        ),
    ],
)
def test_vocabulary_and_sentence_errors_name_file_and_field(data_copy, file, old, new, message):
    edit(data_copy / file, old, new)
    with pytest.raises(DataFileError) as e:
        _load(data_copy)
    for m in message:
        assert m in str(e.value)


def test_the_project_files_load(knowledge):
    assert "price" in knowledge.vocabulary.specs and knowledge.competitors


# ---------------------------------------------------------------- answers: our own table

MONDAY_10 = datetime(2026, 3, 2, 10, 0)
UNKNOWN = "这个我这里没有准确数据，顾问会和您确认"

# (messages, now, every substring expected in the last answer, substrings it must not hold, flags)
# flags: U = honest_unknown, N = not_sold; an empty flag string means neither may be set.
TABLE = [
    # prices, by trim and by model, in many spellings
    (["晨风舒适版多少钱？"], None, ["晨风舒适版指导价10.98万"], [], ""),
    (["chenfeng 旗舰版 啥价"], None, ["13.98万"], ["10.98万"], ""),
    (["CF豪华版多钱"], None, ["12.68万"], [], ""),
    (["远山两驱豪华多少钱呀"], None, ["两驱豪华版", "16.68万"], ["14.98万"], ""),
    (["YS Pro 顶配多少钱"], None, ["七座旗舰版", "25.98万"], [], ""),
    (["远山pro最低配什么价"], None, ["七座豪华版", "21.98万"], ["25.98万"], ""),
    (["大远山多少钱"], None, ["21.98万", "25.98万"], [], ""),
    (["星河EV多少w"], None, ["12.98万", "15.28万"], [], ""),
    (["心河长续航版报价😀"], None, ["15.28万"], ["12.98万"], ""),
    (["遠山四驅旗艦版多少錢"], None, ["四驱旗舰版", "18.98万"], [], ""),
    (["晨峰多少钱"], None, ["10.98万"], [], ""),
    (["ｙｕａｎｓｈａｎ 多少钱"], None, ["14.98万"], [], ""),
    (["长续航版多少钱"], None, ["星河EV长续航版", "15.28万"], [], ""),
    (["xinghe ev标准续航版价格"], None, ["12.98万"], ["15.28万"], ""),
    (["你们店车都什么价位"], None, ["晨风10.98万起", "远山Pro21.98万起", "星河EV12.98万起"], [], ""),
    # cheapest, dearest, lowest and highest trims
    (["你们家最便宜的是哪个车"], None, ["晨风舒适版", "10.98万"], [], ""),
    (["最贵的那款多少钱"], None, ["远山Pro七座旗舰版", "25.98万"], [], ""),
    (["最便宜的SUV"], None, ["远山两驱舒适版", "14.98万"], [], ""),
    (["纯电的最便宜多少"], None, ["星河EV标准续航版", "12.98万"], [], ""),
    (["远山最便宜的版本多少钱"], None, ["两驱舒适版", "14.98万"], ["18.98万"], ""),
    (["晨风低配多少"], None, ["舒适版", "10.98万"], [], ""),
    # budgets and kinds of car
    (["二十万以内有七座吗"], None, ["没有", "远山Pro", "21.98万"], [], ""),
    (["20w以内的suv有哪些"], None, ["远山"], ["远山Pro", "晨风"], ""),
    (["预算12万能买啥"], None, ["晨风舒适版", "10.98万"], ["远山", "星河"], ""),
    (["10万以内有车吗"], None, ["没有", "晨风舒适版", "10.98万"], [], ""),
    (["15万左右的电车"], None, ["星河EV"], ["晨风"], ""),
    (["25万以上的车"], None, ["远山Pro七座旗舰版", "25.98万"], ["晨风"], ""),
    (["月供三千以内能买哪款"], None, ["晨风", "2554元"], ["远山"], ""),
    (["二十万以内有没有纯电SUV"], None, ["没有纯电SUV"], [], ""),
    (["有没有七座的车"], None, ["远山Pro", "21.98万"], [], ""),
    (["20万的suv有啥"], None, ["20万左右", "远山四驱旗舰版18.98万", "远山Pro七座豪华版21.98万"], [], ""),
    (["别家的远山便宜两万"], None, [], ["万以内"], ""),
    # specs of a model
    (["晨风油耗多少"], None, ["5.6升"], [], ""),
    (["远山费油吗"], None, ["7.2升"], [], ""),
    (["远山pro百公里几个油"], None, ["8.1升"], [], ""),
    (["星河ev续航多少公里"], None, ["长续航版CLTC续航520公里", "标准续航版的续航", UNKNOWN], [], "U"),
    (["星河长续航能跑多远"], None, ["520公里"], [UNKNOWN], ""),
    (["星河标准续航版能跑多远"], None, [UNKNOWN], ["520"], "U"),
    (["远山几座的"], None, ["5座"], [], ""),
    (["大远山坐几个人"], None, ["7座"], [], ""),
    (["晨风坐得下一家五口吗"], None, ["5座", "坐得下5个人"], [], ""),
    (["远山pro安全吗 几星"], None, ["五星"], [], ""),
    (["晨风是几T的"], None, ["1.5T"], [], ""),
    (["星河ev有发动机吗"], None, ["纯电", "没有发动机"], [], ""),
    (["远山保养一次多少钱"], None, ["500元"], ["万"], ""),
    (["星河多久能提车"], None, ["3周"], [], ""),
    (["质保多久"], None, ["三年或十万公里"], [], ""),
    (["远山有几种颜色"], None, ["珍珠白", "森林绿"], [], ""),
    (["晨风有红色的吗"], None, ["烈焰红"], [], ""),
    (["星河有没有红色"], None, ["没有红色", "星河蓝"], [], ""),
    # equipment by trim
    (["远山有没有全景天窗"], None, ["两驱豪华版、四驱旗舰版有全景天窗", "两驱舒适版没有"], [], ""),
    (["远山两驱舒适版带天窗吗"], None, ["两驱舒适版没有全景天窗"], [], ""),
    (["远山pro有电尾门吗"], None, ["全系都有电动尾门"], [], ""),
    (["晨风有电动尾门吗"], None, ["都没有电动尾门"], [], ""),
    (["星河有360吗"], None, ["长续航版有360全景影像"], [], ""),
    (["晨风有没有HUD"], None, [UNKNOWN], ["万"], "U"),
    (["星河座椅加热有吗"], None, ["全系都有座椅加热"], [], ""),
    (["哪款车有全景天窗"], None, ["晨风（旗舰版）", "远山（两驱豪华版、四驱旗舰版）"], [], ""),
    # the showroom
    (["你们店在哪里啊"], None, ["示例大道88号"], [], ""),
    (["展厅怎么走"], None, ["示例大道88号"], [], ""),
    (["你们几点关门"], MONDAY_10, ["每天9:00–18:00", "正在营业"], [], ""),
    (["营业时间？"], datetime(2026, 3, 2, 19, 30), ["每天9:00–18:00", "明天9:00开门"], [], ""),
    (["周末开门吗"], MONDAY_10, ["每天9:00–18:00"], [], ""),
    (["过年放假吗"], datetime(2026, 2, 15, 19, 0), ["2月18日9:00开门", "2月16日、2月17日休息"], [], ""),
    (["你们电话多少"], None, ["010-12345678"], [], ""),
    (["晨风多少钱 我电话13912345678"], None, ["10.98万"], ["010-12345678"], ""),
    # on the road, monthly payments, down payments
    (["晨风舒适版落地多少"], MONDAY_10, ["落地约12.37万", "购置税约9717元", "估算"], [], ""),
    (["星河长续航落地价"], MONDAY_10, ["购置税约6761元", "估算"], [], ""),
    (["星河长续航落地价"], datetime(2025, 6, 1, 10, 0), ["购置税约0元"], [], ""),
    (["远山两驱豪华版月供多少"], None, ["3880元", "首付20%", "36期"], [], ""),
    (["远山分期每月要还多少"], None, ["3485元", "4415元"], [], ""),
    (["晨风旗舰版首付多少"], None, ["2.8万"], [], ""),
    # what the catalog does not hold
    (["远山百公里加速几秒"], None, ["远山的百公里加速", UNKNOWN], [], "U"),
    (["星河充电要多久"], None, [UNKNOWN], [], "U"),
    (["远山pro后备箱多大"], None, [UNKNOWN], [], "U"),
    (["远山风阻系数多少"], None, [UNKNOWN], ["万"], "U"),
    # what the dealer does not sell
    (["远山Max多少钱"], None, ["没有远山Max", "两驱舒适版14.98万"], [], "N"),
    (["晨风Plus什么价"], None, ["没有晨风Plus", "舒适版10.98万"], [], "N"),
    (["有没有凯美瑞"], None, ["没有凯美瑞", "晨风", "星河EV"], [], "N"),
    (["远山混动版多少钱"], None, ["没有混动", "14.98万"], [], "N"),
    (["远山运动版啥价"], None, ["没有远山运动版", "四驱旗舰版18.98万"], [], "N"),
    # follow-ups
    (["晨风多少钱", "油耗呢"], None, ["5.6升"], [], ""),
    (["远山油耗多少", "那远山pro呢"], None, ["8.1升"], ["7.2升"], ""),
    (["远山两驱豪华版多少钱", "它有天窗吗"], None, ["两驱豪华版有全景天窗"], [], ""),
    (["星河多少钱", "长续航的呢"], None, ["15.28万"], [], ""),
    (["最便宜的SUV多少钱", "那七座的呢"], None, ["远山Pro七座豪华版", "21.98万"], [], ""),
    (["二十万以内有七座吗", "那SUV呢"], None, ["20万以内的SUV", "远山"], ["远山Pro"], ""),
    (["远山顶配多少", "晨风呢"], None, ["旗舰版", "13.98万"], [], ""),
    (["远山Pro多少钱", "落地呢"], MONDAY_10, ["远山Pro落地约", "七座豪华版约24.62万"], [], ""),
    # kinds of car, versions, equipment only the FAB text names, the showroom's other facts
    (["晨风有四驱吗"], None, ["没有晨风四驱", "舒适版10.98万"], [], "N"),
    (["两驱SUV最便宜的"], None, ["远山两驱舒适版", "14.98万"], [], ""),
    (["手里16个w 买suv够不够"], None, ["远山两驱舒适版14.98万"], ["16.68万"], ""),
    (["15万能买远山豪华版吗"], None, ["16.68万", "两驱舒适版14.98万"], [], ""),
    (["远山pro几个安全气囊"], None, ["九气囊"], [], ""),
    (["星河ev电池有防护吗"], None, ["电池包多重防护"], [UNKNOWN], ""),
    (["晨风是电车吗"], None, ["晨风是燃油车"], [], "N"),
    (["远山是suv吧"], None, ["远山是紧凑型SUV"], [], ""),
    (["远山卖得好吗"], None, ["35台"], [], ""),
    (["远山哪个版本卖得最好"], None, ["两驱豪华版", "16.68万"], [], ""),
    (["贷款利率多少"], None, ["2.99%"], [], ""),
    (["你们卖啥牌子"], None, ["云启汽车"], [], ""),
    (["旧车能置换吗"], None, ["5000元"], [], ""),
    (["晨风运动款多少钱"], None, ["没有晨风运动款"], [], "N"),
    (["远山舒适吗"], None, [UNKNOWN], ["两驱舒适版"], "U"),
    (["晨风保养费用和质保"], None, ["400元", "三年或十万公里"], [], ""),
    # noise around the question
    (["请问一下，远山pro 油耗怎么样？？🙏"], None, ["8.1升"], [], ""),
    (["hi 晨风舒适版 落地大概多少"], MONDAY_10, ["12.37万"], [], ""),
]


@pytest.fixture(scope="module")
def knowledge():
    return load_product_knowledge(ROOT / "data/catalog.yml", ROOT / "data/lexicon", ROOT / "data/product_answers.yml")


def converse(messages, catalog, knowledge, now=None):
    previous = None
    for text in messages:
        previous = answer(text, catalog, now=now or MONDAY_10, previous=previous, knowledge=knowledge)
    return previous


@pytest.mark.parametrize("messages, now, expected, forbidden, flags", TABLE, ids=[" / ".join(t[0]) for t in TABLE])
def test_answers_from_the_catalog(catalog, knowledge, messages, now, expected, forbidden, flags):
    a = converse(messages, catalog, knowledge, now)
    for e in expected:
        assert e in a.text, a.text
    for f in forbidden:
        assert f not in a.text, a.text
    assert a.honest_unknown is ("U" in flags), a.text
    assert a.not_sold is ("N" in flags), a.text


def test_the_table_is_large_enough():
    assert len(TABLE) >= 60


def test_the_answer_names_its_subject_for_follow_ups(catalog, knowledge):
    a = answer("远山两驱豪华版多少钱", catalog, now=MONDAY_10, knowledge=knowledge)
    assert (a.model, a.trim, a.subject, a.specs) == ("远山", "两驱豪华版", "远山两驱豪华版", ("price",))
    b = answer("它油耗多少", catalog, subject=a.subject, now=MONDAY_10, knowledge=knowledge)
    assert "7.2升" in b.text and b.model == "远山"


def test_the_fact_comes_first(catalog, knowledge):
    for text, fact in (
        ("远山Pro多少钱", "远山Pro指导价21.98万"),
        ("晨风油耗多少", "晨风综合油耗"),
        ("你们地址在哪", "展厅地址"),
    ):
        assert answer(text, catalog, now=MONDAY_10, knowledge=knowledge).text.startswith(fact)


@pytest.mark.parametrize("text", ["你好", "我想周六下午试驾晨风，电话13800138001"])
def test_a_text_that_asks_nothing_gets_no_answer(catalog, knowledge, text):
    a = answer(text, catalog, now=MONDAY_10, knowledge=knowledge)
    assert not a.answered and a.text == ""


# ---------------------------------------------------------------- the independent set

VISITOR_QUESTIONS = ROOT / "tests/data/visitor_questions.yml"
EVALUATED_KINDS = ("fact", "missing_fact", "not_sold", "follow_up")
# The set's "today" (its header): 2026-11-29, a Sunday; 15:00 is within the sample opening hours.
SET_NOW = datetime(2026, 11, 29, 15, 0)
# Facts the set was written without, and that the catalog extension of this issue added.
ADDED_BY_THE_EXTENSION = {"address", "hours", "phone", "colours", "feature"}
# Reached on the set's fact, missing_fact, not_sold and follow_up cases, superseded ones left out:
# 113 of 113 (fact 89/89, missing_fact 5/5, not_sold 7/7, follow_up 12/12). Required, so that it
# does not drop. (Before the rules were made general against the set's failures: 98 of 113.)
REQUIRED_PASS_RATE = 1.0
# The set's honest_unknown cases that ask for the showroom's address, hours and phone, colours and
# seat heating: facts the set was written without and this issue added to the catalog.
MOST_SUPERSEDED = 6


def check_case(case, catalog, knowledge):
    """(outcome, answer, reasons): outcome is pass, fail or superseded."""
    a = converse(case["messages"], catalog, knowledge, SET_NOW)
    reasons = []
    if case.get("expect_any") and not any(e in a.text for e in case["expect_any"]):
        reasons.append(f"none of {case['expect_any']}")
    reasons += [f"missing {e!r}" for e in case.get("expect_all", []) if e not in a.text]
    reasons += [f"holds {e!r}" for e in case.get("expect_none", []) if e in a.text]
    wants_unknown = "honest_unknown" in (case.get("behaviour") or [])
    if wants_unknown and not a.honest_unknown:
        if a.answered and set(a.specs) <= ADDED_BY_THE_EXTENSION and not reasons:
            return "superseded", a, ["answered from a fact the catalog extension added"]
        reasons.append("no honest 'not known'")
    if not a.answered:
        reasons.append("no answer")
    return ("fail" if reasons else "pass"), a, reasons


def evaluate_visitor_questions(catalog, knowledge):
    cases = read_yaml(VISITOR_QUESTIONS)["cases"]
    results = [(case, *check_case(case, catalog, knowledge)) for case in cases if case["kind"] in EVALUATED_KINDS]
    lines = []
    for kind in EVALUATED_KINDS:
        mine = [r for r in results if r[0]["kind"] == kind]
        passed = sum(r[1] == "pass" for r in mine)
        superseded = sum(r[1] == "superseded" for r in mine)
        lines.append(
            f"{kind}: {passed}/{len(mine) - superseded} passed" + (f", {superseded} superseded" if superseded else "")
        )
    for case, outcome, a, reasons in results:
        if outcome != "pass":
            lines.append(f"{outcome.upper()} {case['id']} {case['messages']}: {'; '.join(reasons)} -> {a.text}")
    return results, lines


def test_the_independent_visitor_questions(catalog, knowledge):
    results, lines = evaluate_visitor_questions(catalog, knowledge)
    counted = [r for r in results if r[1] != "superseded"]
    rate = sum(r[1] == "pass" for r in counted) / len(counted)
    report = f"pass rate {rate:.1%} of {len(counted)}\n" + "\n".join(lines)
    print(report)
    assert rate >= REQUIRED_PASS_RATE, report
    assert len(results) - len(counted) <= MOST_SUPERSEDED, report


def test_a_follow_up_with_only_a_question_mark_keeps_the_question(catalog, knowledge):
    a = converse(["晨风豪华版多少钱", "旗舰版呢？"], catalog, knowledge)
    assert "13.98万" in a.text and a.follow_up, a.text
    b = converse(["晨风豪华版多少钱", "旗舰版有天窗吗？"], catalog, knowledge)
    assert not b.follow_up  # a question of its own
    assert not converse(["晨风豪华版多少钱"], catalog, knowledge).follow_up
