"""The pictures and documents a person added, in their data export. Deleting the account
keeps them where they are, shown as added by a deleted user (they belong to the proposal
or page they were added to)."""

from samskab.attachments.models import Document, Image


def _target(row) -> dict:
    target, kind = row.target, row.content_type
    url = getattr(target, "get_absolute_url", None)
    return {
        "target": f"{kind.app_label}.{kind.model}:{row.object_id}",
        "title": str(target) if target is not None else "",
        "url": url() if url else None,
    }


def export(user) -> dict:
    return {
        "pictures": [
            {
                **_target(i),
                "file": i.file.url,
                "description": i.alt,
                "created_at": i.created_at.isoformat(),
            }
            for i in Image.objects.filter(uploaded_by=user).select_related("content_type")
        ],
        "documents": [
            {
                **_target(d),
                "file": d.file.url,
                "title": d.title,
                "bytes": d.size,
                "created_at": d.created_at.isoformat(),
            }
            for d in Document.objects.filter(uploaded_by=user).select_related("content_type")
        ],
    }


def anonymise(user) -> None:
    # The rows stay with the emptied account row, so the page shows "deleted user".
    return None


def describe_data() -> None:
    """For the privacy page (core.privacy.describe)."""
    from django.utils.translation import gettext_lazy as _

    from samskab.core.privacy import LegalBasis, PersonalData, describe

    describe(
        PersonalData(
            key="attachments",
            what=_(
                "Pictures and documents you add to a proposal or a page, with their "
                "descriptions and titles (pictures are stored without location or camera data)"
            ),
            purpose=_("So that others can see what you propose or point to."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as what you added them to is published."),
            on_deletion=_("They stay, shown as added by a deleted user."),
            export="apps.attachments",
            fields=("attachments.image.uploaded_by", "attachments.document.uploaded_by"),
            order=64,
        )
    )
