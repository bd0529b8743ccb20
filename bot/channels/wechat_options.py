"""Bot messages as WeChat text: texts joined, buttons as numbered options (WeChat has no buttons),
and a follower's number taken back as the button's payload. No Rasa, no network."""

import re
from typing import Any, Dict, List, Optional

from bot.channels.wechat_xml import split_text, with_numbered_options

NUMBERED_OPTION = re.compile(r"[0-9]{1,2}")  # ASCII digits only: '①', '²' and 5,000 digits are plain text

# sender id -> payloads of the numbered options last shown to that follower
Options = Dict[str, List[str]]


def render(options: Options, sender: str, messages: List[Dict[str, Any]]) -> List[str]:
    """Bot messages as text chunks of at most 2048 bytes; buttons become numbered options, which
    are remembered in ``options`` for the follower's next message (and forgotten without buttons)."""
    texts, payloads = [], []
    for m in messages:
        if m.get("text"):
            texts.append(m["text"])
        for b in m.get("buttons") or []:
            payloads.append((b.get("title", ""), b.get("payload", "")))
    body = "\n\n".join(texts)
    if payloads:
        body = with_numbered_options(body, [t for t, _ in payloads])
        options[sender] = [p for _, p in payloads]
    else:
        options.pop(sender, None)
    return split_text(body) if body else []


def chosen(options: Options, sender: str, content: str) -> Optional[str]:
    """The payload of the option the follower answered with its number, or None."""
    shown = options.get(sender) or []
    if NUMBERED_OPTION.fullmatch(content) and 1 <= int(content) <= len(shown):
        return shown[int(content) - 1]
    return None


def asks_for_a_person(messages: List[Dict[str, Any]]) -> bool:
    """The turn handed the conversation to a person (``action_hand_over`` sends ``{"handoff": ...}``)."""
    return any(isinstance(m.get("custom"), dict) and "handoff" in m["custom"] for m in messages)
