"""Reading a test-drive request from one customer message: the model, the day and time, the phone.

- model: the first car_model the project's entity finder sees (bot.nlu.entities.EntityFinder over the
  catalog's names and aliases, typos included);
- phone: bot.privacy.phone.find_phone;
- time: jionlp's time extractor, given the message after a few rewrites for what it misreads or
  misses, and its answer then read as a booking:

  ============================  =================================  ===============================
  customer writes               jionlp alone                       here
  ============================  =================================  ===============================
  周六上午 (on a Sunday)          the Saturday before                the next Saturday
  周三下午4点 (on a Sunday)       the Wednesday before               the next Wednesday
  三点半, 明天3点                 03:30, 03:00                       15:30, 15:00 (1-7 o'clock with
                                                                   no 上午/凌晨... is afternoon)
  下午3点 (said at 16:00)         today, past                        tomorrow (a time without a day)
  周末                            the Sunday                         the Saturday (today on a weekend)
  周6, 礼拜6                      nothing                            周六
  明儿, 今儿, 后儿                 nothing / wrong day                明天, 今天, 后天
  今晚, 明早                      the whole day / an error           今天晚上, 明天早上
  12.5, 12/5                     nothing                            12月5号
  5号 (on 11-29)                 11-05, past                        12-05 (the next 5th)
  3月1号 (in November)            March this year, past              March next year
  2月30号, 31号 (November)        30号 of this month / nothing       impossible_date, day = 3月1日 /
                                                                   12月1日 (the first real day after)
  138 0013 8000周六               a "time delta" of 96600966000 days the phone is removed first
  下五 (typo for 下午)              nothing                           下午
  ============================  =================================  ===============================

The first time expression counts (我周六上午有空，下午不行: Saturday morning), except one the customer
rules out right away (周六不行，周日下午可以: Sunday afternoon); a day alone followed by a time alone
is one time (明天，下午3点). A range of several days (下周, 下个月) is ``vague``: no day yet.
"""

import calendar
import contextlib
import functools
import io
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Dict, List, Match, NamedTuple, Optional, Pattern, Tuple, Union

from bot.booking.config import BookingConfig
from bot.booking.request import IMPOSSIBLE_DATE, VAGUE, BookingRequest
from bot.booking.slots import Hours, check
from bot.constants import ENTITY_CAR_MODEL
from bot.privacy.phone import find_phone, mask_phones

_NUMERAL = "〇零一二两三四五六七八九十廿"
_NUM = rf"(?:\d{{1,2}}|[{_NUMERAL}]{{1,3}})"
_NOT_AFTER_NUMBER = rf"(?<![\d{_NUMERAL}])"

# bot.privacy.phone.mask_phones writes a number as 138****8000, 010-****5678 or +44 ****0958.
_MASKED_PHONE = re.compile(r"(?:\+\d{1,3} |\d{3,4}-|\d{3})?\*{4}\d{2,4}")
# Where a phone number may be: digits with the punctuation numbers are typed with.
_DIGIT_RUN = re.compile(r"[+(（]?\d[\d\s\-()（）.]*\d[)）]?")

# Words jionlp misses or misreads, and common typos (pinyin input: 下五 for 下午), longest first.
_WORDS = [
    ("禮拜", "礼拜"),
    ("週", "周"),
    ("下五", "下午"),
    ("上五", "上午"),
    ("中五", "中午"),
    ("明儿个", "明天"),
    ("明个", "明天"),
    ("明儿", "明天"),
    ("明日", "明天"),
    ("今儿个", "今天"),
    ("今儿", "今天"),
    ("今个", "今天"),
    ("今日", "今天"),
    ("大后儿", "大后天"),
    ("后儿个", "后天"),
    ("后儿", "后天"),
    ("今晚", "今天晚上"),
    ("明晚", "明天晚上"),
    ("今早", "今天早上"),
    ("明早", "明天早上"),
]
_WEEKDAY_DIGIT = re.compile(r"(周|星期|礼拜)([1-7])")
_NEXT_WEEKEND = re.compile(r"下个?(?:周末|礼拜末|星期末)")
_WEEKEND = re.compile(r"(?:这个?|本)?(?:周末|礼拜末|星期末)")
# 12.5 / 12/5 (month.day), not 12.5万, 1.5T, 5.6升, 3.5点 nor part of a longer number or a name (V1.5).
_MONTH_DOT_DAY = re.compile(
    r"(?<![\dA-Za-z./¥$])(1[0-2]|0?[1-9])[./](3[01]|[12]\d|0?[1-9])[号日]?"
    r"(?![\dA-Za-z./%:万千百元块毛角点升米斤倍折个次])"
)
_DATE = re.compile(
    rf"(?:(?P<year>\d{{4}})年|(?P<rel>今年|明年))?{_NOT_AFTER_NUMBER}(?P<month>{_NUM})月" rf"(?P<day>{_NUM})[号日]"
)
_BARE_DAY = re.compile(rf"(?<![\d{_NUMERAL}月])(?P<day>{_NUM})[号日](?![线楼车门厅位房桌机])")

# In jionlp's matched text: the words that name a day, a weekday, a part of the day.
_DAY_WORD = re.compile(r"[天日号月年]|周|星期|礼拜|现在")
_PLAIN_WEEKDAY = re.compile(r"(?<![上下个])(?:周|星期|礼拜)[一二三四五六日天]")
_PART_OF_DAY_WORD = re.compile(r"[早午晚]|凌晨|夜|[AaPp][Mm]")

_JIONLP_FORMAT = "%Y-%m-%d %H:%M:%S"
# A time the customer rules out right after naming it.
_RULED_OUT = re.compile(r"\s*(?:的话)?\s*(?:不行|不可以|不方便|不太方便|不太行|没空|没时间|来不了|去不了|不得空)")
# Full-width digits, Latin letters and the signs of times and dates (１２：３０, １２／５) as ASCII.
_HALF_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)}
_HALF_WIDTH.update({0xFF21 + i: 0x41 + i for i in range(26)})
_HALF_WIDTH.update({0xFF41 + i: 0x61 + i for i in range(26)})
_HALF_WIDTH.update(
    {
        ord("："): ord(":"),
        ord("．"): ord("."),
        ord("／"): ord("/"),
        ord("－"): ord("-"),
        ord("＋"): ord("+"),
        0x3000: ord(" "),
    }
)
_HALF_WIDTH[ord(",")] = ord("，")  # jionlp reads 明天,下午3点 as 下午3点 alone


class _Text:
    """Text being rewritten that remembers, for each character, the span of the original text it
    came from, so that jionlp's match can be shown in the customer's own words."""

    def __init__(self, text: str, original: str) -> None:
        assert len(text) == len(original)
        self.original = original
        self.text = text
        self.spans: List[Tuple[int, int]] = [(i, i + 1) for i in range(len(text))]

    def sub(self, pattern: Union[str, Pattern[str]], repl: Union[str, Callable[[Match[str]], str]]) -> None:
        rx = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        out: List[str] = []
        spans: List[Tuple[int, int]] = []
        last = 0
        for m in rx.finditer(self.text):
            if m.start() == m.end():
                continue
            new = repl(m) if callable(repl) else repl
            out.append(self.text[last : m.start()])
            spans += self.spans[last : m.start()]
            source = (self.spans[m.start()][0], self.spans[m.end() - 1][1])
            out.append(new)
            spans += [source] * len(new)
            last = m.end()
        if not out:
            return
        out.append(self.text[last:])
        spans += self.spans[last:]
        self.text, self.spans = "".join(out), spans

    def words(self, start: int, end: int) -> str:
        """The original text behind ``text[start:end]``."""
        if start >= end:
            return ""
        return self.original[self.spans[start][0] : self.spans[end - 1][1]].strip()


def _number(s: str) -> Optional[int]:
    """12 or 十二 as 12; None for what is no number (十十: cn2an raises on it)."""
    if s.isdigit():
        return int(s)
    import cn2an

    try:
        return int(cn2an.cn2an(s, "smart"))
    except ValueError:
        return None


def _first_of_next_month(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


class _Dates:
    """Rewrites each month-day and bare day (5号) to an explicit ``YYYY年M月D日`` for jionlp, in the
    year and month a booking means, and notes an impossible date (replaced by the first real day
    after it) in the customer's words."""

    def __init__(self, text: _Text, now: datetime) -> None:
        self.text, self.now = text, now
        self.impossible: str = ""  # the customer's words
        self.unreadable = False  # a month that does not exist (13月): no day at all

    def _explicit(self, m: Match[str], year: int, month: int, day: int) -> str:
        if not 1 <= month <= 12 or day < 1 or day > 31:
            self.impossible = self.impossible or self.text.words(m.start(), m.end())
            self.unreadable = True
            return " "
        if day > calendar.monthrange(year, month)[1]:
            self.impossible = self.impossible or self.text.words(m.start(), m.end())
            real = _first_of_next_month(year, month)
            return f"{real.year}年{real.month}月{real.day}日"
        return f"{year}年{month}月{day}日"

    def _month_day(self, m: Match[str]) -> str:
        month, day = _number(m["month"]), _number(m["day"])
        if month is None or day is None:
            return m.group()
        if m["year"]:
            year = int(m["year"])
        elif m["rel"]:
            year = self.now.year + (m["rel"] == "明年")
        else:  # a month already over this year means next year's; this month's past days stay past
            year = self.now.year + (month < self.now.month)
        return self._explicit(m, year, month, day)

    def _bare_day(self, m: Match[str]) -> str:
        day = _number(m["day"])
        if day is None:
            return m.group()
        year, month = self.now.year, self.now.month
        if day < self.now.day:  # the next such day of the month
            nxt = _first_of_next_month(year, month)
            year, month = nxt.year, nxt.month
        return self._explicit(m, year, month, day)

    def rewrite(self) -> None:
        self.text.sub(_DATE, self._month_day)
        self.text.sub(_BARE_DAY, self._bare_day)


@functools.lru_cache(maxsize=1)
def _jionlp() -> Any:
    """jionlp, imported on first use (half a second), without the banner it prints to stdout then."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    return jionlp


def warm_up() -> None:
    """Imports jionlp and runs its time parser once (its first call loads its dictionaries)."""
    _jionlp().parse_time("明天下午三点", time_base=datetime.now().timestamp())


def _rewrite(text: _Text, now: datetime) -> _Dates:
    for old, new in _WORDS:
        text.sub(old, new)
    text.sub(_WEEKDAY_DIGIT, lambda m: m[1] + "一二三四五六日"[int(m[2]) - 1])
    text.sub(_NEXT_WEEKEND, "下周六")
    text.sub(_WEEKEND, "今天" if now.weekday() >= 5 else "周六")
    text.sub(_MONTH_DOT_DAY, lambda m: f"{int(m[1])}月{int(m[2])}号")
    dates = _Dates(text, now)
    dates.rewrite()
    return dates


def _times(text: str, now: datetime) -> List[Dict[str, Any]]:
    """jionlp's time points and spans in ``text`` (none if jionlp fails on it), without the ones
    the customer rules out (周六不行，周日下午可以)."""
    base = datetime(now.year, now.month, now.day, now.hour, now.minute, now.second)
    try:
        found = _jionlp().ner.extract_time(text, time_base=base, with_parsing=True)
    except Exception:  # jionlp raises ValueError and others on strings it cannot read
        return []
    return [
        item
        for item in found
        if item.get("type") in ("time_point", "time_span")
        and isinstance((item.get("detail") or {}).get("time"), list)
        and not _RULED_OUT.match(text, item["offset"][1])
    ]


class _Reading(NamedTuple):
    """One time expression as jionlp read it."""

    start: int  # offsets into the rewritten text
    end: int
    matched: str
    day: Optional[date]
    time_from: Optional[time]
    time_to: Optional[time]
    vague: bool

    @property
    def names_day(self) -> bool:
        return bool(_DAY_WORD.search(self.matched))


def _reading(text: str, item: Dict[str, Any]) -> _Reading:
    detail = item["detail"]
    start, end = item["offset"]
    matched = text[start:end]
    a = datetime.strptime(detail["time"][0], _JIONLP_FORMAT)
    b = datetime.strptime(detail["time"][1], _JIONLP_FORMAT)
    if item["type"] == "time_span":  # 下午3点到4点: the start counts
        day, time_from, time_to, vague = a.date(), (None if a.time() == time(0) else a.time()), None, False
    elif b.date() > a.date():  # 下周, 下个月
        day, time_from, time_to, vague = None, None, None, True
    elif a.time() == time(0) and b.time() == time(23, 59, 59):
        day, time_from, time_to, vague = a.date(), None, None, False
    elif detail.get("definition") == "blur" or b - a >= timedelta(hours=1):
        day, time_from, time_to, vague = a.date(), a.time(), b.time(), False
    else:
        day, time_from, time_to, vague = a.date(), a.time(), None, False
    if time_to is None and time_from is not None and 1 <= time_from.hour <= 7 and not _PART_OF_DAY_WORD.search(matched):
        time_from = time_from.replace(hour=time_from.hour + 12)  # 三点 at a showroom is 15:00
    return _Reading(start, end, matched, day, time_from, time_to, vague)


def _read_time(text: str, original: str, now: datetime) -> BookingRequest:
    """The time asked for in ``text``: ``original`` prepared for jionlp, character for character."""
    t = _Text(text, original)
    dates = _rewrite(t, now)
    if dates.unreadable:
        return BookingRequest(asked_date=dates.impossible, problems=(IMPOSSIBLE_DATE,))
    readings = [_reading(t.text, item) for item in _times(t.text, now)]
    if not readings:
        return BookingRequest()
    first = readings[0]
    if first.vague:
        return BookingRequest(time_words=t.words(first.start, first.end), problems=(VAGUE,))
    time_from, time_to, end = first.time_from, first.time_to, first.end
    if (
        time_from is None
        and len(readings) > 1
        and readings[1].time_from is not None
        and not readings[1].names_day
        and not readings[1].vague
    ):  # 明天，下午3点
        time_from, time_to, end = readings[1].time_from, readings[1].time_to, readings[1].end
    req = BookingRequest(
        day=first.day,
        day_given=first.names_day,
        time_from=time_from,
        time_to=time_to,
        time_words=t.words(first.start, end),
        asked_date=dates.impossible,
        problems=(IMPOSSIBLE_DATE,) if dates.impossible else (),
    )
    day = req.day
    if day is not None and req.end is not None and req.end < now:
        if _PLAIN_WEEKDAY.search(first.matched):  # 周六 said on a Sunday: the coming one
            req = replace(req, day=day + timedelta(days=7))
        elif not req.day_given:  # 三点 said at 16:00: tomorrow
            req = replace(req, day=day + timedelta(days=1))
    return req


def _model_and_prepared(text: str, finder: Any) -> Tuple[Optional[str], str]:
    """The first car model in ``text``, and the text prepared for jionlp character for character:

    - every entity the finder knows blanked (models, competitors such as CS75, family members,
      money: jionlp reads 12.5万,周六 as a delta of 125000 weeks) and every phone number (it reads
      138 0013 8000周六 as one of 96600966000 days), so that none is read as a time;
    - full-width digits and letters as ASCII; Chinese punctuation stays, and an ASCII comma becomes
      one (jionlp reads 明天,下午3点 as 下午3点 alone, 明天，下午3点 as two times, combined later).
    """
    chars = list(text.translate(_HALF_WIDTH))
    translated = "".join(chars)
    for run in _DIGIT_RUN.finditer(translated):  # first: the finder may see money in 138 0013 8000
        # mask_phones copies the text around a number as it is, so a run with one number in it
        # tells where the number is; with more (rare), the whole run goes.
        masked = mask_phones(run.group())
        numbers = list(_MASKED_PHONE.finditer(masked))
        if len(numbers) == 1:
            start = run.start() + numbers[0].start()
            end = run.end() - (len(masked) - numbers[0].end())
        elif numbers:
            start, end = run.span()
        else:
            continue
        chars[start:end] = " " * (end - start)
    model = None
    for e in finder.find(text):
        if e.entity == ENTITY_CAR_MODEL and model is None:
            model = e.value
        chars[e.start : e.end] = " " * (e.end - e.start)
    return model, "".join(chars)


def parse_booking(
    text: str, now: datetime, finder: Any, hours: Optional[Hours] = None, config: Optional[BookingConfig] = None
) -> BookingRequest:
    """The test drive asked for in ``text`` at ``now`` (the showroom's wall clock, naive).

    ``finder`` is a bot.nlu.entities.EntityFinder (anything with its ``find``). The problems are checked
    against ``now``, and against ``hours`` (and the test drive's duration from ``config``) when given.
    """
    text = text or ""
    model, prepared = _model_and_prepared(text, finder)
    req = replace(_read_time(prepared, text, now), model=model, phone=find_phone(text))
    return check(req, now, hours, config)
