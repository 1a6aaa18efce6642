"""A person's notifications and settings in their data export; deleting the account deletes
both (they are only for telling the person, which a deleted account no longer is)."""

from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe
from samskab.notifications.models import Notification, Preference


def export(user) -> dict:
    return {
        "notifications": [
            {
                "kind": n.kind,
                "event": n.event_id,
                "language": n.language,
                "state": n.state,
                "mailed_at": n.mailed_at.isoformat() if n.mailed_at else None,
                "read_at": n.read_at.isoformat() if n.read_at else None,
                "created_at": n.created_at.isoformat(),
            }
            for n in Notification.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "settings": {p.kind: p.mode for p in Preference.objects.filter(user=user)},
    }


def anonymise(user) -> None:
    Notification.objects.filter(user=user).delete()
    Preference.objects.filter(user=user).delete()


def describe_data() -> None:
    describe(
        PersonalData(
            key="notifications",
            what=_(
                "The notifications you were sent about what you wrote or follow, whether you "
                "read them, and how you chose to hear about each kind of news"
            ),
            purpose=_("To show you what is new, and to e-mail you only as you chose."),
            basis=LegalBasis.CONSENT,
            retention=_("Until you delete your account, or the item is deleted."),
            on_deletion=_("Deleted."),
            export="apps.notifications",
            fields=("notifications.notification.user", "notifications.preference.user"),
            order=64,
        ),
    )
