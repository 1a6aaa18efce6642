"""A real Samskab for the webcasts browser tests: uvicorn (ASGI, so server-sent events work)
as a subprocess on a free port, over a migrated SQLite file with the demo loaded and a few
meetings seeded (tests/e2e/webcasts_seed.py), plus a tiny static server on another port for
the page that embeds the player. Staff sign in by a session made in that database.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from samskab.live.testing import made_once, migrated_template

PROJECT_DIR = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60


@dataclass
class Site:
    url: str
    work: Path
    env: dict[str, str]
    seed: dict = field(default_factory=dict)

    def log(self) -> str:
        path = self.work / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


def site_environment(work: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SAMSKAB_", "DATABASE_", "PYTEST_"))
    }
    env.update(
        {
            "SAMSKAB_VAR_DIR": str(work),
            "DATABASE_URL": f"sqlite:///{work / 'samskab.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "SECRET_KEY": "e2e-webcasts-" + "x" * 50,
            "DEBUG": "0",
            "LIVE_BROKER_URL": "memory://",
            "CACHE_URL": "locmem://",
            # Slide decks are rendered at once, without a separate worker process.
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "RATELIMIT_ENABLED": "0",
            "AXES_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            # The demo's generated video is encoded once per test run and copied after that.
            "DEMO_VIDEO_CACHE": str(work.parent / "demo-video-cache"),
        }
    )
    return env


def run(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def wait_until_ready(url: str, process: subprocess.Popen, site: Site) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{site.log()}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling for the server to come up, not waiting for time to pass
    raise RuntimeError(f"the server did not answer in {READY_TIMEOUT_S} s:\n{site.log()}")


def demo_template(tmp_path_factory) -> Path:
    """A work folder with the database migrated and the demo loaded, made once and copied for
    each site: migrating and loading the demo take one to two minutes on a busy machine, and
    every site started them from the same empty folder. Made once per test run, in its base
    temporary folder; or once for several runs when SAMSKAB_E2E_TEMPLATE names a folder (CI
    gives its SQLite and PostgreSQL passes one: their sites are SQLite files either way). A
    lock file lets one maker build it while the others wait; a folder is used only once it
    says it is complete, so an interrupted build is made again."""
    shared = os.environ.get("SAMSKAB_E2E_TEMPLATE")
    root = Path(shared) if shared else tmp_path_factory.getbasetemp() / "demo-template"
    return demo_site_template(root)


def demo_site_template(root: Path) -> Path:
    """`demo_template` in the folder `root`: made there unless complete, waiting while another
    process makes it (CI's API fuzzing asks for it beside the tests, scripts/schemathesis.py)."""
    template = root / "site"

    def make() -> None:
        shutil.rmtree(template, ignore_errors=True)
        template.mkdir()
        env = site_environment(template)
        # The test databases' migrated one when CI keeps it (SAMSKAB_E2E_TEMPLATE): one
        # migration fewer a run. It also holds the test-only apps' tables, which the site,
        # without them installed, never reads.
        migrated = migrated_template(env | {"SAMSKAB_TESTING": "1"})
        if migrated is None:
            run(env, "manage.py", "migrate", "--no-input")
        else:
            shutil.copyfile(migrated, env["DATABASE_URL"].removeprefix("sqlite:///"))
        run(env, "manage.py", "demo")

    made_once(root, make)
    return template


def running_site(
    tmp_path_factory,
    *,
    name: str = "webcasts-site",
    seed: tuple[str, ...] = ("tests/e2e/webcasts_seed.py",),
    env_extra: dict[str, str] | None = None,
) -> Iterator[Site]:
    """Body of a module-scoped fixture: a copy of the demo (demo_template) with `seed` run over
    it (its last line is JSON), served by uvicorn, stopped when the generator is closed."""
    work = tmp_path_factory.mktemp(name)
    shutil.copytree(demo_template(tmp_path_factory), work, dirs_exist_ok=True)
    env = site_environment(work) | (env_extra or {})
    seed_data = json.loads(run(env, *seed).strip().splitlines()[-1])
    sock = free_socket()
    port = sock.getsockname()[1]
    site = Site(url=f"http://127.0.0.1:{port}", work=work, env=env, seed=seed_data)
    with open(work / "server.log", "w") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "samskab.asgi:application",
                "--fd", str(sock.fileno()), "--lifespan", "off", "--no-access-log",
            ],
            cwd=PROJECT_DIR,
            env=env,
            pass_fds=[sock.fileno()],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    sock.close()  # the server holds its own copy
    try:
        wait_until_ready(site.url, process, site)
        yield site
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def running_static_site(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A plain web server on another port (another origin) serving files from a folder."""
    folder = tmp_path_factory.mktemp("static-site")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


def open_page(browser, site: Site, *, session: str | None = None, **context_options):
    """A page in a fresh browser context, signed in when given a session, watching for problems."""
    context = browser.new_context(
        base_url=site.url,
        **{"locale": "en-GB", "viewport": {"width": 1280, "height": 900}, **context_options},
    )
    # Generous, as in conftest: the machines that run the suite are often shared and busy.
    context.set_default_timeout(30_000)
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": site.url}])
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )

    def console(message) -> None:
        if message.type == "error" and "axe-core" not in message.location.get("url", ""):
            problems.append(f"console: {message.text} {message.location.get('url', '')}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.problems = problems
    return page


def close_page(page) -> None:
    problems = [
        problem
        for problem in page.problems
        if not (getattr(page, "axe_ran", False) and _axe_blob_retry(problem))
    ]
    page.context.close()
    assert not problems, "the browser met problems:\n" + "\n".join(problems)


def _axe_blob_retry(problem: str) -> bool:
    return "ERR_FILE_NOT_FOUND" in problem and " blob:" in problem


def check_accessible(page) -> None:
    """assert_accessible, minus one side effect of axe-core itself: while it inspects a
    <video> played through Media Source Extensions, the browser tries the video's revoked
    blob: address again (at once or a little later) and logs a failed load. The page did
    nothing wrong; close_page() leaves out that one message on pages axe has inspected."""
    from tests.e2e.conftest import assert_accessible

    page.axe_ran = True
    assert_accessible(page)
