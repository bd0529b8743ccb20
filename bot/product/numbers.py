"""Numbers in answers (10.98万, 2554元, 20%) and small counts in questions (七座, 7座, 五口)."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Optional


def wan(yuan: int) -> str:
    """An amount in 万 to two decimals, trailing zeros dropped: 109800 -> 10.98万, 150000 -> 15万."""
    value = (Decimal(yuan) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(value, "f").rstrip("0").rstrip(".")
    return f"{text}万"


def yuan(amount: int) -> str:
    """A small amount in yuan: 2554元."""
    return f"{amount}元"


def money(amount: int) -> str:
    """万 from ten thousand up, yuan below (a monthly payment, a fee)."""
    return wan(amount) if amount >= 10000 else yuan(amount)


def percent(ratio: float) -> str:
    return f"{Decimal(str(ratio)) * 100:f}".rstrip("0").rstrip(".") + "%"


def parse_count(text: str) -> Optional[int]:
    """A small whole number written in digits or Chinese numerals (7, 七, 两, 十二); None otherwise."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    import cn2an

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if value == int(value) and value > 0 else None


def hanzi(count: int) -> str:
    """7 -> 七 (for 七座)."""
    import cn2an

    return str(cn2an.an2cn(count))
