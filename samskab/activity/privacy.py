"""The steps a person recorded (staff decisions) in their data export. Deleting the account
keeps the history: the account stays as an anonymised tombstone, shown as a deleted user."""

from django.utils.translation import gettext_lazy as _

from samskab.activity.models import Event
from samskab.core.privacy import LegalBasis, PersonalData, describe


def export(user) -> list[dict]:
    return [
        {
            "target": f"{e.content_type.app_label}.{e.content_type.model}:{e.object_id}",
            "kind": e.kind,
            "note": e.note,
            "created_at": e.created_at.isoformat(),
        }
        for e in Event.objects.filter(actor=user).select_related("content_type")
    ]


def describe_data() -> None:
    describe(
        PersonalData(
            key="activity",
            what=_(
                "For staff only: the steps you recorded in the public history of an item "
                "(such as an answer to a proposal), with your note"
            ),
            purpose=_("So that the municipality can account for what it told the public."),
            basis=LegalBasis.EMPLOYMENT,
            retention=_("As long as the item is kept."),
            on_deletion=_("Kept, linked to the emptied account row."),
            export="apps.activity",
            fields=("activity.event.actor",),
            order=91,
        ),
    )
