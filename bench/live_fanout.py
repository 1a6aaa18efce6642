"""live_fanout: N viewers on one channel, one event a second, the delay at every viewer.

    make bench-live                                      # 10,000 viewers, one process
    python -m bench.live_fanout --connections 20000 --processes 2   # Redis broker

In one run: a bare ASGI server (bench/bare_sse.py, no Django: the limit) and Samskab (the
real /live/<channel>/ endpoint through Django's middleware, memory broker with one
process, Redis with more) each get N SSE connections from separate load processes
(bench/loadgen.py); then this process publishes one event a second for --seconds
(to Samskab as an operator through the demo page's form, which publishes like any
service) and every client records each event's delay. Server memory per connection is
the growth of the servers' RSS from before the connections to after them.

Ends with one JSON line: connections, p99_ms, limit_p99_ms (the bare server's), and
kb_per_connection, with more figures beside them. Record it in docs/benchmarks.md.
"""

import argparse
import array
import json
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from samskab.live.testing import (
    PROJECT_DIR,
    ServerProcess,
    prepare_database,
    seed_people,
    server_environment,
)

PER_LOADGEN = 10_000
CHANNEL = "demo:board"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=1, help="server processes")
    parser.add_argument("--seconds", type=int, default=60, help="publishing time")
    parser.add_argument("--broker", choices=["memory", "redis"], help="default: by --processes")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--skip-bare", action="store_true", help="measure Samskab only")
    parser.add_argument("--skip-samskab", action="store_true", help="measure the limit only")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--verbose", action="store_true", help="print every event's delays")
    parser.add_argument("--runs", type=int, default=1, help="repeat; medians are reported")
    parser.add_argument(
        "--gc-threshold",
        type=int,
        help="LIVE_GC_THRESHOLD for Samskab (0: Python's default), to measure its effect",
    )
    args = parser.parse_args()
    broker = args.broker or ("memory" if args.processes == 1 else "redis")
    if broker == "memory" and args.processes > 1:
        parser.error("the memory broker serves one process; use --broker redis")
    _raise_file_limit()

    work = Path(tempfile.mkdtemp(prefix="samskab-live-fanout-"))
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    line: dict[str, object] = {
        "bench": "live_fanout",
        "connections": args.connections,
        "processes": args.processes,
        "broker": broker,
        "seconds": args.seconds,
    }
    url = f"{args.redis}?prefix={prefix}" if broker == "redis" else "memory://"
    runs: dict[str, list[dict]] = {"bare": [], "samskab": []}
    try:
        for run in range(args.runs):
            # Alternate which goes first: a shared machine's load drifts during a run.
            order = ["bare", "samskab"] if run % 2 == 0 else ["samskab", "bare"]
            for name in order:
                if name == "bare" and not args.skip_bare:
                    runs["bare"].append(run_bare(args, work))
                if name == "samskab" and not args.skip_samskab:
                    runs["samskab"].append(run_samskab(args, work, url))
        line.update(_summary(runs, args.runs))
        line["machine"] = f"{os.cpu_count()} cores, {_memory_gib()} GiB, {platform.machine()}"
    finally:
        if broker == "redis":
            _clean_redis(args.redis, prefix)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work directory kept: {work}", file=sys.stderr)
    print(json.dumps(line))


def _summary(runs: dict[str, list[dict]], count: int) -> dict[str, object]:
    """Medians over the runs; the ratio is taken within each run, then its median."""
    summary: dict[str, object] = {"runs": count}
    if runs["samskab"]:
        for key in ["p50_ms", "p99_ms", "max_ms", "delivered", "kb_per_connection"]:
            summary[key] = _median([figures[key] for figures in runs["samskab"]])
        summary["setup_s"] = _median([figures["setup_s"] for figures in runs["samskab"]])
        summary["server_threads"] = max(figures["threads"] for figures in runs["samskab"])
        summary["cpu_us_per_delivery"] = _median(
            [figures["cpu_us_per_delivery"] for figures in runs["samskab"]]
        )
    if runs["bare"]:
        for key in ["p50_ms", "p99_ms", "max_ms", "delivered", "kb_per_connection"]:
            summary[f"limit_{key}"] = _median([figures[key] for figures in runs["bare"]])
        summary["limit_cpu_us_per_delivery"] = _median(
            [figures["cpu_us_per_delivery"] for figures in runs["bare"]]
        )
    if runs["samskab"] and runs["bare"]:
        pairs = list(zip(runs["samskab"], runs["bare"], strict=False))
        summary["p99_ratio"] = _median(
            [round(ours["p99_ms"] / max(bare["p99_ms"], 1), 2) for ours, bare in pairs]
        )
        summary["cpu_ratio"] = _median(
            [
                round(ours["cpu_us_per_delivery"] / max(bare["cpu_us_per_delivery"], 0.1), 2)
                for ours, bare in pairs
            ]
        )
        if count > 1:
            summary["p99_ms_each"] = [figures["p99_ms"] for figures in runs["samskab"]]
            summary["limit_p99_ms_each"] = [figures["p99_ms"] for figures in runs["bare"]]
    return summary


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round((ordered[middle - 1] + ordered[middle]) / 2, 2)


def run_bare(args, work: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR), SAMSKAB_VAR_DIR=str(work))
    servers = [
        ServerProcess("bench.bare_sse:app", env, log=work / f"bare-{i}.log", args=_server_args())
        for i in range(args.processes)
    ]
    try:
        for server in servers:
            server.start()
        # Warm up as for Samskab, so both are measured after their first requests.
        for server in servers:
            _touch_streams(server.url + "/sse")

        clients = [httpx.Client(base_url=server.url, timeout=10) for server in servers]

        def publish(number: int, sent: float) -> None:
            for client in clients:
                client.post("/publish", json={"text": _text(number, sent)}).raise_for_status()

        result = measure("bare", args, work, servers, "/sse", publish)
        for client in clients:
            client.close()
        return result
    finally:
        for server in servers:
            server.stop()


def run_samskab(args, work: Path, broker_url: str) -> dict:
    settings = {"DEBUG": "false", "LIVE_DEMO": "true"}
    if args.gc_threshold is not None:
        settings["LIVE_GC_THRESHOLD"] = str(args.gc_threshold)
    env = server_environment(work / "samskab", broker=broker_url, **settings)
    env.pop("SAMSKAB_TESTING", None)
    prepare_database(env)
    session = seed_people(env, {"operator": "webcast operator"})["operator"]
    servers = [
        ServerProcess(
            # BENCH_SAMSKAB_APP: another module wrapping Samskab, to probe it (GC, profiles).
            os.environ.get("BENCH_SAMSKAB_APP", "samskab.asgi:application"),
            env,
            log=work / f"samskab-{i}.log",
            args=_server_args(),
        )
        for i in range(args.processes)
    ]
    try:
        for server in servers:
            server.start()
        for server in servers:
            _touch_streams(server.url + f"/live/{CHANNEL}/")
        client = httpx.Client(base_url=servers[0].url, cookies={"sessionid": session}, timeout=10)
        client.get("/live/demo/").raise_for_status()
        token = client.cookies["csrftoken"]

        def publish(number: int, sent: float) -> None:
            response = client.post(
                "/live/demo/publish/",
                data={"text": _text(number, sent), "csrfmiddlewaretoken": token},
                headers={"Referer": servers[0].url + "/live/demo/"},
            )
            if response.status_code != 302:
                raise RuntimeError(f"publishing failed: {response.status_code} {response.text}")

        result = measure("samskab", args, work, servers, f"/live/{CHANNEL}/", publish)
        client.close()
        return result
    finally:
        for server in servers:
            server.stop()


def measure(name, args, work: Path, servers, path: str, publish) -> dict:
    targets = ",".join(f"127.0.0.1:{server.port}" for server in servers)
    rss_before = sum(server.status("VmRSS") for server in servers)
    loads = []
    remaining = args.connections
    for index in range(math.ceil(args.connections / PER_LOADGEN)):
        count = min(PER_LOADGEN, remaining)
        remaining -= count
        loads.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.loadgen",
                    "--targets",
                    targets,
                    "--path",
                    path,
                    "--connections",
                    str(count),
                    "--out",
                    str(work / f"{name}-{index}.bin"),
                ],
                cwd=PROJECT_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    opened = failed = 0
    setup = 0.0
    for load in loads:
        ready = load.stdout.readline().split()
        if not ready or ready[0] != "READY":
            raise RuntimeError(f"a load process failed: {ready}")
        opened += int(ready[1])
        failed += int(ready[2])
        setup = max(setup, float(ready[3]))
    time.sleep(2)  # let the servers settle after the last connection
    rss_open = sum(server.status("VmRSS") for server in servers)
    threads = max(server.status("Threads") for server in servers)
    print(
        f"{name}: {opened} streams open ({failed} failed) in {setup:.1f} s; "
        f"RSS {rss_before / 1024:.0f} -> {rss_open / 1024:.0f} MiB; {threads} threads",
        file=sys.stderr,
    )
    cpu_before = sum(_cpu_seconds(server.pid) for server in servers)
    started = time.monotonic()
    for number in range(args.seconds):
        # One event a second, on the second, timed by the clock the load processes share.
        time.sleep(max(0.0, started + number - time.monotonic()))
        publish(number, time.time())
    time.sleep(1)  # the last event's fan-out
    cpu = sum(_cpu_seconds(server.pid) for server in servers) - cpu_before
    for load in loads:
        load.stdin.write(f"DONE {args.seconds}\n")
        load.stdin.flush()
    lost = 0
    for load in loads:
        result = json.loads(load.stdout.readline().removeprefix("RESULT "))
        lost += result["lost"]
        load.wait()
    delays = array.array("f")
    numbers = array.array("H")
    for index in range(len(loads)):
        with open(work / f"{name}-{index}.bin", "rb") as handle:
            delays.frombytes(handle.read())
        with open(work / f"{name}-{index}.bin.numbers", "rb") as handle:
            numbers.frombytes(handle.read())
    if args.verbose:
        per_event: dict[int, list[float]] = {}
        for number, delay in zip(numbers, delays, strict=True):
            per_event.setdefault(number, []).append(delay)
        for number, values in sorted(per_event.items()):
            values.sort()
            print(
                f"  event {number}: {len(values)} got it, p50 {_ms(_percentile(values, 50))} ms,"
                f" max {_ms(values[-1])} ms",
                file=sys.stderr,
            )
    ordered = sorted(delays)
    expected = args.connections * args.seconds
    figures = {
        "p50_ms": _ms(_percentile(ordered, 50)),
        "p99_ms": _ms(_percentile(ordered, 99)),
        "max_ms": _ms(ordered[-1] if ordered else math.nan),
        "delivered": round(len(ordered) / expected, 4) if expected else 0,
        "kb_per_connection": round((rss_open - rss_before) / max(opened, 1), 1),
        "setup_s": round(setup, 1),
        "threads": threads,
        # Server CPU per event and viewer: what one delivery costs, whatever else runs.
        "cpu_us_per_delivery": round(cpu / max(opened * args.seconds, 1) * 1e6, 1),
    }
    print(f"{name}: {figures}, {lost} streams lost", file=sys.stderr)
    return figures


def _text(number: int, sent: float) -> str:
    return f"bench#{number}#{sent:.6f}#"


def _percentile(ordered, q: float) -> float:
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]


def _ms(seconds: float) -> int:
    return round(seconds * 1000) if not math.isnan(seconds) else -1


def _server_args() -> list[str]:
    return ["--backlog", "4096", "--log-level", "info"]


def _touch_streams(url: str, count: int = 50) -> None:
    """Open and close a few streams: first-request costs are not per-connection costs."""
    with httpx.Client(timeout=5) as client:
        for _ in range(count):
            with client.stream("GET", url) as response:
                next(response.iter_raw())


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _raise_file_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _memory_gib() -> int:
    text = Path("/proc/meminfo").read_text()
    kib = int(re.search(r"MemTotal:\s+(\d+)", text).group(1))
    return round(kib / 1024 / 1024)


def _clean_redis(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


if __name__ == "__main__":
    main()
