import pytest

from samskab.media import commands
from samskab.streaming import destinations
from samskab.streaming.destinations import BadDestination


def test_youtube_uses_its_usual_ingest_address():
    url = destinations.publish_url("youtube", "", "abcd-efgh")
    assert url == "rtmp://a.rtmp.youtube.com/live2/abcd-efgh"


def test_facebook_goes_over_rtmps():
    url = destinations.publish_url("facebook", "", "FB-1234")
    assert url.startswith("rtmps://") and url.endswith("/rtmp/FB-1234")


def test_facebook_over_plain_rtmp_is_refused():
    with pytest.raises(BadDestination, match="RTMPS"):
        destinations.publish_url("facebook", "rtmp://live-api-s.facebook.com/rtmp", "k")


def test_any_rtmp_server_may_be_given_with_or_without_a_key():
    assert destinations.publish_url("rtmp", "rtmp://tv.example.dk/in/", "") == (
        "rtmp://tv.example.dk/in"
    )
    assert destinations.publish_url("rtmp", "rtmp://tv.example.dk/in", "k1") == (
        "rtmp://tv.example.dk/in/k1"
    )


@pytest.mark.parametrize(
    ("kind", "url", "key"),
    [
        ("rtmp", "", "k"),
        ("rtmp", "http://example.dk/in", "k"),
        ("youtube", "", ""),
        ("youtube", "", "with space"),
        ("rtmp", "rtmp://example.dk/in", "a?b"),
    ],
)
def test_addresses_ffmpeg_cannot_publish_to_are_refused(kind, url, key):
    with pytest.raises(BadDestination):
        destinations.publish_url(kind, url, key)


def test_restreaming_copies_and_never_encodes():
    command = commands.restream_command("rtmps://live-api-s.facebook.com:443/rtmp/k")
    assert command[command.index("-c") + 1] == "copy"
    assert command[-1].startswith("rtmps://")
    assert not any(arg.startswith("lib") for arg in command)


def test_restreaming_refuses_other_protocols():
    with pytest.raises(ValueError):
        commands.restream_command("file:/etc/passwd")


def test_the_archive_is_an_event_playlist_with_program_date_times_and_a_copied_recording():
    command = commands.live_archive_command(
        playlist="/m/index.m3u8",
        segment_pattern="/m/seg-%05d.ts",
        recording="/m/recording.mkv",
        thumbnail="/m/poster.jpg",
    )
    assert command[command.index("-hls_playlist_type") + 1] == "event"
    assert "program_date_time" in command[command.index("-hls_flags") + 1]
    assert "append_list" not in command[command.index("-hls_flags") + 1]
    assert command.count("copy") == 2  # HLS and recording; only the picture decodes
    assert command[command.index("-skip_frame") + 1] == "nokey"


def test_an_encoder_coming_back_continues_the_playlist():
    command = commands.live_archive_command(
        playlist="p", segment_pattern="s", recording="r", thumbnail="t", appending=True
    )
    assert "append_list+discont_start" in command[command.index("-hls_flags") + 1]
