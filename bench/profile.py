"""Where a turn's time goes, before any tuning: our trained agent loaded in-process
(rasa.core.agent.load_agent, the project's endpoints with a temporary SQLite tracker store), the real
action server as a subprocess, ~100 real objection messages through Agent.handle_message, one at a
time.

Timed (wall clock, nested, each part's own time = its time minus the timed parts inside it):
- every graph node: rasa.engine.graph.GraphNode.__call__, keyed by the graph (NLU = parse_message,
  core = next-action prediction, run once per predicted action) and the node name;
- the two graph runs themselves (their own time is the graph runner's overhead: dask, schema pruning);
- the tracker store calls (retrieve / save ...), the action server's HTTP round trip
  (EndpointConfig.request: includes the action code in the action server), building a custom
  action's request body, tracker copies and serialisation, slot extraction, responses, running
  actions in Rasa, and everything else in Agent.handle_message (lock store, events, channel).

Prints a table sorted by own time and writes reports/bench/profile.json.

    .venv/bin/python bench/profile.py [--messages 100] [--model models/x.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import functools
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

# Run as `python bench/profile.py`, this file's folder would come first on sys.path and this module
# would shadow the standard library's `profile` (which cProfile imports): put the repo root there.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import run_in  # noqa: E402
from bench.harness import (  # noqa: E402
    OUR_CONVERSATIONS,
    REPORTS,
    ROOT,
    Servers,
    Workdir,
    action_server_argv,
    fmt,
    free_port,
    git_revision,
    install_signal_handlers,
    isolate_this_process,
    latest_model,
    our_endpoints,
    our_env,
    rasa_version,
    relative,
    write_json,
)


class Frame:
    __slots__ = ("name", "children_s")

    def __init__(self, name: str) -> None:
        self.name, self.children_s = name, 0.0


class Profiler:
    """Nested wall-clock timers; the stack lives in a context variable so that it follows awaits."""

    def __init__(self) -> None:
        self.stack: contextvars.ContextVar[Tuple[Frame, ...]] = contextvars.ContextVar("stack", default=())
        self.reset()

    def reset(self) -> None:
        self.stats: Dict[str, Dict[str, float]] = {}

    def scope(self) -> Optional[str]:
        """The innermost enclosing graph ("NLU" or "core"), for node names."""
        for frame in reversed(self.stack.get()):
            if frame.name.startswith(("NLU graph", "core graph")):
                return frame.name.split()[0]
        return None

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        parents = self.stack.get()
        frame = Frame(name)
        token = self.stack.set(parents + (frame,))
        t0 = time.perf_counter()
        try:
            yield
        finally:
            dt = time.perf_counter() - t0
            self.stack.reset(token)
            if parents:
                parents[-1].children_s += dt
            s = self.stats.setdefault(name, {"calls": 0, "total_s": 0.0, "self_s": 0.0, "max_s": 0.0})
            s["calls"] += 1
            s["total_s"] += dt
            s["self_s"] += dt - frame.children_s
            s["max_s"] = max(s["max_s"], dt)

    def wrap_async(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        @functools.wraps(original)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.timed(name):
                return await original(*args, **kwargs)

        setattr(owner, attr, wrapper)

    def wrap_sync(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.timed(name):
                return original(*args, **kwargs)

        setattr(owner, attr, wrapper)


def instrument(prof: Profiler, agent: Any) -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode
    from rasa.shared.core import events as rasa_events
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    original_call: Callable = GraphNode.__call__

    def node_call(self: GraphNode, *inputs: Any) -> Any:
        scope = prof.scope() or "other"
        with prof.timed(f"{scope} node {self._node_name} ({self._component_class.__name__}.{self._fn_name})"):
            return original_call(self, *inputs)

    GraphNode.__call__ = node_call  # dask calls the node objects: the class attribute is what runs
    prof.wrap_async(Agent, "handle_message", "Agent.handle_message (own time: lock store, session, events, channel)")
    prof.wrap_sync(MessageProcessor, "_parse_message_with_graph", "NLU graph run (own time: graph runner overhead)")
    prof.wrap_sync(MessageProcessor, "_predict_next_with_tracker", "core graph run (own time: graph runner overhead)")
    prof.wrap_async(MessageProcessor, "_run_action", "running actions in Rasa (own time, excl. action server)")
    prof.wrap_async(EndpointConfig, "request", "action server HTTP round trip (incl. the action code)")
    # finer parts of the Rasa-side work, each with its own time
    prof.wrap_sync(RemoteAction, "_action_call_format", "custom action request body (tracker state + domain dict)")
    prof.wrap_async(RemoteAction, "run", "custom action in Rasa (own time)")
    prof.wrap_sync(RemoteAction, "_validate_action_result", "custom action response: jsonschema validation")
    prof.wrap_sync(rasa_events, "deserialise_events", "custom action response: events from JSON")
    prof.wrap_sync(DialogueStateTracker, "copy", "tracker.copy (replays the events)")
    prof.wrap_sync(DialogueStateTracker, "current_state", "tracker.current_state (tracker as dict)")
    prof.wrap_async(MessageProcessor, "log_message", "log user message (own time: session start, events)")
    prof.wrap_async(MessageProcessor, "run_action_extract_slots", "action_extract_slots (own time)")
    prof.wrap_sync(MessageProcessor, "_log_action_on_tracker", "log action events on the tracker")
    prof.wrap_async(MessageProcessor, "execute_side_effects", "send bot messages to the channel")
    prof.wrap_async(TemplatedNaturalLanguageGenerator, "generate", "responses from domain templates (nlg)")
    store = agent.tracker_store
    inner = getattr(store, "_tracker_store", store)
    for method in ("retrieve", "retrieve_full_tracker", "save", "keys"):
        if hasattr(store, method):
            prof.wrap_async(store, method, f"tracker store {type(inner).__name__}.{method}")


def messages(n: int) -> List[Tuple[str, str]]:
    """(sender, text) pairs: the benchmark's conversations in turn, each under a new sender."""
    out: List[Tuple[str, str]] = []
    c = 0
    while len(out) < n:
        conversation = OUR_CONVERSATIONS[c % len(OUR_CONVERSATIONS)]
        out += [(f"profile-{c}", text) for text in conversation]
        c += 1
    return out[:n]


async def profile(model: Path, action_url: str, endpoints_file: Path, n: int, warmup: int) -> Dict[str, Any]:
    import rasa.utils.tensorflow.environment as tf_env
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Logging and TensorFlow set up exactly as `rasa run` does by default (INFO): without this the
    # in-process agent logs at DEBUG and formatting those logs would dominate the profile.
    configure_logging_and_warnings(None, None, warn_only_once=True, filter_repeated_logs=True)
    tf_env.setup_tf_environment()
    configure_structlog(None)

    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file))
    t0 = time.perf_counter()
    agent = await load_agent(model_path=str(model), endpoints=endpoints)
    load_s = time.perf_counter() - t0
    prof = Profiler()
    instrument(prof, agent)

    async def handle(sender: str, text: str) -> List[Dict[str, Any]]:
        out = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, out, sender))
        return out.messages

    for i, (sender, text) in enumerate(messages(warmup)):
        await handle(f"warm-{sender}", text)
    prof.reset()
    empty = 0
    per_message: List[float] = []
    for sender, text in messages(n):
        t = time.perf_counter()
        answer = await handle(sender, text)
        per_message.append(time.perf_counter() - t)
        empty += not answer
    return {"load_s": load_s, "stats": prof.stats, "per_message_s": per_message, "empty_answers": empty}


def table(stats: Dict[str, Dict[str, float]], n: int) -> List[Dict[str, Any]]:
    root = next((s["total_s"] for k, s in stats.items() if k.startswith("Agent.handle_message")), 0.0)
    rows = []
    for name, s in stats.items():
        rows.append(
            {
                "name": name,
                "calls": int(s["calls"]),
                "self_ms": round(s["self_s"] * 1000, 1),
                "total_ms": round(s["total_s"] * 1000, 1),
                "self_ms_per_message": round(s["self_s"] * 1000 / n, 2),
                "mean_ms_per_call": round(s["total_s"] * 1000 / s["calls"], 2),
                "max_ms": round(s["max_s"] * 1000, 1),
                "share_pct": round(100 * s["self_s"] / root, 1) if root else None,
            }
        )
    rows.sort(key=lambda r: r["self_ms"], reverse=True)
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=100, help="timed messages (100)")
    p.add_argument("--warmup", type=int, default=10, help="untimed messages first (10)")
    p.add_argument("--model", type=Path, help="default: the latest in models/")
    p.add_argument("--top", type=int, default=30, help="rows to print (30)")
    p.add_argument(
        "--no-speedups",
        action="store_true",
        help="profile Rasa as shipped, without bot/rasa/patches.py (the 'before' of BENCHMARKS.md)",
    )
    args = p.parse_args(argv)
    install_signal_handlers()
    model = args.model or latest_model()
    if model is None:
        print("no trained model in models/: run `make train`", file=sys.stderr)
        return 2
    os.chdir(ROOT)  # our graph components read data/ relative to the project
    if not args.no_speedups:  # the Rasa server gets them from our channels (credentials.yml)
        from bot.rasa import patches

        patches.install()
    wd = Workdir("profile")
    isolate_this_process(wd.path)
    return run_in(wd, "[profile] interrupted; action server stopped", lambda wd: _profile(args, model, wd))


def _profile(args: argparse.Namespace, model: Path, wd: Workdir) -> int:
    with Servers(wd.path) as servers:
        port = free_port()
        actions = servers.start(
            "ours-actions",
            action_server_argv(port),
            ROOT,
            f"http://127.0.0.1:{port}",
            "/health",
            env=our_env(wd.path, SANIC_HOST="127.0.0.1"),
        )
        servers.wait(actions)
        endpoints = our_endpoints(wd.path, port)
        result = asyncio.run(profile(model.resolve(), actions.url, endpoints, args.messages, args.warmup))
    rows = table(result["stats"], args.messages)
    per = sorted(result["per_message_s"])
    summary = {
        "model": relative(model),
        "rasa_version": rasa_version(),
        "commit": git_revision(),
        "at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "messages": args.messages,
        "warmup_messages": args.warmup,
        "speedups": not args.no_speedups,
        "agent_load_s": round(result["load_s"], 1),
        "empty_answers": result["empty_answers"],
        "per_message_ms": {
            "mean": round(1000 * sum(per) / len(per), 1),
            "p50": round(1000 * per[len(per) // 2], 1),
            "max": round(1000 * per[-1], 1),
        },
        "loadavg": os.getloadavg(),
        "note": "self_ms = time in this part minus the timed parts inside it; self times add up to the "
        "total of Agent.handle_message. Wall clock, one message at a time, in-process.",
        "rows": rows,
    }
    write_json(REPORTS / "profile.json", summary)
    print(
        f"\n{args.messages} messages, {summary['per_message_ms']['mean']} ms per message on average "
        f"(p50 {summary['per_message_ms']['p50']} ms, max {summary['per_message_ms']['max']} ms); "
        f"agent loaded in {summary['agent_load_s']} s; {result['empty_answers']} empty answers\n"
    )
    print(f"{'own ms':>9} {'share':>6} {'calls':>6} {'ms/msg':>7} {'ms/call':>8}  part")
    for r in rows[: args.top]:
        print(
            f"{fmt(r['self_ms'], 1):>9} {fmt(r['share_pct'], 1):>5}% {r['calls']:>6} "
            f"{fmt(r['self_ms_per_message'], 2):>7} {fmt(r['mean_ms_per_call'], 2):>8}  {r['name']}"
        )
    print("\nreports/bench/profile.json written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
