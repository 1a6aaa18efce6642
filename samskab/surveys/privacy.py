"""That a person answered a survey (never what they answered), for their data download and
the privacy page (samskab.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe
from samskab.surveys.models import Participation


def export(user) -> list[dict]:
    # Only surveys answered "one per account" are linked to the account; the answers
    # themselves are stored without any link to anyone and cannot be found again.
    return [
        {"survey": str(participation.survey), "url": participation.survey.get_absolute_url()}
        for participation in Participation.objects.filter(participant_key=f"u:{user.pk}")
        .select_related("survey")
        .order_by("pk")
    ]


def describe_data() -> None:
    describe(
        PersonalData(
            key="surveys",
            what=_(
                "Survey answers are stored anonymously, with no link to you. A separate "
                "row records only that your account (or your browser's hashed viewer "
                "cookie) has answered a survey"
            ),
            purpose=_(
                "To let each person answer once, while the answers cannot be traced to anyone."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the survey and its results are kept."),
            on_deletion=_(
                "The answers are anonymous already; the row saying you answered stays, "
                "linked to the emptied account row."
            ),
            export="apps.surveys",
            fields=("surveys.participation.participant_key",),
            order=50,
        ),
    )
