"""The operator console's streaming panel in a real browser: the encoder settings, and each
restream destination's state updating by itself while the ingest reports. Checked with
axe-core."""

import pytest
from playwright.sync_api import expect

from tests.e2e.webcasts_fixtures import (
    check_accessible,
    close_page,
    open_page,
    run,
    running_site,
)

# Its own SQLite site (running_site), whatever the pass: CI runs it once (conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.one_pass(on="postgres")]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    yield from running_site(tmp_path_factory)


def report(site, meeting: int, state: str, reason: str = "") -> None:
    """What `samskab ingest` writes when a destination changes state."""
    run(
        site.env,
        "manage.py",
        "shell",
        "-c",
        "from samskab.streaming import services\n"
        "from samskab.streaming.models import Destination\n"
        f"d = Destination.objects.filter(meeting_id={meeting}).order_by('name').first()\n"
        "d.is_enabled = True\n"
        "d.save()\n"
        f"services.destination_state_set(destination_id=d.pk, meeting_id={meeting}, "
        f"state={state!r}, reason={reason!r})",
    )


def srt_port(site, meeting: int, port: int) -> None:
    """What `samskab ingest --srt-port` writes when the meeting comes near."""
    run(
        site.env,
        "manage.py",
        "shell",
        "-c",
        "from samskab.streaming import services\n"
        "from samskab.streaming.models import MeetingStream\n"
        "from samskab.webcasts.models import Meeting\n"
        f"services.stream_key_ensure(meeting=Meeting.objects.get(pk={meeting}))\n"
        f"MeetingStream.objects.filter(meeting_id={meeting}).update(srt_port={port})",
    )


def test_an_operator_sees_the_encoder_settings_and_a_destination_fail_then_go_live(browser, site):
    meeting = site.seed["upcoming"]
    report(site, meeting, "failed", "Connection refused")
    srt_port(site, meeting, 9004)
    operator = open_page(browser, site, session=site.seed["operator"])
    operator.goto(f"/moeder/{meeting}/konsol/")
    panel = operator.locator("#console-streaming")
    panel.get_by_text("Encoder settings").click()
    expect(panel).to_contain_text("rtmp://127.0.0.1:1935/live")
    expect(panel.locator("dd code").nth(1)).not_to_be_empty()
    # The same meeting over SRT: its own port, the stream key as passphrase.
    expect(panel).to_contain_text("srt://127.0.0.1:9004")
    expect(panel).to_contain_text("srt://127.0.0.1:9004?passphrase=")
    # The ingest's technical reason, told in the operator's words (streaming/reasons.py).
    expect(panel.locator("[data-streaming-destinations]")).to_contain_text(
        "could not reach the destination"
    )
    check_accessible(operator)

    report(site, meeting, "live")
    # The panel asks again every five seconds; no reload.
    expect(panel.locator(".badge-success")).to_contain_text("Live", timeout=12_000)
    expect(panel).not_to_contain_text("could not reach the destination")
    check_accessible(operator)
    close_page(operator)


def ended_with_recording(site, meeting: int) -> None:
    """An ended meeting whose live recording is in the archive, and a refused encoder."""
    run(
        site.env,
        "manage.py",
        "shell",
        "-c",
        "import shutil\n"
        "from django.utils import timezone\n"
        "from samskab.recordings import storage\n"
        "from samskab.recordings.models import Clip\n"
        "from samskab.streaming import services\n"
        "from samskab.webcasts.models import Meeting\n"
        "from samskab.webcasts.recording import media_folder\n"
        f"m = Meeting.objects.get(pk={meeting})\n"
        "Meeting.objects.filter(pk=m.pk).update(status=Meeting.Status.ENDED)\n"
        "Clip.objects.filter(meeting=m).delete()\n"
        "shutil.rmtree(storage.masters_folder(m.pk), ignore_errors=True)\n"
        "folder = media_folder(m.pk)\n"
        "folder.mkdir(parents=True, exist_ok=True)\n"
        "t = timezone.now().strftime('%Y-%m-%dT%H:%M:%S.000+0000')\n"
        "(folder / 'index.m3u8').write_text('#EXTM3U\\n#EXTINF:4.0,\\n'"
        " f'#EXT-X-PROGRAM-DATE-TIME:{t}\\nseg-00000.ts\\n#EXT-X-ENDLIST\\n')\n"
        "m.refresh_from_db()\n"
        "services.stream_key_ensure(meeting=m)\n"
        "services.ingest_admit(meeting=m)\n",
    )


def test_an_operator_chooses_to_continue_a_recording_the_encoder_was_refused_for(browser, site):
    meeting = site.seed["past"]
    ended_with_recording(site, meeting)
    operator = open_page(browser, site, session=site.seed["operator"])
    operator.goto(f"/moeder/{meeting}/konsol/")
    panel = operator.locator("#console-streaming")
    expect(panel).to_contain_text("The meeting already has a recording")
    expect(panel.locator(".console-refused")).to_contain_text("Feed refused")
    check_accessible(operator)
    panel.get_by_role("button", name="Continue the recording").focus()
    operator.keyboard.press("Enter")
    expect(operator.locator("body")).to_contain_text(
        "The next feed from the encoder continues the recording."
    )
    expect(panel.get_by_role("button", name="Continue the recording")).to_have_count(0)
    expect(panel.get_by_role("button", name="Refuse a new feed")).to_be_visible()
    check_accessible(operator)
    close_page(operator)
