"""Tags for the includes the player and console embed."""

from django import template

from samskab.polls.selectors import poll_tally, polls_for_console, polls_of_meeting_page

register = template.Library()


@register.simple_tag(takes_context=True)
def voxpop_polls(context, meeting) -> dict:
    """The meeting's polls for its page, from one query: the open ones, each with the
    context its box needs, and the closed ones on the recording's timeline."""
    from samskab.polls.views import poll_context

    request = context["request"]
    polls = list(polls_of_meeting_page(meeting))
    return {
        "open": [poll_context(request, poll) for poll in polls if poll.is_open],
        "past": [
            {
                "poll": poll,
                # Opened before the recording started: at its start.
                "seconds": (poll.opened_offset_ms or 0) // 1000,
                "tally": poll_tally(poll) if poll.results_visible else None,
            }
            for poll in polls
            if not poll.is_open
        ],
    }


@register.simple_tag(takes_context=True)
def console_polls(context, meeting):
    request = context["request"]
    if not request.user.has_perm("polls.operate_poll"):
        return []
    return list(polls_for_console(meeting))


@register.simple_tag
def quick_poll_form():
    """The console's form for a vox pop made on the spot."""
    from samskab.polls.forms import QuickPollForm

    return QuickPollForm(auto_id="quick-poll-%s")


@register.filter
def clock(seconds: int) -> str:
    """3723 -> '1:02:03', 95 -> '1:35': a time on the recording, written as the player's
    agenda writes it (hours only when there are any)."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
