from django import template

from samskab.stats import ingest
from samskab.stats.models import stats_settings

register = template.Library()


@register.inclusion_tag("stats/beacon.html")
def stats_beacon(meeting, embed=False):
    """The player's statistics script and its ticket, unless the site counts nothing."""
    if meeting is None or not stats_settings().enabled:
        return {"enabled": False}
    return {"enabled": True, "ticket": ingest.ticket_issue(meeting.pk), "embed": bool(embed)}


@register.inclusion_tag("stats/privacy_notice.html")
def stats_privacy_notice():
    """The privacy page's paragraph on the usage statistics, as the site is set."""
    from samskab.stats.privacy import retention_text

    row = stats_settings()
    return {"enabled": row.enabled, "retention": retention_text()}
