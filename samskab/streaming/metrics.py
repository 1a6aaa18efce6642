"""The ingest's state in Prometheus' metrics (/metrics, core/metrics.py), read at scrape.

Per chamber, which is a body's (byråd, udvalg) room with its encoder, labelled by the
body's short name: `samskab_ingest_state{chamber, state}` is 1 for the state it is in and
0 for the others (idle, receiving: an encoder is sending one of its meetings, packaging: an
upload or a redaction of one of its meetings is waiting or being made), and
`samskab_ingest_last_segment_age_seconds{chamber}` for a chamber that is receiving: the
seconds since its live playlist last changed, i.e. since a segment closed. Alert when it
passes a few segment lengths: the encoder or the ingest has stalled.
"""

from __future__ import annotations

import logging
import time

from prometheus_client.core import GaugeMetricFamily

from samskab.core import objectstore

logger = logging.getLogger(__name__)

STATES = ("idle", "receiving", "packaging")


def chamber_states() -> tuple[dict[str, str], dict[str, float]]:
    """({chamber: state}, {chamber: last segment age in seconds}) from the database and the
    meetings' playlists (the store's, with media on object storage)."""
    from samskab.recordings.models import Job, Redaction, Upload
    from samskab.streaming.models import MeetingStream
    from samskab.webcasts.models import Body
    from samskab.webcasts.recording import PLAYLIST, media_folder

    states = dict.fromkeys(Body.objects.values_list("slug", flat=True), "idle")
    busy = (Job.WAITING, Job.RUNNING)
    for model in (Upload, Redaction):
        for slug in model.objects.filter(status__in=busy).values_list(
            "meeting__body__slug", flat=True
        ):
            states[slug] = "packaging"
    ages: dict[str, float] = {}
    now = time.time()
    receiving = MeetingStream.objects.filter(publishing_since__isnull=False).values_list(
        "meeting_id", "meeting__body__slug"
    )
    for meeting_id, slug in receiving:
        states[slug] = "receiving"  # receiving wins: the live meeting is what matters
        try:
            written = objectstore.modified(media_folder(meeting_id) / PLAYLIST)
        except OSError:
            logger.warning("Meeting %s: its playlist's age could not be read", meeting_id)
            continue
        if written is not None:
            age = max(0.0, now - written)
            ages[slug] = min(age, ages.get(slug, age))
    return states, ages


class IngestCollector:
    def describe(self):
        # Without this, registering would call collect(), and query the database at import.
        yield GaugeMetricFamily("samskab_ingest_state", "", labels=["chamber", "state"])
        yield GaugeMetricFamily("samskab_ingest_last_segment_age_seconds", "", labels=["chamber"])

    def collect(self):
        states, ages = chamber_states()
        state = GaugeMetricFamily(
            "samskab_ingest_state",
            "The ingest's state per chamber (a body's room): 1 for the state it is in.",
            labels=["chamber", "state"],
        )
        for chamber, current in sorted(states.items()):
            for each in STATES:
                state.add_metric([chamber, each], 1.0 if each == current else 0.0)
        yield state
        age = GaugeMetricFamily(
            "samskab_ingest_last_segment_age_seconds",
            "Seconds since the live playlist of a receiving chamber last gained a segment.",
            labels=["chamber"],
        )
        for chamber, seconds in sorted(ages.items()):
            age.add_metric([chamber], seconds)
        yield age


collector = IngestCollector()
