import pytest

from samskab.streaming.demo import demo_streaming_load
from samskab.streaming.models import Destination, MeetingStream
from samskab.webcasts.demo import demo_load


@pytest.mark.django_db
def test_the_upcoming_demo_meeting_gets_a_stream_key_and_two_disabled_examples():
    meetings = demo_load()
    lines = demo_streaming_load()
    stream = MeetingStream.objects.get(meeting=meetings["upcoming"])
    assert any(f"rtmp://127.0.0.1:1935/live/{stream.key}" in line for line in lines)
    examples = Destination.objects.filter(meeting=meetings["upcoming"])
    assert examples.count() == 2 and not examples.filter(is_enabled=True).exists()
    assert demo_streaming_load() == lines  # idempotent: the same key again
    assert Destination.objects.count() == 2
