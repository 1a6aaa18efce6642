"""`samskab ingest`: listen for encoders on RTMP (rtmp://HOST:1935/live/<stream key>) and SRT
(srt://HOST:<the meeting's port>, passphrase = the stream key)."""

import asyncio

from django.core.management.base import BaseCommand

from samskab.streaming.ingest import IngestOptions, IngestServer


class Command(BaseCommand):
    help = "Receive encoders' feeds over RTMP and SRT: live HLS, recording, restreaming."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0", help="address to listen on")  # noqa: S104
        parser.add_argument("--port", type=int, default=1935, help="RTMP port (1935)")
        parser.add_argument(
            "--srt-port",
            type=int,
            default=9000,
            help="first UDP port for SRT encoders, one per meeting that is near (9000; 0: no SRT)",
        )
        parser.add_argument(
            "--srt-ports", type=int, default=10, help="how many SRT ports from --srt-port (10)"
        )
        parser.add_argument(
            "--srt-latency",
            type=int,
            default=1000,
            help="SRT latency in milliseconds (1000); the encoder's, if larger, applies",
        )
        parser.add_argument(
            "--thumbnail-every", type=int, default=10, help="seconds between live pictures"
        )

    def handle(self, *args, **options):
        server = IngestServer(
            IngestOptions(
                host=options["host"],
                port=options["port"],
                thumbnail_every_s=max(1, options["thumbnail_every"]),
                srt_port=options["srt_port"],
                srt_ports=max(1, options["srt_ports"]),
                srt_latency_ms=max(20, options["srt_latency"]),
            )
        )
        asyncio.run(server.run_forever())
