"""The benchmark (`make bench`): our bot against Rasa's starter bot, both running beside each other
in one run on this machine.

Measures, for both bots: latency p50/p95/p99 and messages/s at 1, 10 and 50 concurrent users and
throughput at 20 (closed loop, REST channel, warm-up not counted, errors counted), RSS of the Rasa
server process (peak and after the load); then the time of a fresh `rasa train --force` of our
project. Writes reports/bench/latest.json, rewrites the results section of BENCHMARKS.md and prints
a short table with the targets as PASS/FAIL.

    .venv/bin/python bench/run.py                 # full run (about 8 minutes plus training)
    .venv/bin/python bench/run.py --quick         # smoke test: tiny durations, no training
    .venv/bin/python bench/run.py --skip-train
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo root, not bench/ (see profile.py)

from bench.common import run_in, say_written  # noqa: E402
from bench.harness import (  # noqa: E402
    BASELINE_CONVERSATIONS,
    OUR_CONVERSATIONS,
    RASA,
    REPORTS,
    ROOT,
    VAR,
    RssSampler,
    Servers,
    Workdir,
    child_env,
    ensure_starter,
    fmt,
    git_revision,
    install_signal_handlers,
    latest_model,
    machine,
    peak_rss_mb,
    proc_status,
    rasa_version,
    relative,
    rss_mb,
    run_level,
    start_baseline,
    start_our_bot,
    warm_up,
    write_json,
    write_section,
)

TRAIN_TARGET_S = 300
THROUGHPUT_FACTOR = 3.0


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smoke test: 1 s warm-up, 3 s per level, no training")
    p.add_argument("--skip-train", action="store_true", help="do not measure the training time")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds per level and bot (20)")
    p.add_argument("--warmup", type=float, default=5.0, help="uncounted seconds before each level (5)")
    p.add_argument("--levels", default="1,10,50", help="concurrent users for latency (1,10,50)")
    p.add_argument("--throughput-users", type=int, default=20, help="concurrent users for throughput (20)")
    p.add_argument("--timeout", type=float, default=60.0, help="per-request timeout in seconds (60)")
    p.add_argument(
        "--baseline-tracker",
        choices=["sqlite", "memory"],
        default="sqlite",
        help="starter bot's tracker store: a temporary SQLite file like ours (default, like "
        "for like) or the starter's own in-memory default",
    )
    p.add_argument("--model", type=Path, help="our model (default: the latest in models/)")
    p.add_argument("--no-markdown", action="store_true", help="do not touch BENCHMARKS.md")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target FAILs")
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.skip_train = 3.0, 1.0, True
    return args


async def load_phase(bots: Dict[str, Dict[str, Any]], args: argparse.Namespace) -> Dict[str, Any]:
    out: Dict[str, Any] = {name: {"levels": {}} for name in bots}
    for name, bot in bots.items():
        failures = await warm_up(bot["url"], bot["conversations"], f"{name}-warm")
        out[name]["warmup_failures"] = failures
        print(f"[bench] {name}: warmed up ({failures} failures)", flush=True)
    await asyncio.sleep(2)
    for name, bot in bots.items():
        out[name]["rss_idle_mb"] = round(rss_mb(bot["pid"]), 1)

    levels = sorted({int(x) for x in args.levels.split(",") if x.strip()} | {args.throughput_users})
    stamp = time.strftime("%H%M%S")
    for users in levels:
        for name, bot in bots.items():  # the same level for both bots back to back
            with RssSampler({name: bot["pid"]}) as sampler:
                result = await run_level(
                    bot["url"],
                    users,
                    bot["conversations"],
                    args.warmup,
                    args.duration,
                    args.timeout,
                    f"{name}-{stamp}-n{users}",
                )
            result["rss_max_mb"] = round(sampler.max[name], 1)
            out[name]["levels"][str(users)] = result
            print(
                f"[bench] {name:8s} {users:3d} users: p50 {fmt(result['p50_ms'])} ms, p95 "
                f"{fmt(result['p95_ms'])} ms, {fmt(result['msgs_per_s'], 1)} msg/s, "
                f"{result['errors']} errors",
                flush=True,
            )
            await asyncio.sleep(1)
    await asyncio.sleep(5)  # let the servers settle before "after load"
    for name, bot in bots.items():
        status = proc_status(bot["pid"])
        out[name]["rss_after_mb"] = round(status.get("VmRSS", 0.0), 1)
        out[name]["rss_peak_mb"] = round(status.get("VmHWM", 0.0), 1)  # kernel's high-water mark
        for extra, pid in bot.get("extra_pids", {}).items():
            out[name][f"{extra}_rss_after_mb"] = round(rss_mb(pid), 1)
            out[name][f"{extra}_rss_peak_mb"] = round(peak_rss_mb(pid), 1)
    return out


def measure_training(logs: Path) -> Dict[str, Any]:
    """`rasa train --force` of the project as it is now, into a temporary --out folder (models/ is
    untouched) and with an empty temporary graph cache (the project's .rasa/cache is untouched and
    nothing is reused): training from scratch."""
    VAR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="train-", dir=VAR))
    log = logs / "train.log"
    print(f"[bench] rasa train --force (from scratch), log: {log}", flush=True)
    try:
        t0 = time.monotonic()
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [str(RASA), "train", "--force", "--out", str(tmp / "models")],
                cwd=ROOT,
                env=child_env(RASA_CACHE_DIRECTORY=str(tmp / "cache")),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                rc = proc.wait()
            finally:
                if proc.poll() is None:  # interrupted: stop the training we started, and its children
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        seconds = time.monotonic() - t0
        ok = rc == 0 and latest_model(tmp / "models") is not None
        return {"seconds": round(seconds, 1), "ok": ok, "returncode": rc, "log": str(log.relative_to(ROOT))}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def evaluate(res: Dict[str, Any], training: Optional[Dict[str, Any]], tput_users: int) -> List[Dict[str, Any]]:
    ours, base = res["ours"], res["baseline"]
    targets = []

    o1, b1 = ours["levels"].get("1", {}), base["levels"].get("1", {})
    op, bp = o1.get("p95_ms"), b1.get("p95_ms")
    targets.append(
        {
            "name": "p95 latency at 1 user <= baseline",
            "detail": f"{fmt(op)} ms vs {fmt(bp)} ms",
            "status": None if op is None or bp is None else ("PASS" if op <= bp else "FAIL"),
        }
    )

    ot, bt = ours["levels"].get(str(tput_users), {}), base["levels"].get(str(tput_users), {})
    om, bm, errors = ot.get("msgs_per_s"), bt.get("msgs_per_s"), ot.get("errors")
    ok = om is not None and bm is not None and om >= THROUGHPUT_FACTOR * bm and errors == 0
    targets.append(
        {
            "name": f"throughput at {tput_users} users >= {THROUGHPUT_FACTOR:g}x baseline, zero errors",
            "detail": f"{fmt(om, 1)} vs {fmt(bm, 1)} msg/s ({fmt(ratio(om, bm), 2)}x), {errors} errors",
            "status": None if om is None or bm is None else ("PASS" if ok else "FAIL"),
        }
    )

    ok = ours["rss_peak_mb"] <= base["rss_peak_mb"] and ours["rss_after_mb"] <= base["rss_after_mb"]
    targets.append(
        {
            "name": "RSS <= baseline (peak and after load)",
            "detail": f"peak {fmt(ours['rss_peak_mb'])} vs {fmt(base['rss_peak_mb'])} MB, after "
            f"{fmt(ours['rss_after_mb'])} vs {fmt(base['rss_after_mb'])} MB",
            "status": "PASS" if ok else "FAIL",
        }
    )

    if training is None:
        targets.append({"name": f"training < {TRAIN_TARGET_S} s", "detail": "not measured", "status": None})
    else:
        ok = training["ok"] and training["seconds"] < TRAIN_TARGET_S
        targets.append(
            {
                "name": f"training < {TRAIN_TARGET_S} s",
                "detail": f"{fmt(training['seconds'], 1)} s" + ("" if training["ok"] else " (failed)"),
                "status": "PASS" if ok else "FAIL",
            }
        )
    for t in targets:
        t["status"] = t["status"] or "SKIPPED"
    return targets


def markdown(report: Dict[str, Any]) -> str:
    m, o = report["meta"], report["options"]
    res, levels = report["results"], report["levels"]
    lines = [
        f"Run {m['finished_at']} at commit `{m['commit']}`, Rasa {m['rasa_version']}, {m['machine']['cpus']} CPUs "
        f"({m['machine']['cpu']}), {fmt(m['machine']['mem_total_mb'])} MB RAM, load average at start "
        f"{m['machine']['loadavg_at_start'][0]:.2f}. Our model `{m['our_model']}`; baseline: Rasa's starter bot "
        f"(`rasa init`), tracker store {'a temporary SQLite file' if o['baseline_tracker'] == 'sqlite' else 'in-memory (its default)'} (ours: the stores of our endpoints.yml, SQLite in a temporary folder). Closed loop, "
        f"{o['warmup_s']:g} s warm-up (not counted) then {o['duration_s']:g} s per level and bot, "
        f"each virtual user a distinct sender. Written by `bench/run.py`; raw numbers in "
        f"`reports/bench/latest.json`."
    ]
    if o["quick"]:
        lines += ["", "**Smoke run (`--quick`): durations too short for conclusions.**"]
    lines += ["", "| users | bot | p50 ms | p95 ms | p99 ms | msg/s | errors |", "|---:|---|---:|---:|---:|---:|---:|"]
    for users in levels:
        b, ou = res["baseline"]["levels"][users], res["ours"]["levels"][users]
        for name, r in (("baseline", b), ("ours", ou)):
            lines.append(
                f"| {users} | {name} | {fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | {fmt(r['p99_ms'])} | "
                f"{fmt(r['msgs_per_s'], 1)} | {r['errors']} |"
            )
        rt = report["ratios"]["levels"][users]
        lines.append(
            f"| {users} | *ours/baseline* | {fmt(rt['p50'], 2)} | {fmt(rt['p95'], 2)} | {fmt(rt['p99'], 2)} | "
            f"{fmt(rt['msgs_per_s'], 2)} | |"
        )
    rb, ro, rr = res["baseline"], res["ours"], report["ratios"]
    lines += [
        "",
        "RSS of the Rasa server process (`/proc/PID/status`: VmHWM for the peak, VmRSS after the load):",
        "",
        "| bot | idle MB | peak MB | after load MB |",
        "|---|---:|---:|---:|",
        f"| baseline | {fmt(rb['rss_idle_mb'])} | {fmt(rb['rss_peak_mb'])} | {fmt(rb['rss_after_mb'])} |",
        f"| ours | {fmt(ro['rss_idle_mb'])} | {fmt(ro['rss_peak_mb'])} | {fmt(ro['rss_after_mb'])} |",
        f"| *ours/baseline* | | {fmt(rr['rss_peak'], 2)} | {fmt(rr['rss_after'], 2)} |",
        "",
        f"Our action server (not in the comparison; the starter bot has none): peak "
        f"{fmt(ro.get('actions_rss_peak_mb'))} MB, after load {fmt(ro.get('actions_rss_after_mb'))} MB. "
        f"Answers from our custom actions during the measured windows: "
        f"{sum(r['custom_action_answers'] for r in ro['levels'].values())} of "
        f"{sum(r['messages'] for r in ro['levels'].values())}.",
        "",
    ]
    tr = report["training"]
    st = report["baseline_training"]
    if tr:
        lines.append(
            f"Training: `rasa train --force` of our project from scratch (empty cache): "
            f"**{fmt(tr['seconds'], 1)} s**{'' if tr['ok'] else ' (FAILED)'}. "
        )
    else:
        lines.append("Training: not measured in this run (`--skip-train`/`--quick`). ")
    if st.get("train_s") is not None:
        lines[-1] += (
            f"The starter bot's `rasa init` (training included) took {fmt(st['train_s'], 1)} s when it was "
            f"cached on {st.get('created_at', '?')}"
            + (f" (ours/baseline {fmt(rr['training'], 2)})." if rr.get("training") else ".")
        )
    lines += ["", "Targets:", ""]
    for t in report["targets"]:
        lines.append(f"- **{t['status']}** {t['name']}: {t['detail']}")
    return "\n".join(lines)


def print_table(report: Dict[str, Any]) -> None:
    res = report["results"]
    print()
    print(f"{'users':>5}  {'bot':8}  {'p50 ms':>8}  {'p95 ms':>8}  {'p99 ms':>8}  {'msg/s':>7}  {'errors':>6}")
    for users in report["levels"]:
        for name in ("baseline", "ours"):
            r = res[name]["levels"][users]
            print(
                f"{users:>5}  {name:8}  {fmt(r['p50_ms']):>8}  {fmt(r['p95_ms']):>8}  {fmt(r['p99_ms']):>8}  "
                f"{fmt(r['msgs_per_s'], 1):>7}  {r['errors']:>6}"
            )
    for name in ("baseline", "ours"):
        r = res[name]
        print(
            f"RSS {name:8}: idle {fmt(r['rss_idle_mb'])} MB, peak {fmt(r['rss_peak_mb'])} MB, "
            f"after load {fmt(r['rss_after_mb'])} MB"
        )
    tr = report["training"]
    print(f"training (ours, from scratch): {fmt(tr['seconds'], 1) + ' s' if tr else 'not measured'}")
    for t in report["targets"]:
        print(f"{t['status']:7}  {t['name']}: {t['detail']}")


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    install_signal_handlers()
    model = args.model or latest_model()
    if model is None or not model.exists():
        print("no trained model in models/: run `make train`", file=sys.stderr)
        return 2
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    info = machine()
    return run_in(
        Workdir("run"), "[bench] interrupted; servers stopped", lambda wd: _run(args, model, started, info, wd)
    )


def _run(args: argparse.Namespace, model: Path, started: str, info: Dict[str, Any], wd: Workdir) -> int:
    starter = ensure_starter(wd.logs / "starter-init.log")
    with Servers(wd.path) as servers:
        baseline = start_baseline(servers, wd.path, starter, args.baseline_tracker)
        ours = start_our_bot(servers, wd.path, model.resolve())
        print("[bench] starting the starter bot, our action server and our Rasa server", flush=True)
        for s in (ours["actions"], baseline, ours["rasa"]):
            servers.wait(s)
        bots = {
            "baseline": {"url": baseline.url, "pid": baseline.pid, "conversations": BASELINE_CONVERSATIONS},
            "ours": {
                "url": ours["rasa"].url,
                "pid": ours["rasa"].pid,
                "conversations": OUR_CONVERSATIONS,
                "extra_pids": {"actions": ours["actions"].pid},
            },
        }
        results = asyncio.run(load_phase(bots, args))
    training = None if args.skip_train else measure_training(wd.logs)

    levels = list(results["ours"]["levels"])
    ratios: Dict[str, Any] = {"levels": {}}
    for users in levels:
        o, b = results["ours"]["levels"][users], results["baseline"]["levels"][users]
        ratios["levels"][users] = {k: ratio(o[f"{k}_ms"], b[f"{k}_ms"]) for k in ("p50", "p95", "p99")}
        ratios["levels"][users]["msgs_per_s"] = ratio(o["msgs_per_s"], b["msgs_per_s"])
    ratios["rss_peak"] = ratio(results["ours"]["rss_peak_mb"], results["baseline"]["rss_peak_mb"])
    ratios["rss_after"] = ratio(results["ours"]["rss_after_mb"], results["baseline"]["rss_after_mb"])
    ratios["training"] = ratio(training["seconds"], starter.get("train_s")) if training else None
    report = {
        "meta": {
            "started_at": started,
            "finished_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "commit": git_revision(),
            "rasa_version": rasa_version(),
            "machine": info,
            "our_model": relative(model),
            "baseline_model": relative(Path(starter["model"])),
        },
        "options": {
            "quick": args.quick,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "latency_levels": args.levels,
            "throughput_users": args.throughput_users,
            "timeout_s": args.timeout,
            "baseline_tracker": args.baseline_tracker,
            "skip_train": args.skip_train,
        },
        "levels": levels,
        "results": results,
        "training": training,
        "baseline_training": {k: starter.get(k) for k in ("train_s", "created_at", "created")},
        "ratios": ratios,
        "messages": {"ours": OUR_CONVERSATIONS, "baseline": BASELINE_CONVERSATIONS},
    }
    for bot in results.values():
        for level in bot["levels"].values():
            level.pop("window_monotonic", None)
    report["targets"] = evaluate(results, training, args.throughput_users)
    write_json(REPORTS / "latest.json", report)
    if not args.no_markdown:
        write_section("<!-- results:start -->", "<!-- results:end -->", markdown(report), "Results")
    print_table(report)
    say_written("latest.json", not args.no_markdown, wd)
    return 1 if args.strict and any(t["status"] == "FAIL" for t in report["targets"]) else 0


if __name__ == "__main__":
    sys.exit(main())
