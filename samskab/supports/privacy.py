"""A person's supports in their data export; a deleted account's supports stay counted
(the account row stays as an anonymised tombstone)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe
from samskab.supports.models import Support


def export(user) -> list[dict]:
    rows = []
    for support in Support.objects.filter(user=user).select_related("content_type"):
        target, kind = support.target, support.content_type
        url = getattr(target, "get_absolute_url", None)
        rows.append(
            {
                "target": f"{kind.app_label}.{kind.model}:{support.object_id}",
                "title": str(target) if target is not None else "",
                "url": url() if url else None,
                "created_at": support.created_at.isoformat(),
            }
        )
    return rows


def describe_data() -> None:
    describe(
        PersonalData(
            key="supports",
            what=_("What you support (projects in a citizens' budget, proposals)"),
            purpose=_("To count the support for each, once per person."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the item is kept."),
            on_deletion=_("They stay counted, linked to the emptied account row."),
            export="apps.supports",
            fields=("supports.support.user",),
            order=61,
        ),
    )
