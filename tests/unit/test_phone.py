"""One set of phone-number patterns for parsing chat text, checking the widget form and masking logs."""

import pytest

from bot.privacy.logs import mask_phone
from bot.privacy.phone import find_phone, mask_phones, normalise_phone


@pytest.mark.parametrize(
    "typed, stored",
    # a mobile number however it is written; landlines with their area code
    [(typed, "13800138000") for typed in ("13800138000", "+8613800138000", "8613800138000", "+86 138 0013 8000")]
    + [("138-0013-8000", "13800138000"), ("010-62345678", "010-62345678"), ("0755 1234567", "0755-1234567")]
    + [("01062345678", "01062345678")]  # area code length unknown: kept as typed
    # not one phone number
    + [(typed, None) for typed in ("12345678901", "1380013800", "138001380001", "13800138000 13900139000")]
    + [("tel:13800138000", None), ("", None)],
)
def test_the_widget_form_stores_the_normalised_number(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "text, found",
    [
        ("加我微信 +8613800138000 谢谢", "13800138000"),
        ("电话8613800138000", "13800138000"),
        ("座机 0755 1234567，手机 13912345678", "13912345678"),
        ("座机 0755-1234567", "0755-1234567"),
        ("订单号 2026112712345678", None),
    ],
)
def test_a_number_in_chat_text_is_found_the_same_way(text, found):
    assert find_phone(text) == found


@pytest.mark.parametrize(
    "text, masked",
    [
        ("+8613800138000", "138****8000"),
        ("电话8613800138000", "电话138****8000"),
        ("call +86 138 0013 8000 now", "call 138****8000 now"),
        ("0755 1234567 或 010-62345678", "0755-****4567 或 010-****5678"),
        ("订单 2026112712345678", "订单 2026112712345678"),
    ],
)
def test_every_form_the_widget_accepts_is_masked_in_logs(text, masked):
    assert mask_phones(text) == masked == mask_phone(text)


# libphonenumber (bot.privacy.phone): every way customers type a number, in chat, in the form, in logs.
FORMATS = [
    # typed, normalised, masked
    ("１３８００１３８０００", "13800138000", "138****8000"),  # full-width digits (Chinese IME)
    ("０１０－６２３４５６７８", "010-62345678", "010-****5678"),
    ("0086 13800138000", "13800138000", "138****8000"),
    ("0086 138 0013 8000", "13800138000", "138****8000"),
    ("+86 138 0013 8000", "13800138000", "138****8000"),
    ("138.0013.8000", "13800138000", "138****8000"),
    ("138 001 38000", "13800138000", "138****8000"),
    ("138-0013-8000", "13800138000", "138****8000"),
    ("(010)62345678", "010-62345678", "010-****5678"),
    ("（010）62345678", "010-62345678", "010-****5678"),
    ("010-62345678", "010-62345678", "010-****5678"),
    ("+86 10 6234 5678", "010-62345678", "010-****5678"),
    ("0755 1234567", "0755-1234567", "0755-****4567"),  # libphonenumber: Shenzhen has 8 digits
    ("0755-12345678", "0755-12345678", "0755-****5678"),
]


@pytest.mark.parametrize("typed, stored, masked", FORMATS)
def test_each_format_is_normalised_found_and_masked(typed, stored, masked):
    assert normalise_phone(typed) == stored
    assert find_phone(f"我手机号{typed}，周六上午来") == stored
    assert mask_phones(f"我手机号{typed}，周六上午来") == f"我手机号{masked}，周六上午来"
    assert mask_phones(f"lead phone={typed}; ok") == f"lead phone={masked}; ok"


@pytest.mark.parametrize(
    "text",
    [
        "落地价158000元",
        "价格 ¥158,000",
        "2026-12-05",
        "周六 2026-12-05 10:30 到店",
        "2026-11-29 14:51:53,123 saved",
        "订单号 20261205001",
        "订单号 2345678901",
        "订单 2026112712345678",
        "身份证 110101199003077777",
        "confidence 0.9996538162231445",
        "1764428113 seconds",
        "ip 192.168.100.200",
        "400-123-4567 客服热线",
        "sender 3f2a9c1e4b7d4e8a9c1f2b3d4e5f6a7b",
        "0123 4567890",
        "v1.2.3 build 20261127",
    ],
)
def test_text_that_is_not_a_phone_number_is_left_alone(text):
    assert mask_phones(text) == text and find_phone(text) is None


@pytest.mark.parametrize(
    "text, masked",
    [
        ("我电话13800138000 2位大人", "我电话138****8000 2位大人"),  # a digit after it: no 12-digit number
        ("13800138000,13900139000", "138****8000,139****9000"),
        ("010-62345678-801", "010-****5678-801"),  # an extension after a dash
        ("user tel13800138000 id=u13912345678", "user tel138****8000 id=u139****5678"),  # glued to letters
        ("2026-11-29 14:51 13800138000", "2026-11-29 14:51 138****8000"),
        (
            "[parameters: ('u1', 'widget', '李先生', '13800138000')]",
            "[parameters: ('u1', 'widget', '李先生', '138****8000')]",
        ),
        ("call +44 20 7946 0958", "call +44 ****0958"),  # abroad: masked, though not a lead's phone
    ],
)
def test_numbers_in_log_lines_are_masked(text, masked):
    assert mask_phones(text) == masked


def test_a_landline_needs_its_area_code_and_numbers_abroad_are_no_lead():
    assert normalise_phone("62345678") is None and normalise_phone("2345678901") is None
    assert normalise_phone("+44 20 7946 0958") is None and find_phone("+44 20 7946 0958") is None
    assert normalise_phone("0000 1234567") is None  # no such area code
