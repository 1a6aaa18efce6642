"""The fan-out's rules without processes: who gets which tag, and a sink that falls behind."""

from samskab.streaming import fanout, rtmp
from samskab.streaming.rtmp import Tag

METADATA = Tag(rtmp.DATA_AMF0, 0, rtmp.amf0_encode("onMetaData", {"width": 640}))
AVC_CONFIG = Tag(rtmp.VIDEO, 0, b"\x17\x00config")
AAC_CONFIG = Tag(rtmp.AUDIO, 0, b"\xaf\x00\x12\x10")
KEYFRAME = Tag(rtmp.VIDEO, 2000, b"\x17\x01key")
FRAME = Tag(rtmp.VIDEO, 2040, b"\x27\x01delta")
AUDIO = Tag(rtmp.AUDIO, 2021, b"\xaf\x01sound")


def sink(**options) -> fanout.Sink:
    return fanout.Sink("test", ["ffmpeg"], on_state=lambda *args: None, **options)


def queued(item: fanout.Sink) -> list[bytes]:
    out = []
    while not item.queue.empty():
        out.append(item.queue.get_nowait())
    return out


def test_a_sink_starts_at_a_keyframe_with_the_set_up_it_missed():
    first = sink()
    feed = fanout.Fanout([first])
    for tag in (METADATA, AVC_CONFIG, AAC_CONFIG, FRAME, AUDIO):
        feed.on_tag(tag)
    assert queued(first) == []  # nothing a decoder could start with
    feed.on_tag(KEYFRAME)
    feed.on_tag(FRAME)
    opening, *rest = queued(first)
    assert opening.startswith(rtmp.FLV_HEADER)
    # The set-up is stamped with the keyframe's time, so the copy starts at one instant.
    expected = rtmp.FLV_HEADER + b"".join(
        tag.flv(KEYFRAME.timestamp) for tag in (METADATA, AVC_CONFIG, AAC_CONFIG)
    )
    assert opening == expected + KEYFRAME.flv()
    assert rest == [FRAME.flv()]


def test_a_sink_that_falls_behind_is_restarted_and_does_not_block_the_others():
    slow, fast = sink(queue_tags=2), sink()
    feed = fanout.Fanout([slow, fast])
    feed.on_tag(KEYFRAME)
    for _index in range(5):
        feed.on_tag(FRAME)
    assert slow._restart.is_set()
    assert len(queued(fast)) == 6


def test_media_seconds_count_from_the_first_frame():
    feed = fanout.Fanout([])
    for tag in (AVC_CONFIG, KEYFRAME, FRAME, AUDIO):
        feed.on_tag(tag)
    assert feed.media_seconds == 0.04


def test_a_failure_reason_never_shows_the_destination_key():
    item = sink(secrets=("yt-secret-1234",))
    reason = item._redact("rtmp://a.rtmp.youtube.com/live2/yt-secret-1234: I/O error")
    assert "yt-secret" not in reason and "••••" in reason
