"""`samskab serve`: the ASGI server (uvicorn) for pages, API and server-sent events."""

import os
import signal

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


def _exit_cleanly(signum, frame):
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Serve Samskab over ASGI with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "1")),
            help="Processes. More than one needs LIVE_BROKER_URL=redis://... for server push.",
        )
        parser.add_argument("--reload", action="store_true", help="Restart on code changes.")
        parser.add_argument(
            "--no-access-log",
            dest="access_log",
            action="store_false",
            help="No line per request (the statistics beacons' process: nginx logs them).",
        )

    def handle(self, *args, host, port, workers, reload, access_log, **options):
        if workers > 1 and settings.LIVE_BROKER_URL.startswith("memory"):
            self.stderr.write(
                "Several workers with the memory broker: live events reach only the viewers "
                "of the process that published them. Set LIVE_BROKER_URL=redis://..."
            )
        if workers == 1 and not reload:
            # uvicorn stops gracefully on SIGTERM (systemd's stop) and then raises the signal
            # again with the handler it found here. With the default one the process dies
            # by it and its exit handlers never run: the statistics beacons it had answered
            # but not yet stored (stats/fastbeacon.py, stats/ingest.py) would be lost on
            # every restart. Ending by SystemExit runs them (and exits 0). Several workers
            # are processes of uvicorn's own, which this does not reach.
            signal.signal(signal.SIGTERM, _exit_cleanly)
        uvicorn.run(
            "samskab.asgi:application",
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            lifespan="off",
            # Proxy headers are read by our own middleware, trusting only TRUSTED_PROXIES.
            proxy_headers=False,
            server_header=False,
            access_log=access_log,
            timeout_graceful_shutdown=5,
            log_level=os.environ.get("LOG_LEVEL", "info").lower(),
            # uvicorn's own lines (start, access) go through Django's LOGGING: the same
            # format, UTC timestamps, JSON when LOG_FORMAT=json.
            log_config=None,
        )
