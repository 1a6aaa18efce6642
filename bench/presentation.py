"""presentation: a 40-step presentation opening, and the builder saving a reorder.

    make bench-presentation
    python -m bench.presentation --steps 40 --runs 30 --saves 200

Sets up its own SQLite database (or PostgreSQL with --postgres URL, a fresh database named
samskab_bench_presentation on that server) and media folder, a recorded meeting with a
generated HLS recording (the demo's, through the imageio-ffmpeg wheel), and a presentation of
`--steps` steps built through the services: clips of the meeting, pictures, text and
questions in turn, published. Then, through Django's test client (the whole middleware stack):

1. first step playable: a citizen's start (POST), the first step's page, and the first step's
   media as the player asks for it (the clip's HLS playlist and its first segment, or the
   picture) -- `--runs` times, median and p95 in ms (`first_step_ms` is the median); and how
   many media links the first step prefetches (`prefetched`, which should be the next step's
   only);
2. a reorder saved as drag and drop sends it (JSON, the editor's session), `--saves` times with
   a random order each: p50 and p99 in ms (`save_p99_ms`), wall and process CPU.

Ends with one JSON line. Targets (issue 23): first step under 1 s, a reorder under 200 ms.
Peer: none measured here (XpressU is a cloud service; H5P needs a PHP host).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from samskab.live.testing import prepare_database, server_environment


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def build(steps: int):
    import io

    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from PIL import Image as Picture

    from samskab.accounts.roles import Role
    from samskab.accounts.tests.factories import StaffFactory
    from samskab.attachments.models import Image
    from samskab.presentations import services
    from samskab.presentations.models import Presentation, Step
    from samskab.recordings.models import Clip
    from samskab.webcasts.media_demo import demo_video_make
    from samskab.webcasts.models import Meeting
    from samskab.webcasts.tests.factories import MeetingFactory

    editor = StaffFactory(role=Role.EDITOR)
    meeting = MeetingFactory(status=Meeting.Status.ENDED, title="Byrådsmøde")
    demo_video_make(meeting=meeting, seconds=120)
    presentation = services.presentation_create(title="Lokalplan for Vestbyen", by=editor)
    kind = ContentType.objects.get_for_model(Presentation)
    for n in range(steps):
        turn = n % 4
        if turn == 0:
            clip = Clip.objects.create(
                meeting=meeting, title=f"Punkt {n}", start_ms=(n % 10) * 10_000 + 1000,
                end_ms=(n % 10) * 10_000 + 9000,
            )  # fmt: skip
            element = f"clip:{clip.pk}"
        elif turn == 1:
            out = io.BytesIO()
            Picture.new("RGB", (1280, 720), (n * 5 % 255, 120, 90)).save(out, "JPEG")
            image = Image.objects.create(
                content_type=kind, object_id=presentation.pk,
                file=ContentFile(out.getvalue(), name=f"plan-{n}.jpg"), alt=f"Plan {n}",
            )  # fmt: skip
            element = f"image:{image.pk}"
        elif turn == 2:
            element = "text"
        else:
            element = "question:single"
        services.step_add(presentation=presentation, element=element, by=editor)
    services.presentation_publish(presentation=presentation, by=editor)
    presentation.refresh_from_db()
    assert presentation.steps.count() == steps
    assert presentation.steps.filter(kind=Step.Kind.VIDEO).exists()
    return presentation, editor


def first_step(client, presentation) -> tuple[float, int]:
    from django.urls import reverse

    begun = time.perf_counter()
    started = client.post(reverse("presentations:start", args=[presentation.slug]))
    assert started.status_code == 302, started.status_code
    page = client.get(started["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    video = re.search(r'data-hls="([^"]+)"', html)
    if video:
        playlist = client.get(video.group(1))
        assert playlist.status_code == 200
        segment = next(
            line
            for line in playlist.content.decode().splitlines()
            if line and not line.startswith("#")
        )
        # Segments are static files the web server sends; read it from the media folder.
        from django.conf import settings

        path = Path(settings.MEDIA_ROOT) / segment.removeprefix(settings.MEDIA_URL)
        assert path.read_bytes()
    elapsed = (time.perf_counter() - begun) * 1000
    prefetched = len(re.findall(r'rel="prefetch"', html))
    return elapsed, prefetched


def saves(client, presentation, count: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """Wall and process CPU milliseconds of each reorder saved (the client and the server
    run in this one process, so CPU time is the request's own work, whatever the load)."""
    from django.urls import reverse

    from samskab.presentations.models import Step

    url = reverse("presentations:reorder", args=[presentation.pk])
    keys = list(Step.objects.filter(presentation=presentation).values_list("key", flat=True))
    presentation.refresh_from_db()
    revision = presentation.revision
    times, cpu = [], []
    for _n in range(count):
        rng.shuffle(keys)
        begun, begun_cpu = time.perf_counter(), time.process_time()
        response = client.post(
            url,
            data=json.dumps({"keys": keys, "revision": revision}),
            content_type="application/json",
            HTTP_X_REQUESTED_WITH="fetch",
        )
        times.append((time.perf_counter() - begun) * 1000)
        cpu.append((time.process_time() - begun_cpu) * 1000)
        assert response.status_code == 200, response.content
        revision = response.json()["revision"]
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL (admin)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-presentation-"))
    # Every run comes from one address: the rate limits (measured elsewhere) are off.
    extra = {"MEDIA_ROOT": str(work / "media"), "DEBUG": "0", "RATELIMIT_ENABLED": "0"}
    if args.postgres:
        import psycopg

        name = "samskab_bench_presentation"
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.execute(f"CREATE DATABASE {name}")
        extra["DATABASE_URL"] = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    env = server_environment(work, broker="memory://", **extra)
    prepare_database(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.MEDIA_ROOT = str(work / "media")
    settings.ALLOWED_HOSTS = ["*"]
    presentation, editor = build(args.steps)

    timings, prefetched = [], 0
    for _n in range(args.runs):
        elapsed, prefetched = first_step(Client(), presentation)
        timings.append(elapsed)
    staff = Client()
    from samskab.accounts.tests.factories import staff_sign_in

    staff_sign_in(staff, editor)
    load_before = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
    save_times, save_cpu = saves(staff, presentation, args.saves, random.Random(7))
    load = open("/proc/loadavg").read().split()[:3]  # noqa: SIM115
    print(
        json.dumps(
            {
                "steps": args.steps,
                "database": "postgresql" if args.postgres else "sqlite",
                "first_step_ms": round(statistics.median(timings), 1),
                "first_step_p95_ms": round(_percentile(timings, 0.95), 1),
                "prefetched": prefetched,
                "save_p50_ms": round(statistics.median(save_times), 1),
                "save_p99_ms": round(_percentile(save_times, 0.99), 1),
                "save_cpu_p50_ms": round(statistics.median(save_cpu), 1),
                "save_cpu_p99_ms": round(_percentile(save_cpu, 0.99), 1),
                "saves": len(save_times),
                "loadavg_before_saves": " ".join(load_before),
                "loadavg": " ".join(load),
            }
        )
    )


if __name__ == "__main__":
    main()
