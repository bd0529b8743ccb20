"""Starting the bot's servers as subprocesses on free loopback ports, for the server tests
(tests/conftest.py), the deploy tests (tests/deploy/services.py) and the benchmarks (bench/harness.py).

- ``free_port()``, ``latest_model()``, ``child_env(extra)`` (this process's environment, telemetry off);
- ``write_endpoints(folder, action_port)``: endpoints.yml with the action server on our port;
- ``start_action_server(port, log, env)`` and ``start_rasa_server(model, endpoints, port, log, env)``
  start a server with its output in ``log`` and return a ``Server`` at once (they can start side by side);
- ``Server.wait()`` polls the server's health URL until it answers 200, with a deadline, and raises
  ``ServerError`` (with the end of its log) when it exits or the deadline passes; in tests
  ``ready_or_fail(*servers)`` turns that into a test failure;
- ``stop(*servers)`` terminates them all, waits, and kills what is left (by process group for servers
  started with ``new_session=True``).

No pytest at import time: bench/ uses this module outside pytest."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Union

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
RASA = Path(sys.executable).parent / "rasa"
LOGGING_CONFIG = ROOT / "deploy/logging.yml"  # phone numbers masked in the logs, as deployed
CREDENTIALS = ROOT / "credentials.yml"
STARTUP_TIMEOUT_S = 240.0
STOP_TIMEOUT_S = 20.0
# The project's own stores (bot/rasa/stores.py): SQLite under $BOT_DATA_DIR, or DB_HOST / REDIS_HOST.
DEALER_STORES = (
    "tracker_store:\n  type: bot.rasa.stores.DealerTrackerStore\nlock_store:\n  type: bot.rasa.stores.DealerLockStore\n"
)


class ServerError(RuntimeError):
    """A server exited while starting, or did not answer before its deadline."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def latest_model(directory: Path = ROOT / "models") -> Optional[Path]:
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def local_url(port: int) -> str:
    return f"http://{HOST}:{port}"


def child_env(extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The environment of a server we start: this process's, telemetry off, unbuffered output (the log
    is complete when a server dies), then ``extra``."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
    env.update(extra or {})
    return env


def sqlite_tracker_store(db: Path) -> str:
    """endpoints.yml lines for Rasa's own SQL tracker store in the SQLite file ``db``."""
    return f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n"


def write_endpoints(folder: Path, action_port: int, stores: str = DEALER_STORES) -> Path:
    """``folder/endpoints.yml``: the action server on ``action_port``, then ``stores``."""
    path = folder / "endpoints.yml"
    path.write_text(f'action_endpoint:\n  url: "{local_url(action_port)}/webhook"\n' + stores)
    return path


def action_server_argv(port: int, logging_config: Optional[Path] = LOGGING_CONFIG) -> List[str]:
    argv = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    if logging_config is not None:
        argv += ["--logging-config_file", str(logging_config)]  # rasa_sdk 3.6 spells it with _
    return argv


def rasa_run_argv(
    model: Path,
    endpoints: Path,
    credentials: Path,
    port: int,
    token: Optional[str] = None,
    logging_config: Optional[Path] = LOGGING_CONFIG,
) -> List[str]:
    """`rasa run` on loopback; with a ``token``, also the HTTP API protected by it."""
    argv = [str(RASA), "run", "--model", str(model), "--endpoints", str(endpoints), "--credentials", str(credentials)]
    argv += ["--port", str(port), "--interface", HOST]
    if token is not None:
        argv += ["--enable-api", "--auth-token", token]
    if logging_config is not None:
        argv += ["--logging-config-file", str(logging_config)]
    return argv


def log_tail(log: Path, chars: int = 3000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError as e:
        return f"(no log: {e})"


def wait_ready(
    url: str, proc: subprocess.Popen, log: Path, timeout_s: float = STARTUP_TIMEOUT_S, name: Optional[str] = None
) -> None:
    """Polls ``url`` until it answers 200. Raises ServerError with the end of ``log`` if ``proc``
    exits first or ``timeout_s`` pass."""
    name = name or Path(str(proc.args[0])).name
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"{name} exited with {proc.returncode}:\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:  # refused, reset, timed out, or an HTTP error status (URLError is an OSError)
            pass
        time.sleep(0.5)
    raise ServerError(f"{name}: {url} not up after {timeout_s:.0f} s:\n{log_tail(log)}")


def wait_port(port: int, proc: subprocess.Popen, log: Path, timeout_s: float = 10, name: str = "server") -> None:
    """Polls until ``port`` on loopback accepts connections (for servers without a health URL)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"{name} exited with {proc.returncode}:\n{log_tail(log)}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise ServerError(f"{name}: port {port} not open after {timeout_s:.0f} s:\n{log_tail(log)}")


@dataclass
class Server:
    """A server process we started: its base URL, its log, and the path that answers 200 once it is up."""

    name: str
    proc: subprocess.Popen
    url: str
    log: Path
    health: str = "/"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait(self, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        """Until it is up; ServerError if it exits or is not up within ``timeout_s``."""
        wait_ready(self.url + self.health, self.proc, self.log, timeout_s, self.name)


def start(
    argv: Sequence[Union[str, Path]],
    log: Path,
    env: Mapping[str, str],
    cwd: Path = ROOT,
    append: bool = False,
    new_session: bool = False,
) -> subprocess.Popen:
    """Starts ``argv`` with stdout and stderr in ``log`` (emptied first unless ``append``). With
    ``new_session`` it leads a process group of its own, which ``stop(..., group=True)`` signals."""
    with open(log, "ab" if append else "wb") as out:
        return subprocess.Popen(
            [str(a) for a in argv],
            cwd=cwd,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=new_session,
        )


def start_action_server(
    port: int,
    log: Path,
    env: Mapping[str, str],
    name: str = "action server",
    logging_config: Optional[Path] = LOGGING_CONFIG,
    append: bool = False,
    new_session: bool = False,
) -> Server:
    """``python -m rasa_sdk`` for actions/ on ``port``; does not wait for it (``Server.wait``)."""
    proc = start(action_server_argv(port, logging_config), log, env, append=append, new_session=new_session)
    return Server(name, proc, local_url(port), log, "/health")


def start_rasa_server(
    model: Path,
    endpoints: Path,
    port: int,
    log: Path,
    env: Mapping[str, str],
    token: Optional[str] = None,
    name: str = "Rasa server",
    credentials: Path = CREDENTIALS,
    logging_config: Optional[Path] = LOGGING_CONFIG,
    append: bool = False,
    new_session: bool = False,
) -> Server:
    """``rasa run`` of ``model`` on ``port`` (HTTP API on with a ``token``); does not wait for it."""
    argv = rasa_run_argv(model, endpoints, credentials, port, token, logging_config)
    proc = start(argv, log, env, append=append, new_session=new_session)
    return Server(name, proc, local_url(port), log, f"/status?token={token}" if token is not None else "/")


def ready_or_fail(*servers: Server, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
    """``Server.wait`` for each, in tests: a server that does not come up fails the test."""
    import pytest

    for server in servers:
        try:
            server.wait(timeout_s)
        except ServerError as e:
            message = str(e)
        else:
            continue
        pytest.fail(message)


def _signal(proc: subprocess.Popen, sig: int, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except ProcessLookupError:
        pass


def stop(*servers: Union[Server, subprocess.Popen], timeout_s: float = STOP_TIMEOUT_S, group: bool = False) -> None:
    """SIGTERM to each that still runs (to its process group with ``group``), then waits up to
    ``timeout_s`` for each and kills (SIGKILL) what is left."""
    procs = [s.proc if isinstance(s, Server) else s for s in servers]
    for p in procs:
        if p.poll() is None:
            _signal(p, signal.SIGTERM, group)
    for p in procs:
        try:
            p.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _signal(p, signal.SIGKILL, group)
            p.wait(timeout=10)
