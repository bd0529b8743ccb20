"""Reading the answer to "同意我们的顾问用 138****8000 联系您吗？": yes / no / unclear
(bot.leads.contact.read_consent, words in data/lexicon/consent.yml), and validating that file."""

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.exceptions import DataFileError
from bot.leads.contact import (
    CONSENT_FIELDS,
    Consent,
    agrees,
    declines,
    load_consent_lexicon,
    normalise,
    read_consent,
    read_consent_text,
)

ROOT = Path(__file__).resolve().parents[2]
YES, NO, UNCLEAR = Consent.YES, Consent.NO, Consent.UNCLEAR

CASES = [
    # plain yes, with particles, fillers, call words, repeats
    ("同意", YES),
    ("我同意。", YES),
    ("可以", YES),
    ("可以的", YES),
    ("好的", YES),
    ("好", YES),
    ("行", YES),
    ("行吧", YES),
    ("那好吧", YES),
    ("好的没问题", YES),
    ("没问题", YES),
    ("没毛病", YES),
    ("嗯", YES),
    ("嗯嗯", YES),
    ("恩恩", YES),
    ("好滴", YES),
    ("好嘞", YES),
    ("中", YES),
    ("得嘞", YES),
    ("阔以", YES),
    ("对", YES),
    ("是的", YES),
    ("方便", YES),
    ("可以可以", YES),
    ("好好好", YES),
    ("太好了", YES),
    ("可以，打这个号码就行", YES),
    ("可以打", YES),
    ("随时联系", YES),
    ("欢迎来电", YES),
    ("当然可以", YES),
    ("好的谢谢", YES),
    ("可以，辛苦了", YES),
    ("没事，打吧", YES),
    ("不好意思，可以的", YES),
    ("不急，可以打", YES),
    ("沒問題", YES),
    ("對", YES),
    # Latin, full width, emoji, punctuation
    ("ok", YES),
    ("OK", YES),
    ("Ok!", YES),
    ("ＯＫ", YES),
    ("okkk", YES),
    ("ok的", YES),
    ("yes", YES),
    ("Yes please", YES),
    ("sure", YES),
    ("no problem", YES),
    ("好的！！！", YES),
    ("可以～", YES),
    ("同意。", YES),
    ("可以😊", YES),
    ("👌", YES),
    ("👍🏻", YES),
    ("好的👍", YES),
    ("  可以  ", YES),
    ("可以\n", YES),
    ("/affirm", YES),
    # plain no
    ("不同意", NO),
    ("不行", NO),
    ("不可以", NO),
    ("不要", NO),
    ("不用", NO),
    ("不用了", NO),
    ("不用了谢谢", NO),
    ("谢谢，不用", NO),
    ("不需要", NO),
    ("不必了", NO),
    ("算了", NO),
    ("算了吧", NO),
    ("还是算了", NO),
    ("还是别了", NO),
    ("先不用", NO),
    ("先不留了", NO),
    ("暂时不用", NO),
    ("别打", NO),
    ("别打了", NO),
    ("别给我打电话", NO),
    ("不要打电话", NO),
    ("不想留", NO),
    ("拒绝", NO),
    ("不", NO),
    ("不不不", NO),
    ("没有", NO),
    ("不是", NO),
    ("不了不了", NO),
    ("没兴趣", NO),
    ("不感兴趣", NO),
    ("/deny", NO),
    # negated yes words
    ("没同意", NO),
    ("我没同意", NO),
    ("我没说可以", NO),
    ("不太好", NO),
    ("不太方便", NO),
    ("不是很方便", NO),
    ("不怎么方便", NO),
    ("不大方便", NO),
    ("现在不方便", NO),
    ("不好意思，不太方便", NO),
    ("不成", NO),
    ("不愿意", NO),
    # a yes with a refusal: the refusal wins
    ("好的，不过先别打电话", NO),
    ("可以，但是不要打电话", NO),
    ("好，别打", NO),
    ("行，算了还是不用了", NO),
    ("好像不行", NO),
    ("嗯，不用了", NO),
    # Latin refusals, emoji refusals
    ("no", NO),
    ("No.", NO),
    ("nope", NO),
    ("no thanks", NO),
    ("not ok", NO),
    ("don't call me", NO),
    ("NOT NOW", NO),
    ("🙅", NO),
    ("🙅‍♂️", NO),
    ("👎", NO),
    # a yes that only limits when or how often to call is a yes; the limit alone is not an answer
    ("可以是可以，但是别老打", YES),
    ("可以，别打太多", YES),
    ("可以，就是别太频繁", YES),
    ("可以，晚上别打", YES),
    ("yes but not too often", YES),
    ("周末打吧", YES),
    ("中午打吧", YES),
    ("下午可以", YES),
    ("好是好，就是别天天打", YES),
    ("别老打电话", UNCLEAR),
    ("不要老是打电话", UNCLEAR),
    ("晚上别打", UNCLEAR),
    ("上午不方便", NO),  # 不方便 without a call word is read as a refusal (the safe side)
    # the last decision counts (还是, 想了想); a second thought back to yes is a yes
    ("本来不想留，后来想想还是可以", YES),
    ("不行，还是可以吧", YES),
    ("可以，还是算了吧", NO),
    ("好吧…还是不用了", NO),
    ("我还是考虑一下", UNCLEAR),
    # an aside is another matter, unless it refuses
    ("好的，顺便问下有没有优惠", YES),
    ("可以，另外想问问保养", YES),
    ("好的，另外别打电话了", NO),
    # pinyin
    ("keyi", YES),
    ("ke yi a", YES),
    ("haode", YES),
    ("bu xing", NO),
    ("bu hao", NO),
    ("buyong le", NO),
    # hedges
    ("随便", UNCLEAR),
    ("随便看看", UNCLEAR),
    ("看情况", UNCLEAR),
    ("我考虑一下", UNCLEAR),
    ("我想想", UNCLEAR),
    ("应该可以", UNCLEAR),
    ("可能吧", UNCLEAR),
    ("好吧…", UNCLEAR),
    ("嗯。。。", UNCLEAR),
    ("嗯...", UNCLEAR),
    ("还行", UNCLEAR),
    ("无所谓", UNCLEAR),
    ("说不好", UNCLEAR),
    ("不知道", UNCLEAR),
    ("maybe", UNCLEAR),
    ("可以，不过晚点再说", UNCLEAR),
    ("以后再说吧", UNCLEAR),
    ("改天吧", UNCLEAR),
    ("下次吧", UNCLEAR),  # deferrals
    # questions back
    ("可以吗", UNCLEAR),
    ("可以吗？", UNCLEAR),
    ("嗯？", UNCLEAR),
    ("?", UNCLEAR),
    ("行不行", UNCLEAR),
    ("可不可以", UNCLEAR),
    ("同不同意", UNCLEAR),
    ("是不是", UNCLEAR),
    ("好不好", UNCLEAR),
    ("你们会打几次？", UNCLEAR),
    ("谁会打给我", UNCLEAR),
    ("什么时候打", UNCLEAR),
    # a yes word inside other words, or with words the lexicon does not know
    ("行程", UNCLEAR),
    ("好贵", UNCLEAR),
    ("好多车", UNCLEAR),
    ("我可以自己去店里", UNCLEAR),
    ("可以加微信吗", UNCLEAR),
    ("是我的号", UNCLEAR),
    ("对了，这车多少钱", UNCLEAR),
    ("不错", UNCLEAR),
    # not an answer at all (objections, other questions): never a yes
    ("太贵了", UNCLEAR),
    ("这车多少钱", UNCLEAR),
    ("你们店在哪", UNCLEAR),
    ("有现车吗", UNCLEAR),
    ("你好", UNCLEAR),
    ("谢谢", UNCLEAR),
    ("😊", UNCLEAR),
    ("", UNCLEAR),
    ("   ", UNCLEAR),
    ("123", UNCLEAR),
    ("/greet", UNCLEAR),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_reading_of_a_reply(text, expected):
    assert read_consent_text(text) is expected


def test_the_case_table_has_no_contradictions():
    seen = {}
    for text, expected in CASES:
        assert seen.setdefault(text, expected) is expected, text


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("嗯...", "deny", NO),  # deny makes an unclear reply a no
        ("不同意", "affirm", NO),  # affirm never outweighs a refusal in the words
        ("不太好", "affirm", NO),
        ("我没同意", "affirm", NO),
        ("好吧…", "affirm", UNCLEAR),  # affirm alone is not consent
        ("妥妥的安排上", "affirm", UNCLEAR),
        ("可以", "affirm", YES),
        ("可以", None, YES),
        ("可以", "deny", UNCLEAR),  # the words and the NLU disagree: ask again
        ("/affirm", "affirm", YES),
        ("/deny", "deny", NO),
        ("太贵了", "objection_price", UNCLEAR),  # the form reads this intent as "unrelated"
    ],
)
def test_the_intent_is_a_second_opinion_towards_no_only(text, intent, expected):
    assert read_consent(text, intent) is expected


def test_agrees_and_declines_are_the_clear_readings():
    assert agrees("可以") and not agrees("可以吗") and not agrees("不同意")
    assert declines("不同意") and not declines("可以吗") and not declines("可以")


def test_normalise_full_width_case_ellipsis_and_skin_tones():
    assert normalise("ＯＫ！") == "ok!"
    assert normalise("嗯…") == normalise("嗯。。。") == "嗯..."
    assert normalise("👍🏽") == "👍"
    assert normalise("don’t") == "don't"


# --- the data file --------------------------------------------------------------------------------


def _lexicon_copy(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "lexicon"
    shutil.copytree(ROOT / "data/lexicon", d)
    (d / "consent.yml").write_text(text, encoding="utf-8")
    return d


def _valid_text(**override: str) -> str:
    fields = {f: "[x]" for f in CONSENT_FIELDS}
    fields.update(
        {
            "yes": "[可以, yes, ok]",
            "no": "[不用, no]",
            "negators": "[不]",
            "hedges": "[随便]",
            "questions": "[吗]",
            "call_words": "[打]",
            "limits": "[老]",
            "second_thoughts": "[还是]",
            "asides": "[顺便]",
            "fillers": "[的]",
        }
    )
    fields.update(override)
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


def test_the_shipped_lexicon_loads():
    lex = load_consent_lexicon(ROOT / "data/lexicon")
    assert lex.kinds["同意"] == "yes" and lex.kinds["不同意"] == "no" and lex.kinds["行不行"] == "question"


def test_yes_and_no_are_text_in_yaml_1_2(tmp_path):
    lex = load_consent_lexicon(_lexicon_copy(tmp_path, _valid_text()))
    assert lex.kinds["yes"] == "yes" and lex.kinds["no"] == "no"
    assert read_consent_text("yes", lex) is YES and read_consent_text("no", lex) is NO


@pytest.mark.parametrize(
    "override, problem",
    [
        ({"hedges": None}, "consent.yml: missing field 'hedges'"),
        ({"maybe": "[也许]"}, "consent.yml: maybe: unknown field"),
        ({"yes": "[]"}, "consent.yml: yes: expected at least one word"),
        ({"yes": "可以"}, "consent.yml: yes: expected a list"),
        ({"yes": "[可以, '']"}, "consent.yml: yes[1]: expected a non-empty text"),
        ({"yes": "[可以, 3]"}, "consent.yml: yes[1]: expected a non-empty text"),
        ({"hedges": "[随便, 可以]"}, "consent.yml: hedges[1]: '可以' is already listed in yes[0]"),
        ({"fillers": "[的, ＯＫ]"}, "consent.yml: fillers[1]: 'ＯＫ' is already listed in yes[2]"),
        ({"yes": "[可以, o.k.]"}, "consent.yml: yes[1]: 'o.k.': Latin words may have only letters"),
        ({"yes": "[可 以]"}, "consent.yml: yes[0]: '可 以': only Latin phrases may have spaces"),
    ],
)
def test_problems_name_the_file_and_the_field(tmp_path, override, problem):
    d = _lexicon_copy(tmp_path, _valid_text(**override))
    with pytest.raises(DataFileError) as e:
        load_consent_lexicon(d)
    assert any(problem in p for p in e.value.problems), e.value.problems


def test_invalid_yaml_and_a_missing_file(tmp_path):
    d = _lexicon_copy(tmp_path, "yes: [可以\n")
    with pytest.raises(DataFileError, match="consent.yml: invalid YAML"):
        load_consent_lexicon(d)
    with pytest.raises(DataFileError, match="consent.yml: file not found"):
        load_consent_lexicon(tmp_path / "nowhere")


def test_bot_validate_checks_the_consent_words(tmp_path, capsys):
    assert main(["validate"]) == 0
    d = _lexicon_copy(tmp_path, _valid_text(hedges="[随便, 可以]"))
    assert main(["validate", "--lexicon", str(d)]) == 1
    assert "consent.yml: hedges[1]: '可以' is already listed in yes[0]" in capsys.readouterr().err
