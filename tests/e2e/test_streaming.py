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

pytestmark = [pytest.mark.e2e]


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
    expect(panel.locator("[data-streaming-destinations]")).to_contain_text("Connection refused")
    check_accessible(operator)

    report(site, meeting, "live")
    # The panel asks again every five seconds; no reload.
    expect(panel.locator(".badge-success")).to_contain_text("Live", timeout=12_000)
    expect(panel).not_to_contain_text("Connection refused")
    check_accessible(operator)
    close_page(operator)
