"""faults: what a live meeting keeps when processes fail under it (issue 18).

    make bench-faults
    python -m bench.faults --viewers 2000 --template samskab_migrated   # skip the migrations

On loopback: PostgreSQL (a new database), Redis (a `redis-server` of its own on a free port,
never the shared one), two web processes (`samskab serve`), the worker (`samskab worker`)
re-encoding an uploaded recording, and an event publisher (the product's `live.publish`,
four numbered events a second on one channel). Then, while 2,000 SSE viewers follow the
channel (split over the two processes, a separate load process), voters and commenters
burst in:

- at 5 s one web process is killed (SIGKILL) and started again 1 s later (Restart=always,
  RestartSec=1): its viewers reconnect to the other with Last-Event-ID, as live.js does
  through a load balancer; a request that finds the process gone goes to the other process
  (what nginx does with a refused connection), one cut mid-answer is an error and is sent
  again;
- as soon as the upload's packaging task runs, the worker is killed (SIGKILL) and started
  again 2 s later: the task must be queued again and complete, its input kept;
- at 15 s Redis is restarted as `systemctl restart redis-server` does (SHUTDOWN SAVE, then
  start, loading its data);

and afterwards every acknowledged vote (200, or 409 "already voted" for a retry of a vote
that had been counted) and comment is looked for in the database, and every viewer's
received events are compared with every acknowledged publication.

Ends with one JSON line: viewers, events_published, events_lost, viewers_with_loss,
reconnects, reloads, votes_acknowledged, votes_kept, comments_acknowledged, comments_kept,
task_retried, task_completed, errors_after_5s (5xx or cut answers later than 5 s after the
last fault), errors_total, load_average. Record it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samskab.live.testing import PROJECT_DIR, server_environment

CSRF = "BenchCsrfToken0123456789abcdefgh"
CHANNEL = "demo:board"
POSTGRES_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-Atqc"]
MARK = b"faults#"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- inside the servers' environment ---------------------------------------------------------


def seed(voters: int, commenters: int, out: str, video: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.http import HttpResponse
    from django.utils import timezone

    from samskab.accounts.models import User
    from samskab.accounts.roles import roles_sync
    from samskab.core.viewer import new_token, set_token
    from samskab.polls.models import Option, Poll, Question
    from samskab.polls.services import poll_open
    from samskab.recordings import services as recordings
    from samskab.webcasts.models import Body, Meeting

    roles_sync()
    body, _ = Body.objects.get_or_create(slug="faults", defaults={"name": "Byrådet"})
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        title="Byrådsmøde (faults)",
        starts_at=now,
        status=Meeting.Status.LIVE,
        recording_started_at=now,
    )
    poll = Poll.objects.create(title="Skal byen have en ny skøjtebane?", meeting=meeting)
    question = Question.objects.create(poll=poll, text="Skal byen have en ny skøjtebane?")
    options = [
        Option.objects.create(question=question, text=t, position=n)
        for n, t in enumerate(["Ja", "Nej"])
    ]
    poll_open(poll=poll)
    cookies = []
    for _ in range(voters):
        response = HttpResponse()
        set_token(response, new_token())
        cookies.append(response.cookies[settings.VIEWER_COOKIE_NAME].value)
    sessions = []
    for n in range(commenters):
        person = User.objects.create(
            email=f"borger{n}@faults.test", date_joined=now - timezone.timedelta(days=30)
        )
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store["samskab_session_started"] = int(time.time())
        store.create()
        sessions.append(store.session_key)
    held = Meeting.objects.create(
        body=body,
        title="Byrådsmøde (upload)",
        starts_at=now - timezone.timedelta(days=1),
        status=Meeting.Status.ENDED,
    )
    upload = recordings.upload_accept(
        meeting=held, file=SimpleUploadedFile("meeting.mp4", Path(video).read_bytes()), by=None
    )
    Path(out).write_text(
        json.dumps(
            {
                "meeting": meeting.pk,
                "poll": poll.pk,
                "question": question.pk,
                "options": [o.pk for o in options],
                "cookies": cookies,
                "sessions": sessions,
                "cookie_name": settings.VIEWER_COOKIE_NAME,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "upload": upload.pk,
                "held": held.pk,
            }
        )
    )


def publisher(rate: float) -> None:
    """Publishes numbered events until stdin closes; prints 'ACK <n> <time>' for each one
    the broker accepted, retrying one it refused (Redis away) until it is accepted."""
    import django

    django.setup()
    from samskab.live.brokers.base import LiveUnavailable
    from samskab.live.publishing import publish

    number = 0
    stop = asyncio.Event()  # only for its flag; read by the stdin thread below
    import threading

    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    while not stop.is_set():
        number += 1
        while not stop.is_set():
            try:
                publish(CHANNEL, "message", {"html": f"<p>faults#{number}#{time.time():.3f}#</p>"})
                print(f"ACK {number} {time.time():.3f}", flush=True)
                break
            except LiveUnavailable:
                print(f"REFUSED {number} {time.time():.3f}", flush=True)
                time.sleep(0.2)
        time.sleep(1 / rate)


def recount(facts_path: str) -> None:
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from samskab.comments.models import Comment
    from samskab.polls.models import Vote
    from samskab.recordings.models import Upload

    facts = json.loads(Path(facts_path).read_text())
    bodies = set(
        Comment.objects.filter(body__startswith="Fejltest ").values_list("body", flat=True)
    )
    upload = Upload.objects.get(pk=facts["upload"])
    task = (
        DBTaskResult.objects.filter(task_path__endswith="package_upload")
        .order_by("-enqueued_at")
        .first()
    )
    print(
        json.dumps(
            {
                "votes": Vote.objects.filter(poll_id=facts["poll"]).count(),
                "comment_bodies": sorted(bodies),
                "upload_state": str(upload.status),
                "task_status": task.status if task else None,
                "task_workers": list(task.worker_ids) if task else [],
            }
        )
    )


# --- the viewers' process ----------------------------------------------------------------------


class Viewer(asyncio.Protocol):
    """One EventSource: reconnects to the next target with Last-Event-ID when cut off."""

    def __init__(self, pool: Viewers, index: int) -> None:
        self.pool, self.index = pool, index
        self.target = index % len(pool.targets)
        self.last_id = ""
        self.seen: set[int] = set()
        self.tail = b""
        self.transport = None
        self.started = False
        self.first_open = 0.0

    def connect(self, delay: float = 0.0) -> None:
        asyncio.get_running_loop().create_task(self._connect(delay))

    async def _connect(self, delay: float) -> None:
        await asyncio.sleep(delay)
        host, port = self.pool.targets[self.target]
        loop = asyncio.get_running_loop()
        try:
            async with self.pool.gate:
                await loop.create_connection(lambda: self, host, port)
        except OSError:
            self.target = (self.target + 1) % len(self.pool.targets)
            self.connect(0.5 + random.random())
            return

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.started = False
        last = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id else ""
        transport.write(
            f"GET /live/{CHANNEL}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"Cookie: csrftoken={CSRF}\r\n{last}\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        if not self.started:
            self.started = True
            if data.startswith(b"HTTP/1.1 200"):
                self.pool.opened(self)
            else:
                self.pool.refused += 1
        chunk = self.tail + data
        frames = chunk.split(b"\n\n")
        self.tail = frames.pop()
        for frame in frames:
            event_id, event_type, number = "", b"message", 0
            for line in frame.split(b"\n"):
                if line.startswith(b"id: "):
                    event_id = line[4:].decode()
                elif line.startswith(b"event: "):
                    event_type = line[7:]
                elif line.startswith(b"data: "):
                    at = line.find(MARK)
                    if at >= 0:
                        number = int(line[at + len(MARK) : line.find(b"#", at + len(MARK))])
            if event_id:
                self.last_id = event_id
            if event_type == b"reload":
                self.pool.reloads += 1
            elif number:
                self.seen.add(number)

    def connection_lost(self, exc) -> None:
        self.transport = None
        if self.pool.closing:
            return
        self.pool.reconnects += 1
        self.target = (self.target + 1) % len(self.pool.targets)
        # live.js waits LIVE_RETRY_MS (2 s) with jitter before it reconnects.
        self.connect(1.5 + random.random())


class Viewers:
    def __init__(self, targets, count: int) -> None:
        self.targets = targets
        self.gate = asyncio.Semaphore(200)
        self.viewers = [Viewer(self, i) for i in range(count)]
        self.open_once: set[int] = set()
        self.refused = self.reconnects = self.reloads = 0
        self.closing = False
        self.ready_count = 0
        self.all_open = asyncio.Event()

    def opened(self, viewer: Viewer) -> None:
        if viewer.index not in self.open_once:
            viewer.first_open = time.time()
        self.open_once.add(viewer.index)
        if len(self.open_once) == len(self.viewers):
            self.all_open.set()


async def viewers_main(targets: str, count: int) -> None:
    pool = Viewers([(h, int(p)) for h, p in (t.split(":") for t in targets.split(","))], count)
    for viewer in pool.viewers:
        viewer.connect()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(pool.all_open.wait(), 180)
    pool.ready_count = len(pool.open_once)
    print(f"READY {len(pool.open_once)} {pool.refused}", flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    acked = json.loads(line)
    await asyncio.sleep(5)  # stragglers reconnecting
    pool.closing = True
    # A viewer owes every event acknowledged after its stream first opened (a second after,
    # for the subscription to reach Redis); one that never opened owes nothing and is counted
    # apart (connected).
    missing = [
        sum(1 for n, at in acked if at > v.first_open + 1 and n not in v.seen)
        if v.first_open
        else 0
        for v in pool.viewers
    ]
    print(
        "RESULT "
        + json.dumps(
            {
                "connected": len(pool.open_once),
                "connected_at_start": pool.ready_count,
                "events_lost": sum(missing),
                "viewers_with_loss": sum(1 for m in missing if m),
                "reconnects": pool.reconnects,
                "reloads": pool.reloads,
                "refused": pool.refused,
                "still_connected": sum(1 for v in pool.viewers if v.transport is not None),
            }
        ),
        flush=True,
    )
    for viewer in pool.viewers:
        if viewer.transport is not None:
            viewer.transport.close()


# --- the coordinator ---------------------------------------------------------------------


class Cluster:
    def __init__(self, args, work: Path) -> None:
        self.args, self.work = args, work
        self.procs: dict[str, subprocess.Popen] = {}
        self.redis_port = free_port()
        self.ports = [free_port(), free_port()]
        self.database = f"samskab_bench_faults_{os.getpid()}"
        self.faults: list[tuple[float, str]] = []
        self.env = server_environment(
            work,
            broker=f"redis://127.0.0.1:{self.redis_port}/0?prefix=faults:live:",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{self.database}",
            CACHE_URL=f"redis://127.0.0.1:{self.redis_port}/1",
            RATELIMIT_ENABLED="false",
            AXES_ENABLED="false",
            LIVE_DEMO="1",
            MEDIA_ROOT=str(work / "data/media"),
            RECORDINGS_PRIVATE_ROOT=str(work / "data/private"),
        )

        # The tests' immediate task backend would package the upload inside the seed.
        self.env.pop("SAMSKAB_TESTING", None)

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        self.procs[name] = subprocess.Popen(
            argv,
            env=self.env,
            cwd=PROJECT_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.procs[name]

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.procs.get(name)
        if process and process.poll() is None:
            os.killpg(process.pid, sig)
            process.wait()

    def redis(self) -> None:
        self.spawn(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--dir",
                str(self.work),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        wait_port(self.redis_port)

    def web(self, n: int) -> None:
        self.spawn(
            f"web{n}",
            [
                sys.executable,
                "-m",
                "samskab.cli",
                "serve",
                "--port",
                str(self.ports[n]),
                "--workers",
                "1",
            ],
        )

    def worker(self) -> None:
        self.spawn("worker", [sys.executable, "-m", "samskab.cli", "worker", "--interval", "0.5"])

    def manage(self, *words: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "samskab.cli", *words],
            env=self.env,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"samskab {' '.join(words)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def module(self, *words: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bench.faults", *words],
            env=self.env,
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"bench.faults {' '.join(words)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM if name == "redis" else signal.SIGKILL)


def wait_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def wait_ready(port: int, timeout: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the web process on {port} did not start")


class Load:
    """Voters and commenters, each request sent as a browser through a load balancer would
    be: a refused connection goes to the other process; a cut or 5xx answer is an error, and
    the person tries again (a vote twice is refused with 409: the first one counted)."""

    def __init__(self, cluster: Cluster, facts: dict, t0: float) -> None:
        self.c, self.facts, self.t0 = cluster, facts, t0
        self.errors: list[tuple[float, str]] = []
        self.votes_acked: set[int] = set()
        self.votes_given_up = 0
        self.comments_acked: set[str] = set()
        self.comments_given_up = 0

    async def send(self, client, n: int, build) -> int | None:
        import httpx

        deadline = time.monotonic() + 60
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            port = self.c.ports[(n + attempt) % 2]
            sent = time.monotonic() - self.t0
            try:
                response = await client.post(f"http://127.0.0.1:{port}" + build[0], **build[1])
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
                continue  # the balancer skips a process that refuses connections
            except httpx.HTTPError as error:
                # Kept by the time the request was sent: an answer cut by a fault belongs to it.
                took = time.monotonic() - self.t0 - sent
                self.errors.append((sent, f"{type(error).__name__} after {took:.1f} s"))
                await asyncio.sleep(0.5)
                continue
            if response.status_code >= 500:
                self.errors.append((sent, f"HTTP {response.status_code}"))
                await asyncio.sleep(0.5)
                continue
            return response.status_code if "comment-error" not in response.text else 400
        return None

    async def voter(self, client, n: int, cookie: str) -> None:
        f = self.facts
        build = (
            f"/afstemninger/{f['poll']}/stem/",
            {
                "data": {
                    "csrfmiddlewaretoken": CSRF,
                    f"q{f['question']}": random.choice(f["options"]),
                },
                "headers": {
                    "X-Requested-With": "fetch",
                    "Cookie": f"{f['csrf_cookie']}={CSRF}; {f['cookie_name']}={cookie}",
                },
            },
        )
        status = await self.send(client, n, build)
        if status in (200, 409):
            self.votes_acked.add(n)
        else:
            self.votes_given_up += 1

    async def commenter(self, client, n: int, session: str, text: str) -> None:
        f = self.facts
        build = (
            f"/kommentarer/webcasts.meeting/{f['meeting']}/skriv/",
            {
                "data": {"body": text},
                "headers": {
                    "X-CSRFToken": CSRF,
                    "HX-Request": "true",
                    "Cookie": f"{f['csrf_cookie']}={CSRF}; {f['session_cookie']}={session}",
                },
            },
        )
        status = await self.send(client, n, build)
        if status == 200:
            self.comments_acked.add(text)
        else:
            self.comments_given_up += 1

    async def run(self, seconds: float) -> None:
        import httpx

        f = self.facts
        jobs = [
            (i * seconds / len(f["cookies"]), self.voter, i, c, None)
            for i, c in enumerate(f["cookies"])
        ]
        per = max(1, int(seconds // 2))
        for s, session in enumerate(f["sessions"]):
            for k in range(per):
                jobs.append(
                    (
                        k * 2 + random.random(),
                        self.commenter,
                        s,
                        session,
                        f"Fejltest {s}-{k}: {os.urandom(4).hex()}",
                    )
                )
        jobs.sort(key=lambda j: j[0])
        limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            # At most 40 requests in flight: httpx's pool gets slow (quadratic) with
            # hundreds of requests queued in it.
            gate = asyncio.Semaphore(40)

            async def at(start, fn, n, who, text):
                await asyncio.sleep(max(0.0, start - (time.monotonic() - self.t0)))
                async with gate:
                    await (fn(client, n, who) if text is None else fn(client, n, who, text))

            await asyncio.gather(*(at(*job) for job in jobs))


def make_video(path: Path, seconds: int) -> None:
    from samskab.webcasts.ffmpeg import ffmpeg_path

    # MPEG-4 Part 2: the worker must re-encode it (H.264), so its task lasts long enough to
    # be interrupted.
    subprocess.run(
        [
            ffmpeg_path(),
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=300",
            "-t",
            str(seconds),
            "-c:v",
            "mpeg4",
            "-q:v",
            "5",
            "-c:a",
            "aac",
            str(path),
        ],
        check=True,
    )


def packaging(cluster: Cluster) -> bool:
    """The worker has started the upload's packaging and not finished it (its log says)."""
    log = (cluster.work / "worker.log").read_text(errors="replace")
    return "package_upload state=RUNNING" in log and "package_upload state=SUCCESSFUL" not in log


def task_state(cluster: Cluster) -> str:
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            cluster.database,
            "-Atqc",
            "SELECT status FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE '%package_upload' ORDER BY enqueued_at DESC LIMIT 1",
        ],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def inject_faults(cluster: Cluster, args, t0: float, done: dict) -> None:
    """In its own thread (blocking calls must not hold up the load's event loop)."""

    def fault(what: str) -> None:
        cluster.faults.append((time.monotonic() - t0, what))
        print(f"  {time.monotonic() - t0:5.1f} s: {what}", file=sys.stderr, flush=True)

    web_done = redis_done = False
    while time.monotonic() - t0 < args.seconds:
        now = time.monotonic() - t0
        if done.get("worker_killed_at") is None and now > 1 and packaging(cluster):
            cluster.kill("worker")
            fault("worker killed mid-task (SIGKILL)")
            done["worker_killed_at"] = now
            time.sleep(2)
            cluster.worker()
            fault("worker started again")
        if not web_done and now >= 5:
            cluster.kill("web0")
            fault("web process 1 killed (SIGKILL)")
            time.sleep(1)
            cluster.web(0)
            fault("web process 1 started again")
            web_done = True
        if not redis_done and now >= 15:
            subprocess.run(
                ["redis-cli", "-p", str(cluster.redis_port), "shutdown", "save"],
                capture_output=True,
            )
            cluster.procs["redis"].wait()
            fault("Redis stopped (SHUTDOWN SAVE)")
            time.sleep(1)
            cluster.redis()
            fault("Redis started again")
            redis_done = True
        time.sleep(0.2)


def scenario(cluster: Cluster, args, facts: dict) -> dict:
    import threading

    t0 = time.monotonic()
    cluster.faults.append((0.0, "start"))
    load = Load(cluster, facts, t0)
    done: dict = {}
    thread = threading.Thread(target=inject_faults, args=(cluster, args, t0, done), daemon=True)
    thread.start()
    asyncio.run(load.run(args.seconds))
    thread.join()
    return {"load": load, "worker_killed_at": done.get("worker_killed_at")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=2000)
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--commenters", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="length of the burst")
    parser.add_argument("--video-seconds", type=int, default=60)
    parser.add_argument("--template", help="a migrated database to copy (skips migrate)")
    parser.add_argument("--task-timeout", type=float, default=240)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = Path(tempfile.mkdtemp(prefix="samskab-faults-"))
    cluster = Cluster(args, work)
    started = time.monotonic()
    try:
        template = f' TEMPLATE "{args.template}"' if args.template else ""
        subprocess.run(
            [*POSTGRES_ADMIN, f'CREATE DATABASE "{cluster.database}"{template}'], check=True
        )
        subprocess.run(
            [*POSTGRES_ADMIN, f'ALTER DATABASE "{cluster.database}" SET synchronous_commit = off'],
            check=True,
        )
        cluster.redis()
        print("migrating, seeding, making the upload", file=sys.stderr, flush=True)
        cluster.manage("migrate", "--no-input", "-v0")
        cluster.manage("setup_dirs")
        video = work / "meeting.mp4"
        make_video(video, args.video_seconds)
        facts_path = work / "facts.json"
        cluster.module("seed", str(args.voters), str(args.commenters), str(facts_path), str(video))
        facts = json.loads(facts_path.read_text())
        for n in (0, 1):
            cluster.web(n)
        for n in (0, 1):
            wait_ready(cluster.ports[n])
        targets = ",".join(f"127.0.0.1:{p}" for p in cluster.ports)
        viewers = subprocess.Popen(
            [sys.executable, "-m", "bench.faults", "viewers", targets, str(args.viewers)],
            env=cluster.env,
            cwd=PROJECT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = viewers.stdout.readline().split()
        print(f"viewers: {ready}", file=sys.stderr, flush=True)
        publisher_proc = subprocess.Popen(
            [sys.executable, "-m", "bench.faults", "publisher", "4"],
            env=cluster.env,
            cwd=PROJECT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        cluster.worker()
        outcome = scenario(cluster, args, facts)
        publisher_proc.stdin.close()
        lines = publisher_proc.stdout.read().splitlines()
        publisher_proc.wait()
        acked = [
            (int(line.split()[1]), float(line.split()[2]))
            for line in lines
            if line.startswith("ACK")
        ]
        refused = sum(1 for line in lines if line.startswith("REFUSED"))
        viewers.stdin.write(json.dumps(acked) + "\n")
        viewers.stdin.flush()
        seen = json.loads(viewers.stdout.readline().split(" ", 1)[1])
        viewers.wait()
        # The interrupted task: queued again (at once when its worker is seen dead) and done.
        deadline = time.monotonic() + args.task_timeout
        while time.monotonic() < deadline and task_state(cluster) not in (
            "SUCCESSFUL",
            "FAILED",
            "",
        ):
            time.sleep(1)
        task_done_s = time.monotonic() - started
        counted = json.loads(cluster.module("recount", str(facts_path)).strip().splitlines()[-1])
        load = outcome["load"]
        last_fault = max(t for t, _what in cluster.faults)
        result = {
            "viewers": args.viewers,
            "viewers_connected": seen["connected"],
            "viewers_connected_before_the_faults": seen["connected_at_start"],
            "events_published": len(acked),
            "publish_refused": refused,
            "events_lost": seen["events_lost"],
            "viewers_with_loss": seen["viewers_with_loss"],
            "reconnects": seen["reconnects"],
            "reloads": seen["reloads"],
            "votes_acknowledged": len(load.votes_acked),
            "votes_kept": counted["votes"],
            "votes_given_up": load.votes_given_up,
            "comments_acknowledged": len(load.comments_acked),
            "comments_kept": len(load.comments_acked & set(counted["comment_bodies"])),
            "task_retried": outcome["worker_killed_at"] is not None
            and counted["task_status"] == "SUCCESSFUL"
            and len(counted["task_workers"]) >= 2,
            "task_status": counted["task_status"],
            "upload_state": counted["upload_state"],
            "errors_after_5s": sum(
                1 for t, _k in load.errors if not any(0 <= t - f < 5 for f, _w in cluster.faults)
            ),
            "errors_total": len(load.errors),
            "errors": [[round(t, 1), k] for t, k in sorted(load.errors)],
            "faults": [[round(t, 1), w] for t, w in cluster.faults],
            "last_fault_s": round(last_fault, 1),
            "load_average": os.getloadavg()[0],
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "task_wait_s": round(task_done_s, 1),
        }
        print(json.dumps(result))
    finally:
        cluster.stop_all()
        subprocess.run(
            [*POSTGRES_ADMIN, f'DROP DATABASE IF EXISTS "{cluster.database}" WITH (FORCE)'],
            capture_output=True,
        )
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        seed(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif len(sys.argv) > 1 and sys.argv[1] == "publisher":
        publisher(float(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "recount":
        recount(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "viewers":
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        _soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (_hard, _hard))
        asyncio.run(viewers_main(sys.argv[2], int(sys.argv[3])))
    else:
        main()
