"""Tags for the includes the player and console embed."""

from django import template

from samskab.polls.selectors import polls_for_console, polls_open_for_meeting

register = template.Library()


@register.simple_tag(takes_context=True)
def voxpop_polls(context, meeting) -> list[dict]:
    """The meeting's open polls, each with the context its box needs."""
    from samskab.polls.views import poll_context

    request = context["request"]
    return [poll_context(request, poll) for poll in polls_open_for_meeting(meeting)]


@register.simple_tag(takes_context=True)
def console_polls(context, meeting):
    request = context["request"]
    if not request.user.has_perm("polls.operate_poll"):
        return []
    return list(polls_for_console(meeting))
