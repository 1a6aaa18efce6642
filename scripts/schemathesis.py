"""Schemathesis over /api/openapi.json against a live server with the demo data (CI step).

    python scripts/schemathesis.py [--max-examples 20] [--max-time 45] [--seed N]
        [--demo-template DIR]

Makes a throw-away SQLite database and media folder, loads the demo municipality (or copies
the browser tests' demo site kept in DIR, made there first if no test has made it yet: CI runs
this beside its tests, which need the same site, and migrating and loading the demo once
more took a minute of a core), serves it
on a free loopback port, and runs Schemathesis twice: anonymously, and as the demo citizen
(a verified resident) signed in by the session with its X-CSRFToken. Each run fails on a
5xx (not_a_server_error) or on a status code the operation does not document
(status_code_conformance), and on a response that does not match its schema. Exits non-zero
if either run fails. Bounded: --max-examples per operation and --max-time per run.
"""

# It runs only this virtual environment's own commands, with arguments it makes itself.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  # loopback
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


SIGN_IN = """
import django
django.setup()
from django.conf import settings
from django.test import Client
from samskab.accounts.models import User
from samskab.accounts.demo import DEMO_CITIZEN
client = Client()
client.force_login(
    User.objects.get(email=DEMO_CITIZEN), backend="django.contrib.auth.backends.ModelBackend"
)
print(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
print(settings.CSRF_COOKIE_NAME)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--max-time", type=int, default=45, help="seconds per run")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--demo-template",
        type=Path,
        help="a folder where the browser tests keep their demo site (SAMSKAB_E2E_TEMPLATE)",
    )
    args = parser.parse_args()

    bin_dir = Path(sys.executable).parent
    samskab, st = str(bin_dir / "samskab"), str(bin_dir / "st")
    work = Path(tempfile.mkdtemp(prefix="samskab-schemathesis-"))
    env = {
        **os.environ,
        "SAMSKAB_VAR_DIR": str(work),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
        # Rate limits would answer most writes 429 (documented) and test nothing behind them.
        "RATELIMIT_ENABLED": "0",
        "DJANGO_SETTINGS_MODULE": "samskab.settings",
    }
    for name in ("SAMSKAB_TESTING", "SAMSKAB_ENV", "CACHE_URL", "LIVE_BROKER_URL"):
        env.pop(name, None)
    server = None
    try:
        # The browser tests' demo site (tests/e2e/webcasts_fixtures.demo_template): made
        # there by whichever asks first, this script or a test worker, while the other waits.
        if args.demo_template is not None:
            sys.path.insert(0, str(ROOT))
            from tests.e2e.webcasts_fixtures import demo_site_template

            template = demo_site_template(args.demo_template)
            shutil.copytree(template, work, dirs_exist_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{work / 'samskab.sqlite3'}"
            env["MEDIA_ROOT"] = str(work / "media")
            print(f"The demo site copied from {template}.", flush=True)
        else:
            quiet = {"env": env, "cwd": ROOT, "check": True, "stdout": subprocess.DEVNULL}
            subprocess.run([samskab, "migrate", "--no-input"], **quiet)
            subprocess.run([samskab, "demo"], **quiet)
        signed_in = subprocess.run(
            [sys.executable, "-c", SIGN_IN],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        session_cookie, session, csrf_cookie = signed_in
        csrf = "schemathesis" + "0" * 20  # a CSRF secret is any 32 letters and digits

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [samskab, "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=open(work / "server.log", "w"),  # noqa: SIM115  # open while it runs
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(f"{base}/api/openapi.json")

        common = [
            st,
            "run",
            f"{base}/api/openapi.json",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(args.max_examples),
            "--max-time",
            str(args.max_time),
            # One worker: with more, Hypothesis's lambda descriptions race in Python 3.11's
            # AST parser ("AST constructor recursion depth mismatch"), a runtime error.
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--suppress-health-check",
            "all",
            "--no-color",
        ]
        if args.seed is not None:
            common += ["--seed", str(args.seed)]
        runs = {
            "anonymous": [],
            "signed-in citizen (session and X-CSRFToken)": [
                "--header",
                f"Cookie: {session_cookie}={session}; {csrf_cookie}={csrf}",
                "--header",
                f"X-CSRFToken: {csrf}",
            ],
        }
        failed = []
        for name, extra in runs.items():
            print(f"--- Schemathesis, {name}", flush=True)
            result = subprocess.run(
                [*common, *extra, "--report-dir", str(work / "report" / name.split()[0])],
                env=env,
                cwd=work,  # Schemathesis keeps a cache (.schemathesis/) where it runs
            )
            if result.returncode != 0:
                failed.append(name)
        if failed:
            print(f"Schemathesis failed: {', '.join(failed)}. Server log:", flush=True)
            print((work / "server.log").read_text()[-20000:])
            return 1
        return 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
