"""The front page's section of proposals, and the meeting page's links back to the
proposals on its agenda (core.backlinks)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.core.backlinks import Backlink
from samskab.proposals.selectors import Order, on_agenda_of, proposal_list


def front_proposals(request: HttpRequest) -> dict | None:
    proposals = list(proposal_list(order=Order.HOT)[:3])
    if not proposals:
        return None
    return {"proposals": proposals}


def meeting_backlinks(meeting) -> list[Backlink]:
    return [
        Backlink(
            heading=gettext_lazy("Citizens' proposals on the agenda"),
            label=proposal.title,
            url=proposal.get_absolute_url(),
            about=_("Item %(number)s") % {"number": proposal.agenda_item.number},
            anchor=f"item-{proposal.agenda_item_id}",
        )
        for proposal in on_agenda_of(meeting)
    ]
