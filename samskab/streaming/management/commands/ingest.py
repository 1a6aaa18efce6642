"""`samskab ingest`: listen for encoders on RTMP (rtmp://HOST:1935/live/<stream key>)."""

import asyncio

from django.core.management.base import BaseCommand

from samskab.streaming.ingest import IngestOptions, IngestServer


class Command(BaseCommand):
    help = "Receive encoders' feeds over RTMP: live HLS, recording, restreaming."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0", help="address to listen on")  # noqa: S104
        parser.add_argument("--port", type=int, default=1935, help="RTMP port (1935)")
        parser.add_argument(
            "--thumbnail-every", type=int, default=10, help="seconds between live pictures"
        )

    def handle(self, *args, **options):
        server = IngestServer(
            IngestOptions(
                host=options["host"],
                port=options["port"],
                thumbnail_every_s=max(1, options["thumbnail_every"]),
            )
        )
        asyncio.run(server.run_forever())
