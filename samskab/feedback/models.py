"""Viewers' messages to the municipality or to a politician of a meeting, and the inbox.

A message keeps no address or browser identifier: only what the sender chose to write.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samskab.core.attached import MeetingAttached


class FeedbackRecipient(models.Model):
    """Where messages to a politician are sent (Person has no e-mail; this maps it)."""

    person = models.OneToOneField(
        "webcasts.Person",
        on_delete=models.CASCADE,
        related_name="feedback_recipient",
        verbose_name=_("person"),
    )
    email = models.EmailField(_("e-mail address"))
    is_active = models.BooleanField(
        _("accepts messages"), default=True, help_text=_("Offered as a recipient in the form.")
    )

    class Meta:
        ordering = ["person__name"]
        verbose_name = _("feedback recipient")
        verbose_name_plural = _("feedback recipients")

    def __str__(self) -> str:
        return f"{self.person} <{self.email}>"


class FeedbackMessage(MeetingAttached):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        HANDLED = "handled", _("Handled")
        ANSWERED = "answered", _("Answered")

    agenda_item = None  # to the municipality or a politician, about the meeting
    # Empty: to the municipality.
    person = models.ForeignKey(
        "webcasts.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_messages",
        verbose_name=_("to politician"),
    )
    sent_to = models.EmailField(_("sent to"), blank=True)
    name = models.CharField(_("sender's name"), max_length=150, blank=True)
    email = models.EmailField(_("sender's e-mail"), blank=True)
    message = models.TextField(_("message"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.NEW)
    staff_note = models.TextField(_("note for colleagues"), blank=True)
    # The colleague who handles it (a case tool: one person answers, the others can see who).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_assigned",
        verbose_name=_("assigned to"),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    mailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feedback message")
        verbose_name_plural = _("feedback messages")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_label}: {self.message[:60]}"

    @property
    def recipient_label(self) -> str:
        return self.person.shown_name if self.person is not None else str(_("The municipality"))


class FeedbackReply(models.Model):
    """An answer written in the inbox and e-mailed to the sender's address as they typed it.

    The replies are the message's log: who wrote what, and when it was e-mailed (empty when
    the mail server refused it; the text is kept so it can be sent again)."""

    feedback = models.ForeignKey(
        FeedbackMessage,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("feedback message"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    text = models.TextField(_("reply"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    mailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return self.text[:60]
