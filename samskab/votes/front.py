"""The front page's section: the binding votes open now, soonest closing first."""

from django.db.models import F
from django.http import HttpRequest

from samskab.votes.models import BindingVote


def front_votes(request: HttpRequest) -> dict | None:
    votes = list(
        BindingVote.objects.filter(status=BindingVote.Status.OPEN).order_by(
            F("closes_at").asc(nulls_last=True), "-pk"
        )[:3]
    )
    return {"votes": votes} if votes else None
