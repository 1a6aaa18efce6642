"""What a person is told: one notification per person and step (activity.Event), shown in
their notification centre and, as they chose per kind of step, e-mailed at once, in a daily
digest, or not at all."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DIGEST = "digest", _("In a daily digest")
    NEVER = "never", _("Never")


class State(models.TextChoices):
    """Where the notification's e-mail is. MAIL and PUSH wait for a delivery task (which
    also pushes the new unread count); DIGEST waits for the daily digest."""

    MAIL = "mail", _("to be e-mailed")
    PUSH = "push", _("to be shown")
    DIGEST = "digest", _("waiting for the digest")
    SENT = "sent", _("e-mailed")
    DIGESTED = "digested", _("e-mailed in a digest")
    FAILED = "failed", _("could not be e-mailed")
    SHOWN = "shown", _("shown only, never e-mailed")


class Notification(models.Model):
    # No index of its own: the unique (user, event) constraint's index leads with it (one
    # index less to write for each of a large event's rows).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    event = models.ForeignKey(
        "activity.Event", on_delete=models.CASCADE, related_name="notifications"
    )
    # "app_label.model.kind" (activity.kinds.Kind.key), for settings and the digest.
    kind = models.CharField(_("kind"), max_length=100)
    # The language the person is written to in: the one they followed or wrote in.
    language = models.CharField(_("language"), max_length=8)
    is_author = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State, default=State.MAIL)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(default=timezone.now)
    # A delivery task's claim on the row while it e-mails it (see services.deliver).
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notifications_once_per_event")
        ]
        # As few indexes as serve the queries, since a large event writes tens of thousands
        # of rows at once (make bench-notify). A person's notifications and unread count use
        # the unique (user, event) index. Waiting rows: delivery claims them in pk order (and
        # the digest reads its own), and they leave the index once e-mailed. Claimed rows:
        # a delivery task reads and settles its own; no row is claimed when it is written.
        indexes = [
            models.Index(
                fields=["id"],
                name="notifications_waiting",
                condition=models.Q(state__in=[State.MAIL, State.PUSH, State.DIGEST]),
            ),
            models.Index(
                fields=["claim"], name="notifications_claimed", condition=~models.Q(claim="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} ({self.event_id})"


class Preference(models.Model):
    """How a person hears about one kind of step; without a row: immediately."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=100)
    mode = models.CharField(_("e-mail"), max_length=12, choices=Mode, default=Mode.IMMEDIATELY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_one_mode_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.mode}"
