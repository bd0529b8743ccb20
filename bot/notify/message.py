"""What the sales team's WeCom group robot posts: an event (a customer asked for a person, booked a
visit, left contact details) composed into a short Chinese text or markdown message from the
templates in data/notify.yml, cut to the robot's byte limits at a character boundary.

Everything a customer typed (name, model, reason, time) is one cleaned line: control and bidi
characters removed, line breaks folded, at most ``FIELD_MAX_CHARS`` characters, so it can neither
fake another line of the message nor push the rest out; in markdown the markup characters are
replaced by their full-width forms, so a name cannot become a link or a heading. The phone number
is in the message only when the customer agreed to be called (``phone_consent``); without consent
a phone number typed into any other field is masked as well.
"""

import datetime as dt
import functools
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from bot.privacy.logs import mask_phone
from bot.privacy.phone import normalise_phone
from bot.validation import Checker, read_mapping

KINDS = ("handoff", "booking", "cancel", "lead")
MSGTYPES = ("text", "markdown")
BYTE_LIMITS = {"text": 2048, "markdown": 4096}  # the robot's limits for content, UTF-8 bytes
PLACEHOLDERS = ("channel", "sender", "model", "reason", "when", "grade", "name", "phone", "at")
FIELD_MAX_CHARS = 200
ELLIPSIS = "…"
DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "data" / "notify.yml"
# Times are shown in China Standard Time (one zone, no daylight saving), whatever the server's zone
# (containers usually run in UTC); a naive datetime is shown as given.
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
BATCH_SEPARATOR = "\n\n"

_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_MARKDOWN = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "~": "～",
        "|": "｜",
        "\\": "＼",
    }
)


@dataclass(frozen=True, repr=False)
class NotifyEvent:
    """Something the sales team should act on.

    kind: handoff (the customer asked for a person), booking (a visit or test drive) or lead
    (contact details left). ``when``: the time the customer asked for (a text such as 明天下午, or a
    date/datetime). ``at``: when it happened (default: now). ``phone`` is shown only with
    ``phone_consent``; without it the number is not even stored in the outbox."""

    kind: str
    channel: str
    sender_id: str
    car_model: Optional[str] = None
    reason: Optional[str] = None
    when: Optional[Union[str, dt.date, dt.datetime]] = None
    grade: Optional[str] = None
    phone: Optional[str] = None
    phone_consent: bool = False
    name: Optional[str] = None
    at: Optional[dt.datetime] = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"notification kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    def __repr__(self) -> str:  # what logs may show: never the whole phone number
        return (
            f"NotifyEvent({self.kind}, {self.channel}, {self.sender_id!r}, phone "
            f"{mask_phone(self.phone) or '-'}{' (consented)' if self.phone_consent else ''})"
        )


@dataclass(frozen=True)
class Message:
    """One robot message: its type, its content, and whom it @-mentions (text messages only)."""

    msgtype: str
    content: str
    mentioned_list: Tuple[str, ...] = ()
    mentioned_mobile_list: Tuple[str, ...] = ()

    def payload(self) -> Dict[str, Any]:
        """The JSON body the robot expects."""
        if self.msgtype == "markdown":
            return {"msgtype": "markdown", "markdown": {"content": self.content}}
        body: Dict[str, Any] = {"content": self.content}
        if self.mentioned_list:
            body["mentioned_list"] = list(self.mentioned_list)
        if self.mentioned_mobile_list:
            body["mentioned_mobile_list"] = list(self.mentioned_mobile_list)
        return {"msgtype": "text", "text": body}

    @property
    def limit(self) -> int:
        return BYTE_LIMITS[self.msgtype]


@dataclass(frozen=True)
class KindTemplate:
    msgtype: str
    lines: Tuple[str, ...]
    mention_all: bool = False


@dataclass(frozen=True)
class Templates:
    kinds: Dict[str, KindTemplate]
    channels: Dict[str, str] = field(default_factory=dict)
    grades: Dict[str, str] = field(default_factory=dict)
    batch_header: str = "【{count} 条通知】"


def fit_bytes(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """The text if it fits in ``limit`` UTF-8 bytes, else its longest prefix that fits together with
    ``ellipsis``, cut between characters (never inside a 3-byte CJK or 4-byte emoji character)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(ellipsis.encode("utf-8"))
    if room < 0:
        raise ValueError(f"limit of {limit} bytes is smaller than the ellipsis")
    # bytes of a character cut in two are not valid UTF-8 on their own: "ignore" drops exactly those
    return data[:room].decode("utf-8", "ignore") + ellipsis


def clean_field(value: Any, markdown: bool = False, max_chars: int = FIELD_MAX_CHARS) -> str:
    """A typed value as one safe line (see the module docstring); "" for None."""
    if value is None:
        return ""
    text = str(value).encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    text = " ".join(_INVISIBLE.sub("", text).split())
    if markdown:
        text = text.translate(_MARKDOWN)
    return text if len(text) <= max_chars else text[: max_chars - 1] + ELLIPSIS


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(CHINA_TIME) if value.tzinfo is not None else value


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _placeholders(line: str) -> List[Tuple[Optional[str], str]]:
    """(field name, conversion + format spec) of each placeholder of a template line."""
    return [
        (name, f"{conv or ''}{spec or ''}")
        for _, name, spec, conv in string.Formatter().parse(line)
        if name is not None
    ]


def _check_line(c: Checker, line: str, where: str, allowed: Sequence[str]) -> None:
    try:
        found = _placeholders(line)
    except ValueError as e:
        c.fail(where, f"bad braces ({e}); write {{{{ and }}}} for literal braces")
        return
    for name, extra in found:
        if name not in allowed:
            c.fail(where, f"unknown placeholder {{{name}}}; use one of " + ", ".join(f"{{{p}}}" for p in allowed))
        elif extra:
            c.fail(where, f"placeholder {{{name}}} takes no conversion or format")


def load_templates(path: Union[str, Path] = DEFAULT_TEMPLATES) -> Templates:
    """Reads data/notify.yml. Raises DataFileError naming the file and each field at fault."""
    raw, c = read_mapping(path, ("kinds",), ("channels", "grades", "batch_header"))
    kinds: Dict[str, KindTemplate] = {}
    channels: Dict[str, str] = {}
    grades: Dict[str, str] = {}
    header = "【{count} 条通知】"
    for name in ("channels", "grades"):
        labels = raw.get(name, {})
        if c.mapping(labels, name, (), tuple(labels) if isinstance(labels, dict) else ()):
            (channels if name == "channels" else grades).update(
                {str(k): c.text(v, f"{name}.{k}") for k, v in labels.items()}
            )
    if "batch_header" in raw:
        header = c.text(raw["batch_header"], "batch_header")
        _check_line(c, header, "batch_header", ("count",))
    c.mapping(raw["kinds"], "kinds", KINDS)
    for kind in KINDS if isinstance(raw["kinds"], dict) else ():
        if kind in raw["kinds"]:  # every kind there is checked, even with another missing
            w, k = f"kinds.{kind}", raw["kinds"][kind]
            if not c.mapping(k, w, ("msgtype", "lines"), ("mention_all",)):
                continue
            msgtype = k["msgtype"]
            if msgtype not in MSGTYPES:
                c.fail(f"{w}.msgtype", f"expected one of {', '.join(MSGTYPES)}, got {msgtype!r}")
            mention_all = k.get("mention_all", False)
            if not isinstance(mention_all, bool):
                c.fail(f"{w}.mention_all", f"expected true or false, got {mention_all!r}")
            elif mention_all and msgtype == "markdown":
                c.fail(f"{w}.mention_all", "the robot @-mentions only in text messages, not markdown")
            lines = c.lines(k["lines"], f"{w}.lines")
            for i, line in enumerate(lines):
                if line:
                    _check_line(c, line, f"{w}.lines[{i}]", PLACEHOLDERS)
            kinds[kind] = KindTemplate(msgtype, lines, mention_all is True)
    c.raise_if_any()
    return Templates(kinds, channels, grades, header)


@functools.lru_cache(maxsize=4)
def cached_templates(path: str) -> Templates:
    return load_templates(path)


def _values(event: NotifyEvent, templates: Templates, markdown: bool, now: dt.datetime) -> Dict[str, str]:
    phone = ""
    if event.phone_consent and event.phone:
        phone = normalise_phone(event.phone) or event.phone
    channel = templates.channels.get(event.channel, event.channel)
    grade = templates.grades.get((event.grade or "").strip().upper(), event.grade)
    at = _local(event.at or now)
    raw = {
        "channel": channel,
        "sender": event.sender_id,
        "model": event.car_model,
        "reason": event.reason,
        "when": _when(event.when),
        "grade": grade,
        "name": event.name,
        "phone": phone,
        "at": at.strftime("%Y-%m-%d %H:%M"),
    }
    values = {k: clean_field(v, markdown) for k, v in raw.items()}
    if not event.phone_consent:  # no consent: no phone number anywhere, not even one typed into a name or a reason
        values = {k: mask_phone(v) for k, v in values.items()}
    return values


def compose(
    event: NotifyEvent,
    templates: Templates,
    mentioned_list: Iterable[str] = (),
    mentioned_mobile_list: Iterable[str] = (),
    now: Optional[dt.datetime] = None,
) -> Message:
    """The robot message for an event. Each template line is filled in; a line whose placeholder has
    no value is left out. The content is cut to the message type's byte limit."""
    template = templates.kinds[event.kind]
    markdown = template.msgtype == "markdown"
    values = _values(event, templates, markdown, now or dt.datetime.now(CHINA_TIME))
    lines = []
    for line in template.lines:
        names = [name for name, _ in _placeholders(line)]
        if all(values.get(n) for n in names if n):
            lines.append(line.format(**values))
    content = fit_bytes("\n".join(lines), BYTE_LIMITS[template.msgtype])
    if markdown:
        return Message("markdown", content)
    mentions = list(dict.fromkeys([*mentioned_list, *(["@all"] if template.mention_all else [])]))
    return Message("text", content, tuple(mentions), tuple(dict.fromkeys(mentioned_mobile_list)))


def combine(messages: Sequence[Message], header: str = "【{count} 条通知】") -> Message:
    """Several messages of one type as one (a backlog under the robot's rate limit): a header with
    the count, then each message, separated by a blank line; the @-mentions of all of them."""
    if not messages:
        raise ValueError("nothing to combine")
    if len({m.msgtype for m in messages}) != 1:
        raise ValueError("only messages of one type can be combined")
    if len(messages) == 1:
        return messages[0]
    first = messages[0]
    content = header.format(count=len(messages)) + "\n" + BATCH_SEPARATOR.join(m.content for m in messages)
    return Message(
        first.msgtype,
        fit_bytes(content, first.limit),
        tuple(dict.fromkeys(x for m in messages for x in m.mentioned_list)),
        tuple(dict.fromkeys(x for m in messages for x in m.mentioned_mobile_list)),
    )


def combined_size(messages: Sequence[Message], header: str = "【{count} 条通知】") -> int:
    """UTF-8 bytes of ``combine(messages)`` before any cut."""
    if len(messages) == 1:
        return len(messages[0].content.encode("utf-8"))
    head = header.format(count=len(messages)) + "\n"
    return (
        len(head.encode("utf-8"))
        + sum(len(m.content.encode("utf-8")) for m in messages)
        + len(BATCH_SEPARATOR.encode("utf-8")) * (len(messages) - 1)
    )
