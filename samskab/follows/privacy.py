"""A person's follows in their data export; deleting the account removes them (following is
only for being told, which a deleted account no longer is)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe
from samskab.follows.models import Follow


def export(user) -> list[dict]:
    rows = []
    for follow in Follow.objects.filter(user=user).select_related("content_type"):
        target, kind = follow.target, follow.content_type
        url = getattr(target, "get_absolute_url", None)
        rows.append(
            {
                "target": f"{kind.app_label}.{kind.model}:{follow.object_id}",
                "title": str(target) if target is not None else "",
                "url": url() if url else None,
                "language": follow.language,
                "created_at": follow.created_at.isoformat(),
            }
        )
    return rows


def anonymise(user) -> None:
    Follow.objects.filter(user=user).delete()


def describe_data() -> None:
    describe(
        PersonalData(
            key="follows",
            what=_(
                "What you follow (projects, whole citizens' budgets and other items), and the "
                "language of the e-mails about them"
            ),
            purpose=_("To e-mail you when something you follow moves on."),
            basis=LegalBasis.CONSENT,
            retention=_("Until you stop following, or the item is deleted."),
            on_deletion=_("Deleted."),
            export="apps.follows",
            fields=("follows.follow.user",),
            order=63,
        ),
    )
