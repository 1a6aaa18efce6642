from django import template

from samskab.recordings.models import ArchiveState

register = template.Library()


@register.inclusion_tag("recordings/partials/notice_body.html")
def recording_notice(meeting, otherwise=""):
    """The archive notice for the player: removed by retention, or hidden; else the text
    `otherwise` (the player's "no video"), so a hidden recording has one notice, not two.

    Both leave the meeting without a video kind, so a meeting with video costs no query.
    """
    if meeting is None or meeting.video_kind != "none":
        return {"state": None, "otherwise": otherwise}
    state = ArchiveState.objects.filter(meeting_id=meeting.pk).first()
    return {"state": state, "otherwise": otherwise}
