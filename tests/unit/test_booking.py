"""Test-drive booking (bot.booking), without Rasa: reading model, day, time and phone from customer
messages, merging messages, choosing the slot, and the read-back text from data/booking.yml."""

from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import pytest

from bot.booking import MODEL, PHONE, WHEN, BookingRequest, Precision, merge, missing, parse_booking
from bot.booking.config import DEFAULT_PATH, default_config, load_booking_config
from bot.booking.request import CLOSED_DAY, DAY_OVER, ENDS_AFTER_CLOSING, IMPOSSIBLE_DATE, OUTSIDE_HOURS, PAST, VAGUE
from bot.booking.slots import TIME_ASSUMED, choose_slot, holiday_name
from bot.booking.summary import ask, booked, booking_moved, format_clock, format_when, propose, read_back
from bot.catalog.hours import OpeningHours
from bot.exceptions import DataFileError
from bot.privacy.logs import mask_phone

ROOT = Path(__file__).resolve().parents[2]
SUN = datetime(2026, 11, 29, 10, 0)  # a Sunday morning
WED = datetime(2026, 11, 25, 16, 0)  # a Wednesday afternoon
HOURS = OpeningHours(time(9), time(18), frozenset({date(2026, 2, 16), date(2026, 2, 17)}))


def at(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M") if text else None


# --- data/booking.yml ------------------------------------------------------------------------------


def test_the_booking_file_loads_with_its_settings():
    cfg = load_booking_config(DEFAULT_PATH)
    assert (cfg.duration.seconds, cfg.lead.seconds, cfg.step.seconds) == (3600, 1800, 1800)
    assert cfg.weekdays[0] == "周一" and cfg.weekdays[6] == "周日"
    assert "{when}" in cfg.texts["read_back"]


def _broken(write_yaml, old, new):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    return write_yaml("booking.yml", text.replace(old, new, 1))


@pytest.mark.parametrize(
    "old, new, field, reason",
    [
        ('  past: "{asked}已经过了"\n', "", "reasons", "missing field 'past'"),
        ("已经过了", "已经过了{when}", "reasons.past", "unknown placeholder {when}"),
        ('moved: "{why}，', 'moved: "', "moved", "missing placeholder {why}"),
        ("{holiday}，展厅", "{holiday，展厅", "holiday", "not a valid template"),
        ("step_minutes: 30", "step_minutes: 7", "settings.step_minutes", "must divide a day"),
        ("duration_minutes: 60", "duration_minutes: 0", "settings.duration_minutes", "expected a whole number >= 1"),
        ("周六, 周日]", "周六]", "weekdays", "expected the 7 weekdays"),
        ("any_model: 您感兴趣的车型", "any_model: ''", "any_model", "expected a non-empty text"),
        ("ask:\n", "asks:\n", "asks", "unknown field"),
    ],
)
def test_every_problem_in_the_booking_file_names_file_and_field(write_yaml, old, new, field, reason):
    path = _broken(write_yaml, old, new)
    with pytest.raises(DataFileError) as e:
        load_booking_config(path)
    assert any(p.startswith(f"{path}: {field}: ") and reason in p for p in e.value.problems), e.value.problems


def test_all_problems_are_reported_at_once(write_yaml):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    path = write_yaml("booking.yml", text.replace("已经过了", "{x}").replace("lead_minutes: 30", "lead_minutes: -1"))
    with pytest.raises(DataFileError) as e:
        load_booking_config(path)
    assert len(e.value.problems) == 2


# --- choosing the slot -------------------------------------------------------------------------------


def req(day=None, time_from=None, time_to=None, words="", **kw):
    return BookingRequest(
        day=day, day_given=day is not None, time_from=time_from, time_to=time_to, time_words=words, **kw
    )


MORNING = dict(time_from=time(7), time_to=time(11, 59, 59))
AFTERNOON = dict(time_from=time(13), time_to=time(17, 59, 59))


@pytest.mark.parametrize(
    "request_, now, start, reasons",
    [
        # as asked: an exact time; a part of day gets its first open time (today: after now + lead)
        (req(date(2026, 11, 30), time(15)), SUN, "2026-11-30 15:00", ()),
        (req(date(2026, 12, 5), **MORNING), SUN, "2026-12-05 09:00", ()),
        (req(date(2026, 12, 5), **AFTERNOON), SUN, "2026-12-05 13:00", ()),
        (req(date(2026, 11, 29), **MORNING), SUN, "2026-11-29 10:30", ()),
        (req(date(2026, 11, 29), time(17), time(18, 59, 59)), SUN, "2026-11-29 17:00", ()),  # 傍晚: ends by 18:00
        # a day alone: its first free time, said in the note
        (req(date(2026, 12, 2)), SUN, "2026-12-02 09:00", (TIME_ASSUMED,)),
        (req(date(2026, 11, 29)), SUN, "2026-11-29 10:30", (TIME_ASSUMED,)),
        (req(date(2026, 11, 29)), datetime(2026, 11, 29, 10, 7), "2026-11-29 11:00", (TIME_ASSUMED,)),
        # problems: the next possible slot
        (req(date(2026, 11, 29), time(9)), SUN, "2026-11-29 10:30", (PAST,)),
        (req(date(2026, 11, 28)), SUN, "2026-11-29 10:30", (PAST,)),
        (req(date(2026, 11, 25), **MORNING), WED, "2026-11-25 16:30", (PAST,)),
        (req(date(2026, 11, 29), time(19)), SUN, "2026-11-30 09:00", (OUTSIDE_HOURS,)),
        (req(date(2026, 11, 30), time(3)), SUN, "2026-11-30 09:00", (OUTSIDE_HOURS,)),
        (req(date(2026, 11, 29), time(18), time(23, 59, 59)), SUN, "2026-11-30 09:00", (OUTSIDE_HOURS,)),
        (req(date(2026, 11, 29), time(17, 30)), SUN, "2026-11-30 09:00", (ENDS_AFTER_CLOSING,)),
        (req(date(2026, 2, 16), time(10)), datetime(2026, 2, 10, 12), "2026-02-18 09:00", (CLOSED_DAY,)),
        (req(date(2026, 2, 16)), datetime(2026, 2, 10, 12), "2026-02-18 09:00", (CLOSED_DAY,)),
        (req(date(2026, 11, 29)), datetime(2026, 11, 29, 17, 45), "2026-11-30 09:00", (DAY_OVER,)),
        (
            req(date(2027, 3, 1), asked_date="2月30号", problems=(IMPOSSIBLE_DATE,)),
            SUN,
            "2027-03-01 09:00",
            (IMPOSSIBLE_DATE,),
        ),
        (
            req(date(2026, 3, 1), **AFTERNOON, asked_date="2026年2月29日", problems=(IMPOSSIBLE_DATE,)),
            SUN,
            "2026-11-29 10:30",
            (IMPOSSIBLE_DATE, PAST),
        ),
    ],
)
def test_slot_choice(request_, now, start, reasons):
    decision = choose_slot(request_, now, HOURS)
    assert (decision.start, decision.reasons) == (at(start), reasons)
    assert decision.as_asked == (reasons == ())


def test_no_day_no_slot():
    decision = choose_slot(req(problems=(VAGUE,)), SUN, HOURS)
    assert decision.start is None and not decision.as_asked


@pytest.mark.parametrize(
    "request_, now, note",
    [
        (req(date(2026, 11, 30), time(15)), SUN, ""),
        (req(date(2026, 12, 2), words="下周三"), SUN, "您没说几点，先按最早的上午9点给您排上。"),
        (req(date(2026, 11, 29), time(9), words="今天上午9点"), SUN, "今天上午9点已经过了，给您约了最近能约的时间。"),
        (
            req(date(2026, 11, 30), time(3), words="凌晨三点"),
            SUN,
            "凌晨三点不在展厅的营业时间（每天9:00–18:00），给您约了最近能约的时间。",
        ),
        (
            req(date(2026, 11, 29), time(17, 30), words="下午5点半"),
            SUN,
            "下午5点半开始试驾的话，还没结束展厅就下班了（每天9:00–18:00），给您约了最近能约的时间。",
        ),
        (
            req(date(2026, 2, 16), time(10), words="2月16号上午10点"),
            datetime(2026, 2, 10, 12),
            "2月16号上午10点展厅休息，给您约了最近能约的时间。",
        ),
        (
            req(date(2026, 11, 29), words="今天"),
            datetime(2026, 11, 29, 17, 45),
            "今天展厅已经下班了，给您约了最近能约的时间。",
        ),
        (
            req(date(2027, 3, 1), time(19), words="2月30号晚上7点", asked_date="2月30号", problems=(IMPOSSIBLE_DATE,)),
            SUN,
            "日历上没有2月30号这一天，晚上7点不在展厅的营业时间（每天9:00–18:00），给您约了最近能约的时间。",
        ),
        (
            req(date(2026, 3, 1), words="2026年2月29日", asked_date="2026年2月29日", problems=(IMPOSSIBLE_DATE,)),
            SUN,
            "日历上没有2026年2月29日这一天，给您约了最近能约的时间。",
        ),
        (req(date(2026, 11, 29), time(9)), SUN, "这个时间已经过了，给您约了最近能约的时间。"),
    ],
)
def test_the_note_says_why_in_plain_chinese(request_, now, note):
    assert choose_slot(request_, now, HOURS).note == note


def test_a_public_holiday_is_booked_and_named():
    decision = choose_slot(req(date(2026, 10, 1), **MORNING), datetime(2026, 9, 28, 12), HOURS)
    assert (decision.start, decision.as_asked, decision.holiday) == (at("2026-10-01 09:00"), True, "国庆节")
    assert choose_slot(req(date(2026, 10, 8), **MORNING), datetime(2026, 9, 28, 12), HOURS).holiday is None


def test_a_closed_day_moves_to_the_next_open_one_which_may_be_a_holiday():
    decision = choose_slot(req(date(2026, 2, 16), time(10)), datetime(2026, 2, 10, 12), HOURS)
    assert decision.holiday == "春节"


@pytest.mark.parametrize(
    "day, name",
    [
        (date(2026, 10, 1), "国庆节"),
        (date(2026, 2, 18), "春节"),
        (date(2026, 11, 29), None),  # a Sunday
        (date(2026, 12, 1), None),
        (date(2031, 10, 1), None),  # a year chinese-calendar has no data for
    ],
)
def test_holiday_names(day, name):
    assert holiday_name(day) == name


def test_the_catalogs_opening_hours_work_with_slot_choice():
    from bot.catalog import load_catalog

    hours = load_catalog(ROOT / "data/catalog.yml").dealer.opening_hours
    decision = choose_slot(req(date(2026, 11, 29), time(7, 30)), datetime(2026, 11, 28, 12), hours)
    assert (decision.start, decision.reasons) == (at("2026-11-29 09:00"), (OUTSIDE_HOURS,))


# --- what is missing, and the read-back --------------------------------------------------------------


@pytest.mark.parametrize(
    "request_, expected",
    [
        (BookingRequest(), (MODEL, WHEN, PHONE)),
        (BookingRequest(model="远山"), (WHEN, PHONE)),
        (req(date(2026, 12, 5)), (MODEL, PHONE)),  # a day without a time is enough: a time is proposed
        (req(problems=(VAGUE,), phone="13800138000"), (MODEL, WHEN)),
        (req(date(2026, 12, 5), **MORNING, model="远山", phone="13800138000"), ()),
    ],
)
def test_missing_in_order(request_, expected):
    assert missing(request_) == expected


def test_ask_for_the_first_missing_item():
    assert ask((WHEN, PHONE)) == default_config().texts["ask.when"]
    assert ask(()) is None


def test_precision_start_and_end():
    assert req(date(2026, 12, 5)).precision is Precision.DAY
    part = req(date(2026, 12, 5), **MORNING)
    assert (part.precision, part.start, part.end) == (
        Precision.PART_OF_DAY,
        at("2026-12-05 07:00"),
        datetime(2026, 12, 5, 11, 59, 59),
    )
    assert req(date(2026, 12, 5), time(15)).precision is Precision.EXACT
    assert BookingRequest().precision is None and BookingRequest().start is None


@pytest.mark.parametrize(
    "when, text",
    [
        ("2026-12-05 09:00", "12月5日（周六）上午9点"),
        ("2026-11-30 12:30", "11月30日（周一）中午12点半"),
        ("2026-12-01 14:15", "12月1日（周二）下午2点15分"),
        ("2026-11-29 19:00", "11月29日（周日）晚上7点"),
    ],
)
def test_format_when(when, text):
    assert format_when(at(when)) == text


def test_read_back_of_a_complete_booking():
    request_ = req(date(2026, 12, 5), **MORNING, model="远山", phone="13800138000")
    decision = choose_slot(request_, SUN, HOURS)
    assert read_back(request_, decision, mask_phone(request_.phone)) == (
        "好的，跟您确认一下：12月5日（周六）上午9点到店试驾远山，联系电话138****8000。没问题的话回我“确认”就好。"
    )


def test_read_back_says_what_was_assumed_and_names_the_holiday():
    request_ = req(date(2026, 10, 1), model="晨风")
    text = read_back(request_, choose_slot(request_, datetime(2026, 9, 28, 12), HOURS), None)
    assert text == (
        "好的，跟您确认一下：10月1日（周四）上午9点到店试驾晨风。您没说几点，先按最早的上午9点给您排上。"
        "那天是国庆节，展厅照常营业。没问题的话回我“确认”就好。"
    )


def test_read_back_without_model_or_phone():
    request_ = req(date(2026, 11, 30), time(15))
    text = read_back(request_, choose_slot(request_, SUN, HOURS), None)
    assert "试驾您感兴趣的车型" in text and "联系电话" not in text


def test_read_back_needs_a_slot():
    with pytest.raises(ValueError):
        read_back(BookingRequest(), choose_slot(BookingRequest(), SUN, HOURS), None)


def test_read_back_words_come_from_the_data_file(write_yaml):
    text = (
        DEFAULT_PATH.read_text(encoding="utf-8")
        .replace("好的，跟您确认一下：", "Booked: ")
        .replace("周六, 周日", "Sat, Sun")
    )
    cfg = load_booking_config(write_yaml("booking.yml", text))
    request_ = req(date(2026, 12, 5), time(15), model="远山")
    assert read_back(request_, choose_slot(request_, SUN, HOURS, cfg), None, cfg).startswith(
        "Booked: 12月5日（Sat）下午3点到店试驾远山。"
    )


def test_clock_uses_the_parts_of_day_of_the_data_file(write_yaml):
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("afternoon: 下午", "afternoon: 午后")
    cfg = load_booking_config(write_yaml("booking.yml", text))
    assert format_clock(at("2026-12-05 15:30"), cfg) == "午后3点半"


# --- reading a message -------------------------------------------------------------------------------

D, P, E = Precision.DAY, Precision.PART_OF_DAY, Precision.EXACT
FEB_10 = datetime(2026, 2, 10, 12, 0)

# text, now, model, start, precision, problems
UTTERANCES = [
    # the examples
    ("我手机号13800138000，周六上午来试驾远山", SUN, "远山", "2026-12-05 07:00", P, ()),
    ("明天下午三点能试驾晨风吗", SUN, "晨风", "2026-11-30 15:00", E, ()),
    ("下周三", SUN, None, "2026-12-02 00:00", D, ()),
    ("12月5号", SUN, None, "2026-12-05 00:00", D, ()),
    ("2月30号", SUN, None, "2027-03-01 00:00", D, (IMPOSSIBLE_DATE,)),
    ("凌晨三点", SUN, None, "2026-11-30 03:00", E, (OUTSIDE_HOURS,)),  # a time alone, past today: tomorrow
    # weekdays: the next such day, never the one just past
    ("周六上午", WED, None, "2026-11-28 07:00", P, ()),
    ("周6", SUN, None, "2026-12-05 00:00", D, ()),
    ("礼拜六", SUN, None, "2026-12-05 00:00", D, ()),
    ("星期6下午", WED, None, "2026-11-28 13:00", P, ()),
    ("周三下午4点", SUN, None, "2026-12-02 16:00", E, ()),
    ("这周六", SUN, None, "2026-12-05 00:00", D, ()),
    ("下礼拜三", SUN, None, "2026-12-02 00:00", D, ()),
    ("礼拜天上午十点", WED, None, "2026-11-29 10:00", E, ()),
    ("周末", WED, None, "2026-11-28 00:00", D, ()),  # the Saturday
    ("周末来看看", SUN, None, "2026-11-29 00:00", D, ()),  # on a weekend: today
    ("下周末", SUN, None, "2026-12-05 00:00", D, ()),
    # relative days, colloquial
    ("明儿", WED, None, "2026-11-26 00:00", D, ()),
    ("明儿个上午过去", WED, None, "2026-11-26 07:00", P, ()),
    ("后天下午两点半", SUN, None, "2026-12-01 14:30", E, ()),
    ("大后天上午", SUN, None, "2026-12-02 07:00", P, ()),
    ("今晚", SUN, None, "2026-11-29 18:00", P, (OUTSIDE_HOURS,)),
    ("明早", SUN, None, "2026-11-30 06:00", P, ()),  # 早上 6:00-9:59: 9:00 fits
    ("今天上午", WED, None, "2026-11-25 07:00", P, (PAST,)),
    # dates
    ("12.5", SUN, None, "2026-12-05 00:00", D, ()),
    ("12/5下午", SUN, None, "2026-12-05 13:00", P, ()),
    ("十二月五号", SUN, None, "2026-12-05 00:00", D, ()),
    ("１２月５号下午３点", SUN, None, "2026-12-05 15:00", E, ()),
    ("5号", SUN, None, "2026-12-05 00:00", D, ()),  # the next 5th
    ("十号", SUN, None, "2026-12-10 00:00", D, ()),
    ("3月1号", SUN, None, "2027-03-01 00:00", D, ()),  # a month over this year: next year's
    ("明年1月3号", SUN, None, "2027-01-03 00:00", D, ()),
    ("11月28号", SUN, None, "2026-11-28 00:00", D, (PAST,)),
    ("31号", SUN, None, "2026-12-01 00:00", D, (IMPOSSIBLE_DATE,)),  # November has 30 days
    ("2月29号", SUN, None, "2027-03-01 00:00", D, (IMPOSSIBLE_DATE,)),  # 2027 is no leap year
    ("2月29号", datetime(2027, 11, 1, 10), None, "2028-02-29 00:00", D, ()),  # 2028 is
    ("2026年2月29日下午", SUN, None, "2026-03-01 13:00", P, (IMPOSSIBLE_DATE, PAST)),
    ("13月5号", SUN, None, None, None, (IMPOSSIBLE_DATE,)),
    ("2月16号上午10点", FEB_10, None, "2026-02-16 10:00", E, (CLOSED_DAY,)),
    # times: 1-7 o'clock without 上午/凌晨... is the afternoon; a time alone is today, or tomorrow once past
    ("三点半", SUN, None, "2026-11-29 15:30", E, ()),
    ("下午3点", WED, None, "2026-11-26 15:00", E, ()),
    ("明天15:00", SUN, None, "2026-11-30 15:00", E, ()),
    ("晚上7点", SUN, None, "2026-11-29 19:00", E, (OUTSIDE_HOURS,)),
    ("明天早上8点", SUN, None, "2026-11-30 08:00", E, (OUTSIDE_HOURS,)),
    ("下午5点半", SUN, None, "2026-11-29 17:30", E, (ENDS_AFTER_CLOSING,)),
    ("今天", datetime(2026, 11, 29, 17, 45), None, "2026-11-29 00:00", D, (DAY_OVER,)),
    # typos, emoji, models by alias and typo, punctuation
    ("陈风 礼拜6下五两点", SUN, "晨风", "2026-12-05 14:00", E, ()),
    ("圆山pro明天下午3点👌", SUN, "远山Pro", "2026-11-30 15:00", E, ()),
    ("周六上午🚗来试驾远山👍", SUN, "远山", "2026-12-05 07:00", P, ()),
    ("😀后天下午两点半🚗", SUN, None, "2026-12-01 14:30", E, ()),
    ("明天，下午3点", SUN, None, "2026-11-30 15:00", E, ()),  # a day, then a time: one time
    ("明天,下午3点", SUN, None, "2026-11-30 15:00", E, ()),
    ("周六不行，周日下午可以", WED, None, "2026-11-29 13:00", P, ()),
    ("我周六上午有空，下午不行", WED, None, "2026-11-28 07:00", P, ()),
    ("预算12.5万，周六来", WED, None, "2026-11-28 00:00", D, ()),
    ("预算20万周六来", WED, None, "2026-11-28 00:00", D, ()),  # jionlp alone: 20万周, a delta of weeks
    ("CS75和远山比一下，明天来", SUN, "远山", "2026-11-30 00:00", D, ()),
    ("1.5T的晨风明天能试驾吗", SUN, "晨风", "2026-11-30 00:00", D, ()),  # 1.5T is no January 5th
    ("油耗5.6升？那12.5来看看", SUN, None, "2026-12-05 00:00", D, ()),
    ("138 0013 8000周六", SUN, None, "2026-12-05 00:00", D, ()),
    ("我是13800138000 3点到", SUN, None, "2026-11-29 15:00", E, ()),
    # no day yet
    ("下周吧", SUN, None, None, None, (VAGUE,)),
    ("想试驾星河，时间还没定", SUN, "星河EV", None, None, ()),
    ("你好", SUN, None, None, None, ()),
    ("", SUN, None, None, None, ()),
]


@pytest.mark.parametrize(
    "text, now, model, start, precision, problems", UTTERANCES, ids=[f"{u[0] or 'empty'}@{u[1]:%a}" for u in UTTERANCES]
)
def test_parse_booking(finder, text, now, model, start, precision, problems):
    request_ = parse_booking(text, now, finder, HOURS)
    assert (request_.model, request_.start, request_.precision, request_.problems) == (
        model,
        at(start),
        precision,
        problems,
    )


@pytest.mark.parametrize(
    "text, phone",
    [
        ("我手机号13800138000，周六上午来试驾远山", "13800138000"),
        ("+86 138 0013 8000 明天下午3点", "13800138000"),
        ("电话010-62345678，12.5上午", "010-62345678"),
        ("周六上午", None),
    ],
)
def test_parse_reads_the_phone_and_not_as_a_time(finder, text, phone):
    request_ = parse_booking(text, SUN, finder)
    assert request_.phone == phone
    assert request_.day is not None


@pytest.mark.parametrize(
    "text, words",
    [
        ("我手机号13800138000，周六上午来试驾远山", "周六上午"),
        ("陈风 礼拜6下五两点", "礼拜6下五两点"),
        ("１２月５号下午３点", "１２月５号下午３点"),
        ("明天,下午3点来", "明天,下午3点"),
        ("那就12.5吧", "12.5"),
    ],
)
def test_parse_keeps_the_customers_own_time_words(finder, text, words):
    assert parse_booking(text, SUN, finder).time_words == words


def test_parse_keeps_the_impossible_date_in_the_customers_words(finder):
    request_ = parse_booking("二月三十号上午来", SUN, finder)
    assert (request_.asked_date, request_.start, request_.problems) == (
        "二月三十号",
        at("2027-03-01 07:00"),
        (IMPOSSIBLE_DATE,),
    )


def test_parse_without_hours_checks_only_the_calendar(finder):
    assert parse_booking("晚上7点", SUN, finder).problems == ()
    assert parse_booking("11月28号", SUN, finder).problems == (PAST,)


def test_parse_day_given_or_assumed(finder):
    assert parse_booking("明天", SUN, finder).day_given
    assert not parse_booking("下午三点", SUN, finder).day_given


def test_parse_survives_what_jionlp_cannot_read(finder):
    for text in ("2026年13月45日下午", "99:99", "周周周周", "2月", "下午下午下午三三三点", "号号号", "十十月十十号"):
        parse_booking(text, SUN, finder)  # no exception


# --- details over several messages ---------------------------------------------------------------


def conversation(finder, messages, now=SUN, hours=None):
    request_ = BookingRequest()
    for text in messages:
        request_ = merge(request_, parse_booking(text, now, finder), now=now if hours else None, hours=hours)
    return request_


def test_model_first_day_later(finder):
    request_ = conversation(finder, ["想试驾一下远山", "周六上午吧"])
    assert (request_.model, request_.start, request_.precision) == ("远山", at("2026-12-05 07:00"), P)


def test_day_then_time_combine(finder):
    request_ = conversation(finder, ["明天过来", "下午三点"])
    assert (request_.start, request_.precision, request_.time_words) == (at("2026-11-30 15:00"), E, "明天下午三点")


def test_time_then_day_combine(finder):
    request_ = conversation(finder, ["下午三点可以吗", "明天"])
    assert (request_.start, request_.precision, request_.time_words) == (at("2026-11-30 15:00"), E, "明天下午三点")


def test_a_new_time_on_the_same_day(finder):
    request_ = conversation(finder, ["明天下午三点", "四点吧"])
    assert (request_.start, request_.time_words) == (at("2026-11-30 16:00"), "四点")


def test_a_new_day_with_a_time_replaces_the_old_one(finder):
    request_ = conversation(finder, ["周六", "算了，周日下午"], now=WED)
    assert (request_.start, request_.precision) == (at("2026-11-29 13:00"), P)


def test_a_vague_answer_replaces_the_day(finder):
    request_ = conversation(finder, ["周六", "还是下周吧"])
    assert (request_.day, request_.problems) == (None, (VAGUE,))


def test_a_message_without_a_time_keeps_the_time_and_its_impossible_date(finder):
    request_ = conversation(finder, ["2月30号", "我手机13800138000", "开晨风"])
    assert (request_.start, request_.problems, request_.asked_date, request_.phone, request_.model) == (
        at("2027-03-01 00:00"),
        (IMPOSSIBLE_DATE,),
        "2月30号",
        "13800138000",
        "晨风",
    )


def test_the_newer_model_and_phone_win(finder):
    request_ = conversation(finder, ["远山，13800138000", "还是看晨风吧，换个号13912345678"])
    assert (request_.model, request_.phone) == ("晨风", "13912345678")


def test_merge_works_out_time_problems_again_for_now():
    earlier = req(date(2026, 11, 29), **AFTERNOON, words="今天下午")
    later = datetime(2026, 11, 29, 18, 30)
    assert merge(earlier, BookingRequest(phone="13800138000"), now=later, hours=HOURS).problems == (PAST,)
    assert merge(earlier, BookingRequest(phone="13800138000"), now=later).problems == (PAST,)
    assert merge(replace(earlier, problems=(PAST,)), BookingRequest()).problems == ()  # dropped without now


def test_three_messages_to_a_read_back(finder):
    request_ = conversation(finder, ["我想试驾晨风", "后天下午两点半", "13800138000"], hours=HOURS)
    assert missing(request_) == ()
    decision = choose_slot(request_, SUN, HOURS)
    assert read_back(request_, decision, mask_phone(request_.phone)) == (
        "好的，跟您确认一下：12月1日（周二）下午2点半到店试驾晨风，联系电话138****8000。没问题的话回我“确认”就好。"
    )


def test_one_message_to_a_read_back(finder):
    request_ = parse_booking("我手机号13800138000，周六上午来试驾远山", SUN, finder, HOURS)
    assert missing(request_) == ()
    assert read_back(request_, choose_slot(request_, SUN, HOURS), mask_phone(request_.phone)) == (
        "好的，跟您确认一下：12月5日（周六）上午9点到店试驾远山，联系电话138****8000。没问题的话回我“确认”就好。"
    )


def test_a_kept_booking_reads_back_day_time_model_and_masked_phone(finder):
    request_ = parse_booking("我手机号13800138000，周六上午来试驾远山", SUN, finder, HOURS)
    slot = choose_slot(request_, SUN, HOURS)
    assert not booking_moved(slot) and propose(slot) == ""
    assert booked(request_, slot.start, mask_phone(request_.phone)) == (
        "预约好了：12月5日（周六）上午9点到店试驾远山，联系电话138****8000。顾问会提前一天打电话跟您确认，"
        "到店报手机号就行；时间要改随时跟我说。"
    )


def test_a_kept_booking_says_the_time_was_chosen_and_names_the_holiday():
    request_ = req(date(2026, 10, 1), model="晨风")
    slot = choose_slot(request_, datetime(2026, 9, 28, 12), HOURS)
    assert not booking_moved(slot)
    text = booked(request_, slot.start, None)
    assert "您没说几点，先按最早的上午9点给您排上。那天是国庆节" in text and "联系电话" not in text


def test_an_impossible_date_gets_the_next_slot_proposed_before_the_phone_question(finder):
    request_ = parse_booking("11月31号下午试驾晨风可以吗", SUN, finder, HOURS)
    slot = choose_slot(request_, SUN, HOURS)
    assert booking_moved(slot) and missing(request_) == (PHONE,)
    assert propose(slot) == "日历上没有11月31号这一天，最近能约的是12月1日（周二）下午1点。"


def test_the_package_exports_the_api():
    import bot.booking as booking

    for name in ("parse_booking", "merge", "missing", "choose_slot", "read_back", "BookingRequest", "SlotDecision"):
        assert hasattr(booking, name)
