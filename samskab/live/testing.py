"""Real servers for the live tests and benchmark: uvicorn processes on loopback.

    env = server_environment(tmp_path, broker="memory://")
    prepare_database(env)
    sessions = seed_people(env, {"mod": "moderator", "citizen": None})
    with ServerProcess("samskab.asgi:application", env) as server:
        httpx.get(server.url + "/live/demo:x/") ...

Each server binds port 0 and reports the port it got, so runs side by side never collide.
`python -m samskab.live.testing seed name:role ...` (in a server's environment) creates
people and logged-in sessions and prints {name: session key} as JSON.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parents[2]
RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
# The test servers' key: they run on loopback with throw-away databases.
SECRET = "live-tests-secret-key-not-for-production-0123456789abcdefghij"  # noqa: S105


def server_environment(directory: Path, *, broker: str, **extra: str) -> dict[str, str]:
    """A server's environment: its own SQLite database and var directory, one secret."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LIVE_", "DATABASE_URL", "CACHE_URL", "PYTEST", "DJANGO_"))
    }
    env.update(
        SAMSKAB_VAR_DIR=str(directory),
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        SECRET_KEY=SECRET,
        LIVE_BROKER_URL=broker,
        DJANGO_SETTINGS_MODULE="samskab.settings",
        PYTHONPATH=str(PROJECT_DIR),
    )
    env.update(extra)
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Migrate the SQLite database that `env` names.

    Migrating takes most of a minute, and the live tests, the benchmarks and both of CI's test
    passes each asked for the same empty database. When SAMSKAB_E2E_TEMPLATE names a folder
    (CI gives both passes one), a migrated database is made there once and copied after that
    (`migrated_template`)."""
    database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    template = migrated_template(env)
    if template is None:
        _migrate(env)
        return
    import shutil

    shutil.copyfile(template, database)


def migrated_template(env: dict[str, str]) -> Path | None:
    """The migrated SQLite database kept under SAMSKAB_E2E_TEMPLATE for `env`'s settings, made
    by the first process that asks; None when no folder is named. It is kept under a
    fingerprint of the migration files and of whether the test-only apps are installed, so a
    changed migration makes a new one; a lock lets one process make it while the others wait."""
    shared = os.environ.get("SAMSKAB_E2E_TEMPLATE")
    if not shared:
        return None
    folder = Path(shared) / f"migrated-{_migrations_fingerprint(env)}"
    made = folder / "db.sqlite3"

    def make() -> None:
        made.unlink(missing_ok=True)
        _migrate(env | {"DATABASE_URL": f"sqlite:///{made}"})

    made_once(folder, make)
    return made


def migrated_postgresql_template(env: dict[str, str], create, drop) -> str | None:
    """The name of a migrated PostgreSQL database to copy test databases from (CREATE DATABASE
    ... TEMPLATE), made once per SAMSKAB_E2E_TEMPLATE folder as `migrated_template` makes
    SQLite's: `create(name)` and `drop(name)` run on the server; `env["DATABASE_URL"]` names
    the server and the database it is named after (one template per database and set of
    migrations, so checkouts that share the server do not share it). None when no folder is
    named."""
    shared = os.environ.get("SAMSKAB_E2E_TEMPLATE")
    if not shared:
        return None
    fingerprint = _migrations_fingerprint(env)
    server, database = env["DATABASE_URL"].rsplit("/", 1)
    name = f"{database[:40]}_template_{fingerprint}"

    def make() -> None:
        drop(name)  # one an interrupted run left
        create(name)
        _migrate(env | {"DATABASE_URL": f"{server}/{name}"})

    made_once(Path(shared) / f"postgresql-{name}", make)
    return name


def made_once(folder: Path, make) -> None:
    """Run `make` for `folder` once, whichever of several processes (pytest-xdist workers, CI's
    two passes) asks first; the others wait on a lock and find it done. The folder counts as
    made only once `make` has finished, so an interrupted one is made again."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not (folder / "complete").exists():
            make()
            (folder / "complete").touch()


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "samskab.cli", "migrate", "--no-input", "-v0"],
        env=env,
        cwd=PROJECT_DIR,
        check=True,
    )


def _migrations_fingerprint(env: dict[str, str]) -> str:
    import hashlib

    digest = hashlib.sha256(env.get("SAMSKAB_TESTING", "").encode())
    for path in sorted((PROJECT_DIR / "samskab").glob("**/migrations/*.py")):
        digest.update(str(path.relative_to(PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def seed_people(env: dict[str, str], people: dict[str, str | None]) -> dict[str, str]:
    """Create people (name -> role value or None for a citizen) with a session each."""
    words = [f"{name}:{role or ''}" for name, role in people.items()]
    # Our own interpreter and module, with arguments we built: no outside input.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "samskab.live.testing", "seed", *words],
        env=env,
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


START_TIMEOUT_S = 120


class ServerProcess:
    """One uvicorn process serving `app` on 127.0.0.1 at a port of its own choosing;
    `nice` above 0 starts it at that lower priority, as a unit's `Nice=` does."""

    def __init__(
        self, app: str, env: dict[str, str], *, log: Path | None = None, args=(), nice: int = 0
    ):
        self.app = app
        self.nice = nice
        self.env = env
        self.log = log or Path(env["SAMSKAB_VAR_DIR"]) / f"server-{time.monotonic_ns()}.log"
        self.args = list(args)
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server has not started")
        return self.process.pid

    # Polled, so a quick start waits no longer; on a busy shared machine (load 25) a server
    # took more than 30 s to import Django and listen, and whole test modules failed to start.
    def start(self, timeout: float = START_TIMEOUT_S) -> "ServerProcess":
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> "ServerProcess":
        """Start the process without waiting (start several, then wait_ready() each)."""
        handle = open(self.log, "w")  # noqa: SIM115  # closed by the child's exit
        self.process = subprocess.Popen(  # noqa: S603  # our interpreter, our arguments
            [
                sys.executable,
                "-m",
                "uvicorn",
                self.app,
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--lifespan",
                "off",
                "--no-access-log",
                "--no-server-header",
                "--no-proxy-headers",
                "--timeout-graceful-shutdown",
                "1",
                *self.args,
            ],
            env=self.env,
            cwd=PROJECT_DIR,
            stdout=handle,
            stderr=subprocess.STDOUT,
            # In the child before Python starts: every thread it makes has the same priority.
            preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None,
        )
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> "ServerProcess":
        if self.process is None:
            raise RuntimeError("the server has not been launched")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log.read_text()}")
            found = RUNNING.search(self.log.read_text())
            if found:
                self.port = int(found.group(1))
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"the server did not start:\n{self.log.read_text()}")
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server does not answer:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def status(self, field: str) -> int:
        """A number from /proc/<pid>/status: "VmRSS" (kB), "Threads"."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _seed(words: list[str]) -> None:
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from samskab.accounts.models import User

    sessions = {}
    for word in words:
        name, _sep, role = word.partition(":")
        user, _created = User.objects.get_or_create(email=f"{name}@live.test")
        if role:
            user.groups.add(Group.objects.get(name=role))
            # A role counts only once its holder has a second factor (accounts' middleware).
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, generate_totp_secret())
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions[name] = session.session_key
    print(json.dumps(sessions))


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        _seed(sys.argv[2:])
    else:
        sys.exit("usage: python -m samskab.live.testing seed name:role ...")
