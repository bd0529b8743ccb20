"""What masking phone numbers costs per log line (``bot.privacy.phone.mask_phones``, which the logging
filter of ``bot.privacy.logs`` runs on every record our processes write).

Builds a few thousand log lines shaped like the real ones (Rasa's debug output of a turn, Sanic's
access lines, our lead and SQL lines, customer messages with and without a phone number, prices,
dates, order numbers), masks each one several times and prints µs per line: for all lines, per kind
of line, and through the logging filter (``PhoneMaskingFilter.filter`` on a LogRecord).

    .venv/bin/python bench/phone_masking.py [--lines 4000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.privacy.logs import PhoneMaskingFilter  # noqa: E402
from bot.privacy.phone import mask_phones  # noqa: E402

MESSAGES = [
    "太贵了",
    "你们能便宜点吗",
    "我再考虑考虑",
    "远山的续航是多少",
    "周六上午能试驾吗",
    "老婆说要商量一下",
    "落地价158000元能不能再少",
    "订单号 2026112712345678 什么时候交车",
    "你好",
]
PHONES = ["13800138000", "+86 138 0013 8000", "１３８００１３８０００", "010-62345678", "0755 1234567", "138-0013-8000"]

KINDS: Dict[str, Callable[[random.Random], str]] = {
    "no digits": lambda r: f"Received user message '{r.choice(MESSAGES[:6])}' with intent 'objection_price'",
    "rasa debug": lambda r: (
        f"Received user message '{r.choice(MESSAGES)}' with intent '{{'name': 'objection_price', 'confidence': "
        f"{r.random():.16f}}}' and entities '[]'"
    ),
    "sanic access": lambda r: (
        f"POST http://localhost:5005/webhooks/rest/webhook 200 {r.randint(40, 900)} "
        f"sender {'%032x' % r.getrandbits(128)}"
    ),
    "timestamps": lambda r: (
        f"2026-11-{r.randint(10, 30)} {r.randint(10, 23)}:{r.randint(10, 59)}:{r.randint(10, 59)},"
        f"{r.randint(100, 999)} tracker saved in {r.random() * 50:.3f} ms, {r.randint(1, 400)} events"
    ),
    "sql": lambda r: (
        "INSERT INTO leads (sender_id, channel, name, phone) VALUES (?, ?, ?, ?) "
        f"[parameters: ('{'%032x' % r.getrandbits(128)}', 'widget', '李先生', '{r.choice(PHONES)}')]"
    ),
    "chat with phone": lambda r: f"Received user message '我手机号{r.choice(PHONES)}，周六上午来' with intent 'leave_contact'",
}


def build_lines(n: int, seed: int = 7) -> List[Tuple[str, str]]:
    r = random.Random(seed)
    kinds = list(KINDS)
    weights = [3, 4, 3, 3, 1, 1]  # most lines carry no phone number
    return [(kind, KINDS[kind](r)) for kind in r.choices(kinds, weights, k=n)]


def time_per_line(fn: Callable[[str], object], lines: List[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for line in lines:
            fn(line)
        best = min(best, time.perf_counter() - start)
    return best / max(len(lines), 1) * 1e6


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the best one counts)")
    args = parser.parse_args(argv)

    lines = build_lines(args.lines)
    texts = [text for _, text in lines]
    for text in texts[:2000]:  # warm-up: imports, regex compilation, libphonenumber's metadata
        mask_phones(text)
    masked = sum(mask_phones(text) != text for text in texts)
    print(f"{len(texts)} log lines, {masked} with a phone number; best of {args.repeat} runs")
    print(f"  mask_phones, all lines      {time_per_line(mask_phones, texts, args.repeat):8.1f} µs/line")
    for kind in KINDS:
        subset = [text for k, text in lines if k == kind]
        print(f"    {kind:<25} {time_per_line(mask_phones, subset, args.repeat):8.1f} µs/line ({len(subset)})")

    log_filter = PhoneMaskingFilter()

    def through_filter(text: str) -> None:
        log_filter.filter(logging.LogRecord("bench", logging.INFO, __file__, 1, "%s", (text,), None))

    print(
        f"  logging filter, all lines   {time_per_line(through_filter, texts, args.repeat):8.1f} µs/line "
        "(LogRecord creation included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
