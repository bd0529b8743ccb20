"""A same-model quote from another dealer (城西那家店同款远山比你们便宜6000): its own playbook case,
read inside a competitor, price or discount message by the cue words of data/playbook/policy.yml
``price_match``. Pure: no Rasa, no I/O."""

from typing import Any, Mapping, Optional, Sequence

from bot.nlu.text import to_simplified
from bot.playbook.model import PriceMatchCues


def is_price_match(
    text: str, intent: Optional[str], entities: Sequence[Mapping[str, Any]], cues: PriceMatchCues
) -> bool:
    """Whether the message quotes the same car from another dealer for less.

    It must be read as one of ``cues.within``, name another dealer (``other_dealer``), say it is the
    same car (``same_model``, or one of our models named with no competitor), and that the quote is
    lower (``cheaper``, or an amount).
    """
    if intent not in cues.within:
        return False
    text = to_simplified(text or "")
    kinds = {e.get("entity") for e in entities}
    if not any(w in text for w in cues.other_dealer):
        return False
    same = any(w in text for w in cues.same_model) or ("car_model" in kinds and "competitor" not in kinds)
    lower = any(w in text for w in cues.cheaper) or "money" in kinds
    return same and lower
