import pytest
from django.core.management import call_command

from samskab.accounts.demo import accounts_demo_load
from samskab.media.commands import demo_feed_command
from samskab.polls.demo import dialogue_demo_load
from samskab.polls.models import Poll
from samskab.streaming.demo_live import demo_live_start
from samskab.streaming.models import MeetingStream
from samskab.webcasts.demo import demo_load
from samskab.webcasts.models import Meeting, TimelineMark

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    accounts_demo_load({})
    meetings = demo_load()
    dialogue_demo_load(meetings)
    return meetings


def test_the_demo_meeting_goes_live_with_its_vox_pop_open_as_the_console_does_it(demo):
    live = demo_live_start()
    meeting = Meeting.objects.get(pk=demo["upcoming"].pk)
    assert live is not None and live.meeting == meeting
    assert meeting.status == Meeting.Status.LIVE
    assert meeting.marks.filter(kind=TimelineMark.Kind.MEETING_START).count() == 1
    assert live.voxpop is not None and live.voxpop.status == Poll.Status.OPEN
    assert live.key == MeetingStream.objects.get(meeting=meeting).key
    # A second start (make run again) leaves the live meeting and its vox pop as they are.
    again = demo_live_start()
    assert again is not None and again.key == live.key
    assert meeting.marks.filter(kind=TimelineMark.Kind.MEETING_START).count() == 1


def test_a_demo_meeting_an_operator_ended_is_left_alone(demo):
    Meeting.objects.filter(pk=demo["upcoming"].pk).update(status=Meeting.Status.ENDED)
    assert demo_live_start() is None
    assert Meeting.objects.get(pk=demo["upcoming"].pk).status == Meeting.Status.ENDED


def test_the_command_is_refused_in_production(demo, settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_live", "--no-feed")
    assert Meeting.objects.get(pk=demo["upcoming"].pk).status == Meeting.Status.PLANNED


def test_the_demo_feed_is_an_encoder_pushing_h264_and_aac_to_the_ingest_in_real_time():
    args = demo_feed_command("rtmp://127.0.0.1:1935/live/key")
    assert args[0] == "-re" and args[-1] == "rtmp://127.0.0.1:1935/live/key"
    assert args[args.index("-c:v") : args.index("-c:v") + 2] == ["-c:v", "libx264"]
    assert "aac" in args and args[args.index("-f", 8) + 1] == "flv"
    with pytest.raises(ValueError):
        demo_feed_command("https://example.org/")
