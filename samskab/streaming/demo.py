"""The demo's live streaming: a stream key for the upcoming meeting and two example
destinations (disabled) that point at loopback receivers standing in for YouTube and
Facebook. Idempotent: the key stays the same across runs."""

from __future__ import annotations

from django.db import transaction

from samskab.streaming import services
from samskab.streaming.models import Destination
from samskab.webcasts.demo import UPCOMING_ID
from samskab.webcasts.models import Meeting

EXAMPLES = [
    # name, kind, server address, key: YouTube's kind accepts another server address,
    # Facebook's needs RTMPS, so its loopback stand-in is "another RTMP server".
    ("YouTube (prøve på 127.0.0.1:1936)", Destination.Kind.YOUTUBE, "rtmp://127.0.0.1:1936/live2",
     "demo-youtube-key"),
    ("Facebook (prøve på 127.0.0.1:1937)", Destination.Kind.RTMP, "rtmp://127.0.0.1:1937/rtmp",
     "demo-facebook-key"),
]  # fmt: skip


@transaction.atomic
def demo_streaming_load() -> list[str]:
    meeting = Meeting.objects.filter(external_id=UPCOMING_ID).first()
    if meeting is None:
        return []
    stream = services.stream_key_ensure(meeting=meeting)
    for name, kind, url, key in EXAMPLES:
        if not Destination.objects.filter(meeting=meeting, name=name).exists():
            example = Destination(
                meeting=meeting, name=name, kind=kind, server_url=url, is_enabled=False
            )
            services.destination_set_key(destination=example, key=key)
            example.save()
    return [
        f"Stream key of the upcoming demo meeting ({meeting.title}): {stream.key}",
        "  Run `samskab ingest`, then push a test stream as a chamber encoder would:",
        "  ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine "
        "-c:v libx264 -g 50 -c:a aac -f flv "
        f"rtmp://127.0.0.1:1935/live/{stream.key}",
        "  or over SRT, with the meeting's SRT port from the operator console (9000 onwards):",
        "  ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=25 -f lavfi -i sine "
        "-c:v libx264 -g 50 -c:a aac -f mpegts "
        f"'srt://127.0.0.1:<port>?passphrase={stream.key}&latency=1000000'",
    ]


def streaming_demo_part(context: dict) -> list[str]:
    return demo_streaming_load()
