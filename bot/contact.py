"""Reading contact details out of chat text: a phone number, a name, a yes or a no."""

import re
from typing import Optional, Tuple

from bot.phone import find_phone

_NAME = re.compile(r"(?:我姓|姓|我叫|叫我|我是)\s*([\u4e00-\u9fa5]{1,4}?)(?:先生|女士|小姐|老师|总)?(?=[\s，,。.！!电手号]|$)"
                   r"|([\u4e00-\u9fa5]{1,3}(?:先生|女士|小姐|老师|总))")
DECLINE_WORDS = ("不用", "不方便", "不留", "算了", "不要", "不想", "别打", "先不", "不必", "拒绝", "不给")
AGREE_WORDS = ("可以", "同意", "好的", "好啊", "行", "没问题", "嗯", "对", "是的", "ok", "OK", "好")


def find_name(text: str) -> Optional[str]:
    """How the customer wants to be addressed (李先生, 王女士, 姓张 → 张先生/女士 unknown → 张)."""
    m = _NAME.search(text or "")
    if not m:
        return None
    return (m.group(2) or m.group(1) or "").strip() or None


def declines(text: str) -> bool:
    return any(w in (text or "") for w in DECLINE_WORDS)


def agrees(text: str) -> bool:
    t = (text or "").strip()
    return not declines(t) and any(w in t for w in AGREE_WORDS)


def contact_from_text(text: str) -> Tuple[Optional[str], Optional[str]]:
    """(phone, name) found in one message."""
    return find_phone(text), find_name(text)
