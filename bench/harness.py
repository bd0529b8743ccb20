"""Shared pieces of the benchmarks: servers on free loopback ports (started with tests/support/servers.py
like in the server tests, each with its own temporary SQLite tracker store), Rasa's starter bot as the
baseline, a closed-loop asyncio/aiohttp load generator, RSS from /proc, and the BENCHMARKS.md sections.

Nothing here downloads anything; telemetry is off in every process we start."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

# run.py, soak.py and profile.py import some of these from here
from tests.support.servers import (
    RASA,
    ROOT,
    Server,
    action_server_argv,
    free_port,
    latest_model,
    local_url,
    rasa_run_argv,
    start,
    stop,
)
from tests.support.servers import child_env as server_env

VAR = ROOT / "var" / "bench"  # ignored by git: the cached starter bot, temporary files, logs
REPORTS = ROOT / "reports" / "bench"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
STARTUP_TIMEOUT_S = 300

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

# ---------------------------------------------------------------------------------------------
# Messages. Each inner list is one conversation; every virtual user plays conversations one after
# another, each under a new sender id, and sends the next message only after the previous answer.

# Real objections, worded differently from the training data; most run action_answer_objection
# (rules engine + catalog) on the action server, one walks through the model-choice form.
OUR_CONVERSATIONS: List[List[str]] = [
    ["你好", "这车太贵了，能便宜点吗", "隔壁店同款便宜两万呢", "那能分期吗，首付多少", "我得回家问问老婆", "好的谢谢"],
    ["远山Pro落地要多少钱？超预算了", "再优惠点我今天就定", "我再考虑考虑", "不急，过段时间再说", "一个月内吧"],
    ["哪款车适合我", "主要是上下班通勤", "平时就两三个人", "15万左右", "最看重省油和性价比"],
    ["星河EV的电池质量靠谱吗", "保养贵不贵啊", "比亚迪同价位配置更高", "能试驾一下吗"],
    ["晨风顶配卖十四万，有点狠", "旧车能置换吗", "提车要等多久", "我跟我爸商量一下再说", "拜拜"],
    ["你们这车开两年会不会毛病很多", "售后网点多不多", "月供要四千多我扛不住", "能不能再送点东西", "我再看看别家"],
    ["远山和晨风选哪个好", "家用带娃", "首付要多少", "一家四口", "20万左右", "安全性"],
    ["预算就十二万，这车够不着", "大众的车比你们便宜还保值", "我老婆觉得颜色不好看，回去商量下", "先这样吧"],
]

# Rasa's starter bot (moodbot) only knows English small talk.
BASELINE_CONVERSATIONS: List[List[str]] = [
    ["hello", "I am sad", "yes", "bye"],
    ["hi there", "I feel very unhappy", "no", "goodbye"],
    ["good morning", "great", "are you a bot?", "see you later"],
    ["hey", "I am feeling down", "of course", "thanks, bye"],
    ["hello", "super stoked", "am I talking to a human?", "bye bye"],
]

# ---------------------------------------------------------------------------------------------
# Processes


def child_env(**extra: str) -> Dict[str, str]:
    return server_env(
        {
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"),
            **extra,
        }
    )


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP behave like Ctrl-C, so every `finally` that stops our servers runs."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


class Servers:
    """The processes one benchmark started. Each runs in its own session so that it (and anything it
    spawned) is stopped by its own process-group id at the end, on Ctrl-C and on errors."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: List[Server] = []

    def __enter__(self) -> "Servers":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(
        self, name: str, argv: Sequence[str], cwd: Path, url: str, health: str, env: Optional[Dict[str, str]] = None
    ) -> Server:
        log = self.workdir / f"{name}.log"
        server = Server(name, start(argv, log, env or child_env(), cwd=cwd, new_session=True), url, log, health)
        self.servers.append(server)
        return server

    def wait(self, server: Server, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        server.wait(timeout_s)  # ServerError (a RuntimeError) if it exits or is not up in time

    def stop(self) -> None:
        stop(*self.servers, group=True)
        self.servers.clear()


# The project's stores read these (bot/database.py); a benchmark must never write into the demo's
# var/rasa.db or a database named in the developer's shell.
ISOLATE_ENV_UNSET = (
    "DB_HOST",
    "DB_PORT",
    "DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "REDIS_DB",
    "REDIS_KEY_PREFIX",
)


def our_env(tmp: Path, **extra: str) -> Dict[str, str]:
    """Environment for our servers: everything they store goes to SQLite in the run's temp folder."""
    # every simulated user comes from one loopback address: the per-address cap would refuse them
    env = child_env(BOT_DATA_DIR=str(tmp), **{"BOT_MAX_PENDING_PER_ADDRESS": "1000", **extra})
    for name in ISOLATE_ENV_UNSET:
        env.pop(name, None)
    return env


def isolate_this_process(tmp: Path) -> None:
    """The same as our_env() for an agent loaded in this process (bench/profile.py)."""
    os.environ["BOT_DATA_DIR"] = str(tmp)
    for name in ISOLATE_ENV_UNSET:
        os.environ.pop(name, None)


def our_endpoints(tmp: Path, action_port: int) -> Path:
    """The project's endpoints.yml (whatever it configures now) with the action server moved to our
    port and Rasa's plain SQLite tracker store, if that is what it names, moved to a temporary file
    (the project's own stores follow BOT_DATA_DIR, see our_env)."""
    import yaml

    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
    config["action_endpoint"] = {
        **(config.get("action_endpoint") or {}),
        "url": f"http://127.0.0.1:{action_port}/webhook",
    }
    store = config.get("tracker_store")
    if not store or (str(store.get("type")).lower() == "sql" and store.get("dialect", "sqlite") == "sqlite"):
        config["tracker_store"] = {**(store or {}), "type": "SQL", "dialect": "sqlite", "db": str(tmp / "ours.db")}
    path = tmp / "endpoints-ours.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def start_our_bot(servers: Servers, tmp: Path, model: Path) -> Dict[str, Server]:
    action_port, rasa_port = free_port(), free_port()
    actions = servers.start(
        "ours-actions",
        action_server_argv(action_port),
        ROOT,
        local_url(action_port),
        "/health",
        env=our_env(tmp, SANIC_HOST="127.0.0.1"),
    )  # rasa_sdk's only way to bind loopback
    rasa = servers.start(
        "ours-rasa",
        rasa_run_argv(model, our_endpoints(tmp, action_port), ROOT / "credentials.yml", rasa_port),
        ROOT,
        local_url(rasa_port),
        "/",
        env=our_env(tmp),
    )
    return {"actions": actions, "rasa": rasa}


# ---------------------------------------------------------------------------------------------
# The baseline: Rasa's starter bot, trained once and cached under var/bench/starter/

STARTER = VAR / "starter"


def rasa_version() -> str:
    import rasa

    return rasa.__version__


def ensure_starter(log: Path) -> Dict[str, Any]:
    """`rasa init --no-prompt` in a temporary folder (which also trains it), then kept in
    var/bench/starter/ for the next runs. Returns {"model", "dir", "train_s", "created"}."""
    marker = STARTER / "bench-starter.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        model = latest_model(STARTER / "models")
        if info.get("rasa_version") == rasa_version() and model is not None:
            return {**info, "model": str(model), "dir": str(STARTER), "created": False}
    VAR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="starter-", dir=VAR))
    print(f"[bench] training Rasa's starter bot once (rasa init --no-prompt), log: {log}", flush=True)
    t0 = time.monotonic()
    with open(log, "wb") as out:
        rc = subprocess.run(
            [str(RASA), "init", "--no-prompt", "--init-dir", str(tmp)],
            cwd=tmp,
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ).returncode
    train_s = time.monotonic() - t0
    if rc != 0 or latest_model(tmp / "models") is None:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RuntimeError(f"rasa init failed ({rc}), see {log}")
    info = {
        "rasa_version": rasa_version(),
        "train_s": round(train_s, 1),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (tmp / "bench-starter.json").write_text(json.dumps(info, indent=2))
    shutil.rmtree(STARTER, ignore_errors=True)
    tmp.rename(STARTER)
    return {**info, "model": str(latest_model(STARTER / "models")), "dir": str(STARTER), "created": True}


def start_baseline(servers: Servers, tmp: Path, starter: Dict[str, Any], tracker: str) -> Server:
    """The starter bot as `rasa init` made it (no action server, REST channel). tracker="sqlite"
    gives it a temporary SQLite tracker store like ours (like for like); "memory" keeps the
    starter's own default (in-memory)."""
    import yaml

    project = Path(starter["dir"])
    config = yaml.safe_load((project / "endpoints.yml").read_text(encoding="utf-8")) or {}
    if tracker == "sqlite":
        config["tracker_store"] = {"type": "SQL", "dialect": "sqlite", "db": str(tmp / "baseline.db")}
    endpoints = tmp / "endpoints-baseline.yml"
    endpoints.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    return servers.start(
        "baseline-rasa",
        rasa_run_argv(Path(starter["model"]), endpoints, project / "credentials.yml", port),
        project,
        local_url(port),
        "/",
    )


# ---------------------------------------------------------------------------------------------
# Memory


def proc_status(pid: int) -> Dict[str, float]:
    """VmRSS and VmHWM (peak RSS) of one process in MB, from /proc/PID/status."""
    out: Dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024.0
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def children(pid: int) -> List[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def rss_mb(pid: int) -> float:
    return proc_status(pid).get("VmRSS", 0.0)


def peak_rss_mb(pid: int) -> float:
    return proc_status(pid).get("VmHWM", 0.0)


class RssSampler:
    """Samples VmRSS of some processes every `interval` seconds while running (async task)."""

    def __init__(self, pids: Dict[str, int], interval: float = 0.5) -> None:
        self.pids, self.interval = pids, interval
        self.max: Dict[str, float] = {k: 0.0 for k in pids}
        self._task: Optional[asyncio.Task] = None

    async def _run(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self.max[name] = max(self.max[name], rss_mb(pid))
            await asyncio.sleep(self.interval)

    def __enter__(self) -> "RssSampler":
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._task:
            self._task.cancel()


# ---------------------------------------------------------------------------------------------
# Load


@dataclass
class Sample:
    start: float
    end: float
    ok: bool
    error: Optional[str] = None
    empty: bool = False
    custom: bool = False

    @property
    def latency(self) -> float:
        return self.end - self.start


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = int(pos), min(int(pos) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


async def send(session: Any, url: str, sender: str, text: str, timeout_s: float) -> Sample:
    import aiohttp

    t0 = time.monotonic()
    try:
        async with session.post(
            url, json={"sender": sender, "message": text}, timeout=aiohttp.ClientTimeout(total=timeout_s)
        ) as resp:
            raw = await resp.read()
            t1 = time.monotonic()
            if resp.status != 200:
                return Sample(t0, t1, False, f"HTTP {resp.status}")
            try:
                body = json.loads(raw)
            except ValueError:
                return Sample(t0, t1, False, "invalid JSON")
            if not isinstance(body, list):
                return Sample(t0, t1, False, "not a list")
            # Every message of both bots has an answer; an empty one means a failed turn (e.g. the
            # action server did not answer), so it counts as an error.
            custom = any(isinstance(m, dict) and "custom" in m for m in body)
            return Sample(t0, t1, bool(body), None if body else "empty answer", not body, custom)
    except asyncio.TimeoutError:
        return Sample(t0, time.monotonic(), False, "timeout")
    except Exception as e:  # noqa: BLE001 - connection errors of any kind are counted, not raised
        return Sample(t0, time.monotonic(), False, type(e).__name__)


async def run_level(
    base_url: str,
    users: int,
    conversations: List[List[str]],
    warmup_s: float,
    duration_s: float,
    timeout_s: float,
    tag: str,
    think_s: float = 0.0,
) -> Dict[str, Any]:
    """Closed-loop load: `users` virtual users, each a distinct sender, each sending its next message
    when the previous answer arrived (plus `think_s`, for the soak). The warm-up lasts `warmup_s` and
    at least until every user has had its first answer (the initial burst of a closed loop is not a
    steady state); then `duration_s` are measured and no new message is sent after that."""
    import aiohttp

    url = base_url + "/webhooks/rest/webhook"
    samples: List[Sample] = []
    t_start = time.monotonic()
    window = {"from": float("inf"), "stop": float("inf")}
    first_answers = {"n": 0}
    all_answered = asyncio.Event()

    async def user(i: int, session: aiohttp.ClientSession) -> None:
        n, answered = 0, False
        while time.monotonic() < window["stop"]:
            conversation = conversations[(i + n * users) % len(conversations)]
            sender = f"{tag}-u{i}-c{n}"
            for text in conversation:
                if time.monotonic() >= window["stop"]:
                    return
                s = await send(session, url, sender, text, timeout_s)
                samples.append(s)
                if not answered:  # an error counts as an answer here: it is counted, not waited for
                    answered = True
                    first_answers["n"] += 1
                    if first_answers["n"] == users:
                        all_answered.set()
                if think_s:
                    await asyncio.sleep(max(0.0, think_s - s.latency))
            n += 1

    async def clock() -> None:
        await asyncio.sleep(warmup_s)
        try:
            await asyncio.wait_for(all_answered.wait(), timeout_s + 5)
        except asyncio.TimeoutError:
            pass
        window["from"] = time.monotonic()
        window["stop"] = window["from"] + duration_s

    connector = aiohttp.TCPConnector(limit=users + 4)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(clock(), *(user(i, session) for i in range(users)))
    result = summarise(samples, window["from"], window["stop"], users)
    result["warmup_s"] = round(window["from"] - t_start, 2)
    result["window_monotonic"] = [window["from"], window["stop"]]
    result["in_flight_at_end"] = sum(1 for s in samples if s.start < window["stop"] < s.end)
    return result


def summarise(samples: List[Sample], measure_from: float, stop_at: float, users: int) -> Dict[str, Any]:
    window = [s for s in samples if measure_from <= s.end <= stop_at]
    # failures are never hidden: one that ended after the window (a timeout) still counts
    failed = [s for s in samples if not s.ok and s.end >= measure_from]
    lat = [s.latency * 1000 for s in window if s.ok]
    errors: Dict[str, int] = {}
    for s in failed:
        errors[s.error or "?"] = errors.get(s.error or "?", 0) + 1
    duration = stop_at - measure_from
    return {
        "users": users,
        "duration_s": round(duration, 2),
        "messages": len(window),
        "ok": len(lat),
        "errors": len(failed),
        "warmup_errors": sum(1 for s in samples if not s.ok and s.end < measure_from),
        "error_kinds": errors,
        "custom_action_answers": sum(1 for s in window if s.custom),
        "msgs_per_s": round(len(lat) / duration, 2) if duration > 0 else None,
        "p50_ms": _r(percentile(lat, 50)),
        "p95_ms": _r(percentile(lat, 95)),
        "p99_ms": _r(percentile(lat, 99)),
        "mean_ms": _r(sum(lat) / len(lat)) if lat else None,
        "max_ms": _r(max(lat)) if lat else None,
    }


def _r(x: Optional[float]) -> Optional[float]:
    return None if x is None else round(x, 1)


async def warm_up(base_url: str, conversations: List[List[str]], tag: str, messages: int = 12) -> int:
    """A few sequential messages so that first-call costs (TensorFlow graph tracing, imports,
    SQLite schema) are paid before anything is measured. Returns the number of failures."""
    import aiohttp

    failures = 0
    flat = [(i, t) for i, c in enumerate(conversations) for t in c][:messages]
    async with aiohttp.ClientSession() as session:
        for i, text in flat:
            s = await send(session, base_url + "/webhooks/rest/webhook", f"{tag}-warm-{i}", text, 120)
            failures += not s.ok
    return failures


# ---------------------------------------------------------------------------------------------
# Reports


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        return rev + ("+uncommitted" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> Dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = proc_meminfo_total_mb()
    return {"cpus": os.cpu_count(), "cpu": cpu, "mem_total_mb": mem, "loadavg_at_start": os.getloadavg()}


def proc_meminfo_total_mb() -> Optional[float]:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024.0)
    except OSError:
        pass
    return None


BENCHMARKS_TEMPLATE = """# Benchmarks

How fast and how heavy the showroom bot is, measured on one machine in one run against a baseline
running beside it: Rasa's own starter bot (`rasa init --no-prompt`, same Rasa version, same machine,
same load generator). Our bot is driven through the REST channel with real objections that run the
custom actions; the starter bot gets its English small talk.

How to run: `make bench` (trains if needed, then `bench/run.py`: latency at 1/10/50 users, throughput
at 20 users, memory, a fresh `rasa train --force`; writes `reports/bench/latest.json` and the results
below). `.venv/bin/python bench/run.py --quick` is a smoke test; `bench/profile.py` shows where a turn's
time goes (`reports/bench/profile.json`); `bench/soak.py --minutes 10` is the soak run.

## Results

<!-- results:start -->
Not run yet.
<!-- results:end -->

## Soak

<!-- soak:start -->
Not run yet.
<!-- soak:end -->

## What we changed and why

See below.
"""


def write_section(start: str, end: str, body: str, title: str) -> None:
    """Replaces the text between two markers of BENCHMARKS.md (created from the template if missing;
    a missing marker pair is appended under `title`)."""
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else BENCHMARKS_TEMPLATE
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text and text.index(start) < text.index(end):
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n{block}\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def fmt(x: Optional[float], digits: int = 0) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def relative(path: Path) -> str:
    """A path inside the project as written from its root (reports never name this machine's paths)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass
class Workdir:
    """A temporary folder under var/bench/ for one run (endpoints, tracker DBs, logs). The servers'
    logs are kept after the run outside the project, in <temp dir>/showroom-bench-logs/<name>/:
    Rasa's and TensorFlow's warnings name paths of this machine, and nothing in the project may."""

    name: str
    path: Path = field(init=False)
    logs: Path = field(init=False)

    def __post_init__(self) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=VAR))
        self.logs = Path(tempfile.gettempdir()) / "showroom-bench-logs" / self.name
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True, exist_ok=True)

    def cleanup(self) -> None:
        for log in self.path.glob("*.log"):
            shutil.copy2(log, self.logs / log.name)
        shutil.rmtree(self.path, ignore_errors=True)
