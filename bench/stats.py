"""stats: the first-party statistics under load (issue 25).

    make bench-stats
    python -m bench.stats --seconds 20 --connections 32 --fanout 500 --rate 5000 \
        --rollup-viewers 10000 --dashboard-meetings 150
    python -m bench.stats --fanout 0 --rate 0 --ingest-only     # the ingest's limit (flood)
    python -m bench.stats --seconds 15 --connections 32 --fanout 500 --rate 5000 \
        --ingest-only --no-beacon-process          # heartbeats and streams in one process

Four measurements, each in processes of its own, on a fresh SQLite database (or the
DATABASE_URL given with --database-url):

1. Ingest: one uvicorn process (`samskab.asgi`) takes heartbeats as players send them
   (POST /statistik/b/, a signed ticket per page load, growing sequence numbers). As
   shipped (`--beacon-process`, the default) that is a process of its own beside the web
   process, as samskab-beacon.service beside samskab-web.service behind nginx's
   `location = /statistik/b/`: the same app, database and settings, started at
   `--beacon-nice` (5, the unit's Nice=). `--no-beacon-process` sends the heartbeats to
   the web process itself, the shape before that unit. They come from
   `--connections` keep-alive connections in `--load-processes` sender processes.
   `--rate N` paces them: N heartbeats a second in all on an open-loop schedule (each
   connection sends at its scheduled moments, whatever the answers did), and a latency is
   measured from the scheduled moment, so a slow answer that delays the next send counts
   against the server (no coordinated omission). `--rate 0` floods: each connection sends
   again as soon as it is answered, which measures the limit. Reports heartbeats_per_s (the
   rate achieved), p50_ms and p99_ms, how many were stored and dropped, the CPU per
   heartbeat of the process that takes them (server_cpu_us_per_heartbeat; its event loop
   alone: server_loop_cpu_us_per_heartbeat) and sender_lag_p99_ms (the senders' own
   lateness: if it is high, the load processes measured themselves; add --load-processes).
   `--load-nice N` starts the senders at a lower priority (the players' browsers are on
   other machines; here they take the servers' cores). `--pin` gives the web process a
   core of its own and puts the beacon process and the senders on the other (CPUs 0 and
   1), as a host would with the beacon unit's CPUAffinity= or on a host of its own: what
   the heartbeats then cost the fan-out is the process's, not the shared cores'. The SSE
   viewers' processes and the publisher share the web process's core in both phases.
   batch_cpu_us_per_heartbeat is the CPU of the batch thread's part alone (checks and the
   database write, measured in a process of its own over 2,000-beacon batches): the part
   that holds the GIL beside the event loop.
2. Fan-out beside it (`--fanout` SSE connections, 0 to skip): the same viewers, kept open
   on the web process's live demo channel for the whole run, get one event a second for
   `--seconds` with nothing else running (the baseline), then another `--seconds` events
   while the paced heartbeats (default 5,000/s with --fanout) go to the beacon process (or,
   with --no-beacon-process, to the same process): fanout_p50/p99_alone_ms and
   fanout_p50/p99_loaded_ms, with the load average of each phase, and the web process's CPU
   per delivered event in each phase (fanout_server_cpu_us_per_delivery_alone/_loaded; the
   loaded one includes the heartbeats' CPU when they share the process), and how long its
   event loop waited for a CPU while ready to run (fanout_loop_runqueue_wait_ms_alone/
   _loaded, from /proc schedstat: the cores taken by other processes). Each viewer's delay
   is from the publisher's send to the event's arrival. The JSON's "beacon_process" says
   which shape was measured.
3. Roll-up: a 3-hour meeting watched by `--rollup-viewers` viewers (a heartbeat every
   15 s each, plus plays, jumps and shares) is written as raw events, then rolled up:
   rollup_seconds and events.
4. Dashboards: a year of day and minute totals for `--dashboard-meetings` meetings; the site,
   a body and a meeting dashboard are each asked 30 times: dashboard_p99_ms (all three).

Targets (issue 25): 5,000 heartbeats/s with p99 under 100 ms in one process, the fan-out
measured in the same run not slowed; the roll-up of a 3-hour meeting's events (10,000
viewers) under 30 s; dashboards under 300 ms over a year of aggregates. `--viewers` (page
loads) is raised when a paced run would send one page load more than the 20 beacons a
minute the ingest accepts. Ends with one JSON line; figures and method in
docs/benchmarks.md (statistics).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from samskab.live.testing import PROJECT_DIR, ServerProcess, prepare_database, server_environment

# The load processes start this long after they are launched (Python and the bench's
# imports take a second on a busy machine), all at once.
START_S = 3.0
# As stats.ingest.PER_MINUTE (not imported: this process has no Django settings).
PER_MINUTE = 20
BODY_TEMPLATE = '{{"t":"{ticket}","k":"hb","s":{seq},"p":{position},"w":15,"l":false}}'


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]


def _run(env: dict, *args: str) -> dict:
    done = subprocess.run(  # our interpreter, our module, our arguments
        [sys.executable, "-m", "bench.stats", *args],
        env=env,
        cwd=PROJECT_DIR,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"bench.stats {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- in the server's database: set-up and counts ------------------------------------------


def _meeting(hours: int = 3):
    from datetime import timedelta

    from django.utils import timezone

    from samskab.webcasts.models import AgendaItem, Body, Meeting, Person, TimelineMark
    from samskab.webcasts.services import speaker_turns_rebuild

    body, _created = Body.objects.get_or_create(slug="byraadet", defaults={"name": "Byrådet"})
    started = timezone.now() - timedelta(hours=hours + 1)
    meeting = Meeting.objects.create(
        body=body,
        title="Byrådsmøde (bench)",
        starts_at=started,
        status=Meeting.Status.ENDED,
        recording_started_at=started,
        duration_ms=hours * 3600 * 1000,
        video_kind=Meeting.VideoKind.UPLOAD,
    )
    people = [
        Person.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Politiker {n}"})[0]
        for n in range(8)
    ]
    step = hours * 3600 * 1000 // 12
    for n in range(12):
        item = AgendaItem.objects.create(
            meeting=meeting, number=str(n + 1), position=n, title=f"Punkt {n + 1}"
        )
        at = started + timedelta(milliseconds=n * step)
        TimelineMark.objects.create(
            meeting=meeting, kind="item", at=at, offset_ms=n * step, agenda_item=item
        )
        for k in range(3):
            offset = n * step + k * step // 3 + 1000
            TimelineMark.objects.create(
                meeting=meeting,
                kind="speaker",
                offset_ms=offset,
                at=started + timedelta(milliseconds=offset),
                person=people[(n + k) % len(people)],
            )
    speaker_turns_rebuild(meeting=meeting)
    return meeting


def seed_ingest(viewers: int, out: str) -> None:
    import django

    django.setup()
    from samskab.stats import ingest

    meeting = _meeting()
    Path(out).write_text("\n".join(ingest.ticket_issue(meeting.pk) for _ in range(viewers)))
    print(json.dumps({"meeting": meeting.pk}))


def count() -> None:
    import django

    django.setup()
    from django.db.models import Sum

    from samskab.stats.models import Dropped, Event

    dropped = dict(
        Dropped.objects.values("reason").annotate(n=Sum("count")).values_list("reason", "n")
    )
    print(json.dumps({"stored": Event.objects.count(), "dropped": dropped}))


# --- 1. the heartbeat load ------------------------------------------------------------------


async def _load(
    port: int, tickets: list[str], seconds: float, connections: int, rate: float, start_at: float
) -> dict:
    """Heartbeats from `connections` keep-alive connections for `seconds`.

    rate 0: each connection sends its next beacon as soon as the last is answered (a flood
    at the server's limit). rate > 0: an open-loop schedule of `rate` beacons a second in
    all, connection c sending its k-th at t0 + (c + k * connections) / rate; a latency is
    taken from the scheduled moment, not from the send, so a late answer delaying the next
    send is counted against the server (no coordinated omission). `lag` is how late the
    sender itself was: from its schedule (or the last answer, if later) to the send.
    """
    latencies: list[float] = []
    lags: list[float] = []
    statuses: dict[str, int] = {}
    state = {"next": 0}
    seqs = [0] * len(tickets)
    # At most 20 beacons a minute per page load are accepted: the load goes round all of
    # them, so a run shorter than (tickets x 20 / rate) minutes is never refused as a flood.

    def request() -> bytes:
        index = state["next"] % len(tickets)
        state["next"] += 1
        seqs[index] += 1
        body = BODY_TEMPLATE.format(
            ticket=tickets[index], seq=seqs[index], position=min(seqs[index] * 15, 10_000)
        ).encode()
        return (
            b"POST /statistik/b/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
            b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )

    async def answer(reader: asyncio.StreamReader) -> str:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        return head[9:12].decode()

    async def one(index: int, streams, began: float, deadline: float) -> None:
        reader, writer = streams
        sent = 0
        while True:
            free = time.perf_counter()  # the last answer is in: this connection may send
            if rate:
                scheduled = began + (index + sent * connections) / rate
                if scheduled >= deadline:
                    break
                if scheduled > free:
                    await asyncio.sleep(scheduled - free)
            else:
                scheduled = free
                if scheduled >= deadline:
                    break
            data = request()
            # The sender's own delay (its event loop, its CPU), not the server's: from when
            # it could send, that is its schedule or the last answer, to when it sent.
            lags.append(time.perf_counter() - max(scheduled, free))
            writer.write(data)
            status = await answer(reader)
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1
            sent += 1
        writer.close()

    opened = [await asyncio.open_connection("127.0.0.1", port) for _ in range(connections)]
    # Every load process starts at the same moment (the caller's clock), however long its
    # start-up took; one that came too late says so.
    late = time.time() - start_at
    if late < 0:
        await asyncio.sleep(-late)
    cpu = time.process_time()
    began = time.perf_counter()
    deadline = began + seconds
    await asyncio.gather(*(one(i, streams, began, deadline) for i, streams in enumerate(opened)))
    elapsed = time.perf_counter() - began
    lags.sort()
    return {
        "requests": len(latencies),
        "elapsed": elapsed,
        "latencies": latencies,
        "lag_p99_s": _percentile(lags, 99),
        "late_start_s": max(late, 0.0),
        "statuses": statuses,
        "client_cpu_s": time.process_time() - cpu,
    }


def load(
    port: int,
    tickets_file: str,
    seconds: float,
    connections: int,
    part: str,
    rate: float,
    start_at: float,
) -> None:
    tickets = Path(tickets_file).read_text().split()
    index, parts = (int(x) for x in part.split("/"))
    mine = tickets[index::parts]  # each load process its own page loads: sequences stay growing
    print(json.dumps(asyncio.run(_load(port, mine, seconds, connections, rate, start_at))))


def _cpu_seconds(pid: int, task: int | None = None) -> float:
    """User and system CPU time of a process so far, or of one of its threads (Linux /proc)."""
    path = f"/proc/{pid}/task/{task}/stat" if task else f"/proc/{pid}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _runqueue_wait_s(pid: int) -> float:
    """How long a process's main thread (for uvicorn: the event loop) has been ready to run
    but waiting for a CPU, so far (Linux /proc schedstat, the second field, nanoseconds)."""
    return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[1]) / 1e9


# --pin: the web process (and the SSE viewers) on one core, the heartbeats on the other.
WEB_CPU, BEACON_CPU = 0, 1


def _pin(pid: int, cpu: int) -> None:
    """Every thread of a running process onto one CPU (threads it starts later inherit)."""
    for task in os.listdir(f"/proc/{pid}/task"):
        os.sched_setaffinity(int(task), {cpu})


def _start_as(nice: int, cpu: int | None):
    """A preexec_fn for a child: its niceness and CPU, or None when it needs neither."""
    if not nice and cpu is None:
        return None

    def apply() -> None:
        if nice:
            os.nice(nice)
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    return apply


def heartbeat_load(
    env: dict, server: ServerProcess, tickets: Path, seconds: float, args, start_at: float = 0
) -> dict:
    """The heartbeats from `--load-processes` processes at once (one Python process cannot
    make more than a few thousand requests a second and would measure itself), each sending
    its share of `--rate` (or flooding), with the server's CPU time per heartbeat beside the
    wall time and how late the senders were (`sender_lag_p99_ms`: if that is high, the load
    processes measured themselves)."""
    parts = max(1, args.load_processes)
    per = max(1, args.connections // parts)
    start_at = start_at or time.time() + START_S
    server_cpu = _cpu_seconds(server.pid)
    # The main thread runs the event loop (HTTP, the live streams); the others are the
    # beacons' batch thread and Django's thread for sync views.
    loop_cpu = _cpu_seconds(server.pid, server.pid)
    loads = [
        subprocess.Popen(  # our interpreter, our module, our arguments
            [
                sys.executable,
                "-m",
                "bench.stats",
                "load",
                str(server.port),
                str(tickets),
                str(seconds),
                str(per),
                f"{i}/{parts}",
                str(args.rate / parts),
                str(start_at),
            ],
            env=env,
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            text=True,
            # --load-nice: the players' browsers are elsewhere; here they share the cores.
            preexec_fn=_start_as(args.load_nice, BEACON_CPU if args.pin else None),
        )
        for i in range(parts)
    ]
    results = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in loads]
    server_cpu = _cpu_seconds(server.pid) - server_cpu
    loop_cpu = _cpu_seconds(server.pid, server.pid) - loop_cpu
    latencies = sorted(x for r in results for x in r["latencies"])
    requests = len(latencies)
    statuses: dict[str, int] = {}
    for r in results:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    client_cpu = sum(r["client_cpu_s"] for r in results)
    return {
        "requests": requests,
        "load_processes": parts,
        "rate": args.rate,
        "heartbeats_per_s": round(requests / max(r["elapsed"] for r in results)),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 99) * 1000, 1),
        "statuses": statuses,
        "server_cpu_us_per_heartbeat": round(server_cpu / max(requests, 1) * 1e6),
        "server_loop_cpu_us_per_heartbeat": round(loop_cpu / max(requests, 1) * 1e6),
        "client_cpu_us_per_heartbeat": round(client_cpu / max(requests, 1) * 1e6),
        "sender_lag_p99_ms": round(max(r["lag_p99_s"] for r in results) * 1000, 1),
        "sender_late_start_s": round(max(r["late_start_s"] for r in results), 2),
        "loadavg_during": _loadavg(),
    }


def batch_cpu(beacons: int, repeats: int = 6) -> None:
    """The CPU of checking and storing beacons as the server's batch thread does
    (`fastbeacon.BeaconFastPath._take`, then the buffer's write), in this process: the part
    of a heartbeat's cost that holds the GIL beside the event loop. Median of `repeats`
    batches of `beacons`, each a page load's next heartbeat."""
    import django

    django.setup()
    from samskab.stats import ingest
    from samskab.stats.fastbeacon import BeaconFastPath

    meeting = _meeting()
    tickets = [ingest.ticket_issue(meeting.pk) for _ in range(beacons)]
    taker = BeaconFastPath(None, start_thread=False)
    agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"
    costs = []
    for seq in range(1, repeats + 2):
        now = time.time()
        batch = [
            (BODY_TEMPLATE.format(ticket=t, seq=seq, position=seq * 15).encode(), "", agent, now)
            for t in tickets
        ]
        cpu = time.process_time()
        taker._take(batch, 0)
        ingest.flush()
        if seq > 1:  # the first batch reads the meeting and fills the caches
            costs.append((time.process_time() - cpu) / beacons * 1e6)
    costs.sort()
    print(json.dumps({"batch_cpu_us_per_heartbeat": round(costs[len(costs) // 2], 1)}))


# --- 3. the roll-up ---------------------------------------------------------------------------


def rollup_run(viewers: int, hours: int) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from samskab.stats import ingest
    from samskab.stats.models import Event
    from samskab.stats.rollup import rollup

    meeting = _meeting(hours)
    now = timezone.now()
    day = timezone.localdate(now)
    start_minute = int(now.timestamp() // 60) - hours * 60
    beats = hours * 3600 // 15
    written = 0
    seeded = time.monotonic()
    batch: list[Event] = []
    for viewer in range(viewers):
        session = ingest.day_pseudonym(f"page:{viewer}", day)
        # Each viewer watches a stretch of the meeting: a third of it, from somewhere.
        first = (viewer * 7919) % (beats * 2 // 3)
        batch.append(
            Event(
                at=now,
                day=day,
                minute=start_minute,
                kind="play",
                meeting_id=meeting.pk,
                position_s=first * 15,
                viewer=session,
                session=session,
                device="desktop",
            )
        )
        for beat in range(first, first + beats // 3):
            batch.append(
                Event(
                    at=now,
                    day=day,
                    minute=start_minute + beat // 4,
                    kind="hb",
                    meeting_id=meeting.pk,
                    position_s=beat * 15,
                    watched_s=15,
                    live=viewer % 3 == 0,
                    viewer=session,
                    session=session,
                    device="mobile" if viewer % 2 else "desktop",
                )
            )
        if viewer % 10 == 0:
            batch.append(
                Event(
                    at=now,
                    day=day,
                    minute=start_minute,
                    kind="share",
                    meeting_id=meeting.pk,
                    detail="facebook",
                    viewer=session,
                    session=session,
                )
            )
        if len(batch) >= 20_000:
            Event.objects.bulk_create(batch, batch_size=5000)
            written += len(batch)
            batch = []
    Event.objects.bulk_create(batch, batch_size=5000)
    written += len(batch)
    seeded = time.monotonic() - seeded
    result = rollup()
    print(
        json.dumps(
            {
                "events": written,
                "seed_seconds": round(seeded, 1),
                "rollup_seconds": result["seconds"],
                "rows": result["rows"],
            }
        )
    )


# --- 4. the dashboards ----------------------------------------------------------------------


def dashboards(meetings: int) -> None:
    import random
    from datetime import timedelta

    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from samskab.accounts.models import User
    from samskab.stats.models import DayStat, Metric, MinuteStat
    from samskab.webcasts.models import AgendaItem, Body, Meeting

    rng = random.Random(5)
    bodies = [
        Body.objects.get_or_create(slug=f"udvalg-{n}", defaults={"name": f"Udvalg {n}"})[0]
        for n in range(6)
    ]
    today = timezone.localdate()
    rows: list[DayStat] = []
    minutes: list[MinuteStat] = []
    made = []
    for n in range(meetings):
        day = today - timedelta(days=rng.randrange(365))
        body = bodies[n % len(bodies)]
        meeting = Meeting.objects.create(
            body=body,
            title=f"Møde {n}",
            status="ended",
            starts_at=timezone.now() - timedelta(days=(today - day).days),
        )
        items = AgendaItem.objects.bulk_create(
            AgendaItem(meeting=meeting, number=str(k + 1), position=k, title=f"Punkt {k + 1}")
            for k in range(12)
        )
        made.append(meeting)
        # Watched on the day and, less, on the 20 days after (the archive).
        for later in range(21):
            when = day + timedelta(days=later)
            if when > today:
                break
            scale = 1 if later == 0 else 0.1
            viewers = int(rng.randrange(50, 2000) * scale) + 1
            for metric, value in (
                (Metric.VIEWERS, viewers),
                (Metric.PLAYS, viewers + 10),
                (Metric.WATCH_S, viewers * 900),
                (Metric.WATCH_LIVE_S, viewers * 600 if later == 0 else 0),
                (Metric.WATCH_ARCHIVE_S, viewers * 300),
                (Metric.PEAK, viewers // 2),
                (Metric.FEEDBACK, rng.randrange(10)),
                (Metric.VOTES, rng.randrange(100)),
                (Metric.COMMENTS, rng.randrange(30)),
            ):
                rows.append(
                    DayStat(
                        day=when, meeting_id=meeting.pk, body_id=body.pk, metric=metric, value=value
                    )
                )
            for item in items:
                rows.append(
                    DayStat(
                        day=when,
                        meeting_id=meeting.pk,
                        body_id=body.pk,
                        metric=Metric.WATCH_ITEM_S,
                        key=str(item.pk),
                        value=viewers * 70,
                    )
                )
            for network in ("facebook", "x", "email", "copy"):
                rows.append(
                    DayStat(
                        day=when,
                        meeting_id=meeting.pk,
                        body_id=body.pk,
                        metric=Metric.SHARES,
                        key=network,
                        value=rng.randrange(20),
                    )
                )
            for device in ("mobile", "desktop", "tablet"):
                rows.append(
                    DayStat(
                        day=when,
                        meeting_id=meeting.pk,
                        body_id=body.pk,
                        metric=Metric.DEVICES,
                        key=device,
                        value=viewers // 3,
                    )
                )
        first_minute = int(timezone.now().timestamp() // 60) - (today - day).days * 1440
        for m in range(180):
            minutes.append(
                MinuteStat(
                    meeting_id=meeting.pk,
                    minute=first_minute + m,
                    viewers=rng.randrange(500),
                    live_viewers=rng.randrange(300),
                )
            )
    DayStat.objects.bulk_create(rows, batch_size=5000)
    MinuteStat.objects.bulk_create(minutes, batch_size=5000)
    user = User.objects.create(email="stats@bench.test", is_staff=True, is_superuser=True)
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    year = f"?fra={(today - timedelta(days=364)).isoformat()}&til={today.isoformat()}"
    urls = [
        f"/statistik/{year}",
        f"/statistik/organ/{bodies[0].pk}/{year}",
        f"/statistik/moede/{made[0].pk}/{year}",
    ]
    timings: dict[str, list[float]] = {url: [] for url in urls}
    for url in urls:
        client.get(url)  # warm
        for _ in range(30):
            started = time.perf_counter()
            response = client.get(url)
            timings[url].append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
    every = sorted(t for values in timings.values() for t in values)
    print(
        json.dumps(
            {
                "day_rows": len(rows),
                "dashboard_p99_ms": round(_percentile(every, 99) * 1000, 1),
                "dashboard_p50_ms": round(_percentile(every, 50) * 1000, 1),
                "site_p99_ms": round(_percentile(sorted(timings[urls[0]]), 99) * 1000, 1),
                "body_p99_ms": round(_percentile(sorted(timings[urls[1]]), 99) * 1000, 1),
                "meeting_p99_ms": round(_percentile(sorted(timings[urls[2]]), 99) * 1000, 1),
            }
        )
    )


# --- the whole run -----------------------------------------------------------------------


def _environment(work: Path, name: str, database_url: str | None) -> dict:
    env = server_environment(work / name, broker="memory://", DEBUG="false", LIVE_DEMO="true")
    env.pop("SAMSKAB_TESTING", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    prepare_database(env)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=3000, help="page loads (tickets)")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--load-processes", type=int, default=2, help="heartbeat senders")
    parser.add_argument(
        "--load-nice",
        type=int,
        default=0,
        help="the heartbeat senders' niceness (their CPU yields to the servers')",
    )
    parser.add_argument(
        "--rate",
        type=float,
        help="heartbeats a second in all, paced (0: as fast as answered; "
        "default 5,000 with --fanout, 0 without)",
    )
    parser.add_argument("--fanout", type=int, default=500, help="SSE connections (0: skip)")
    parser.add_argument(
        "--beacon-process",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="heartbeats to a server process of their own, as shipped (samskab-beacon.service); "
        "--no-beacon-process: to the fan-out's process",
    )
    parser.add_argument(
        "--beacon-nice",
        type=int,
        default=5,
        help="the beacon process's niceness (the unit's Nice=; 0: as the web process)",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="the web process and the SSE viewers on CPU 0, the beacon process and the "
        "senders on CPU 1",
    )
    parser.add_argument("--rollup-viewers", type=int, default=10_000)
    parser.add_argument("--rollup-hours", type=int, default=3)
    parser.add_argument("--dashboard-meetings", type=int, default=150)
    parser.add_argument("--database-url", help="PostgreSQL, for example (default: SQLite)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--ingest-only", action="store_true", help="no roll-up, no dashboards")
    args = parser.parse_args()
    if args.pin and (not args.beacon_process or len(os.sched_getaffinity(0)) < 2):
        parser.error("--pin needs the beacon process and two CPUs")
    if args.rate is None:
        args.rate = 5000.0 if args.fanout else 0.0
    if args.rate:
        # A page load's 21st beacon in a minute is dropped as a flood: enough page loads
        # that the paced run (with the fan-out's, twice --seconds) stays under that.
        needed = int(args.rate * (2 * args.seconds + 4) / PER_MINUTE) + 1
        if args.viewers < needed:
            print(f"--viewers raised to {needed} for --rate {args.rate:g}", file=sys.stderr)
            args.viewers = needed
    work = Path(tempfile.mkdtemp(prefix="samskab-bench-stats-"))
    line: dict[str, object] = {
        "bench": "stats",
        "viewers": args.viewers,
        "seconds": args.seconds,
        "connections": args.connections,
        "rate": args.rate,
        "rollup_viewers": args.rollup_viewers,
        "dashboard_meetings": args.dashboard_meetings,
        "database": "postgresql" if args.database_url else "sqlite",
        "beacon_process": args.beacon_process,
        "beacon_nice": args.beacon_nice if args.beacon_process else 0,
        "load_nice": args.load_nice,
        "pinned": args.pin,
    }
    try:
        env = _environment(work, "ingest", args.database_url)
        tickets = work / "tickets.txt"
        _run(env, "seed-ingest", str(args.viewers), str(tickets))
        # BENCH_SAMSKAB_APP: another module wrapping Samskab, to probe it (as live_fanout).
        app = os.environ.get("BENCH_SAMSKAB_APP", "samskab.asgi:application")
        server = ServerProcess(app, env, log=work / "server.log", args=["--backlog", "4096"])
        servers = [server.launch()]
        beacon = server
        if args.beacon_process:
            # As samskab-beacon.service beside samskab-web.service: the same app, database
            # and settings, its own port, started at the unit's lower priority (Nice=).
            beacon = ServerProcess(
                app, env, log=work / "beacon.log", args=["--backlog", "4096"], nice=args.beacon_nice
            )
            servers.append(beacon.launch())
        try:
            for started in servers:
                started.wait_ready()
            if args.pin:
                _pin(server.pid, WEB_CPU)
                _pin(beacon.pid, BEACON_CPU)
            if args.fanout:
                cpus = os.sched_getaffinity(0)
                try:
                    line.update(_with_fanout(args, work, server, beacon, env, tickets))
                finally:
                    os.sched_setaffinity(0, cpus)  # --pin moved the publisher (this process)
            else:
                line.update(heartbeat_load(env, beacon, tickets, args.seconds, args))
        finally:
            for started in servers:
                started.stop()
        line.update(_run(env, "count"))
        line.update(_run(env, "batch-cpu", "2000"))
        if "requests" in line:  # every answered beacon is stored or counted as dropped
            line["unaccounted"] = (
                int(line["requests"]) - int(line["stored"]) - sum(line["dropped"].values())
            )
        if not args.ingest_only:
            env = _environment(work, "rollup", args.database_url)
            line.update(_run(env, "rollup", str(args.rollup_viewers), str(args.rollup_hours)))
            env = _environment(work, "dashboard", args.database_url)
            line.update(_run(env, "dashboards", str(args.dashboard_meetings)))
        line["machine"] = f"{os.cpu_count()} cores, {platform.machine()}"
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(line))


def _with_fanout(
    args, work: Path, server: ServerProcess, beacon: ServerProcess, env: dict, tickets: Path
) -> dict:
    """The fan-out alone, then under the heartbeats, to the same SSE viewers in one run.

    `--fanout` SSE connections (bench.loadgen processes) stay open on the live demo channel
    of `server` throughout. One event a second is published for `--seconds` with nothing
    else running (the baseline), then the heartbeat load starts against `beacon` (the same
    process with --no-beacon-process) and, after a second to settle, another `--seconds`
    events are published while it runs. Each event's delay at every viewer is recorded; the
    events' numbers say which phase they belong to.
    """
    import array

    import httpx

    from bench.live_fanout import CHANNEL, PER_LOADGEN
    from samskab.live.testing import seed_people

    session = seed_people(env, {"operator": "webcast operator"})["operator"]
    if args.pin:
        # The publisher (the operator's browser) times each event from its send: on the
        # web process's core, not behind the senders on the other one.
        os.sched_setaffinity(0, {WEB_CPU})
    client = httpx.Client(base_url=server.url, cookies={"sessionid": session}, timeout=10)
    client.get("/live/demo/").raise_for_status()
    token = client.cookies["csrftoken"]

    def publish(number: int) -> None:
        response = client.post(
            "/live/demo/publish/",
            data={"text": f"bench#{number}#{time.time():.6f}#", "csrfmiddlewaretoken": token},
            headers={"Referer": server.url + "/live/demo/"},
        )
        if response.status_code != 302:
            raise RuntimeError(f"publishing failed: {response.status_code}")

    def publish_each_second(first: int, count: int) -> tuple[float, float]:
        """Publishes events first.. on the second; returns the server's CPU seconds used and
        how long its event loop waited for a CPU meanwhile."""
        cpu = _cpu_seconds(server.pid)
        waited = _runqueue_wait_s(server.pid)
        started = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, started + n - time.monotonic()))
            publish(first + n)
        time.sleep(1)  # the last event's fan-out
        return _cpu_seconds(server.pid) - cpu, _runqueue_wait_s(server.pid) - waited

    loads = []
    for index in range(-(-args.fanout // PER_LOADGEN)):
        count = min(PER_LOADGEN, args.fanout - index * PER_LOADGEN)
        loads.append(
            subprocess.Popen(  # our interpreter, our module, our arguments
                [
                    sys.executable,
                    "-m",
                    "bench.loadgen",
                    "--targets",
                    f"127.0.0.1:{server.port}",
                    "--path",
                    f"/live/{CHANNEL}/",
                    "--connections",
                    str(count),
                    "--out",
                    str(work / f"fanout-{index}.bin"),
                ],
                cwd=PROJECT_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                preexec_fn=_start_as(0, WEB_CPU if args.pin else None),
            )
        )
    opened = 0
    for load_process in loads:
        ready = load_process.stdout.readline().split()
        if not ready or ready[0] != "READY":
            raise RuntimeError(f"an SSE load process failed: {ready}")
        opened += int(ready[1])
    time.sleep(2)  # the server settles after the last connection
    seconds = int(args.seconds)
    load_alone = _loadavg()
    cpu_alone, waited_alone = publish_each_second(0, seconds)

    result: dict = {}
    start_at = time.time() + START_S

    def heartbeats() -> None:
        # One second to settle, the loaded phase, the last event's fan-out.
        result.update(heartbeat_load(env, beacon, tickets, seconds + 2.5, args, start_at))

    thread = threading.Thread(target=heartbeats)
    thread.start()
    time.sleep(max(0.0, start_at + 1 - time.time()))
    load_loaded = _loadavg()
    cpu_loaded, waited_loaded = publish_each_second(seconds, seconds)
    thread.join()
    client.close()
    for load_process in loads:
        load_process.stdin.write(f"DONE {2 * seconds}\n")
        load_process.stdin.flush()
    lost = 0
    for load_process in loads:
        lost += json.loads(load_process.stdout.readline().removeprefix("RESULT "))["lost"]
        load_process.wait()
    delays = array.array("f")
    numbers = array.array("H")
    for index in range(len(loads)):
        delays.frombytes((work / f"fanout-{index}.bin").read_bytes())
        numbers.frombytes((work / f"fanout-{index}.bin.numbers").read_bytes())
    alone = sorted(d for d, n in zip(delays, numbers, strict=True) if n < seconds)
    loaded = sorted(d for d, n in zip(delays, numbers, strict=True) if n >= seconds)
    expected = max(opened * seconds, 1)
    result.update(
        {
            "fanout_connections": opened,
            "fanout_p50_alone_ms": round(_percentile(alone, 50) * 1000, 1),
            "fanout_p99_alone_ms": round(_percentile(alone, 99) * 1000, 1),
            "fanout_p50_loaded_ms": round(_percentile(loaded, 50) * 1000, 1),
            "fanout_p99_loaded_ms": round(_percentile(loaded, 99) * 1000, 1),
            "fanout_delivered_alone": round(len(alone) / expected, 4),
            "fanout_delivered_loaded": round(len(loaded) / expected, 4),
            "fanout_lost_streams": lost,
            "fanout_server_cpu_us_per_delivery_alone": round(cpu_alone / expected * 1e6, 1),
            # The heartbeats' CPU is in it too when they go to the same process.
            "fanout_server_cpu_us_per_delivery_loaded": round(cpu_loaded / expected * 1e6, 1),
            # The web process's event loop ready to run but waiting for a CPU (other
            # processes had the cores), in all of each phase.
            "fanout_loop_runqueue_wait_ms_alone": round(waited_alone * 1000),
            "fanout_loop_runqueue_wait_ms_loaded": round(waited_loaded * 1000),
            "loadavg_alone": load_alone,
            "loadavg_loaded": load_loaded,
        }
    )
    return result


def _loadavg() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["seed-ingest"]:
        seed_ingest(int(sys.argv[2]), sys.argv[3])
    elif command == ["load"]:
        load(
            int(sys.argv[2]),
            sys.argv[3],
            float(sys.argv[4]),
            int(sys.argv[5]),
            sys.argv[6],
            float(sys.argv[7]),
            float(sys.argv[8]),
        )
    elif command == ["batch-cpu"]:
        batch_cpu(int(sys.argv[2]))
    elif command == ["count"]:
        count()
    elif command == ["rollup"]:
        rollup_run(int(sys.argv[2]), int(sys.argv[3]))
    elif command == ["dashboards"]:
        dashboards(int(sys.argv[2]))
    else:
        main()
