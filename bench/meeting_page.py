"""meeting_page: how many anonymous views of a long meeting's page one server process gives.

    make bench-meeting-page
    python -m bench.meeting_page --seconds 10 --runs 3 --concurrency 16

Sets up its own SQLite database with a recorded meeting of 60 agenda items and 400 speaker
turns, starts uvicorn (one process, as `samskab serve` does by default), and measures in the
same run, against the same server: the meeting page (`/moeder/<id>/`, rendered per request,
a constant number of queries) and a static file served by the same process (WhiteNoise),
which is the limit a Django page can approach. The load generator runs in this process on
the same 2 cores, so both figures include its cost alike; the ratio is what to compare.

Ends with one JSON line (medians of --runs runs): requests_per_s, p50_ms, p99_ms,
static_requests_per_s, static_p99_ms, ratio, queries_per_page. Record it in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from samskab.live.testing import PROJECT_DIR, ServerProcess, prepare_database, server_environment

ITEMS = 60
TURNS = 400
STATIC_PATH = "/static/samskab/webcasts/webcasts.css"


def seed() -> None:
    """In the server's environment: the meeting, then one JSON line with its id and queries."""
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from samskab.webcasts.models import AgendaItem, Body, Meeting, Person, TimelineMark
    from samskab.webcasts.services import speaker_turns_rebuild

    body, _ = Body.objects.get_or_create(slug="bench", defaults={"name": "Byrådet"})
    started = timezone.now() - timedelta(days=1)
    meeting = Meeting.objects.create(
        body=body,
        title="Budgetmøde (benchmark)",
        starts_at=started,
        status=Meeting.Status.ENDED,
        recording_started_at=started,
        video_kind=Meeting.VideoKind.HLS,
        video_url="https://video.example.org/budget/index.m3u8",
        duration_ms=5 * 3600 * 1000,
    )
    people = [
        Person.objects.create(
            name=f"Politiker {n}", slug=f"bench-{meeting.pk}-{n}", party="Parti", role="Medlem"
        )
        for n in range(25)
    ]
    items = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, number=str(n + 1), position=n, title=f"Punkt {n + 1}")
        for n in range(ITEMS)
    )
    marks, offset, turns = [], 0, 0
    for index, item in enumerate(items):
        offset += 5_000
        marks.append((TimelineMark.Kind.ITEM, offset, {"agenda_item": item}))
        share = TURNS // ITEMS + (1 if index < TURNS % ITEMS else 0)
        for _turn in range(share):
            offset += 30_000
            marks.append((TimelineMark.Kind.SPEAKER, offset, {"person": people[turns % 25]}))
            turns += 1
    marks.append((TimelineMark.Kind.MEETING_END, offset + 60_000, {}))
    TimelineMark.objects.bulk_create(
        TimelineMark(
            meeting=meeting,
            kind=kind,
            offset_ms=at,
            at=started + timedelta(milliseconds=at),
            **refs,
        )
        for kind, at, refs in marks
    )
    speaker_turns_rebuild(meeting=meeting)
    client = Client(HTTP_HOST="127.0.0.1")  # the host the server allows
    client.get(meeting.get_absolute_url())  # warm caches (site settings) as a server would be
    with CaptureQueriesContext(connection) as queries:
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200, response.status_code
    print(
        json.dumps({"meeting": meeting.pk, "queries": len(queries), "bytes": len(response.content)})
    )


async def hammer(url: str, *, seconds: float, concurrency: int) -> dict[str, float]:
    """GET `url` from `concurrency` clients for `seconds`; requests per second and latencies."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def one_client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                await response.aread()
                if response.status_code != 200:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per measurement")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="samskab-meeting-page-"))
    try:
        env = server_environment(
            work, broker="memory://", DEBUG="0", LOG_LEVEL="WARNING", RATELIMIT_ENABLED="0"
        )
        prepare_database(env)
        # Our own interpreter and module, with arguments we built.
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.meeting_page", "--seed"],
            env=env,
            cwd=PROJECT_DIR,
            check=False,
            capture_output=True,
            text=True,
        )
        if seeded.returncode != 0:
            sys.exit(f"setting up the meeting failed:\n{seeded.stderr}")
        facts = json.loads(seeded.stdout.strip().splitlines()[-1])
        page_runs, static_runs = [], []
        with ServerProcess("samskab.asgi:application", env) as server:
            page_url = f"{server.url}/moeder/{facts['meeting']}/"
            static_url = server.url + STATIC_PATH
            asyncio.run(hammer(page_url, seconds=2, concurrency=args.concurrency))  # warm up
            asyncio.run(hammer(static_url, seconds=1, concurrency=args.concurrency))
            for _run in range(args.runs):
                page_runs.append(
                    asyncio.run(
                        hammer(page_url, seconds=args.seconds, concurrency=args.concurrency)
                    )
                )
                static_runs.append(
                    asyncio.run(
                        hammer(static_url, seconds=args.seconds, concurrency=args.concurrency)
                    )
                )
    finally:
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    def median(runs: list[dict[str, float]], key: str) -> float:
        return round(statistics.median(run[key] for run in runs), 1)

    line = {
        "bench": "meeting_page",
        "items": ITEMS,
        "turns": TURNS,
        "page_bytes": facts["bytes"],
        "queries_per_page": facts["queries"],
        "requests_per_s": median(page_runs, "requests_per_s"),
        "p50_ms": median(page_runs, "p50_ms"),
        "p99_ms": median(page_runs, "p99_ms"),
        "static_requests_per_s": median(static_runs, "requests_per_s"),
        "static_p50_ms": median(static_runs, "p50_ms"),
        "static_p99_ms": median(static_runs, "p99_ms"),
        "errors": sum(run["errors"] for run in page_runs + static_runs),
        "runs": args.runs,
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "machine": f"{os.cpu_count()} cores, {_memory_gib()} GiB, {platform.machine()}",
    }
    line["ratio"] = round(line["requests_per_s"] / max(line["static_requests_per_s"], 0.1), 3)
    print(json.dumps(line))


def _memory_gib() -> int:
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return round(kib / 1024 / 1024)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--seed"]:
        seed()
    else:
        main()
