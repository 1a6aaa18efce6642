"""Bans, reports and trust, for a person's data download and the privacy page
(samskab.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe
from samskab.moderation.models import Ban, Report, TrustedAuthor


def export(user) -> dict:
    return {
        "bans": [
            {
                "reason": ban.reason,
                "from": ban.created_at.isoformat(),
                "until": ban.until.isoformat() if ban.until else None,
                "lifted_at": ban.lifted_at.isoformat() if ban.lifted_at else None,
            }
            for ban in Ban.objects.filter(user=user).order_by("created_at")
        ],
        "reports": [
            {
                # What was reported: "app_label.model:id" (core.targets.key_of).
                "target": f"{report.content_type.app_label}.{report.content_type.model}"
                f":{report.object_id}",
                "reason": report.get_reason_display(),
                "note": report.note,
                "created_at": report.created_at.isoformat(),
            }
            for report in Report.objects.filter(reporter_key=f"user:{user.pk}")
            .select_related("content_type")
            .order_by("pk")
        ],
        "trusted_author": TrustedAuthor.objects.filter(user=user).exists(),
    }


def describe_data() -> None:
    describe(
        PersonalData(
            key="moderation",
            what=_(
                "Moderation: posts you report and why, bans given to you (by account or by "
                "viewer cookie) with the reason, and whether your posts skip the queue"
            ),
            purpose=_("To keep the debate lawful and free of spam, and to explain decisions."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_(
                "Reports as long as the post is kept; bans until they end, and in the "
                "moderation log as long as it is kept."
            ),
            on_deletion=_("Kept, linked to the emptied account row, so the log stays whole."),
            export="apps.moderation",
            fields=(
                "moderation.report.reporter_key",
                "moderation.ban.user",
                "moderation.ban.viewer_key",
                "moderation.trustedauthor.user",
            ),
            order=40,
        ),
    )
