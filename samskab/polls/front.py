"""The front page's section of open vox pops and votes."""

from django.http import HttpRequest

from samskab.polls.models import Poll
from samskab.polls.selectors import polls_public


def front_polls(request: HttpRequest) -> dict | None:
    polls = list(polls_public().filter(status=Poll.Status.OPEN).order_by("opened_at", "pk")[:5])
    return {"polls": polls} if polls else None
