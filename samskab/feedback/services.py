"""Writes for feedback: keep the message in the inbox, then e-mail it."""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samskab.core.ratelimit import Rate, limiter
from samskab.feedback.checks import feedback_check
from samskab.feedback.models import FeedbackMessage, FeedbackReply

logger = logging.getLogger(__name__)


class FeedbackRefused(Exception):
    pass


def feedback_send(
    *, meeting, person, name: str, email: str, message: str, language: str = ""
) -> FeedbackMessage:
    check = feedback_check(text=message, email=email.strip(), language=language)
    if check.refusal:
        raise FeedbackRefused(check.refusal)
    if person is not None:
        sent_to = person.feedback_recipient.email
    else:
        sent_to = settings.FEEDBACK_EMAIL or settings.SERVER_EMAIL
    hold = check.hold
    if not hold and not recipient_may_be_mailed(sent_to):
        hold = f"more than {settings.FEEDBACK_MAILS_PER_RECIPIENT} e-mails to this recipient"
    with transaction.atomic():
        feedback = FeedbackMessage.objects.create(
            meeting=meeting,
            person=person,
            sent_to=sent_to,
            name=name.strip(),
            email=email.strip(),
            message=message,
            staff_note=f"Held, not e-mailed ({hold})." if hold else "",
        )
        if hold:
            logger.info("feedback: message %s held: %s", feedback.pk, hold)
        else:
            # Mail only once the message is safely in the inbox.
            transaction.on_commit(lambda: feedback_mail(feedback=feedback))
    return feedback


def recipient_may_be_mailed(address: str) -> bool:
    """Count one e-mail to `address`; False beyond FEEDBACK_MAILS_PER_RECIPIENT. Rate limits
    per sender cannot stop many senders (or one script with fresh cookies) writing to one
    politician: the messages beyond this wait in the inbox, marked, unsent."""
    who = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]
    rate = Rate.parse(settings.FEEDBACK_MAILS_PER_RECIPIENT)
    return limiter.hit([(f"feedback-mail:{who}", rate)])


def feedback_mail(*, feedback: FeedbackMessage) -> bool:
    """E-mail a message (plain text and HTML). A mail failure is logged; the inbox keeps it.

    The mail is for the municipality's staff and politicians: in the site's language, not
    in the language the viewer happened to read the site in."""
    context = {"feedback": feedback}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Message from a viewer: %(meeting)s") % {
            "meeting": feedback.meeting.title if feedback.meeting is not None else _("no meeting")
        }
        mail = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("feedback/mail.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[feedback.sent_to],
            reply_to=[formatted_sender(feedback)] if feedback.email else None,
        )
        mail.attach_alternative(render_to_string("feedback/mail.html", context), "text/html")
    try:
        mail.send()
    except Exception:  # SMTP down or refusing: the message waits in the inbox.
        logger.exception("feedback: could not e-mail message %s", feedback.pk)
        return False
    FeedbackMessage.objects.filter(pk=feedback.pk).update(mailed_at=timezone.now())
    return True


def feedback_mail_unsent(messages) -> tuple[int, int]:
    """E-mail those of `messages` that were never e-mailed: held by the checks (staff read
    them and found them fine) or not delivered (the mail server was down). Returns how many
    were sent and how many failed (those stay unsent, and can be tried again)."""
    sent = failed = 0
    for feedback in messages.filter(mailed_at__isnull=True).select_related("meeting", "person"):
        if feedback_mail(feedback=feedback):
            sent += 1
        else:
            failed += 1
    return sent, failed


def formatted_sender(feedback: FeedbackMessage) -> str:
    from email.utils import formataddr

    from django.utils.encoding import punycode

    if not feedback.name:
        return feedback.email
    # formataddr() takes ASCII addresses only; the form accepts domains with æ, ø and å.
    local, _at, domain = feedback.email.rpartition("@")
    return formataddr((feedback.name, f"{local}@{punycode(domain)}"))


# The inbox as a case tool: status, assignment and answers written from the inbox.


def feedback_set_status(*, feedback: FeedbackMessage, status: str, by) -> FeedbackMessage:
    if not by.has_perm("feedback.handle_feedback", feedback):
        raise PermissionDenied
    feedback.status = FeedbackMessage.Status(status)
    feedback.save(update_fields=["status"])
    return feedback


def feedback_assign(*, feedback: FeedbackMessage, assignee, by) -> FeedbackMessage:
    """Give the message to a colleague who handles the inbox (None: to nobody)."""
    if not by.has_perm("feedback.assign_feedback", feedback):
        raise PermissionDenied
    if assignee is not None and not assignee.has_perm("feedback.handle_feedback", feedback):
        raise ValueError("the assignee does not handle the inbox")
    feedback.assigned_to = assignee
    feedback.save(update_fields=["assigned_to"])
    return feedback


def feedback_reply(*, feedback: FeedbackMessage, text: str, by) -> FeedbackReply:
    """Keep the answer on the message, then e-mail it to the sender's address as stored.

    Sent: the message is answered (and assigned to the writer if it was nobody's). Not
    sent (the mail server refused): the reply stays in the log, unsent, to be sent again."""
    if not by.has_perm("feedback.reply_feedback", feedback):
        raise PermissionDenied
    reply = FeedbackReply.objects.create(feedback=feedback, author=by, text=text.strip())
    if feedback_reply_mail(reply=reply):
        feedback.status = FeedbackMessage.Status.ANSWERED
        if feedback.assigned_to_id is None:
            feedback.assigned_to = by
        feedback.save(update_fields=["status", "assigned_to"])
    return reply


def feedback_reply_resend(*, reply: FeedbackReply, by) -> bool:
    """E-mail again a reply the mail server refused."""
    feedback = reply.feedback
    if not by.has_perm("feedback.reply_feedback", feedback):
        raise PermissionDenied
    if reply.mailed_at is not None:
        return True
    if not feedback_reply_mail(reply=reply):
        return False
    feedback.status = FeedbackMessage.Status.ANSWERED
    feedback.save(update_fields=["status"])
    return True


def feedback_reply_mail(*, reply: FeedbackReply) -> bool:
    """E-mail a reply to the sender. In the site's language, as the rest of the
    municipality's mail; the answer to it goes to the feedback address, not a colleague's."""
    feedback = reply.feedback
    context = {"feedback": feedback, "reply": reply}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Answer to your message: %(subject)s") % {
            "subject": feedback.meeting.title
            if feedback.meeting is not None
            else feedback.recipient_label
        }
        mail = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("feedback/reply_mail.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[feedback.email],
            reply_to=[settings.FEEDBACK_EMAIL] if settings.FEEDBACK_EMAIL else None,
        )
    try:
        mail.send()
    except Exception:  # SMTP down or refusing: the reply waits in the log, unsent.
        logger.exception("feedback: could not e-mail reply %s", reply.pk)
        return False
    reply.mailed_at = timezone.now()
    reply.save(update_fields=["mailed_at"])
    return True
