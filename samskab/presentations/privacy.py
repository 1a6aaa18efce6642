"""What presentations keep about people: only which staff member built or saved what.

Citizens' answers and playings hold no person (models.Answer, models.Visit); the
Participation row holds a keyed hash of the browser's viewer token, as in surveys.
"""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe, exempt


def export(user) -> dict:
    from samskab.presentations.models import Presentation, Version, Video

    return {
        "presentations": list(
            Presentation.objects.filter(created_by=user).values_list("title", flat=True)
        ),
        "versions": [
            {
                "presentation": v.presentation.title,
                "number": v.number,
                "at": v.created_at.isoformat(),
            }
            for v in Version.objects.filter(created_by=user).select_related("presentation")
        ],
        "videos": list(Video.objects.filter(created_by=user).values_list("title", flat=True)),
    }


def anonymise(user) -> None:
    from samskab.presentations.models import Presentation, Version, Video

    Presentation.objects.filter(created_by=user).update(created_by=None)
    Version.objects.filter(created_by=user).update(created_by=None)
    Video.objects.filter(created_by=user).update(created_by=None)


def describe_data() -> None:
    describe(
        PersonalData(
            key="presentation_authors",
            what=_(
                "For staff only: the presentations you created, the videos you uploaded for "
                "them, and each version you saved"
            ),
            purpose=_("So that colleagues can see who changed a presentation, and restore it."),
            basis=LegalBasis.EMPLOYMENT,
            retention=_("As long as the presentation is kept."),
            on_deletion=_("Kept, no longer tied to your account."),
            export="apps.presentations",
            fields=(
                "presentations.presentation.created_by",
                "presentations.version.created_by",
                "presentations.video.created_by",
            ),
            order=92,
        ),
    )
    for field in (
        "presentations.answer.step_key",
        "presentations.participation.step_key",
        "presentations.step.next_key",
        "presentations.visit.last_key",
    ):
        exempt(field, "The key of a step of a presentation, not of a person.")
    exempt(
        "presentations.participation.participant_key",
        "A keyed hash of a browser's random token: that someone answered once, not who.",
    )
