"""deploy/docker-compose.yml without Docker: only nginx publishes ports, each service gets only its
env files (PostgreSQL and Redis never the WeChat secrets), and Redis requires a password — its
start script, as compose hands it to /bin/sh, is run here with Debian's redis-server."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Set

import pytest
import yaml

from tests.conftest import ROOT, free_port
from tests.deploy.services import REDIS, require

pytestmark = pytest.mark.deploy
DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
SECRET_PREFIXES = ("WECHAT_", "WIDGET_", "RASA_API_TOKEN", "DB_PASSWORD", "REDIS_PASSWORD", "TLS_")


def env_files(service: str) -> "list[Path]":
    files = SERVICES[service].get("env_file") or []
    return [DEPLOY / f for f in ([files] if isinstance(files, str) else files)]


def example_variables(path: Path) -> Set[str]:
    lines = (path.parent / f"{path.name}.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line.strip() and not line.startswith("#")}


def variables(service: str) -> Set[str]:
    """Every variable the service receives: its env files (as in their examples) and `environment`."""
    names = set().union(*(example_variables(f) for f in env_files(service)))
    environment = SERVICES[service].get("environment") or {}
    return names | set(environment if isinstance(environment, dict) else (e.split("=")[0] for e in environment))


def secrets_of(service: str) -> Set[str]:
    return {v for v in variables(service) if v.startswith(SECRET_PREFIXES)}


def test_only_nginx_publishes_ports():
    assert set(SERVICES) == {"rasa-1", "rasa-2", "actions", "postgres", "redis", "nginx"}
    published = {name: s["ports"] for name, s in SERVICES.items() if s.get("ports")}
    assert published == {"nginx": ["80:80", "443:443"]}
    assert all(s.get("network_mode") != "host" for s in SERVICES.values())


def test_every_env_file_has_an_example_and_is_git_ignored():
    files = {f for name in SERVICES for f in env_files(name)}
    assert files and all(f.parent == DEPLOY / "env" and f.suffix == ".env" for f in files), files
    for f in files:
        assert (f.parent / f"{f.name}.example").is_file(), f
        ignored = subprocess.run(["git", "check-ignore", "-q", str(f)], cwd=ROOT)
        assert ignored.returncode == 0, f"{f} is not git-ignored"
    assert "../.env" not in (DEPLOY / "docker-compose.yml").read_text()


def test_each_service_gets_only_the_secrets_it_needs():
    assert secrets_of("postgres") == {"DB_PASSWORD"}
    assert secrets_of("redis") == {"REDIS_PASSWORD"}
    assert secrets_of("actions") == {"DB_PASSWORD"}
    assert secrets_of("nginx") == {"TLS_CERT_PATH", "TLS_KEY_PATH"}
    rasa = secrets_of("rasa-1")
    assert {"DB_PASSWORD", "REDIS_PASSWORD", "WECHAT_TOKEN", "WECHAT_APPSECRET", "WECHAT_ENCODING_AES_KEY"} <= rasa
    assert not any(v.startswith("TLS_") for v in rasa) and secrets_of("rasa-2") == rasa
    for service in ("postgres", "redis", "actions", "nginx"):
        assert not any(v.startswith("WECHAT_") for v in variables(service)), service


def test_the_rasa_servers_reach_redis_with_its_password():
    for name in ("rasa-1", "rasa-2"):
        env = SERVICES[name]["environment"]
        assert env["REDIS_HOST"] == "redis" and env["DB_HOST"] == "postgres"
        assert DEPLOY / "env/redis.env" in env_files(name)
    assert example_variables(DEPLOY / "env/redis.env") == {"REDIS_PASSWORD"}


def test_the_bot_variables_of_the_env_files_are_listed_in_env_example():
    listed = example_variables(ROOT / ".env")
    for service in ("rasa-1", "actions", "postgres", "redis"):
        assert variables(service) - {"SANIC_PROXIES_COUNT"} <= listed, service


def redis_script() -> str:
    """The redis start script as the container's /bin/sh gets it: compose turns $$ into $ and would
    interpolate any single $ from the shell running compose (there must be none)."""
    command = SERVICES["redis"]["command"]
    script = command[0] if isinstance(command, list) else command
    assert SERVICES["redis"]["entrypoint"] == ["/bin/sh", "-c"]
    assert not re.search(r"\$", script.replace("$$", "")), "compose would interpolate a single $"
    return script.replace("$$", "$")


def run_redis_script(password, port: int, folder: Path) -> subprocess.Popen:
    """Runs the script with docker-entrypoint.sh and chown stubbed: the entrypoint starts Debian's
    redis-server with the written config on a loopback port."""
    (folder / "chown").write_text("#!/bin/sh\nexit 0\n")
    (folder / "docker-entrypoint.sh").write_text(
        f'#!/bin/sh\nexec {REDIS} "$2" --port {port} --bind 127.0.0.1 --dir {folder}\n'
    )
    for stub in ("chown", "docker-entrypoint.sh"):
        os.chmod(folder / stub, 0o755)
    env = {"PATH": f"{folder}:/usr/bin:/bin"}
    if password is not None:
        env["REDIS_PASSWORD"] = password
    script = redis_script().replace("/tmp/redis.conf", str(folder / "redis.conf"))
    return subprocess.Popen(
        ["/bin/sh", "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.redis
@pytest.mark.parametrize(
    "password", [None, "", "short", "x" * 15, "has spaces in it, 24 chars", "0123456789abcdef\nrequirepass x"]
)
def test_redis_does_not_start_without_a_proper_password(password, tmp_path):
    require(REDIS)
    proc = run_redis_script(password, free_port(), tmp_path)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("redis started without a proper password")
    assert proc.returncode == 1 and "REDIS_PASSWORD" in err
    assert not (tmp_path / "redis.conf").exists()


def redis_command(port: int, *args: str, password: str = "") -> bytes:
    """One RESP command; returns the first reply line."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        if password:
            s.sendall(f"*2\r\n$4\r\nAUTH\r\n${len(password)}\r\n{password}\r\n".encode())
            assert s.recv(100).startswith(b"+OK")
        s.sendall(("*%d\r\n" % len(args) + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)).encode())
        return s.recv(100)


@pytest.mark.redis
def test_redis_started_by_the_compose_script_requires_its_password():
    require(REDIS)
    folder, port = Path(tempfile.mkdtemp(prefix="bot-redis-compose-")), free_port()
    password = "0123456789abcdefABCDEF"
    proc = run_redis_script(password, port, folder)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.1)
        assert oct((folder / "redis.conf").stat().st_mode & 0o777) == "0o600"
        assert redis_command(port, "PING").startswith(b"-NOAUTH")
        assert redis_command(port, "PING", password=password) == b"+PONG\r\n"
        assert password not in " ".join(Path(f"/proc/{proc.pid}/cmdline").read_text().split("\0"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
