"""One set of phone-number patterns for parsing chat text, checking the widget form and masking logs."""

import pytest

from bot.phone import find_phone, mask_phones, normalise_phone
from bot.privacy import mask_phone


@pytest.mark.parametrize("typed, stored", [
    ("13800138000", "13800138000"),
    ("+8613800138000", "13800138000"),
    ("8613800138000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("010-62345678", "010-62345678"),
    ("0755 1234567", "0755-1234567"),
    ("01062345678", "01062345678"),  # area code length unknown: kept as typed
    ("12345678901", None),
    ("1380013800", None),
    ("138001380001", None),
    ("13800138000 13900139000", None),
    ("tel:13800138000", None),
    ("", None),
])
def test_the_widget_form_stores_the_normalised_number(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("text, found", [
    ("加我微信 +8613800138000 谢谢", "13800138000"),
    ("电话8613800138000", "13800138000"),
    ("座机 0755 1234567，手机 13912345678", "13912345678"),
    ("座机 0755-1234567", "0755-1234567"),
    ("订单号 2026112712345678", None),
])
def test_a_number_in_chat_text_is_found_the_same_way(text, found):
    assert find_phone(text) == found


@pytest.mark.parametrize("text, masked", [
    ("+8613800138000", "138****8000"),
    ("电话8613800138000", "电话138****8000"),
    ("call +86 138 0013 8000 now", "call 138****8000 now"),
    ("0755 1234567 或 010-62345678", "0755-****4567 或 010-****5678"),
    ("订单 2026112712345678", "订单 2026112712345678"),
])
def test_every_form_the_widget_accepts_is_masked_in_logs(text, masked):
    assert mask_phones(text) == masked == mask_phone(text)

