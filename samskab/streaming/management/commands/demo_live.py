"""`samskab demo_live`: the demo's meeting goes live, with its vox pop open, and a test feed
is pushed to `samskab ingest` for as long as this runs (`make run` starts both)."""

import signal
import subprocess
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samskab.media.commands import demo_feed_command
from samskab.streaming.demo_live import demo_live_start
from samskab.webcasts.ffmpeg import MediaError, ffmpeg_path

RETRY_S = 3  # the ingest may not listen yet, or was restarted


class Command(BaseCommand):
    help = "Take the demo meeting live and push a test feed to the ingest (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=1935, help="the ingest's RTMP port")
        parser.add_argument(
            "--no-feed", action="store_true", help="only take the meeting live; push nothing"
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo is refused in production.")
        live = demo_live_start()
        if live is None:
            self.stdout.write("No demo meeting to take live (run `samskab demo` first).")
            return
        self.stdout.write(f"Live now: {live.meeting.title} at {live.meeting.get_absolute_url()}")
        if options["no_feed"]:
            return
        try:
            ffmpeg = ffmpeg_path()
        except MediaError as error:
            raise CommandError(f"No demo feed: {error}") from None
        url = f"rtmp://127.0.0.1:{options['port']}/live/{live.key}"
        command = [ffmpeg, "-hide_banner", "-loglevel", "error", *demo_feed_command(url)]
        # Stopped by make run's trap (SIGTERM) or Ctrl-C: the encoder stops with it.
        signal.signal(signal.SIGTERM, lambda *_args: (_ for _ in ()).throw(KeyboardInterrupt))
        feed = None
        try:
            while True:  # pushed until stopped; again when the ingest comes (back)
                feed = subprocess.Popen(command)  # noqa: S603  # our binary, our arguments
                feed.wait()
                time.sleep(RETRY_S)
        except KeyboardInterrupt:
            pass
        finally:
            if feed is not None and feed.poll() is None:
                feed.terminate()
                feed.wait(timeout=10)
