"""Debian's PostgreSQL, Redis and nginx, started on loopback ports in temporary folders for the
restart and scale-out tests (the system services are never touched), and Rasa processes."""

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tests.support.servers import (
    STARTUP_TIMEOUT_S,
    Server,
    ServerError,
    child_env,
    free_port,
    ready_or_fail,
    start_action_server,
    start_rasa_server,
    wait_port,
)
from tests.support.servers import stop as stop_processes
from tests.support.servers import write_endpoints as write_endpoints  # re-exported for the tests here

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS = Path("/usr/bin/redis-server")
NGINX = Path("/usr/sbin/nginx")
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def require(*binaries: Path) -> None:
    missing = [str(b) for b in binaries if not b.exists()]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (scripts/setup.sh installs them as root)")


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Until ``url`` answers 200; fails the test if ``proc`` exits first or after ``timeout`` s."""
    ready_or_fail(Server(Path(str(proc.args[0])).name, proc, url, log, health=""), timeout_s=timeout)


class Postgres:
    """A throwaway cluster: trust auth on 127.0.0.1 only, no fsync (tests), database ``rasa``."""

    def __init__(self) -> None:
        require(PG_BIN / "initdb", PG_BIN / "pg_ctl")
        self.dir = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        os.chmod(self.dir, 0o755)  # the postgres user must reach its data folder
        if AS_POSTGRES:
            shutil.chown(self.dir, "postgres")
        self.port, self.data, self.log = free_port(), self.dir / "data", self.dir / "pg.log"
        run = lambda *cmd: subprocess.run([*AS_POSTGRES, *cmd], check=True, capture_output=True)  # noqa: E731
        run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "rasa", "--no-sync", "-E", "UTF8")
        run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            "start",
        )
        run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "rasa", "rasa")

    def env(self) -> Dict[str, str]:
        return {
            "DB_HOST": "127.0.0.1",
            "DB_PORT": str(self.port),
            "DB_NAME": "rasa",
            "DB_USER": "rasa",
            "DB_PASSWORD": "",
        }

    def stop(self) -> None:
        subprocess.run(
            [*AS_POSTGRES, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """With a password, as in deploy/docker-compose.yml (given on stdin, not on the command line)."""

    def __init__(self) -> None:
        require(REDIS)
        self.port, self.password = free_port(), secrets.token_hex(16)
        self.proc = subprocess.Popen(
            [str(REDIS), "-", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.proc.stdin.write(f"requirepass {self.password}\n".encode())
        self.proc.stdin.close()
        try:
            wait_port(self.port, self.proc, Path(os.devnull), name="redis-server")
        except ServerError as e:
            pytest.fail(f"redis-server did not start: {e}")

    def env(self) -> Dict[str, str]:
        return {
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.port),
            "REDIS_DB": "1",
            "REDIS_PASSWORD": self.password,
        }

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Nginx:
    """nginx balancing the given upstream ports (round robin) over plain HTTP, for the scale-out
    throughput test: without deploy/nginx.conf's per-address rate limit, which would answer most of
    its 50 users from one address with 429. deploy/nginx.conf itself: test_nginx_conf.py."""

    def __init__(self, upstreams: List[int]) -> None:
        require(NGINX)
        self.dir = Path(tempfile.mkdtemp(prefix="bot-nginx-"))
        self.port = free_port()
        servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(f"""{user}worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {self.dir}/access.log;
  client_body_temp_path {self.dir}/body; proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi; uwsgi_temp_path {self.dir}/uwsgi; scgi_temp_path {self.dir}/scgi;
  upstream rasa {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    client_max_body_size 1m;
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 120s;
    }}
  }}
}}
""")
        self.proc = subprocess.Popen(
            [str(NGINX), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_port(self.port, self.proc, self.dir / "error.log", name="nginx")
        except ServerError as e:
            pytest.fail(str(e))
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def base_env(data_dir: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = child_env(
        {"BOT_DATA_DIR": str(data_dir), "DB_HOST": "", "REDIS_HOST": "", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    )
    # all simulated users come from one loopback address: the per-address cap would refuse them
    env.setdefault("BOT_MAX_PENDING_PER_ADDRESS", "1000")
    env.update(extra or {})
    return env


def start_actions(env: Dict[str, str], log: Path) -> "tuple[subprocess.Popen, int]":
    """An action server on a free port, up (its output appended to ``log``): (process, port)."""
    port = free_port()
    actions = start_action_server(port, log, env, append=True)
    ready_or_fail(actions)
    return actions.proc, port


def start_rasa(
    model: Path,
    endpoints: Path,
    env: Dict[str, str],
    token: str,
    log: Path,
    port: Optional[int] = None,
    wait: bool = True,
) -> "tuple[subprocess.Popen, int]":
    """A Rasa server with the HTTP API (``token``) on ``port`` or a free one, its output appended to
    ``log``; up unless ``wait`` is false (then ``wait_http`` its status URL): (process, port)."""
    port = port or free_port()
    rasa = start_rasa_server(model, endpoints, port, log, env, token=token, append=True)
    if wait:
        ready_or_fail(rasa)
    return rasa.proc, port


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it still runs 20 s later."""
    stop_processes(proc)
