"""liveblog: a meeting's live blog under pre-moderation, with 2,000 viewers following it.

    make bench-liveblog
    python -m bench.liveblog --viewers 2000 --rate 20 --seconds 30 --burst-seconds 10

One real Samskab server (uvicorn, one process, memory broker, as `samskab serve` runs by
default) over its own SQLite database with a live, pre-moderated meeting. Then, at once:

- --viewers SSE connections on the meeting's channel (/live/meeting:<id>/), opened by a
  separate load process (this file with --viewer-process) that notes when each `comment`
  event reaches each viewer;
- citizens (signed-in sessions) post --rate posts a second through the real web form for
  --seconds; every post is held for the moderator;
- a moderator follows the queue's own live channel (/live/moderation:queue/) and approves
  each held post through the queue's form as soon as it appears.

Latency is measured from the moment the moderator sends the approval to the moment a
viewer receives the post (one machine, one clock): p50/p99/max over every viewer and post.
posts_per_s is the rate of posts the server took into the queue while all that ran (the
offered rate, if it keeps up); then --burst-seconds of posting as fast as --burst-posters
concurrent citizens can gives max_posts_per_s, the most the queue took with the viewers
still connected and the moderator still approving.

Ends with one JSON line: p99_ms, posts_per_s and more. Record it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import os
import platform
import re
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from samskab.live.testing import PROJECT_DIR, ServerProcess, prepare_database, server_environment

CSRF = "benchLiveblogCsrfToken0123456789abcdefghijklmnopqrstuvwxyzABCDEF"[:64]
COMMENT_FRAME = re.compile(rb'event: comment\ndata: \{"id":(\d+)')
QUEUE_FRAME = re.compile(rb'event: queue\ndata: \{"id":(\d+)')


# --- in the server's environment: the meeting, the people, their sessions -------------------


def seed(citizens: int) -> None:
    import django

    django.setup()
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from samskab.accounts.models import User
    from samskab.accounts.roles import Role, roles_sync
    from samskab.moderation.models import Mode, ModerationPolicy
    from samskab.webcasts.models import Body, Meeting

    roles_sync()
    body, _ = Body.objects.get_or_create(slug="bench", defaults={"name": "Byrådet"})
    meeting = Meeting.objects.create(
        body=body,
        title="Byrådsmøde (benchmark)",
        starts_at=timezone.now(),
        status=Meeting.Status.LIVE,
    )
    ModerationPolicy.objects.create(
        content_type=ContentType.objects.get_for_model(meeting),
        object_id=meeting.pk,
        mode=Mode.PRE,
    )

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["samskab_session_started"] = int(time.time())
        store.create()
        return store.session_key

    moderator = User.objects.create(email="moderator@bench.test", is_staff=True)
    moderator.groups.add(Group.objects.get(name=Role.MODERATOR.value))
    Authenticator.objects.create(user=moderator, type=Authenticator.Type.TOTP, data={})
    people = []
    for n in range(citizens):
        # Accounts of some age: a brand-new account adds to the spam score (held anyway).
        person = User.objects.create(
            email=f"borger{n}@bench.test", date_joined=timezone.now() - timezone.timedelta(days=30)
        )
        people.append(session_for(person))
    print(
        json.dumps(
            {
                "meeting": meeting.pk,
                "channel": meeting.channel,
                "moderator": session_for(moderator),
                "citizens": people,
            }
        )
    )


# --- the viewers' process: many SSE connections noting when each post arrives --------------


class Viewer(asyncio.Protocol):
    __slots__ = ("ids", "ready", "request", "started", "tail", "times")

    def __init__(self, ready, request: bytes, ids: array.array, times: array.array):
        self.ready = ready
        self.request = request
        self.started = False
        self.tail = b""
        self.ids = ids
        self.times = times

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.write(self.request)

    def data_received(self, data):
        now = time.time()
        if not self.started:
            self.started = True
            if not self.ready.done():
                self.ready.set_result(data.startswith(b"HTTP/1.1 200"))
        chunk = self.tail + data
        last = 0
        for match in COMMENT_FRAME.finditer(chunk):
            self.ids.append(int(match.group(1)))
            self.times.append(now)
            last = match.end()
        # Keep a tail for a frame split across packets, but never one already counted.
        self.tail = chunk[max(last, len(chunk) - 60) :]

    def connection_lost(self, exc):
        if not self.ready.done():
            self.ready.set_result(False)


async def viewers_main(args) -> None:
    loop = asyncio.get_running_loop()
    host, port = args.target.split(":")
    request = (
        f"GET {args.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Accept-Language: da-DK,da;q=0.9\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    ids = array.array("I")
    times = array.array("d")
    gate = asyncio.Semaphore(100)
    transports, failed = [], 0
    started = time.monotonic()

    async def one():
        nonlocal failed
        async with gate:
            ready = loop.create_future()
            try:
                transport, _ = await loop.create_connection(
                    lambda: Viewer(ready, request, ids, times), host, int(port)
                )
                ok = await asyncio.wait_for(ready, 60)
            except (TimeoutError, OSError):
                failed += 1
                return
            if ok:
                transports.append(transport)
            else:
                failed += 1
                transport.close()

    await asyncio.gather(*(one() for _ in range(args.connections)))
    print(f"READY {len(transports)} {failed} {time.monotonic() - started:.1f}", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    await asyncio.sleep(3)  # stragglers
    with open(args.out, "wb") as handle:
        ids.tofile(handle)
    with open(args.out + ".times", "wb") as handle:
        times.tofile(handle)
    print("RESULT " + json.dumps({"samples": len(ids)}), flush=True)
    for transport in transports:
        transport.close()


# --- the coordinator -------------------------------------------------------------------------


class Run:
    def __init__(self, server_url: str, seeded: dict):
        self.url = server_url
        self.seeded = seeded
        self.meeting = seeded["meeting"]
        self.approve_sent: dict[int, float] = {}
        self.queued_at: dict[int, float] = {}
        self.posted = 0
        self.failures: dict[str, int] = {}
        self.post_ms: list[float] = []
        self.approve_ms: list[float] = []
        self.approve_failed = 0
        self.stop = False

    def client(self, session: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.url,
            cookies={"sessionid": session, "csrftoken": CSRF},
            headers={"X-CSRFToken": CSRF, "HX-Request": "true", "Accept-Language": "da"},
            timeout=30,
        )

    async def post(self, client: httpx.AsyncClient, number: int) -> None:
        started = time.perf_counter()
        try:
            response = await client.post(
                f"/kommentarer/webcasts.meeting/{self.meeting}/skriv/",
                data={"body": f"Indlæg {number} om punkt {number % 7}: {os.urandom(6).hex()}"},
            )
        except httpx.HTTPError as error:
            self.failures[type(error).__name__] = self.failures.get(type(error).__name__, 0) + 1
            return
        finally:
            self.post_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code == 200 and "comment-error" not in response.text:
            self.posted += 1
        else:
            key = f"HTTP {response.status_code}"
            self.failures[key] = self.failures.get(key, 0) + 1

    async def moderator(self) -> None:
        """Follow the queue's channel; approve every held post the moment it appears."""
        async with self.client(self.seeded["moderator"]) as client:
            pending: asyncio.Queue[int] = asyncio.Queue()

            async def approve_all():
                while True:
                    comment_id = await pending.get()
                    self.approve_sent[comment_id] = time.time()
                    started = time.perf_counter()
                    try:
                        response = await client.post(
                            "/moderation/handling/", data={"one": f"approve:{comment_id}"}
                        )
                    except httpx.HTTPError:
                        self.approve_failed += 1
                        continue
                    if response.status_code != 302:
                        self.approve_failed += 1
                        continue
                    self.approve_ms.append((time.perf_counter() - started) * 1000)

            worker = asyncio.create_task(approve_all())
            try:
                async with client.stream(
                    "GET", "/live/moderation:queue/", headers={"Accept": "text/event-stream"}
                ) as stream:
                    if stream.status_code != 200:
                        raise RuntimeError(f"the queue channel refused: {stream.status_code}")
                    tail = b""
                    async for data in stream.aiter_raw():
                        now = time.time()
                        chunk = tail + data
                        last = 0
                        for match in QUEUE_FRAME.finditer(chunk):
                            comment_id = int(match.group(1))
                            self.queued_at.setdefault(comment_id, now)
                            pending.put_nowait(comment_id)
                            last = match.end()
                        tail = chunk[max(last, len(chunk) - 60) :]
            finally:
                worker.cancel()

    async def offered(self, rate: float, seconds: float) -> float:
        """`rate` posts a second on schedule, from the citizens in turn; returns seconds."""
        clients = [self.client(s) for s in self.seeded["citizens"]]
        tasks = []
        started = time.monotonic()
        for number in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, started + number / rate - time.monotonic()))
            tasks.append(asyncio.create_task(self.post(clients[number % len(clients)], number)))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - started
        for client in clients:
            await client.aclose()
        return elapsed

    async def burst(self, posters: int, seconds: float) -> tuple[int, float]:
        """As many posts as `posters` concurrent citizens manage in `seconds`."""
        clients = [self.client(s) for s in self.seeded["citizens"][:posters]]
        before = self.posted
        deadline = time.monotonic() + seconds
        started = time.monotonic()

        async def loop(client, offset):
            number = 100_000 + offset
            while time.monotonic() < deadline:
                await self.post(client, number)
                number += posters

        await asyncio.gather(*(loop(client, i) for i, client in enumerate(clients)))
        elapsed = time.monotonic() - started
        for client in clients:
            await client.aclose()
        return self.posted - before, elapsed


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=20, help="posts a second")
    parser.add_argument("--seconds", type=float, default=30, help="time at --rate")
    parser.add_argument("--burst-seconds", type=float, default=10)
    parser.add_argument("--burst-posters", type=int, default=8)
    parser.add_argument("--citizens", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    work = Path(tempfile.mkdtemp(prefix="samskab-liveblog-"))
    try:
        line = asyncio.run(run(args, work))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(line))


async def run(args, work: Path) -> dict:
    env = server_environment(
        work / "samskab",
        broker="memory://",
        DEBUG="false",
        # The benchmark posts from a few sessions far faster than one person may.
        RATELIMIT_ENABLED="0",
        AXES_ENABLED="0",
        LOG_LEVEL="WARNING",
    )
    env.pop("SAMSKAB_TESTING", None)
    prepare_database(env)
    done = subprocess.run(  # our interpreter, our module
        [sys.executable, "-m", "bench.liveblog", "--seed", str(args.citizens)],
        env=env,
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    seeded = json.loads(done.stdout.strip().splitlines()[-1])
    server = ServerProcess(
        "samskab.asgi:application", env, log=work / "server.log", args=["--backlog", "4096"]
    )
    server.start()
    try:
        return await measure(args, work, server, seeded)
    finally:
        server.stop()


async def measure(args, work: Path, server: ServerProcess, seeded: dict) -> dict:
    out = work / "viewers.bin"
    viewers = subprocess.Popen(  # our interpreter, our module
        [
            sys.executable,
            "-m",
            "bench.liveblog",
            "--viewer-process",
            "--target",
            f"127.0.0.1:{server.port}",
            "--path",
            f"/live/{seeded['channel']}/",
            "--connections",
            str(args.viewers),
            "--out",
            str(out),
        ],
        cwd=PROJECT_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready = (await asyncio.to_thread(viewers.stdout.readline)).split()
    if not ready or ready[0] != "READY":
        raise RuntimeError(f"the viewers' process failed: {ready}")
    opened, failed = int(ready[1]), int(ready[2])
    print(f"{opened} viewers connected ({failed} failed) in {ready[3]} s", file=sys.stderr)

    bench = Run(server.url, seeded)
    moderator = asyncio.create_task(bench.moderator())
    await asyncio.sleep(1)  # the moderator's stream is open
    elapsed = await bench.offered(args.rate, args.seconds)
    posts_offered = bench.posted
    posts_per_s = round(posts_offered / elapsed, 1)
    print(f"offered {args.rate}/s: {posts_offered} posts in {elapsed:.1f} s", file=sys.stderr)
    await asyncio.sleep(2)  # the last approvals
    approved_in_offered = len(bench.approve_sent)
    burst_posts, burst_elapsed = (0, 1.0)
    if args.burst_seconds > 0:
        burst_posts, burst_elapsed = await bench.burst(args.burst_posters, args.burst_seconds)
        print(f"burst: {burst_posts} posts in {burst_elapsed:.1f} s", file=sys.stderr)
        await asyncio.sleep(3)
    moderator.cancel()
    viewers.stdin.write("DONE\n")
    viewers.stdin.flush()
    await asyncio.to_thread(viewers.stdout.readline)
    viewers.wait()

    ids = array.array("I")
    times = array.array("d")
    ids.frombytes(out.read_bytes())
    times.frombytes(Path(str(out) + ".times").read_bytes())
    delays_all: list[float] = []
    delays_offered: list[float] = []
    offered_ids = set(list(bench.approve_sent)[:approved_in_offered])
    for comment_id, arrived in zip(ids, times, strict=True):
        sent = bench.approve_sent.get(comment_id)
        if sent is None:
            continue
        delay = (arrived - sent) * 1000
        delays_all.append(delay)
        if comment_id in offered_ids:
            delays_offered.append(delay)
    delays_offered.sort()
    delays_all.sort()
    queue_delays = sorted(
        (bench.approve_sent[i] - bench.queued_at[i]) * 1000
        for i in bench.approve_sent
        if i in bench.queued_at
    )
    expected = opened * approved_in_offered
    post_ms = sorted(bench.post_ms)
    approve_ms = sorted(bench.approve_ms)
    return {
        "bench": "liveblog",
        "viewers": opened,
        "viewers_failed": failed,
        "rate_offered": args.rate,
        "seconds": args.seconds,
        "posts_per_s": posts_per_s,
        "posts_failed": bench.failures,
        "approved": len(bench.approve_ms),
        "approvals_failed": bench.approve_failed,
        "p50_ms": round(percentile(delays_offered, 50)),
        "p99_ms": round(percentile(delays_offered, 99)),
        "max_ms": round(delays_offered[-1]) if delays_offered else -1,
        "delivered": round(len(delays_offered) / expected, 4) if expected else 0,
        "post_p99_ms": round(percentile(post_ms, 99)),
        "approve_p99_ms": round(percentile(approve_ms, 99)),
        "queue_to_approval_p99_ms": round(percentile(queue_delays, 99)),
        "max_posts_per_s": round(burst_posts / burst_elapsed, 1),
        "burst_posters": args.burst_posters,
        "burst_p99_ms": round(percentile(delays_all, 99)),
        "machine": f"{os.cpu_count()} cores, {_memory_gib()} GiB, {platform.machine()}",
    }


def _memory_gib() -> int:
    text = Path("/proc/meminfo").read_text()
    kib = int(re.search(r"MemTotal:\s+(\d+)", text).group(1))
    return round(kib / 1024 / 1024)


def viewer_cli() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewer-process", action="store_true")
    parser.add_argument("--target", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(viewers_main(args))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed"]:
        seed(int(sys.argv[2]))
    elif "--viewer-process" in sys.argv:
        viewer_cli()
    else:
        main()
