"""Soak run: our bot under steady, moderate load for a long time, to see memory growth and errors.

5 virtual users (distinct senders, new sender per conversation), each sending about one message per
second (the next one a second after the previous was sent, or as soon as its answer arrives if that
took longer), for 10 minutes after a warm-up. RSS (VmRSS) of the Rasa server and of the action server is
sampled every 15 s; growth = last sample vs the first after the warm-up. Writes
reports/bench/soak.json and the soak section of BENCHMARKS.md.

    .venv/bin/python bench/soak.py [--minutes 10] [--users 5] [--interval 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo root, not bench/ (see profile.py)

from bench.common import run_in, say_written  # noqa: E402
from bench.harness import (  # noqa: E402
    OUR_CONVERSATIONS,
    REPORTS,
    Servers,
    Workdir,
    fmt,
    git_revision,
    install_signal_handlers,
    latest_model,
    machine,
    rasa_version,
    relative,
    rss_mb,
    run_level,
    start_our_bot,
    warm_up,
    write_json,
    write_section,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10.0, help="measured minutes after the warm-up (10)")
    p.add_argument("--users", type=int, default=5, help="concurrent users (5)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between one user's messages (1.0)")
    p.add_argument("--sample-every", type=float, default=15.0, help="RSS sampling period in seconds (15)")
    p.add_argument(
        "--warmup", type=float, help="warm-up seconds, not counted (default: a quarter of the " "run, at most 60)"
    )
    p.add_argument("--timeout", type=float, default=60.0, help="per-request timeout in seconds (60)")
    p.add_argument("--model", type=Path, help="default: the latest in models/")
    p.add_argument("--no-markdown", action="store_true", help="do not touch BENCHMARKS.md")
    args = p.parse_args(argv)
    if args.warmup is None:
        args.warmup = min(60.0, args.minutes * 60 / 4)
    return args


async def soak(url: str, pids: Dict[str, int], args: argparse.Namespace) -> Dict[str, Any]:
    await warm_up(url, OUR_CONVERSATIONS, "soak-warm")
    t0 = time.monotonic()
    samples: List[Dict[str, Any]] = []

    def sample() -> None:
        samples.append({"t": time.monotonic(), **{name: round(rss_mb(pid), 1) for name, pid in pids.items()}})

    async def sampler() -> None:
        while True:
            sample()
            await asyncio.sleep(args.sample_every)

    task = asyncio.get_running_loop().create_task(sampler())
    try:
        result = await run_level(
            url,
            args.users,
            OUR_CONVERSATIONS,
            args.warmup,
            args.minutes * 60,
            args.timeout,
            f"soak-{time.strftime('%H%M%S')}",
            think_s=args.interval,
        )
    finally:
        task.cancel()
    sample()  # right after the load: the last sample
    start, stop = result.pop("window_monotonic")
    for s in samples:
        s["t_s"] = round(s.pop("t") - t0, 1)
        s["phase"] = "warm-up" if s["t_s"] < start - t0 else "load"
    return {"load": result, "samples": samples, "window_s": [round(start - t0, 1), round(stop - t0, 1)]}


def growth(samples: List[Dict[str, Any]], name: str) -> Dict[str, Any]:
    measured = [s for s in samples if s["phase"] == "load"]
    if len(measured) < 2:
        return {"first_mb": None, "last_mb": None, "growth_mb": None, "growth_pct": None, "max_mb": None}
    first, last = measured[0][name], measured[-1][name]
    return {
        "first_mb": first,
        "last_mb": last,
        "growth_mb": round(last - first, 1),
        "growth_pct": round(100 * (last - first) / first, 1) if first else None,
        "max_mb": max(s[name] for s in measured),
    }


def markdown(report: Dict[str, Any]) -> str:
    o, load, g = report["options"], report["load"], report["growth"]
    lines = [
        f"Run {report['finished_at']} at commit `{report['commit']}`, Rasa {report['rasa_version']}, "
        f"{report['machine']['cpus']} CPUs. {o['users']} users, one message every {o['interval_s']:g} s each "
        f"(closed loop), {o['minutes']:g} min after a {load['warmup_s']:g} s warm-up; RSS sampled every "
        f"{o['sample_every_s']:g} s. Written by `bench/soak.py`; all samples in `reports/bench/soak.json`.",
        "",
        f"- messages: {load['messages']} ({fmt(load['msgs_per_s'], 2)} msg/s), errors: **{load['errors']}**"
        f"{' ' + str(load['error_kinds']) if load['errors'] else ''} (during warm-up: {load['warmup_errors']})",
        f"- latency: p50 {fmt(load['p50_ms'])} ms, p95 {fmt(load['p95_ms'])} ms, p99 {fmt(load['p99_ms'])} ms, "
        f"max {fmt(load['max_ms'])} ms",
    ]
    for name, label in (("rasa", "Rasa server"), ("actions", "action server")):
        x = g[name]
        lines.append(
            f"- {label} RSS: {fmt(x['first_mb'])} MB after the warm-up → {fmt(x['last_mb'])} MB at the end: "
            f"**{'+' if (x['growth_mb'] or 0) >= 0 else ''}{fmt(x['growth_mb'], 1)} MB "
            f"({'+' if (x['growth_pct'] or 0) >= 0 else ''}{fmt(x['growth_pct'], 1)} %)**, max "
            f"{fmt(x['max_mb'])} MB"
        )
    samples = report["samples"]
    step = max(1, len(samples) // 12)
    shown = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
    lines += ["", "| t (s) | phase | Rasa RSS MB | action server RSS MB |", "|---:|---|---:|---:|"]
    lines += [f"| {s['t_s']:g} | {s['phase']} | {fmt(s['rasa'])} | {fmt(s['actions'])} |" for s in shown]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    model = args.model or latest_model()
    if model is None:
        print("no trained model in models/: run `make train`", file=sys.stderr)
        return 2
    info = machine()
    return run_in(Workdir("soak"), "[soak] interrupted; servers stopped", lambda wd: _soak(args, model, info, wd))


def _soak(args: argparse.Namespace, model: Path, info: Dict[str, Any], wd: Workdir) -> int:
    with Servers(wd.path) as servers:
        ours = start_our_bot(servers, wd.path, model.resolve())
        for s in ours.values():
            servers.wait(s)
        print(f"[soak] {args.users} users for {args.minutes:g} min after a {args.warmup:g} s warm-up", flush=True)
        result = asyncio.run(soak(ours["rasa"].url, {"rasa": ours["rasa"].pid, "actions": ours["actions"].pid}, args))
    report = {
        "finished_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": git_revision(),
        "rasa_version": rasa_version(),
        "machine": info,
        "model": relative(model),
        "options": {
            "minutes": args.minutes,
            "users": args.users,
            "interval_s": args.interval,
            "sample_every_s": args.sample_every,
            "warmup_s": args.warmup,
            "timeout_s": args.timeout,
        },
        **result,
        "growth": {name: growth(result["samples"], name) for name in ("rasa", "actions")},
    }
    write_json(REPORTS / "soak.json", report)
    md = markdown(report)
    if not args.no_markdown:
        write_section("<!-- soak:start -->", "<!-- soak:end -->", md, "Soak")
    print("\n" + md)
    say_written("soak.json", not args.no_markdown, wd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
