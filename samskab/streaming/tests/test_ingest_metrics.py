"""The ingest's state per chamber in /metrics: idle, receiving, packaging, and the age of
the last segment of a chamber that is receiving (local disk and object storage)."""

from __future__ import annotations

import os
import re
import time

import pytest

from samskab.core import objectstore
from samskab.recordings.models import Job, Upload
from samskab.streaming import services
from samskab.streaming.models import MeetingStream
from samskab.webcasts.recording import PLAYLIST, media_folder
from samskab.webcasts.tests.factories import BodyFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def metric(text: str, name: str, labels: str) -> float | None:
    found = re.search("^" + re.escape(name + "{" + labels + "}") + r" (\S+)$", text, re.M)
    return float(found.group(1)) if found else None


def scrape(client) -> str:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def chambers():
    return {
        name: MeetingFactory(body=BodyFactory(slug=name)) for name in ("byraad", "teknik", "skole")
    }


def test_each_chamber_reports_its_state_and_a_stalled_feed_shows_its_age(client, chambers):
    live = chambers["byraad"]
    services.stream_key_ensure(meeting=live)
    MeetingStream.objects.filter(meeting=live).update(publishing_since="2026-12-07T10:00Z")
    playlist = media_folder(live.pk) / PLAYLIST
    playlist.parent.mkdir(parents=True)
    playlist.write_text("#EXTM3U\n")
    written = time.time() - 42  # the last segment closed 42 s ago: the feed has stalled
    os.utime(playlist, (written, written))
    Upload.objects.create(meeting=chambers["teknik"], original_name="m.mp4", size=1)
    text = scrape(client)
    expected = {"byraad": "receiving", "teknik": "packaging", "skole": "idle"}
    for chamber, state in expected.items():
        for each in ("idle", "receiving", "packaging"):
            labels = f'chamber="{chamber}",state="{each}"'
            assert metric(text, "samskab_ingest_state", labels) == (1.0 if each == state else 0.0)
    age = metric(text, "samskab_ingest_last_segment_age_seconds", 'chamber="byraad"')
    assert age is not None and 41 <= age < 60
    assert metric(text, "samskab_ingest_last_segment_age_seconds", 'chamber="skole"') is None
    # The packaging is done and the feed ended: both chambers are idle again.
    Upload.objects.update(status=Job.DONE)
    MeetingStream.objects.update(publishing_since=None)
    text = scrape(client)
    assert metric(text, "samskab_ingest_state", 'chamber="byraad",state="idle"') == 1.0
    assert metric(text, "samskab_ingest_state", 'chamber="teknik",state="idle"') == 1.0
    assert "samskab_ingest_last_segment_age_seconds{" not in text


def test_with_media_in_the_store_the_age_is_the_stored_playlists(s3_media, client, chambers):
    live = chambers["skole"]
    services.stream_key_ensure(meeting=live)
    MeetingStream.objects.filter(meeting=live).update(publishing_since="2026-12-07T10:00Z")
    text = scrape(client)
    assert metric(text, "samskab_ingest_state", 'chamber="skole",state="receiving"') == 1.0
    assert metric(text, "samskab_ingest_last_segment_age_seconds", 'chamber="skole"') is None
    objectstore.put_bytes(media_folder(live.pk) / PLAYLIST, b"#EXTM3U\n")
    age = metric(scrape(client), "samskab_ingest_last_segment_age_seconds", 'chamber="skole"')
    assert age is not None and age < 30
