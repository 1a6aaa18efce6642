"""The feedback inbox: staff read messages and mark them handled or answered."""

from urllib.parse import quote

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samskab.feedback.models import FeedbackMessage, FeedbackRecipient, FeedbackReply
from samskab.feedback.services import feedback_mail_unsent


@admin.register(FeedbackRecipient)
class FeedbackRecipientAdmin(admin.ModelAdmin):
    list_display = ["person", "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["person__name", "email"]
    raw_id_fields = ["person"]


class MailedFilter(admin.SimpleListFilter):
    """Held by the checks or not delivered: the messages nobody has received by e-mail."""

    title = _("e-mailed")
    parameter_name = "mailed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No: held or not delivered"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(mailed_at__isnull=self.value() == "no")
        return queryset


class FeedbackReplyInline(admin.TabularInline):
    """The answers written in the inbox (/feedback/indbakke/), read only: they were e-mailed."""

    model = FeedbackReply
    fields = ["created_at", "author", "text", "mailed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeedbackMessage)
class FeedbackMessageAdmin(admin.ModelAdmin):
    inlines = [FeedbackReplyInline]
    list_display = ["created_at", "recipient", "meeting", "name", "excerpt", "status", "mailed_at"]
    list_filter = [
        "status",
        MailedFilter,
        "created_at",
        ("person", admin.RelatedOnlyFieldListFilter),
        ("meeting", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["message", "name", "email"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "meeting",
        "person",
        "sent_to",
        "name",
        "reply",
        "message",
        "mailed_at",
        "status",
        "assigned_to",
        "staff_note",
    ]
    readonly_fields = [f for f in fields if f not in ("status", "staff_note")]
    actions = ["mark_handled", "mark_answered", "mail_unsent"]

    def has_add_permission(self, request) -> bool:
        return False  # messages come from viewers only

    @admin.display(description=_("to"))
    def recipient(self, obj: FeedbackMessage) -> str:
        return obj.recipient_label

    @admin.display(description=_("message"))
    def excerpt(self, obj: FeedbackMessage) -> str:
        return Truncator(obj.message).chars(80)

    @admin.display(description=_("sender's e-mail"))
    def reply(self, obj: FeedbackMessage) -> str:
        """The address as a link that starts the answer (a held message was never e-mailed,
        so there is no mail to answer)."""
        if not obj.email:
            return "-"
        subject = "Re: " + (obj.meeting.title if obj.meeting_id else obj.recipient_label)
        return format_html(
            '<a href="mailto:{}?subject={}">{}</a>', obj.email, quote(subject), obj.email
        )

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_handled(self, request, queryset) -> None:
        queryset.update(status=FeedbackMessage.Status.HANDLED)

    @admin.action(description=_("Mark as answered"), permissions=["change"])
    def mark_answered(self, request, queryset) -> None:
        queryset.update(status=FeedbackMessage.Status.ANSWERED)

    @admin.action(
        description=_("E-mail the messages that were not e-mailed"), permissions=["change"]
    )
    def mail_unsent(self, request, queryset) -> None:
        sent, failed = feedback_mail_unsent(queryset)
        if sent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was e-mailed.", "%(count)d messages were e-mailed.", sent
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message could not be e-mailed; try again later.",
                    "%(count)d messages could not be e-mailed; try again later.",
                    failed,
                )
                % {"count": failed},
                messages.ERROR,
            )
        if not sent and not failed:
            self.message_user(
                request, _("The chosen messages had all been e-mailed already."), messages.INFO
            )
