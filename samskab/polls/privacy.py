"""Votes in polls and vox pops, for the data download and the privacy page
(samskab.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe
from samskab.polls.models import Vote


def export(user) -> list[dict]:
    # Votes "once per browser" are kept under the viewer cookie's hash, not the account.
    return [
        {
            "poll": vote.poll.title,
            "question": vote.question.text,
            "option": vote.option.text,
            "created_at": vote.created_at.isoformat(),
        }
        for vote in Vote.objects.filter(voter_key=f"u:{user.pk}")
        .select_related("poll", "question", "option")
        .order_by("pk")
    ]


def describe_data() -> None:
    describe(
        PersonalData(
            key="polls",
            what=_(
                "Your votes in polls and vox pops: the option you chose, under your account "
                "or under your browser's hashed viewer cookie"
            ),
            purpose=_("To count each vote once and show the result."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the poll and its result are kept."),
            on_deletion=_("They stay counted, linked to the emptied account row."),
            export="apps.polls",
            fields=("polls.vote.voter_key",),
            order=55,
        ),
    )
