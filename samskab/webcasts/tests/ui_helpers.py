"""Helpers for the page tests (webcasts-ui): staff with a second factor, archive meetings."""

from datetime import UTC, datetime

from samskab.accounts.roles import Role
from samskab.webcasts.models import Meeting, TimelineMark
from samskab.webcasts.services import speaker_turns_rebuild
from samskab.webcasts.tests.factories import MeetingFactory, mark, user_with_role


def staff(role: Role | None):
    """A user in `role` who can open staff pages (staff need a TOTP authenticator)."""
    from allauth.mfa.models import Authenticator

    user = user_with_role(role)
    if (
        user.is_staff
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    return user


def archive_meeting(**fields) -> Meeting:
    """An ended meeting with an external HLS recording of ten minutes and a start mark."""
    defaults = {
        "status": Meeting.Status.ENDED,
        "recording_started_at": datetime(2030, 3, 4, 16, 0, tzinfo=UTC),
        "duration_ms": 600_000,
        "video_kind": Meeting.VideoKind.HLS,
        "video_url": "https://video.example.org/m/index.m3u8",
    }
    meeting = MeetingFactory(**{**defaults, **fields})
    mark(meeting, TimelineMark.Kind.MEETING_START, 0)
    return meeting


def index_rebuilt(meeting: Meeting) -> Meeting:
    """After marks written directly, derive the speaker turns as the services would."""
    speaker_turns_rebuild(meeting=meeting)
    return meeting
