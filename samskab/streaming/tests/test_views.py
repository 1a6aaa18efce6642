"""The console's streaming panel and the administration of destinations."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.streaming import services
from samskab.streaming.models import Destination, MeetingStream
from samskab.streaming.tests.factories import destination
from samskab.webcasts.tests.factories import MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_the_console_shows_the_encoder_settings_and_each_destinations_state(client):
    meeting = MeetingFactory()
    key = services.stream_key_ensure(meeting=meeting).key
    youtube = destination(
        name="Kommunens YouTube", kind="youtube", body=meeting.body, key="yt-secret-1234"
    )
    destination(name="Facebook", kind="facebook", meeting=meeting, key="fb-secret-9876")
    services.destination_state_set(
        destination_id=youtube.pk, meeting_id=meeting.pk, state="failed", reason="Refused."
    )
    client.force_login(user_with_role(Role.OPERATOR))
    page = client.get(reverse("webcasts:console", kwargs={"pk": meeting.pk})).content.decode()
    assert "rtmp://testserver:1935/live" in page
    assert key not in page  # shown only on request (security L8)
    assert f"••••{key[-4:]}" in page
    assert "Kommunens YouTube" in page and "Failed" in page
    assert "Sending stopped unexpectedly" in page  # "Refused.": not a reason we know
    assert "Waiting for the feed" in page  # Facebook has not been tried yet
    assert "yt-secret" not in page and "fb-secret" not in page
    partial = client.get(reverse("streaming:console", kwargs={"pk": meeting.pk}))
    assert 'hx-trigger="every 5s"' in partial.content.decode()


@pytest.mark.parametrize(
    ("reason", "danish"),
    [
        ("Error opening output files: Connection refused", "Samskab kunne ikke nå destinationen"),
        ("The destination refused: NetStream.Publish.BadName", "Destinationen afviste udsendelsen"),
        ("Error opening output files:", "Udsendelsen stoppede uventet"),
        ("Give the stream key that the platform shows.", "Angiv den streamnøgle"),
    ],
    ids=["ffmpeg refused", "bad key", "cut-off ffmpeg text", "a msgid"],
)
def test_a_failure_is_told_in_danish_without_the_technical_text(client, reason, danish):
    # Staff walk finding 27: "Fejlet Samskab prøver selv igen. Error opening output files:".
    meeting = MeetingFactory()
    youtube = destination(name="YouTube", kind="youtube", body=meeting.body, key="k-1234")
    services.destination_state_set(
        destination_id=youtube.pk, meeting_id=meeting.pk, state="failed", reason=reason
    )
    client.force_login(user_with_role(Role.OPERATOR))

    partial = client.get(
        reverse("streaming:console", kwargs={"pk": meeting.pk}), HTTP_ACCEPT_LANGUAGE="da"
    ).content.decode()

    assert danish in partial
    assert reason not in partial


def test_the_encoder_address_can_be_set_for_the_site(client, settings):
    settings.STREAM_INGEST_URL = "rtmp://ingest.kommune.dk:1935/live"
    meeting = MeetingFactory()
    client.force_login(user_with_role(Role.OPERATOR))
    page = client.get(reverse("webcasts:console", kwargs={"pk": meeting.pk})).content.decode()
    assert "rtmp://ingest.kommune.dk:1935/live" in page


def test_the_console_shows_the_srt_address_next_to_the_rtmp_one(client, settings):
    settings.STREAM_INGEST_URL = "rtmp://ingest.kommune.dk:1935/live"
    meeting = MeetingFactory()
    stream = services.stream_key_ensure(meeting=meeting)
    client.force_login(user_with_role(Role.OPERATOR))
    url = reverse("webcasts:console", kwargs={"pk": meeting.pk})
    page = client.get(url).content.decode()
    assert "srt://" not in page
    assert "gets its own SRT port" in page
    MeetingStream.objects.filter(pk=stream.pk).update(srt_port=9003)
    page = client.get(url).content.decode()
    assert "rtmp://ingest.kommune.dk:1935/live" in page
    assert "<code>srt://ingest.kommune.dk:9003</code>" in page
    assert stream.key not in page
    assert f"srt://ingest.kommune.dk:9003?passphrase=••••{stream.key[-4:]}&amp;latency" in page
    shown = client.get(reverse("streaming:stream_key_show", kwargs={"pk": meeting.pk}))
    passphrase = f"srt://ingest.kommune.dk:9003?passphrase={stream.key}&amp;latency=1000000"
    assert passphrase in shown.content.decode()


def test_the_whole_key_is_shown_on_request_and_no_page_with_it_is_cached(client):
    meeting = MeetingFactory()
    key = services.stream_key_ensure(meeting=meeting).key
    client.force_login(user_with_role(Role.OPERATOR))
    console = client.get(reverse("webcasts:console", kwargs={"pk": meeting.pk}))
    shown = client.get(reverse("streaming:stream_key_show", kwargs={"pk": meeting.pk}))
    assert key in shown.content.decode()
    for response in (console, shown):
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR])
def test_only_operators_may_see_the_whole_key(client, role):
    meeting = MeetingFactory()
    services.stream_key_ensure(meeting=meeting)
    client.force_login(user_with_role(role))
    response = client.get(reverse("streaming:stream_key_show", kwargs={"pk": meeting.pk}))
    assert response.status_code == 403


def test_an_operator_makes_a_new_stream_key_and_the_old_one_stops_working(client):
    meeting = MeetingFactory()
    old = services.stream_key_ensure(meeting=meeting).key
    client.force_login(user_with_role(Role.OPERATOR))
    response = client.post(reverse("streaming:stream_key_new", kwargs={"pk": meeting.pk}))
    assert response.status_code == 302
    assert MeetingStream.objects.get(meeting=meeting).key != old


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR, None])
def test_only_operators_see_the_panel_or_make_keys(client, role):
    meeting = MeetingFactory()
    client.force_login(user_with_role(role))
    assert client.get(reverse("streaming:console", kwargs={"pk": meeting.pk})).status_code == 403
    response = client.post(reverse("streaming:stream_key_new", kwargs={"pk": meeting.pk}))
    assert response.status_code == 403
    assert not MeetingStream.objects.exists()


def test_an_administrator_adds_a_destination_whose_key_is_never_shown_again(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    meeting = MeetingFactory()
    response = client.post(
        "/admin/streaming/destination/add/",
        {"name": "YouTube", "kind": "youtube", "body": meeting.body.pk, "server_url": "",
         "stream_key": "abcd-efgh-ijkl-5678", "is_enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    item = Destination.objects.get()
    assert item.stream_key == "abcd-efgh-ijkl-5678"
    change = client.get(f"/admin/streaming/destination/{item.pk}/change/").content.decode()
    listing = client.get("/admin/streaming/destination/").content.decode()
    assert "abcd-efgh" not in change and "abcd-efgh" not in listing
    assert "••••5678" in change and "••••5678" in listing
    # Saving without typing the key keeps it.
    client.post(
        f"/admin/streaming/destination/{item.pk}/change/",
        {"name": "YouTube", "kind": "youtube", "body": meeting.body.pk, "server_url": "",
         "stream_key": "", "is_enabled": "on"},
    )  # fmt: skip
    assert Destination.objects.get().stream_key == "abcd-efgh-ijkl-5678"


def test_a_facebook_destination_over_plain_rtmp_is_refused_in_the_admin(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    meeting = MeetingFactory()
    response = client.post(
        "/admin/streaming/destination/add/",
        {"name": "Facebook", "kind": "facebook", "meeting": meeting.pk,
         "server_url": "rtmp://live-api-s.facebook.com/rtmp", "stream_key": "k"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "RTMPS" in response.content.decode()
    assert not Destination.objects.exists()


def test_an_administrator_gives_a_meeting_a_stream_key_in_the_admin(client):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    meeting = MeetingFactory()
    response = client.post("/admin/streaming/meetingstream/add/", {"meeting": meeting.pk})
    assert response.status_code == 302
    stream = MeetingStream.objects.get(meeting=meeting)
    change = client.get(f"/admin/streaming/meetingstream/{stream.pk}/change/")
    assert stream.key not in change.content.decode()  # masked (security L8)
    assert f"••••{stream.key[-4:]}" in change.content.decode()
    assert "no-store" in change["Cache-Control"]
