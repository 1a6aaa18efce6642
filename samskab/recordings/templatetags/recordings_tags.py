from django import template

from samskab.recordings.models import ArchiveState

register = template.Library()


@register.inclusion_tag("recordings/partials/notice_body.html")
def recording_notice(meeting):
    """The archive notice for the player: removed by retention, or hidden."""
    state = ArchiveState.objects.filter(meeting_id=meeting.pk).first() if meeting else None
    return {"state": state}
