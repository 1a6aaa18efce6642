"""Messages a person sent to the municipality or a politician, for their data download and
the privacy page (samskab.core.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samskab.core.privacy import LegalBasis, PersonalData, describe, exempt
from samskab.feedback.models import FeedbackMessage


def _addresses(user) -> set[str]:
    # Only confirmed addresses: an address merely typed into the account is not proof that
    # the messages sent from it are this person's.
    from allauth.account.models import EmailAddress

    return {
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def export(user) -> list[dict]:
    addresses = _addresses(user)
    if not addresses:
        return []
    # People type their address with capitals now and then; match it as mail does.
    typed_as = Q()
    for address in addresses:
        typed_as |= Q(email__iexact=address)
    return [
        {
            "to": message.recipient_label,
            "name": message.name,
            "email": message.email,
            "message": message.message,
            "sent_at": message.created_at.isoformat(),
            "status": message.get_status_display(),
            # The municipality's answers, as e-mailed to the address the message came from.
            "answers": [
                {
                    "text": reply.text,
                    "written_at": reply.created_at.isoformat(),
                    "emailed_at": reply.mailed_at.isoformat() if reply.mailed_at else None,
                }
                for reply in message.replies.all()
            ],
        }
        for message in FeedbackMessage.objects.filter(typed_as)
        .select_related("person", "meeting")
        .prefetch_related("replies")
        .order_by("created_at")
    ]


def describe_data() -> None:
    describe(
        PersonalData(
            key="feedback",
            what=_(
                "Messages you send to the municipality or a politician: your name and "
                "e-mail address if you give them, the message, and when; and the "
                "municipality's answers e-mailed to you"
            ),
            purpose=_(
                "To pass your message on by e-mail to the person it is for, and to let the "
                "municipality answer and handle it."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_(
                "As long as the municipality keeps its correspondence, under its rules for records."
            ),
            on_deletion=_(
                "Not deleted with the account: the message is part of the municipality's "
                "case handling. Ask the municipality if you want it deleted."
            ),
            export="apps.feedback",
            fields=("feedback.feedbackmessage.email",),
            order=35,
        ),
    )
    exempt(
        "feedback.feedbackmessage.sent_to",
        "The address of the politician or office the message went to, not the sender's.",
    )
    exempt(
        "feedback.feedbackrecipient.email",
        "A politician's official address for messages, entered by the municipality.",
    )
