"""The live channel `meeting:<id>`: who may follow a meeting's marks as they are set."""

from samskab.comments.live import COMMENT_EVENTS
from samskab.webcasts.models import Meeting

# What `meeting:<id>` carries (live.events, event shapes): the state after every mark, as
# selectors.meeting_state gives it, and the meeting's live-blog posts. Polls declare `poll`.
ITEM = {"id": int, "number": str, "title": str, "is_public": bool}
SPEAKER = {"id": int, "name": str, "party": str, "role": str}
SLIDE = {"deck": int, "deck_title": str, "number": int, "image_url": str}
MEETING_STATE = {
    "meeting": int,
    "status": str,
    "offset_ms": (int, None),
    "on_break": bool,
    "closed_session": bool,
    "item": (ITEM, None),
    "speaker": (SPEAKER, None),
    "slide": (SLIDE, None),
}
MEETING_EVENTS = {
    "mark": {
        **MEETING_STATE,
        "action": str,
        "mark": {"id": int, "kind": str, "offset_ms": int},
    },
    **COMMENT_EVENTS,
}


def meeting_is_viewable(user, viewer, key: str) -> bool:
    """Anyone may follow a published meeting; staff who prepare it may follow it before."""
    if not key.isdigit():
        return False
    meeting = Meeting.objects.filter(pk=int(key)).only("pk", "is_published").first()
    return meeting is not None and user.has_perm("webcasts.view_meeting", meeting)
