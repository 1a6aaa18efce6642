"""The live channel `meeting:<id>`: who may follow a meeting's marks as they are set."""

from samskab.webcasts.models import Meeting


def meeting_is_viewable(user, viewer, key: str) -> bool:
    """Anyone may follow a published meeting; staff who prepare it may follow it before."""
    if not key.isdigit():
        return False
    meeting = Meeting.objects.filter(pk=int(key)).only("pk", "is_published").first()
    return meeting is not None and user.has_perm("webcasts.view_meeting", meeting)
