"""vote_burst: a vox pop under a burst of votes, against the real server (`samskab serve`).

    make bench-vote-burst
    python -m bench.vote_burst                      # SQLite, one process (the default)
    python -m bench.vote_burst --postgres           # PostgreSQL, two processes, Redis broker

5,000 distinct viewers vote in an open vox pop (two options, results shown live, so every
vote also publishes a coalesced tally) and 1,000 of them try again, over 200 concurrent
keep-alive connections. Each request is the one the player's vote button sends: a POST of
the vote form with the viewer's signed cookie and `X-Requested-With: fetch`, answered with
the poll box fragment (200 counted, 409 refused). The viewers' cookies are minted with the
server's key before the burst, exactly as the player page sets them (`set_token`).

Afterwards the votes are recounted from the raw Vote rows: exactly 5,000 must be counted,
every second try refused, and the option counters must equal the recount. In the same run
the database's raw insert rate is measured: one INSERT into the vote table per committed
transaction, from one plain connection, nothing else (the floor of a vote's cost).

The load generator shares the cores with the server, so it is a bare asyncio protocol on
uvloop (when installed), and the CPU per request of both is reported: the server's (all its
processes, from /proc) and the load generator's own.

Ends with one JSON line: counted, refused, votes_per_s, p50_ms, p99_ms, raw_inserts_per_s,
ratio_to_raw, recount_agrees, server_cpu_us_per_request, loadgen_cpu_us_per_request,
load_average. Record it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from samskab.live.testing import PROJECT_DIR, prepare_database, server_environment

VIEWERS = 5_000
AGAIN = 1_000
CONCURRENCY = 200
CSRF = "BenchCsrfToken0123456789abcdefgh"  # 32 characters, as Django's unmasked secret
POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


# --- inside the server's environment -------------------------------------------------


def seed(viewers: int, out: str) -> None:
    """The meeting and its open vox pop, the viewers' cookies, and the raw insert rate."""
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.http import HttpResponse
    from django.utils import timezone

    from samskab.core.viewer import new_token, set_token
    from samskab.polls.models import Option, Poll, Question
    from samskab.polls.services import poll_open
    from samskab.webcasts.models import Body, Meeting

    body, _ = Body.objects.get_or_create(slug="bench", defaults={"name": "Byrådet"})
    started = timezone.now() - timedelta(minutes=30)
    meeting = Meeting.objects.create(
        body=body,
        title="Byrådsmøde (benchmark)",
        starts_at=started,
        status=Meeting.Status.LIVE,
        recording_started_at=started,
        is_published=True,
    )
    poll = Poll.objects.create(title="Skal byen have en ny skøjtebane?", meeting=meeting)
    question = Question.objects.create(poll=poll, text="Skal byen have en ny skøjtebane?")
    options = [
        Option.objects.create(question=question, text=text, position=n)
        for n, text in enumerate(["Ja", "Nej"])
    ]
    poll_open(poll=poll)

    cookies = []
    for _ in range(viewers):
        response = HttpResponse()
        set_token(response, new_token())  # exactly the cookie the player page sets
        cookies.append(response.cookies[settings.VIEWER_COOKIE_NAME].value)
    raw = raw_insert_rate(question, options[0], count=3_000)
    Path(out).write_text(
        json.dumps(
            {
                "poll": poll.pk,
                "question": question.pk,
                "options": [o.pk for o in options],
                "cookies": cookies,
                "raw_inserts_per_s": raw,
                "cookie_name": settings.VIEWER_COOKIE_NAME,
            }
        )
    )


def raw_insert_rate(question, option, *, count: int) -> float:
    """Single-row INSERTs into polls_vote, each its own committed transaction, on a plain
    connection of the same database (same WAL and synchronous settings for SQLite)."""
    from django.db import connection

    from samskab.polls.models import Poll, Question, Vote

    # A closed poll of its own, so the rows never mix with the burst's.
    scratch = Poll.objects.create(title="raw", status=Poll.Status.CLOSED)
    scratch_question = Question.objects.create(poll=scratch, text="raw")
    table = Vote._meta.db_table
    sql = (
        f"INSERT INTO {table} (poll_id, question_id, option_id, voter_key, created_at) "  # noqa: S608  # our table name
        "VALUES (%s, %s, %s, %s, %s)"
    )
    connection.ensure_connection()
    started = time.perf_counter()
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    with connection.cursor() as cursor:
        for n in range(count):
            cursor.execute(sql, [scratch.pk, scratch_question.pk, option.pk, f"raw:{n}", now])
            # Django runs in autocommit: every execute is its own committed transaction.
    elapsed = time.perf_counter() - started
    scratch.delete()
    return count / elapsed


def recount(poll_pk: int) -> None:
    import django

    django.setup()
    from samskab.polls.models import Poll, Vote
    from samskab.polls.selectors import poll_counters, poll_recount

    poll = Poll.objects.get(pk=poll_pk)
    votes = Vote.objects.filter(poll=poll)
    print(
        json.dumps(
            {
                "counted": votes.count(),
                "distinct_voters": votes.values("voter_key").distinct().count(),
                "recount": poll_recount(poll),
                "counters": poll_counters(poll),
            }
        )
    )


# --- the load --------------------------------------------------------------------------


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection as a bare protocol (no stream objects): the load
    generator shares the two cores with the server, so it must cost as little as it can.
    Its own CPU time is measured and reported (`loadgen_cpu_us_per_request`)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def connection_lost(self, exc) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(0)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end]
        length = 0
        start = head.find(b"\r\ncontent-length:")
        if start < 0:
            start = head.lower().find(b"\r\ncontent-length:")
        if start >= 0:
            stop = head.find(b"\r\n", start + 2)
            length = int(head[start + 17 : stop if stop > 0 else None])
        if len(self.buffer) < end + 4 + length:
            return
        status = int(head[9:12])
        if b"connection: close" in head.lower():
            self.transport.close()
        self.buffer = self.buffer[end + 4 + length :]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)


async def open_connection(port: int) -> Connection:
    loop = asyncio.get_running_loop()
    _transport, protocol = await loop.create_connection(Connection, "127.0.0.1", port)
    return protocol


def vote_request(port: int, facts: dict, cookie: str, option: int) -> bytes:
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": CSRF,
            f"q{facts['question']}": option,
            "next": f"/afstemninger/{facts['poll']}/",
        }
    ).encode()
    head = (
        f"POST /afstemninger/{facts['poll']}/stem/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Requested-With: fetch\r\n"
        "Accept-Language: da\r\n"
        f"Cookie: csrftoken={CSRF}; {facts['cookie_name']}={cookie}\r\n"
        "\r\n"
    )
    return head.encode() + body


async def burst(port: int, facts: dict, *, again: int, concurrency: int) -> dict:
    cookies = facts["cookies"]
    rng = random.Random(7)
    first = [(c, rng.choice(facts["options"])) for c in cookies]
    # Second tries come from viewers whose first vote went early in the queue, so their
    # first vote has been answered before the second is sent (a second click, not a race).
    repeaters = rng.sample(range(len(cookies) - 2 * concurrency), again)
    queue = [vote_request(port, facts, c, o) for c, o in first]
    queue += [vote_request(port, facts, first[i][0], first[i][1]) for i in repeaters]
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    position = 0

    async def client() -> None:
        nonlocal position
        loop = asyncio.get_running_loop()
        connection: Connection | None = None
        while position < len(queue):
            raw = queue[position]
            position += 1
            started = time.perf_counter()
            try:
                if connection is None or connection.closed:
                    connection = await open_connection(port)
                connection.waiter = loop.create_future()
                connection.transport.write(raw)
                status = await connection.waiter
            except OSError:
                status = 0
                connection = None
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    began = time.perf_counter()
    cpu_began = time.process_time()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    latencies.sort()
    return {
        "requests": len(queue),
        "seconds": elapsed,
        "statuses": statuses,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "loadgen_cpu_s": cpu,
    }


# --- driver ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_module(env: dict, *args: str) -> str:
    # Our own interpreter and module, with arguments we built.
    done = subprocess.run(
        [sys.executable, "-m", "bench.vote_burst", *args],
        env=env,
        cwd=PROJECT_DIR,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"bench.vote_burst {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def serve(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    import httpx

    process = subprocess.Popen(  # our interpreter, our arguments
        [
            sys.executable,
            "-m",
            "samskab.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=PROJECT_DIR,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                time.sleep(1 if workers > 1 else 0)  # let every worker come up
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    sys.exit(f"the server did not start:\n{log.read_text()}")


def session_cpu_seconds(session: int) -> float:
    """User and system CPU of every live process in the server's session (the server and
    its workers), from /proc; 0 where /proc is not there."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state ppid pgrp session ... utime(12) stime(13)
        if int(fields[3]) == session:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def event_loop_runner():
    """uvloop when installed (it comes with uvicorn[standard]): a cheaper load generator."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def stop(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def postgres_database(name: str, *, drop: bool = False) -> str:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            admin.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, two processes")
    parser.add_argument("--workers", type=int, help="server processes (default 1, or 2)")
    parser.add_argument("--viewers", type=int, default=VIEWERS)
    parser.add_argument("--again", type=int, default=AGAIN)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--seed", metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument("--recount", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        return seed(args.viewers, args.seed)
    if args.recount:
        return recount(args.recount)

    workers = args.workers or (2 if args.postgres else 1)
    work = Path(tempfile.mkdtemp(prefix="samskab-vote-burst-"))
    database = f"samskab_vote_burst_{os.getpid()}"
    extra = {"DEBUG": "0", "LOG_LEVEL": "WARNING", "RATELIMIT_ENABLED": "0"}
    broker = "memory://"
    if args.postgres:
        extra["DATABASE_URL"] = postgres_database(database)
        extra["DATABASE_CONN_MAX_AGE"] = os.environ.get("DATABASE_CONN_MAX_AGE", "0")
        # A pool per process keeps 200 requests in flight under max_connections (100).
        extra["DATABASE_POOL_SIZE"] = os.environ.get("DATABASE_POOL_SIZE", "30")
        broker = os.environ.get("LIVE_BROKER_URL", "redis://127.0.0.1:6379/9")
    env = server_environment(work, broker=broker, **extra)
    try:
        prepare_database(env)
        run_module(env, "--seed", str(work / "facts.json"), "--viewers", str(args.viewers))
        facts = json.loads((work / "facts.json").read_text())
        port = free_port()
        server = serve(env, port, workers, work / "server.log")
        try:
            server_cpu = session_cpu_seconds(server.pid)
            result = event_loop_runner()(
                burst(port, facts, again=args.again, concurrency=args.concurrency)
            )
            server_cpu = session_cpu_seconds(server.pid) - server_cpu
        finally:
            stop(server)
        counted = json.loads(run_module(env, "--recount", str(facts["poll"])).splitlines()[-1])
    finally:
        if args.postgres:
            postgres_database(database, drop=True)
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    statuses = result["statuses"]
    votes_per_s = result["requests"] / result["seconds"]
    line = {
        "bench": "vote_burst",
        "database": "postgresql" if args.postgres else "sqlite",
        "workers": workers,
        "viewers": args.viewers,
        "second_tries": args.again,
        "concurrency": args.concurrency,
        "counted": counted["counted"],
        "distinct_voters": counted["distinct_voters"],
        "accepted": statuses.get(200, 0),
        "refused": statuses.get(409, 0),
        "other_statuses": {k: v for k, v in statuses.items() if k not in (200, 409)},
        "recount_agrees": {int(k): v for k, v in counted["recount"].items()}
        == {int(k): v for k, v in counted["counters"].items()},
        "votes_per_s": round(votes_per_s, 1),
        "p50_ms": round(result["p50_ms"], 1),
        "p99_ms": round(result["p99_ms"], 1),
        "raw_inserts_per_s": round(facts["raw_inserts_per_s"], 1),
        # CPU per request of the server (all its processes) and of this load generator, which
        # share the machine: together they say how many votes/s the cores could carry.
        "server_cpu_us_per_request": round(server_cpu / result["requests"] * 1e6),
        "loadgen_cpu_us_per_request": round(result["loadgen_cpu_s"] / result["requests"] * 1e6),
        "load_average": round(os.getloadavg()[0], 1),
        "ratio_to_raw": round(votes_per_s / facts["raw_inserts_per_s"], 3),
        "target_votes_per_s": 1500 if args.postgres else 500,
        "target_p99_ms": 250,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
    }
    print(json.dumps(line))
    ok = (
        line["counted"] == args.viewers
        and line["refused"] == args.again
        and line["accepted"] == args.viewers
        and line["recount_agrees"]
    )
    if not ok:
        sys.exit("the recount does not agree with the burst")


if __name__ == "__main__":
    main()
