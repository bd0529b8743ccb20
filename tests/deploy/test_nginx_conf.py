"""deploy/nginx.conf as the official nginx image runs it: rendered with envsubst (TLS_* only), with a
throwaway self-signed certificate, on Debian's nginx. `nginx -t` accepts it; port 80 redirects to
HTTPS except ACME challenges; HTTPS (TLS 1.2+) proxies with HSTS and X-Forwarded-Proto; the chat
webhooks answer 429 beyond their burst, WeChat pushes are not limited and stay with one instance
per OpenID. Two small HTTP servers stand in for rasa-1 and rasa-2."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port
from tests.deploy.services import NGINX, require

pytestmark = pytest.mark.deploy
CONF = ROOT / "deploy" / "nginx.conf"
ENVSUBST, OPENSSL = Path("/usr/bin/envsubst"), Path("/usr/bin/openssl")
HOST = "bot.dealer.example"


class Upstream(BaseHTTPRequestHandler):
    """Answers every request with JSON: which instance, method, path and the proxied headers."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps(
            {
                "instance": self.server.name,
                "method": self.command,
                "path": self.path,
                "proto": self.headers.get("X-Forwarded-Proto"),
                "host": self.headers.get("Host"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


def render(tmp: Path, cert: Path, key: Path) -> str:
    """What the image's 20-envsubst-on-templates.sh does with NGINX_ENVSUBST_FILTER=^TLS_."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TLS_CERT_PATH": str(cert), "TLS_KEY_PATH": str(key)}
    names = " ".join(f"${{{n}}}" for n in env if n.startswith("TLS_"))
    return subprocess.run(
        [str(ENVSUBST), names], input=CONF.read_text(), env=env, capture_output=True, text=True, check=True
    ).stdout


def for_loopback(conf: str, tmp: Path, http_port: int, https_port: int, upstreams: "list[int]") -> str:
    """The rendered config on loopback ports, stand-in upstreams and temporary paths. Every
    replacement must match exactly, so a changed deploy/nginx.conf fails here, not silently."""

    def sub(pattern: str, repl: str, text: str, count: int = 1) -> str:
        new, n = re.subn(pattern, repl, text)
        assert n == count, f"{pattern!r} matched {n} times in deploy/nginx.conf, expected {count}"
        return new

    conf = sub(r"listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;", conf)
    conf = sub(
        r"listen 443 ssl http2 default_server;", f"listen 127.0.0.1:{https_port} ssl http2 default_server;", conf
    )
    conf = sub(r"server rasa-1:5005 ", f"server 127.0.0.1:{upstreams[0]} ", conf, 2)
    conf = sub(r"server rasa-2:5005 ", f"server 127.0.0.1:{upstreams[1]} ", conf, 2)
    conf = sub(r"root /var/www/acme;", f"root {tmp / 'acme'};", conf)
    conf = sub(r"error_log /var/log/nginx/error.log", f"error_log {tmp / 'error.log'}", conf)
    conf = sub(r"access_log /var/log/nginx/access.log", f"access_log {tmp / 'access.log'}", conf)
    conf = sub(r"pid /var/run/nginx.pid;", f"pid {tmp / 'nginx.pid'};", conf)
    temp_paths = "".join(
        f"    {kind}_temp_path {tmp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = sub(r"\nhttp \{\n", "\nhttp {\n" + temp_paths, conf)
    return ("user root;\n" if os.geteuid() == 0 else "") + conf


def listening(*ports: int) -> bool:
    try:
        for port in ports:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def nginx():
    require(NGINX, ENVSUBST, OPENSSL)
    tmp = Path(tempfile.mkdtemp(prefix="bot-nginx-tls-"))
    servers = []
    proc = None
    try:
        cert, key = tmp / "cert.pem", tmp / "key.pem"
        subprocess.run(
            [
                str(OPENSSL),
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
        (tmp / "acme" / ".well-known" / "acme-challenge").mkdir(parents=True)
        (tmp / "acme" / ".well-known" / "acme-challenge" / "token-1").write_text("token-1.thumbprint")
        for name in ("rasa-1", "rasa-2"):
            server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
            server.name = name
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        rendered = render(tmp, cert, key)
        http_port, https_port = free_port(), free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(for_loopback(rendered, tmp, http_port, https_port, [s.server_address[1] for s in servers]))
        check = subprocess.run([str(NGINX), "-t", "-p", str(tmp), "-c", str(conf)], capture_output=True, text=True)
        proc = subprocess.Popen(
            [str(NGINX), "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not listening(http_port, https_port) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if not listening(http_port, https_port):
            pytest.fail(f"nginx did not start: {check.stderr}\n{(tmp / 'error.log').read_text()}")
        yield {"tmp": tmp, "rendered": rendered, "check": check, "http": http_port, "https": https_port, "cert": cert}
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in servers:
            server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


def https(nginx, source: str = "127.0.0.1", ciphers: str = "", **context_options) -> http.client.HTTPSConnection:
    """A connection that verifies the throwaway certificate (for HOST and 127.0.0.1)."""
    context = ssl.create_default_context(cafile=str(nginx["cert"]))
    if ciphers:
        context.set_ciphers(ciphers)
    for name, value in context_options.items():
        setattr(context, name, value)
    return http.client.HTTPSConnection(
        "127.0.0.1", nginx["https"], context=context, source_address=(source, 0), timeout=10
    )


def request(conn, method: str, path: str, body: bytes = b"") -> "tuple[int, dict, bytes]":
    conn.request(method, path, body=body or None, headers={"Host": HOST, "Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, dict(r.getheaders()), r.read()


def test_the_rendered_config_passes_nginx_t(nginx):
    assert "${" not in nginx["rendered"], "a placeholder was not rendered"
    assert f"ssl_certificate {nginx['cert']};" in nginx["rendered"]
    assert "$binary_remote_addr" in nginx["rendered"] and "$arg_openid" in nginx["rendered"]  # nginx's, untouched
    assert nginx["check"].returncode == 0, nginx["check"].stderr
    assert "syntax is ok" in nginx["check"].stderr and "test is successful" in nginx["check"].stderr
    assert "[emerg]" not in nginx["check"].stderr
    assert re.search(r"^\s*ssl_protocols TLSv1\.2 TLSv1\.3;$", nginx["rendered"], re.M)


def test_http_redirects_to_https_except_acme_challenges(nginx):
    conn = http.client.HTTPConnection("127.0.0.1", nginx["http"], timeout=10)
    for method, path in (
        ("GET", "/webhooks/widget/demo"),
        ("POST", "/webhooks/rest/webhook"),
        ("POST", "/webhooks/wechat/webhook?openid=o1&signature=s"),
    ):
        conn.request(method, path, body=b"{}" if method == "POST" else None, headers={"Host": HOST})
        r = conn.getresponse()
        r.read()
        assert r.status == 301 and r.getheader("Location") == f"https://{HOST}{path}", (path, r.status)
    conn.request("GET", "/.well-known/acme-challenge/token-1", headers={"Host": HOST})
    r = conn.getresponse()
    assert r.status == 200 and r.read() == b"token-1.thumbprint"


def test_https_proxies_with_hsts_and_the_forwarded_scheme(nginx):
    conn = https(nginx)
    status, headers, body = request(conn, "GET", "/")
    assert status == 200, body
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert json.loads(body)["proto"] == "https" and json.loads(body)["host"] == HOST
    assert conn.sock.version() == "TLSv1.3"
    status, _, body = request(conn, "POST", "/webhooks/rest/webhook", b'{"sender": "a", "message": "hi"}')
    assert status == 200 and json.loads(body)["path"] == "/webhooks/rest/webhook"


def test_tls_1_2_is_accepted_and_older_is_not(nginx):
    conn = https(nginx, maximum_version=ssl.TLSVersion.TLSv1_2)
    assert request(conn, "GET", "/")[0] == 200 and conn.sock.version() == "TLSv1.2"
    # this client offers TLS 1.0 and 1.1 (security level 0): the server refuses them
    conn = https(
        nginx,
        ciphers="DEFAULT:@SECLEVEL=0",
        minimum_version=ssl.TLSVersion.TLSv1,
        maximum_version=ssl.TLSVersion.TLSv1_1,
    )
    with pytest.raises(ssl.SSLError):
        request(conn, "GET", "/")


@pytest.mark.parametrize(
    "path,source", [("/webhooks/rest/webhook", "127.0.0.2"), ("/webhooks/widget/session", "127.0.0.3")]
)
def test_chat_webhooks_answer_429_beyond_the_burst(nginx, path, source):
    conn = https(nginx, source=source)  # its own client address: its own limit
    statuses = [request(conn, "POST", path, b"{}")[0] for _ in range(60)]
    assert statuses[:20] == [200] * 20  # the burst
    assert 429 in statuses and set(statuses) == {200, 429}
    assert statuses.count(200) < 40


def test_wechat_is_not_limited_and_one_openid_stays_on_one_instance(nginx):
    conn = https(nginx, source="127.0.0.4")
    seen = {}
    for i in range(60):
        openid = f"o{i % 5}"  # 5, odd: round robin over two instances would alternate
        status, _, body = request(conn, "POST", f"/webhooks/wechat/webhook?openid={openid}&signature=s", b"<xml/>")
        assert status == 200, (i, status)
        seen.setdefault(openid, set()).add(json.loads(body)["instance"])
    assert all(len(instances) == 1 for instances in seen.values()), seen
