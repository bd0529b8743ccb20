"""Reading contact details out of chat text: a phone number, a name, a yes or a no."""

import re
from typing import Optional, Tuple

# mainland mobiles (+86 optional, spaces or dashes allowed) and landlines with an area code
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{7,8})(?!\d)")
_NAME = re.compile(r"(?:我姓|姓|我叫|叫我|我是)\s*([\u4e00-\u9fa5]{1,4}?)(?:先生|女士|小姐|老师|总)?(?=[\s，,。.！!电手号]|$)"
                   r"|([\u4e00-\u9fa5]{1,3}(?:先生|女士|小姐|老师|总))")
DECLINE_WORDS = ("不用", "不方便", "不留", "算了", "不要", "不想", "别打", "先不", "不必", "拒绝", "不给")
AGREE_WORDS = ("可以", "同意", "好的", "好啊", "行", "没问题", "嗯", "对", "是的", "ok", "OK", "好")
PHONE_FORMAT = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-\d{7,8})$")


def find_phone(text: str) -> Optional[str]:
    """The first phone number in the text, normalised (13800138000, 010-62345678)."""
    m = _MOBILE.search(text or "")
    if m:
        return "".join(m.groups())
    m = _LANDLINE.search(text or "")
    return f"{m.group(1)}-{m.group(2)}" if m else None


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
