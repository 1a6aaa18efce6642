#!/usr/bin/env python3
"""The deployment test (issue 18, docs/deployment.md "Testing a deployment"): the production
configuration started from the shipped files in docs/deploy/, and the operator's smoke test.

    python scripts/deploy_test.py            # as root (mount namespaces, another user, nginx)

What it starts, every file taken from docs/deploy/ with only its paths, ports, host name and
secrets substituted (never copied by hand):

- PostgreSQL: a fresh database in the running cluster (and a second one to restore into);
- Redis: its own `redis-server` on a free port (the env file's database numbers and prefix);
- two web processes (samskab-web.service, a second on its own port, as nginx.conf's
  commented second upstream), the statistics beacons' process (samskab-beacon.service), the
  worker (samskab-worker.service) and the ingest (samskab-ingest.service), each run as
  systemd would run its [Service] section: the
  env file read by systemd's rules, WorkingDirectory, another user (User=/Group=),
  NoNewPrivileges, ProtectSystem=strict (every mount read-only in a private mount namespace)
  with ReadWritePaths bind-mounted writable, PrivateTmp, LimitNOFILE, Nice, KillMode;
- nginx with docs/deploy/nginx.conf and a self-signed certificate made here;
- an SMTP server on loopback (aiosmtpd) as the mail relay.

Then it does what an operator does after installing, through nginx over TLS: logs in as the
first administrator (address verification by mail, password again, TOTP), follows a meeting's
live events (SSE) while the operator starts it, sends the player's heartbeat (answered and
stored by the beacon process, and by a web process while that one is stopped), sends a short
RTMP feed (ffmpeg's test picture) and fetches the live HLS, uploads a recording, hides it (not
reachable) and shows it again, then backs up and restores into a second database and folders
and compares them.

Prints PASS/FAIL per step and exits 1 on any failure; stops what it started, drops its
databases and deletes its folder in every case.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import html.parser
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "docs" / "deploy"
BIN = Path(sys.executable).parent
SHIPPED_ROOT = "/srv/samskab"
SHIPPED_ENV = "/etc/samskab/env"
SHIPPED_HOST = "deltag.kommune.dk"
HOST = "samskab.test"
ADMIN = "admin@samskab.test"
# Stands in for the units' User=samskab: a uid with no passwd entry, so the machine's user
# database is not changed (`adduser --system` would be the production way).
SERVICE_UID = 64990
STARTED = time.monotonic()


class Failed(Exception):
    pass


results: list[tuple[str, bool, str]] = []


def say(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {text}", flush=True)


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    say(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
    if not ok:
        raise Failed(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, probe, timeout: float, every: float = 0.25):
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except Failed:
            raise
        except Exception as error:  # the thing is not up yet
            last = error
        time.sleep(every)
    raise Failed(f"{what}: not within {timeout:.0f} s (last: {last!r})"[:500])


# --- the shipped files, substituted -------------------------------------------------------


def systemd_environment(text: str) -> dict[str, str]:
    """EnvironmentFile= as systemd reads it: KEY=VALUE lines; # and ; lines are comments; a
    value in double quotes loses them (and its backslash escapes)."""
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, _sep, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        env[key.strip()] = value
    return env


def shell_environment(path: Path) -> dict[str, str]:
    """The same file as a shell reads it (`set -a; . file; set +a`, docs/deployment.md)."""
    script = f"set -a; . {shlex.quote(str(path))}; set +a; exec env -0"
    done = subprocess.run(["/bin/sh", "-c", script], env={}, capture_output=True, check=True)
    pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    return {key: value for key, value in pairs if key not in ("PWD", "SHLVL", "_")}


def hidden_folders(paths: list[Path]) -> tuple[list[str], list[str]]:
    """(paths to expose, the folders above them other users cannot enter)."""
    expose, hidden = [], []
    for path in paths:
        for parent in reversed(path.parents):
            if parent != Path("/") and not parent.stat().st_mode & 0o001:
                expose.append(str(path))
                if str(parent) not in hidden:
                    hidden.append(str(parent))
                break
    return expose, hidden


@dataclass
class Unit:
    name: str
    service: dict[str, list[str]] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.service.get(key, [default])[-1]

    def all(self, key: str) -> list[str]:
        return [p for value in self.service.get(key, []) for p in value.split()]


def read_unit(name: str, substitute) -> Unit:
    unit = Unit(name)
    section = ""
    for raw in substitute((DEPLOY / name).read_text()).splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "Service":
            key, _sep, value = line.partition("=")
            unit.service.setdefault(key.strip(), []).append(value.strip())
    return unit


SANDBOX_SCRIPT = r"""
set -e
for p in $RW_PATHS; do mount --bind "$p" "$p"; done
# The interpreter, venv or checkout under a folder the service user cannot enter (this
# machine's Python lives in /root): that folder becomes an empty tmpfs holding only them.
i=0
for p in $EXPOSE; do mkdir -p "$STAGE/$i"; mount --bind "$p" "$STAGE/$i"; i=$((i+1)); done
for h in $HIDDEN; do mount -t tmpfs -o mode=755 tmpfs "$h"; done
i=0
for p in $EXPOSE; do mkdir -p "$p"; mount --bind "$STAGE/$i" "$p"; i=$((i+1)); done
[ "$PROTECT" = 1 ] || { cd "$WORKDIR"; unset RW_PATHS EXPOSE HIDDEN STAGE PROTECT; exec "$@"; }
# ProtectSystem=strict: everything read-only except /dev, /proc and /sys.
awk '{print $5}' /proc/self/mountinfo | sort -u | while read -r mp; do
  case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  for p in $RW_PATHS; do [ "$mp" = "$p" ] && continue 2; done
  mount -o remount,bind,ro "$mp" 2>/dev/null || echo "sandbox: $mp stays writable" >&2
done
if [ "$PRIVATE_TMP" = 1 ]; then
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  mount -t tmpfs -o mode=1777 tmpfs /var/tmp
fi
[ -n "$NOFILE" ] && ulimit -n "$NOFILE"
cd "$WORKDIR"
unset RW_PATHS PRIVATE_TMP NOFILE WORKDIR EXPOSE HIDDEN STAGE PROTECT
exec "$@"
"""


class Deployment:
    def __init__(self, args) -> None:
        self.args = args
        self.root = Path(tempfile.mkdtemp(prefix="samskab-deploytest.", dir=args.parent))
        self.root.chmod(0o755)
        # The units run /srv/samskab/venv/bin/samskab: this checkout's venv stands in for it.
        (self.root / "venv").symlink_to(Path(sys.prefix))
        self.env_path = self.root / "etc" / "samskab" / "env"
        self.database = args.database or f"samskab_deploytest_{os.getpid()}"
        self.restore_database = f"{self.database}_restore"
        self.ports = {
            name: free_port()
            for name in ("https", "http", "web1", "web2", "beacon", "rtmp", "redis")
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.kill_modes: dict[str, tuple[str, float]] = {}
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.made_databases: list[str] = []
        self.mails: list[str] = []
        self.smtp = None
        self.not_applied: set[str] = set()

    # The one substitution every shipped file gets.
    def substitute(self, text: str) -> str:
        text = text.replace(SHIPPED_ENV, str(self.env_path))
        text = text.replace(SHIPPED_ROOT, str(self.root))
        return text.replace(SHIPPED_HOST, HOST)

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.ports['https']}"

    # --- services around Samskab ------------------------------------------------------

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atq", "-c", sql],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def start_database(self) -> None:
        for name in (self.database, self.restore_database):
            self.psql(f'DROP DATABASE IF EXISTS "{name}"')
        # --template: a database already migrated (to try changes to this script quickly).
        self.create_database(self.database, self.args.template or "")

    def create_database(self, name: str, template: str = "") -> None:
        self.psql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.made_databases.append(name)
        # A throw-away database: commits need not wait for the disk (the migrations are
        # hundreds of small transactions on a shared, loaded CI machine).
        self.psql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')

    def start_redis(self) -> None:
        self.spawn(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.ports["redis"]),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
        )
        port = self.ports["redis"]
        wait_for("redis", lambda: socket.create_connection(("127.0.0.1", port), 1).close() or 1, 20)

    def start_smtp(self) -> None:
        from aiosmtpd.controller import Controller

        mails = self.mails

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mails.append(envelope.content.decode("utf-8", "replace"))
                return "250 OK"

        self.ports["smtp"] = free_port()
        self.smtp = Controller(Handler(), hostname="127.0.0.1", port=self.ports["smtp"])
        self.smtp.start()

    def make_certificate(self) -> None:
        tls = self.root / "tls"
        tls.mkdir()
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=DNS:{HOST}",
                "-keyout",
                str(tls / "key.pem"),
                "-out",
                str(tls / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )

    def write_env(self) -> dict[str, str]:
        """docs/deploy/samskab.env with its paths, host, secrets and service addresses set,
        line by line (comments and every other line kept as shipped)."""
        shipped = self.substitute((DEPLOY / "samskab.env").read_text())
        lines = []
        for line in shipped.splitlines():
            key, sep, value = line.partition("=")
            if sep and not line.startswith("#"):
                if value.startswith("REPLACE-ME"):
                    value = secrets.token_urlsafe(50)
                elif key in ("CSRF_TRUSTED_ORIGINS", "SITE_URL"):
                    value = self.origin
                elif key == "DATABASE_URL":
                    value = f"postgres://postgres@127.0.0.1:5432/{self.database}"
                elif key in ("CACHE_URL", "LIVE_BROKER_URL"):
                    value = re.sub(r"127\.0\.0\.1:6379", f"127.0.0.1:{self.ports['redis']}", value)
                elif key == "EMAIL_URL":
                    value = f"smtp://127.0.0.1:{self.ports['smtp']}"
                line = f"{key}={value}"
            lines.append(line)
        self.env_path.parent.mkdir(parents=True)
        self.env_path.write_text("\n".join(lines) + "\n")
        self.env_path.chmod(0o640)
        os.chown(self.env_path, 0, SERVICE_UID)
        env = systemd_environment(self.env_path.read_text())
        shell = shell_environment(self.env_path)
        differ = sorted(k for k in env if shell.get(k) != env[k])
        check(
            "the env file reads the same by systemd's rules and by a shell",
            not differ,
            f"{len(env)} variables" + (f"; differ: {differ}" if differ else ""),
        )
        return env

    # --- processes ----------------------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        env = systemd_environment(self.env_path.read_text())
        env.update(
            PATH=f"{BIN}:/usr/local/bin:/usr/bin:/bin",
            HOME=str(self.root),
            LANG="C.UTF-8",
            PYTHONPATH=str(REPO),
        )
        return env

    def spawn(self, name: str, argv: list[str], *, env=None, kill=("control-group", 10.0)):
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        self.processes[name] = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            cwd=self.root,
        )
        self.kill_modes[name] = kill
        return self.processes[name]

    def exposed(self, env: dict[str, str]) -> dict[str, str]:
        needed = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPO]
        expose, hidden = hidden_folders(needed)
        if hidden:
            self.not_applied.add(
                f"the service user sees {', '.join(hidden)} only as an empty folder holding "
                f"{', '.join(expose)} (this machine's Python and checkout)"
            )
        (self.root / ".stage").mkdir(exist_ok=True)
        return env | {
            "EXPOSE": " ".join(expose),
            "HIDDEN": " ".join(hidden),
            "STAGE": str(self.root / ".stage"),
        }

    def plain(self, argv: list[str]) -> tuple[list[str], dict[str, str]]:
        """As `systemd-run -p User=samskab -p EnvironmentFile=...`: no sandbox, the user."""
        env = self.exposed(self.base_env()) | {
            "PROTECT": "0",
            "RW_PATHS": "",
            "WORKDIR": str(self.root),
        }
        user = ["setpriv", f"--reuid={SERVICE_UID}", f"--regid={SERVICE_UID}", "--clear-groups"]
        wrapper = [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            SANDBOX_SCRIPT,
            "sandbox",
        ]
        return [*wrapper, *user, *argv], env

    def manage(self, *words: str, extra_env=None, timeout: float = 1200) -> str:
        """A management command as docs/deployment.md runs one (`systemd-run -p User=samskab
        -p EnvironmentFile=... -p WorkingDirectory=...`): the service user, the env file."""
        argv, env = self.plain([str(BIN / "samskab"), *words])
        done = subprocess.run(
            argv,
            env=env | (extra_env or {}),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise Failed(
                f"samskab {' '.join(words)} exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done.stdout

    def manage_started(self, *words: str) -> subprocess.Popen:
        """The same, not waited for (finish with `finish`)."""
        argv, env = self.plain([str(BIN / "samskab"), *words])
        return subprocess.Popen(
            argv,
            env=env,
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @staticmethod
    def finish(process: subprocess.Popen, what: str) -> str:
        out, _err = process.communicate(timeout=1200)
        if process.returncode:
            raise Failed(f"samskab {what} exited {process.returncode}:\n{out[-3000:]}")
        return out

    def sandboxed(self, unit: Unit, argv: list[str]) -> tuple[list[str], dict[str, str]]:
        """argv and environment that run `argv` the way systemd runs the unit's [Service]."""
        env = self.base_env()
        rw = unit.all("ReadWritePaths")
        for path in rw:
            if not Path(path).is_dir():
                raise Failed(f"{unit.name}: ReadWritePaths {path} is missing (setup_dirs?)")
        env = self.exposed(env)
        env.update(
            PROTECT="1",
            RW_PATHS=" ".join(rw),
            PRIVATE_TMP="1" if unit.get("PrivateTmp") == "true" else "0",
            WORKDIR=unit.get("WorkingDirectory", "/"),
            NOFILE="",
        )
        if unit.get("ProtectSystem") != "strict":
            raise Failed(f"{unit.name}: expected ProtectSystem=strict")
        wanted = unit.get("LimitNOFILE")
        if wanted:
            import resource

            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            env["NOFILE"] = str(min(int(wanted), hard))
            if int(wanted) > hard:
                self.not_applied.add(f"LimitNOFILE={wanted} (this machine's hard limit: {hard})")
        for key in ("CPUWeight", "CPUQuota", "MemoryMax"):
            if unit.get(key):
                self.not_applied.add(f"{key}= (needs systemd's cgroups)")
        if unit.get("Restart"):
            self.not_applied.add("Restart= (a process that dies stays dead: the test fails)")
        user = ["setpriv", f"--reuid={SERVICE_UID}", f"--regid={SERVICE_UID}", "--clear-groups"]
        if unit.get("NoNewPrivileges") == "true":
            user.append("--no-new-privs")
        if unit.get("Nice"):  # set as root, kept by the service user's process
            user = ["nice", "-n", unit.get("Nice"), *user]
        if unit.get("User") != "samskab" or unit.get("Group") != "samskab":
            raise Failed(f"{unit.name}: expected User=samskab and Group=samskab")
        wrapper = [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            SANDBOX_SCRIPT,
            "sandbox",
        ]
        return [*wrapper, *user, *argv], env

    def start_unit(self, file: str, name: str, replace: dict[str, str]) -> None:
        unit = read_unit(file, self.substitute)
        command = unit.get("ExecStart")
        for old, new in replace.items():
            if old not in command:
                raise Failed(f"{file}: ExecStart has no {old!r}: {command}")
            command = command.replace(old, new)
        argv, env = self.sandboxed(unit, shlex.split(command))
        timeout = float(unit.get("TimeoutStopSec", "90"))
        self.spawn(name, argv, env=env, kill=(unit.get("KillMode", "control-group"), timeout))
        say(f"started {name} ({file}): {command}")

    def stop(self, name: str) -> int | None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return process.returncode if process else None
        mode, timeout = self.kill_modes[name]
        with contextlib.suppress(ProcessLookupError):
            if mode == "mixed":  # SIGTERM to the main process, SIGKILL to all after
                process.send_signal(signal.SIGTERM)
            else:
                os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(min(timeout, 60))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop in time: SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return process.returncode

    def alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise Failed(f"{name} exited with {process.returncode}")

    # --- nginx --------------------------------------------------------------------------

    def nginx_site(self) -> str:
        https, http = self.ports["https"], self.ports["http"]
        text = self.substitute((DEPLOY / "nginx.conf").read_text())
        replacements = [
            (r"listen 443 ssl default_server;", f"listen 127.0.0.1:{https} ssl default_server;"),
            (r"listen 80 default_server;", f"listen 127.0.0.1:{http} default_server;"),
            (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
            (r"listen 80;", f"listen 127.0.0.1:{http};"),
            (r"server 127\.0\.0\.1:8000 ", f"server 127.0.0.1:{self.ports['web1']} "),
            (r"# server 127\.0\.0\.1:8001 ", f"server 127.0.0.1:{self.ports['web2']} "),
            (r"server 127\.0\.0\.1:8010 ", f"server 127.0.0.1:{self.ports['beacon']} "),
            (r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(self.root / "tls/cert.pem")),
            (r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(self.root / "tls/key.pem")),
        ]
        for pattern, new in replacements:
            text, count = re.subn(pattern, new, text)
            if not count:
                raise Failed(f"docs/deploy/nginx.conf no longer has {pattern!r}")
        # The default server's certificate (ssl_reject_handshake needs none; Debian's nginx
        # still asks for one when the other server on the port has it).
        return text

    def start_nginx(self) -> None:
        if shutil.which("nginx") is None:
            say("installing nginx (apt-get)")
            subprocess.run(
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                "nginx >/dev/null",
                shell=True,
                check=True,
            )
        folder = self.root / "nginx"
        folder.mkdir()
        (folder / "samskab").write_text(self.nginx_site())
        # Debian's /etc/nginx/nginx.conf includes every enabled site; this main file includes
        # only ours, and keeps pid, logs and temporary files in the test's folder.
        (folder / "nginx.conf").write_text(f"""
user www-data;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {folder}/access.log;
    # Which process answered (the beacon's check).
    log_format upstream '$request_method $uri $status $upstream_addr';
    access_log {folder}/upstream.log upstream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/samskab;
}}
""")
        subprocess.run(["nginx", "-t", "-q", "-c", str(folder / "nginx.conf")], check=True)
        self.spawn("nginx", ["nginx", "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])

    # --- the sandbox itself ---------------------------------------------------------------

    def check_sandbox(self) -> None:
        unit = read_unit("samskab-web.service", self.substitute)
        probe = (
            f"touch {self.root}/data/sandbox-probe && rm {self.root}/data/sandbox-probe"
            f" && ! touch {self.root}/outside-probe 2>/dev/null"
            f" && ! touch {REPO}/outside-probe 2>/dev/null"
            f' && [ "$(id -u)" = {SERVICE_UID} ] && touch /tmp/x && [ ! -e /tmp/x.real ]'
            " && grep -q '^NoNewPrivs:[[:space:]]*1' /proc/self/status"
        )
        argv, env = self.sandboxed(unit, ["/bin/sh", "-c", probe])
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        check(
            "the units' sandbox: only ReadWritePaths writable, another user, no new privileges",
            done.returncode == 0,
            done.stderr.strip()[-300:],
        )


# --- HTTP through nginx -----------------------------------------------------------------


class Forms(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.by_id: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if "id" in attributes:
            self.by_id[attributes["id"]] = attributes
        if tag == "form":
            self.forms.append(
                {
                    "action": attributes.get("action", ""),
                    "method": attributes.get("method", "get"),
                    "fields": {},
                }
            )
        elif tag in ("input", "button", "select", "textarea") and self.forms:
            name = attributes.get("name")
            kind = attributes.get("type", "")
            if name and kind not in ("submit", "checkbox", "radio", "file") and tag != "button":
                self.forms[-1]["fields"][name] = attributes.get("value", "")
            if name and kind == "checkbox" and "checked" in attributes:
                self.forms[-1]["fields"][name] = attributes.get("value", "on")


def parse(page: str) -> Forms:
    forms = Forms()
    forms.feed(page)
    return forms


class Browser:
    """HTTPS to nginx on loopback, as a browser on https://samskab.test:<port> would: SNI and
    Host are the site's name, Origin on posts, cookies kept, redirects followed."""

    def __init__(self, deployment: Deployment) -> None:
        self.d = deployment
        context = ssl.create_default_context(cafile=str(deployment.root / "tls/cert.pem"))
        self.client = httpx.Client(
            base_url=f"https://127.0.0.1:{deployment.ports['https']}",
            verify=context,
            timeout=30,
            headers={"Host": HOST, "User-Agent": "samskab-deploy-test"},
        )
        self.url = ""

    def local(self, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))

    def request(self, method: str, path: str, *, follow=True, **kwargs) -> httpx.Response:
        path = self.local(path)
        if method == "POST":
            kwargs.setdefault("headers", {})["Origin"] = self.d.origin
        for _hop in range(12):
            response = self.client.request(
                method, path, extensions={"sni_hostname": HOST}, **kwargs
            )
            self.url = path
            if not (follow and response.is_redirect):
                return response
            path = self.local(urllib.parse.urljoin(path, response.headers["location"]))
            method, kwargs = "GET", {}
        raise Failed(f"too many redirects from {path}")

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def submit(self, page: httpx.Response, fill: dict, *, match: str = "", files=None):
        """Submit the page's form (the first whose action contains `match`)."""
        for form in parse(page.text).forms:
            if form["method"].lower() == "post" and match in (form["action"] or self.url):
                data = form["fields"] | fill
                return self.request("POST", form["action"] or self.url, data=data, files=files)
        raise Failed(f"no form for {match!r} on {self.url}")

    def post(self, path: str, data=None, files=None) -> httpx.Response:
        token = self.client.cookies.get("__Host-csrftoken") or ""
        return self.request(
            "POST", path, data={"csrfmiddlewaretoken": token, **(data or {})}, files=files
        )


def totp(secret: str, at: float | None = None) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), "sha1").digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# --- the smoke test -------------------------------------------------------------------------


def log_in(d: Deployment, browser: Browser, password: str) -> None:
    page = browser.get("/accounts/login/")
    page = browser.submit(page, {"login": ADMIN, "password": password}, match="login")
    mail = wait_for("the verification mail", lambda: d.mails and d.mails[-1], 20)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail)
    check("the first login sends a verification mail over SMTP", bool(link))
    page = browser.get(link.group(0))
    page = browser.submit(page, {}, match="confirm-email")
    for _step in range(6):
        if "/accounts/reauthenticate/" in browser.url:
            page = browser.submit(page, {"password": password}, match="reauthenticate")
        elif "/accounts/2fa/totp/activate/" in browser.url:
            secret = parse(page.text).by_id["authenticator_secret"]["value"]
            page = browser.submit(page, {"code": totp(secret)}, match="activate")
        elif "/recovery-codes/" in browser.url:
            break
        else:
            page = browser.get("/admin/")
            if browser.url.startswith("/admin"):
                break
    page = browser.get("/admin/")
    check(
        "the administrator logs in (mail, password again, TOTP) and the admin opens",
        page.status_code == 200 and browser.url == "/admin/" and "logout" in page.text,
        f"{page.status_code} at {browser.url}",
    )


class SSE(threading.Thread):
    """Follows a live channel through nginx; keeps (id, event, data) as they arrive."""

    def __init__(self, d: Deployment, channel: str) -> None:
        super().__init__(daemon=True)
        self.d, self.channel = d, channel
        self.events: list[tuple[str, str, str]] = []
        self.connected = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the servers stop at the end
            self.follow()

    def follow(self) -> None:
        context = ssl.create_default_context(cafile=str(self.d.root / "tls/cert.pem"))
        with httpx.Client(verify=context, timeout=httpx.Timeout(30, read=60)) as client:
            url = f"https://127.0.0.1:{self.d.ports['https']}/live/{self.channel}/"
            with client.stream(
                "GET",
                url,
                headers={"Host": HOST, "Accept": "text/event-stream"},
                extensions={"sni_hostname": HOST},
            ) as response:
                self.status = response.status_code
                self.connected.set()
                event = {"id": "", "event": "message", "data": ""}
                for line in response.iter_lines():
                    if self.stop.is_set():
                        return
                    if not line:
                        if event["data"] or event["event"] != "message":
                            self.events.append((event["id"], event["event"], event["data"]))
                        event = {"id": "", "event": "message", "data": ""}
                    elif not line.startswith(":"):
                        key, _sep, value = line.partition(":")
                        event[key] = value.strip()


def media_files(*folders: Path, skip=("work",)) -> dict[str, str]:
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and rel.parts[0] not in skip and not path.name.startswith(".readyz"):
                found[f"{folder.name}/{rel}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def table_counts(d: Deployment, database: str) -> dict[str, int]:
    tables = d.psql(
        "SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1", database
    ).split()
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    rows = (line.split("|") for line in d.psql(sql, database).splitlines() if line)
    return {name: int(count) for name, count in rows}


SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from samskab.webcasts.models import Body, Meeting
body = Body.objects.create(name="Byrådet", slug="byraadet", kind="council")
now = timezone.now()
live = Meeting.objects.create(body=body, title="Deploy test: live", starts_at=now)
held = Meeting.objects.create(body=body, title="Deploy test: recording",
                              starts_at=now - timedelta(days=1), status=Meeting.Status.ENDED)
print(json.dumps({"live": live.pk, "held": held.pk}))
"""


def beacons(d: Deployment, meeting: int) -> None:
    """The player's heartbeat through nginx: answered by the beacon process (nginx's log
    names the upstream) and stored; with that process stopped, by a web process instead."""
    viewer = Browser(d)
    page = viewer.get(f"/moeder/{meeting}/")
    found = re.search(r'data-ticket="([^"]+)"', page.text)
    if page.status_code != 200 or not found:
        raise Failed(f"the meeting page has no statistics ticket ({page.status_code})")
    ticket = html.unescape(found.group(1))
    log = d.root / "nginx" / "upstream.log"

    def send(seq: int) -> tuple[httpx.Response, str]:
        before = log.read_text() if log.exists() else ""
        body = json.dumps({"t": ticket, "k": "hb", "s": seq, "p": 5, "w": 5, "l": True})
        # As navigator.sendBeacon sends a string: text/plain, no CSRF token, no cookie needed.
        answer = viewer.client.post(
            "/statistik/b/",
            content=body,
            headers={"Content-Type": "text/plain;charset=UTF-8"},
            extensions={"sni_hostname": HOST},
        )
        lines = wait_for(
            "nginx's log line",
            lambda: [
                line
                for line in log.read_text()[len(before) :].splitlines()
                if line.startswith("POST /statistik/b/ ")
            ],
            10,
        )
        return answer, lines[-1].split(" ", 3)[3]

    def stored() -> int:
        return int(
            d.psql(
                f"SELECT count(*) FROM stats_event WHERE kind = 'hb' AND meeting_id = {meeting}",
                d.database,
            ).strip()
        )

    answer, upstream = send(1)
    beacon = f"127.0.0.1:{d.ports['beacon']}"
    check(
        "a heartbeat through nginx is answered by the beacon process",
        answer.status_code == 204
        and answer.headers.get("cache-control") == "no-store"
        and upstream == beacon,
        f"{answer.status_code}, upstream {upstream}",
    )
    # The first event of a process is written at once; the next waits in the buffer up to
    # STATS_FLUSH_SECONDS. Stopped at once, as systemd stops it, the process stores it as it
    # exits ("before the stop" says whether it was still waiting).
    count = wait_for("the heartbeat in the database", stored, 15)
    check("the beacon process stores it", count == 1, f"{count} heartbeat events")
    answer, upstream = send(2)
    waiting = stored()
    code = d.stop("beacon")
    count = stored()
    check(
        "the beacon process stops cleanly (SIGTERM, exit 0) and stores what it had answered",
        upstream == beacon and code == 0 and count == 2,
        f"exit {code}; heartbeat events: {waiting} before the stop, {count} after",
    )
    answer, upstream = send(3)
    web = f"127.0.0.1:{d.ports['web1']}"
    count = wait_for("the third heartbeat in the database", lambda: stored() > 2, 15) and stored()
    check(
        "with the beacon process stopped, a web process takes and stores the heartbeat",
        answer.status_code == 204 and upstream.endswith(web) and count == 3,
        f"{answer.status_code}, upstream {upstream}, {count} events",
    )


def smoke_test(d: Deployment) -> None:
    from samskab.webcasts.ffmpeg import ffmpeg_path

    ffmpeg = ffmpeg_path()
    password = secrets.token_urlsafe(18)
    say(f"folder {d.root}; database {d.database}; ports {d.ports}")
    d.start_smtp()
    d.start_database()
    d.start_redis()
    d.make_certificate()
    d.write_env()
    os.chown(d.root, SERVICE_UID, SERVICE_UID)

    # docs/deployment.md, Install: the commands in its order, as the service user.
    say("setup_dirs, migrate, collectstatic, createsuperuser, check --deploy")
    say(d.manage("setup_dirs").strip().replace("\n", "; "))
    # collectstatic needs no database: it runs while migrate does.
    static = d.manage_started("collectstatic", "--no-input", "-v0")
    d.manage("migrate", "--no-input", "-v0")
    d.finish(static, "collectstatic")
    deploy_check = d.manage_started("check", "--deploy", "--fail-level", "WARNING")
    d.manage(
        "createsuperuser",
        "--no-input",
        "--email",
        ADMIN,
        extra_env={"DJANGO_SUPERUSER_PASSWORD": password},
    )
    ids = json.loads(d.manage("shell", "-c", SEED).strip().splitlines()[-1])
    d.finish(deploy_check, "check --deploy")
    check("the install steps of docs/deployment.md run as the service user", True)

    d.check_sandbox()
    d.start_unit(
        "samskab-web.service",
        "web1",
        {"--port 8000": f"--port {d.ports['web1']}", "--workers 4": "--workers 1"},
    )
    d.start_unit(
        "samskab-web.service",
        "web2",
        {"--port 8000": f"--port {d.ports['web2']}", "--workers 4": "--workers 1"},
    )
    d.start_unit("samskab-beacon.service", "beacon", {"--port 8010": f"--port {d.ports['beacon']}"})
    d.start_unit("samskab-worker.service", "worker", {})
    d.start_unit(
        "samskab-ingest.service",
        "ingest",
        {
            "--host 0.0.0.0": "--host 127.0.0.1",
            "--port 1935": f"--port {d.ports['rtmp']}",
            "--srt-port 9000": "--srt-port 0",
        },
    )
    d.start_nginx()
    for name in ("web1", "web2", "beacon"):
        port = d.ports[name]

        def ready(p=port) -> bool:
            d.alive()
            return httpx.get(f"http://127.0.0.1:{p}/readyz").status_code == 200

        wait_for(f"{name} /readyz", ready, 90)
    ready = httpx.get(f"http://127.0.0.1:{d.ports['web1']}/readyz").json()
    check(
        "both web processes ready, probed directly (database, Redis, media, worker)",
        ready["status"] == "ok" and ready["checks"]["worker"] == "ok",
        json.dumps(ready["checks"]),
    )
    d.alive()

    browser = Browser(d)
    plain = httpx.get(f"http://127.0.0.1:{d.ports['http']}/", headers={"Host": HOST})
    check(
        "http redirects to https",
        plain.status_code == 301 and plain.headers["location"].startswith(f"https://{HOST}"),
    )
    home = browser.get("/")
    check(
        "the front page over TLS through nginx, with HSTS",
        home.status_code == 200 and "max-age" in home.headers.get("strict-transport-security", ""),
    )
    css = re.search(r'/static/[^"]+\.css', home.text)
    static = browser.get(css.group(0), headers={"Accept-Encoding": "gzip"}) if css else None
    check(
        "static files from nginx",
        static is not None and static.status_code == 200,
        static.headers.get("content-encoding", "not compressed") if static else "no CSS link",
    )

    log_in(d, browser, password)

    # Live: a viewer follows the meeting while the operator starts it.
    live_id = ids["live"]
    viewer = SSE(d, f"meeting:{live_id}")
    viewer.start()
    viewer.connected.wait(20)
    time.sleep(0.5)
    started_at = time.monotonic()
    page = browser.post(f"/moeder/{live_id}/konsol/start/")
    check("the operator starts the meeting from the console", page.status_code == 200)
    wait_for("the live event through nginx", lambda: viewer.events, 15, every=0.05)
    check(
        "a viewer's live stream (SSE) through nginx gets the start at once",
        viewer.events[0][1] == "mark",
        f"{viewer.events[0][1]} after {time.monotonic() - started_at:.2f} s",
    )

    beacons(d, live_id)

    # Ingest: a stream key from the console, a 10-second feed, live HLS through nginx.
    browser.post(f"/streaming/{live_id}/ny-noegle/")
    shown = browser.get(f"/streaming/{live_id}/noegle/")
    key = re.search(r"<code>([A-Za-z0-9_-]{16,})</code>", shown.text)
    check("the console makes and shows a stream key", shown.status_code == 200 and bool(key))
    feed = subprocess.Popen(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "10",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "50",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-f",
            "flv",
            f"rtmp://127.0.0.1:{d.ports['rtmp']}/live/{key.group(1)}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(d.logs / "feed.log", "wb"),  # noqa: SIM115
    )
    anonymous = Browser(d)
    playlist = f"/media/webcasts/{live_id}/index.m3u8"
    live = wait_for(
        "live HLS through nginx",
        lambda: (r := anonymous.get(playlist)).status_code == 200 and ".ts" in r.text and r,
        30,
    )
    segment = re.search(r"^[^#\s]+\.ts$", live.text, re.M).group(0)
    seg = anonymous.get(f"/media/webcasts/{live_id}/{segment}")
    check(
        "an RTMP feed becomes live HLS, served by nginx after the app's check",
        seg.status_code == 200
        and seg.headers.get("content-type") == "video/mp2t"
        and len(seg.content) > 1000,
        f"{segment}: {seg.status_code}, {len(seg.content)} bytes",
    )
    feed.wait(60)
    ended = wait_for(
        "the playlist's end", lambda: "#EXT-X-ENDLIST" in anonymous.get(playlist).text, 30
    )
    check("the feed's end closes the live playlist", bool(ended))
    master = anonymous.get(f"/media/webcasts/{live_id}/recording.mkv")
    check("the ingest's master is not served", master.status_code == 404, str(master.status_code))
    browser.post(f"/moeder/{live_id}/konsol/slut/")

    # Upload a recording; the worker packages it; hide and show it.
    held = ids["held"]
    video = d.root / "upload.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:sample_rate=48000",
            "-t",
            "6",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-movflags",
            "+faststart",
            str(video),
        ],
        check=True,
    )
    page = browser.get(f"/moeder/{held}/optagelse/")
    with video.open("rb") as handle:
        page = browser.submit(
            page, {}, match="overfoer", files={"file": ("upload.mp4", handle, "video/mp4")}
        )
    check(
        "a recording is uploaded through nginx",
        page.status_code == 200 and "alert-error" not in page.text,
        f"{page.status_code} at {browser.url}",
    )
    playlist = f"/media/webcasts/{held}/index.m3u8"
    vod = wait_for(
        "the packaged recording",
        lambda: (
            (r := anonymous.get(playlist)).status_code == 200 and "#EXT-X-ENDLIST" in r.text and r
        ),
        90,
    )
    segment = re.search(r"^[^#\s]+\.(ts|m4s|mp4)$", vod.text, re.M).group(0)
    first = f"/media/webcasts/{held}/{segment}"
    check(
        "the worker packages it and nginx serves it",
        anonymous.get(first).status_code == 200,
        segment,
    )
    browser.post(f"/moeder/{held}/optagelse/skjul/")
    gone = [
        anonymous.get(playlist).status_code,
        anonymous.get(first).status_code,
        browser.get(playlist).status_code,
    ]
    in_media = (d.root / "data/media/webcasts" / str(held)).exists()
    check(
        "hidden: playlist and segment not reachable, files out of MEDIA_ROOT",
        gone == [404, 404, 404] and not in_media,
        f"{gone}, in media: {in_media}",
    )
    browser.post(f"/moeder/{held}/optagelse/vis/")
    back = [anonymous.get(playlist).status_code, anonymous.get(first).status_code]
    check("shown again: reachable", back == [200, 200], str(back))
    browser.post(f"/moeder/{held}/optagelse/skjul/")  # the backup must keep a hidden one
    check("hidden again before the backup", anonymous.get(playlist).status_code == 404)
    d.alive()

    # Backup, as docs/deployment.md says: exact when the worker and the ingest are stopped.
    stopped = {name: d.stop(name) for name in ("worker", "ingest")}
    check(
        "the worker and the ingest stop cleanly on SIGTERM",
        set(stopped.values()) <= {0},
        str(stopped),
    )
    backups = d.root / "data" / "backups"
    out = d.manage("backup", str(backups))
    folder = Path(re.search(r"Backup written to (\S+)", out).group(1))
    counts = table_counts(d, d.database)
    files = media_files(d.root / "data/media", d.root / "data/private")
    d.create_database(d.restore_database)
    restored_root = d.root / "data" / "restored"
    url = f"postgres://postgres@127.0.0.1:5432/{d.restore_database}"
    d.manage(
        "restore",
        str(folder),
        "--database-url",
        url,
        "--media-root",
        str(restored_root / "media"),
        "--private-root",
        str(restored_root / "private"),
    )
    counts_after = table_counts(d, d.restore_database)
    files_after = media_files(restored_root / "media", restored_root / "private")
    lost = sorted(set(files) - set(files_after))
    changed = sorted(k for k in files if k in files_after and files[k] != files_after[k])
    differ = {
        t: (counts[t], counts_after.get(t)) for t in counts if counts[t] != counts_after.get(t)
    }
    hidden = [k for k in files_after if k.startswith(f"private/hidden/{held}/")]
    check(
        "restore into a second database: every table's rows",
        not differ and len(counts) > 50,
        f"{len(counts)} tables, {sum(counts.values())} rows"
        + (f"; differ {differ}" if differ else ""),
    )
    check(
        "restore: every media and private file, byte for byte, the hidden recording too",
        not lost and not changed and bool(hidden),
        f"{len(files)} files, {len(hidden)} hidden"
        + (f"; lost {lost[:5]} changed {changed[:5]}" if lost or changed else ""),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parent", default="/srv", help="where the test's folder is made")
    parser.add_argument("--database", help="name of the fresh PostgreSQL database")
    parser.add_argument("--template", help="copy this migrated database (development only)")
    parser.add_argument("--keep", action="store_true", help="keep the folder (logs)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("The deployment test runs as root (mount namespaces, another user, nginx).")
        return 2
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")
    d = Deployment(args)
    failed = ""
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        smoke_test(d)
    except (Failed, KeyboardInterrupt) as error:
        failed = str(error) or error.__class__.__name__
    except Exception as error:
        import traceback

        traceback.print_exc()
        failed = f"{error.__class__.__name__}: {error}"
    finally:
        signal.signal(signal.SIGTERM, previous)
        if failed:
            for log in sorted(d.logs.glob("*.log")):
                tail = log.read_text(errors="replace")[-2500:]
                print(f"--- {log.name} (last lines)\n{tail}")
            nginx_errors = d.root / "nginx" / "error.log"
            if nginx_errors.exists():
                print(f"--- nginx error.log\n{nginx_errors.read_text()[-2500:]}")
        for name in reversed(list(d.processes)):
            d.stop(name)
        if d.smtp:
            d.smtp.stop()
        for name in d.made_databases:
            with contextlib.suppress(subprocess.CalledProcessError):
                d.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if args.keep:
            say(f"kept {d.root}")
        else:
            shutil.rmtree(d.root, ignore_errors=True)
    passed = sum(ok for _n, ok, _d in results)
    skipped = "; ".join(sorted(d.not_applied)) or "none"
    print(
        f"\nNot applied from the units on this machine: {skipped}"
        "; also not: systemd's own cgroup, Restart= and the timers (no systemd here)."
    )
    elapsed = time.monotonic() - STARTED
    if failed:
        print(f"DEPLOYMENT TEST FAILED after {elapsed:.0f} s: {failed} ({passed} checks passed)")
        return 1
    print(f"DEPLOYMENT TEST PASSED: {passed} checks in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
