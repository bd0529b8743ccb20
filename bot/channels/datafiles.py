"""The data files our channels read (no Rasa import here; the actions use the catalog helper too):

- what the channels say or show by themselves, outside a Rasa turn's responses, from
  data/channel_texts.yml (``channel_texts``);
- the text of a domain.yml response, for a channel that must answer when the loaded model has no
  such response (``domain_response_text``).

Each field is checked on load (``bot.validation.Checker``): missing and unknown fields, empty texts,
and the ``{placeholders}`` each template may and must use, so a typo is reported as
``data/channel_texts.yml: too_long: missing placeholder {max_chars}`` (``python -m bot validate``).
"""

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, Tuple, Union

from bot.exceptions import DataFileError
from bot.validation import Checker, read_mapping
from bot.yamlfile import read_yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / "data" / "channel_texts.yml"
DOMAIN_PATH = ROOT / "domain.yml"
STATIC_DIR = Path(__file__).parent / "widget_static"  # the pages, scripts and styles the channels serve


def files_stamp(paths: Iterable[Path]) -> Tuple[Tuple[str, int], ...]:
    """Each existing file of ``paths`` with its modification time: the key a page rendered from those
    files is cached under, so it is rendered again only when one of them changes."""
    return tuple((str(p), p.stat().st_mtime_ns) for p in paths if p.exists())


# template field -> the placeholders it must use, each with a sample value to try it with
_TEMPLATES: Dict[str, Dict[str, Any]] = {
    "too_long": {"max_chars": 2000},
    "demo_model_seats": {"seats": 5},
    "demo_model_price": {"price_wan": 12.98},
}
_PLAIN = ("call_back_requested", "numbered_options")
_LISTS = ("readiness_patience",)


@dataclass(frozen=True)
class ChannelTexts:
    too_long: str  # a message over MAX_MESSAGE_CHARS, answered without a turn: {max_chars}
    call_back_requested: str  # the widget's call-back form, once the request is kept
    numbered_options: str  # WeChat: the line above the buttons shown as numbered options
    demo_model_seats: str  # the sample showroom page's model cards: {seats}
    demo_model_price: str  # {price_wan}: the lowest price in 万 (a float)
    readiness_patience: Tuple[str, ...]  # the practice page: a persona's extra warmth 0, 1, 2+ in words


def _template(c: Checker, value: Any, where: str) -> str:
    return c.template(value, where, _TEMPLATES[where], samples=_TEMPLATES[where])


def load_channel_texts(path: Union[str, Path] = DEFAULT_PATH) -> ChannelTexts:
    """Reads and checks data/channel_texts.yml.

    Raises:
        DataFileError: listing every problem as ``file: field: reason``.
    """
    raw, c = read_mapping(path, tuple(_TEMPLATES) + _PLAIN + _LISTS)
    fields: Dict[str, Any] = {k: _template(c, raw[k], k) for k in _TEMPLATES}
    fields.update({k: c.text(raw[k], k) for k in _PLAIN})
    fields.update({k: c.texts(raw[k], k) for k in _LISTS})
    if not fields["readiness_patience"]:
        c.fail("readiness_patience", "expected at least one text")
    c.raise_if_any()
    return ChannelTexts(**fields)


@functools.lru_cache(maxsize=4)
def channel_texts(path: Union[str, Path] = DEFAULT_PATH) -> ChannelTexts:
    """``load_channel_texts``, read once."""
    return load_channel_texts(path)


def domain_response_text(name: str, path: Union[str, Path] = DOMAIN_PATH) -> str:
    """The first text of the response ``name`` in the domain file (the one the model is trained
    from), for a channel whose loaded model predates that response.

    Raises:
        DataFileError: the file has no such response, or its first variant has no text.
    """
    path = Path(path)
    raw = read_yaml(path)
    c = Checker(path)
    responses = raw.get("responses") if isinstance(raw, dict) else None
    variants = responses.get(name) if isinstance(responses, dict) else None
    if not isinstance(variants, list) or not variants or not isinstance(variants[0], dict):
        raise DataFileError(
            [DataFileError.problem(path, f"responses.{name}", "expected a list of variants, the first with a text")]
        )
    text = c.text(variants[0].get("text"), f"responses.{name}[0].text")
    c.raise_if_any()
    return text
