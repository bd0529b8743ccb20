"""What reading a test-drive request costs per customer message (``bot.booking.parse_booking``:
the entity finder for the model, bot.privacy.phone for the phone, jionlp for the day and time).

Prints, in milliseconds: building the entity finder and the first call (jionlp and cn2an are
imported and load their tables on first use: once per process), then each utterance (the best of
``--repeat`` runs, and split into the entity finder's share and the rest), then the spread over
all of them. No timing is asserted anywhere; compare runs on the same machine.

    .venv/bin/python bench/booking_parse.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, List

# The project root instead of bench/, whose profile.py would hide the standard library's (spaCy imports it).
sys.path[0] = str(Path(__file__).resolve().parents[1])

NOW = datetime(2026, 11, 29, 10, 0)  # a Sunday morning
UTTERANCES = [
    "我手机号13800138000，周六上午来试驾远山",
    "明天下午三点能试驾晨风吗",
    "下周三",
    "12月5号",
    "2月30号",
    "凌晨三点",
    "周6",
    "礼拜六上午",
    "下礼拜三下午",
    "明儿",
    "后天下午两点半",
    "12.5",
    "十二月五号",
    "周末来看看",
    "三点半",
    "陈风 礼拜6下五两点",
    "圆山pro明天下午3点👌",
    "明天,下午3点",
    "周六不行，周日下午可以",
    "预算20万周六来",
    "+86 138 0013 8000 明天下午3点",
    "你好，想了解一下星河EV的续航，顺便问下周末能不能试驾，我老婆也想一起来看看",
    "你好",
]


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per utterance (the best one counts)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    from bot.booking import parse_booking
    from bot.catalog import load_catalog
    from bot.nlu.entities import EntityFinder
    from bot.nlu.lexicon import load_lexicon

    root = Path(sys.path[0])
    finder = EntityFinder(load_lexicon(root / "data/catalog.yml", root / "data/lexicon"))
    hours = load_catalog(root / "data/catalog.yml").dealer.opening_hours
    print(f"imports and entity finder       {(time.perf_counter() - start) * 1000:8.1f} ms (once per process)")
    start = time.perf_counter()
    parse_booking(UTTERANCES[0], NOW, finder, hours)
    print(f"first parse (jionlp loads)      {(time.perf_counter() - start) * 1000:8.1f} ms (once per process)")
    parse_booking("十二月五号", NOW, finder, hours)  # cn2an's first use
    for text in UTTERANCES:
        parse_booking(text, NOW, finder, hours)

    print(f"\nper utterance, best of {args.repeat} runs:   total   finder    rest")
    totals = []
    for text in UTTERANCES:
        total = best_ms(lambda: parse_booking(text, NOW, finder, hours), args.repeat)
        entities = best_ms(lambda: finder.find(text), args.repeat)
        totals.append(total)
        shown = text if len(text) <= 24 else text[:23] + "…"
        print(
            f"  {shown:<{30 - sum(ord(c) > 0x2E80 for c in shown)}} {total:7.2f} {entities:8.2f} {total - entities:7.2f}"
        )
    quantiles = statistics.quantiles(totals, n=20)
    print(
        f"\n{len(totals)} utterances: mean {statistics.mean(totals):.2f} ms, median {statistics.median(totals):.2f} ms, "
        f"p95 {quantiles[-1]:.2f} ms, max {max(totals):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
