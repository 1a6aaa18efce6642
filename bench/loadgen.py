"""The load process of live_fanout: many SSE connections, each timing every event it gets.

Run by bench.live_fanout, one process per 10,000 connections (file descriptors):
    python -m bench.loadgen --targets 127.0.0.1:8001,127.0.0.1:8002 --path /sse \
        --connections 10000 --out delays.bin
It prints "READY <open> <failed> <seconds>" once every stream has started, then reads
"DONE" on stdin, waits for stragglers, writes every delay (float32 seconds) to --out and
prints "RESULT {json}".

An event carries `bench#<number>#<unix time sent>#` in its text; the delay is the time
of arrival at this client minus the time the publisher sent it (one machine, one clock).
"""

import argparse
import array
import asyncio
import json
import resource
import socket
import struct
import sys
import time

MARKER = b"bench#"
# What a browser's EventSource sends, cookies included (a CSRF token and a viewer token
# that does not verify), so the servers hold what they would hold for real viewers.
BROWSER_HEADERS = (
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36\r\n"
    "Accept: text/event-stream\r\n"
    "Accept-Language: da-DK,da;q=0.9,en-US;q=0.8,en;q=0.7\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Cache-Control: no-cache\r\n"
    "Connection: keep-alive\r\n"
    "Referer: http://127.0.0.1/live/demo/\r\n"
    "Sec-Fetch-Dest: empty\r\nSec-Fetch-Mode: cors\r\nSec-Fetch-Site: same-origin\r\n"
    "Cookie: csrftoken=Xk3r9Qm2Lw8Zp5Tn7Vb1Jc4Hd6Gf0Sa2Xk3r9Qm2Lw8Zp5Tn7Vb1Jc4Hd6Gf0Sa2; "
    "samskab_viewer=bm90LWEtcmVhbC10b2tlbi1qdXN0LXNpemVk:1tQxYz:abcdefghijklmnopqrstuvwxyz0\r\n"
)


class Stats:
    def __init__(self):
        self.delays = array.array("f")
        self.numbers = array.array("H")
        self.open = 0
        self.failed = 0
        self.lost = 0
        self.events_seen: dict[int, int] = {}


class Client(asyncio.Protocol):
    __slots__ = ("last", "ready", "request", "started", "stats", "tail", "transport")

    def __init__(self, stats: Stats, ready: asyncio.Future, request: bytes):
        self.stats = stats
        self.ready = ready
        self.started = False
        self.tail = b""
        self.last = -1
        self.request = request

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        # Close with a reset: no TIME_WAIT, so the next run on this machine has ports.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.write(self.request)

    def data_received(self, data):
        now = time.time()
        if not self.started:
            self.started = True
            if not self.ready.done():
                self.ready.set_result(data.startswith(b"HTTP/1.1 200"))
        chunk = self.tail + data if self.tail else data
        position = chunk.find(MARKER)
        while position >= 0:
            end = chunk.find(b"#", position + 6)
            stop = chunk.find(b"#", end + 1) if end >= 0 else -1
            if stop < 0:
                break  # the rest of the marker is in the next packet
            number = int(chunk[position + 6 : end])
            if number > self.last:
                self.last = number
                self.stats.delays.append(now - float(chunk[end + 1 : stop]))
                self.stats.numbers.append(number)
                self.stats.events_seen[number] = self.stats.events_seen.get(number, 0) + 1
            position = chunk.find(MARKER, stop)
        self.tail = chunk[-80:]

    def connection_lost(self, exc):
        if self.started:
            self.stats.lost += 1
        elif not self.ready.done():
            self.ready.set_result(False)


async def open_all(args, stats: Stats) -> list:
    loop = asyncio.get_running_loop()
    targets = [(host, int(port)) for host, port in (t.split(":") for t in args.targets.split(","))]
    gate = asyncio.Semaphore(args.concurrency)
    transports = []

    async def one(index: int):
        host, port = targets[index % len(targets)]
        request = (
            f"GET {args.path} HTTP/1.1\r\nHost: {host}:{port}\r\n{BROWSER_HEADERS}\r\n"
        ).encode()
        async with gate:
            ready = loop.create_future()
            try:
                transport, _protocol = await loop.create_connection(
                    lambda: Client(stats, ready, request), host, port
                )
                ok = await asyncio.wait_for(ready, 60)
            except (TimeoutError, OSError):
                stats.failed += 1
                return
            if ok:
                stats.open += 1
                transports.append(transport)
            else:
                stats.failed += 1
                transport.close()

    await asyncio.gather(*(one(i) for i in range(args.connections)))
    return transports


async def main(args) -> None:
    stats = Stats()
    started = time.monotonic()
    transports = await open_all(args, stats)
    print(f"READY {stats.open} {stats.failed} {time.monotonic() - started:.1f}", flush=True)
    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)
    await asyncio.sleep(float(args.grace))
    with open(args.out, "wb") as handle:
        stats.delays.tofile(handle)
    with open(args.out + ".numbers", "wb") as handle:
        stats.numbers.tofile(handle)
    result = {
        "open": stats.open,
        "failed": stats.failed,
        "lost": stats.lost,
        "samples": len(stats.delays),
        "events": line.split()[1:] and int(line.split()[1]),
    }
    print("RESULT " + json.dumps(result), flush=True)
    for transport in transports:
        transport.close()


def cli() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--grace", default="3")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(args))


if __name__ == "__main__":
    cli()
