"""A terminal chat with the running bot over Rasa's REST channel (what ``make demo`` opens)."""

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Optional, TextIO


def send(
    url: str, sender: str, message: str, timeout: float = 30, metadata: Optional[Dict[str, Any]] = None
) -> List[Dict[str, Any]]:
    """Posts one message to ``{url}/webhooks/rest/webhook`` and returns the bot's messages."""
    body: Dict[str, Any] = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    headers = {"Content-Type": "application/json"}
    token = os.environ.get("REST_API_TOKEN", "").strip()
    if token:  # a deployment that protects its REST channel (bot.channels.identity)
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"{url.rstrip('/')}/webhooks/rest/webhook", data=json.dumps(body).encode("utf-8"), headers=headers
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)


COACH = {"roleplay": {"mode": "coach"}}


def render(messages: List[Dict[str, Any]], out: TextIO, annotations: bool = True) -> List[Dict[str, Any]]:
    """Prints the bot's messages (and, for trainees, why each answer was chosen); returns the
    buttons offered, numbered from 1."""
    buttons: List[Dict[str, Any]] = []
    for m in messages:
        if m.get("text"):
            out.write(f"机器人: {m['text']}\n")
        custom = m.get("custom")
        if annotations and isinstance(custom, dict) and "script_id" in custom:
            out.write(
                "   〔{principle_zh}({principle}) · {move_zh} · {stage} · 第{attempt}次 · {script_id}〕\n".format(
                    **{"move_zh": custom.get("move"), **custom}
                )
            )
            if custom.get("principle_why"):
                out.write(f"   为什么：{custom['principle_why']}\n")
            for alt in custom.get("alternatives") or []:
                out.write(f"   也可以（{alt['principle_zh']}）：{alt['text']}\n")
        for b in m.get("buttons") or []:
            buttons.append(b)
            out.write(f"   [{len(buttons)}] {b.get('title')}\n")
    return buttons


def run(
    url: str,
    sender: Optional[str] = None,
    inp: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    annotations: bool = True,
    metadata: Optional[Dict[str, Any]] = None,
    opening: Optional[str] = None,
) -> int:
    """Reads lines until EOF or /quit; a number picks one of the last buttons. ``metadata`` goes
    with every message (e.g. the practice mode); ``opening`` is sent first."""
    sender = sender or f"terminal-{uuid.uuid4().hex[:8]}"
    if annotations and metadata is None:
        metadata = COACH  # the coaching comes only to clients that ask for practice (bot.channels.audience)
    out.write("输入消息和机器人对话（输入按钮编号可点按钮，/quit 退出）\n")
    buttons: List[Dict[str, Any]] = []
    if opening:
        try:
            buttons = render(send(url, sender, opening, metadata=metadata), out, annotations)
        except (urllib.error.URLError, OSError, ValueError) as e:
            out.write(f"（连接机器人失败：{e}。服务器还在运行吗？）\n")
            return 1
    while True:
        out.write("您: ")
        out.flush()
        line = inp.readline()
        if not line or line.strip() in ("/quit", "/exit"):
            out.write("\n再见！\n")
            return 0
        text = line.strip()
        if not text:
            continue
        if text.isascii() and text.isdigit() and len(text) <= 2 and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1].get("payload") or text
        try:
            buttons = render(send(url, sender, text, metadata=metadata), out, annotations)
        except (urllib.error.URLError, OSError, ValueError) as e:
            out.write(f"（连接机器人失败：{e}。服务器还在运行吗？）\n")
