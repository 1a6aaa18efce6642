"""The feedback inbox: staff read messages and mark them handled or answered."""

from urllib.parse import quote

from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from samskab.feedback.models import FeedbackMessage, FeedbackRecipient


@admin.register(FeedbackRecipient)
class FeedbackRecipientAdmin(admin.ModelAdmin):
    list_display = ["person", "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["person__name", "email"]
    raw_id_fields = ["person"]


@admin.register(FeedbackMessage)
class FeedbackMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "meeting", "name", "excerpt", "status", "mailed_at"]
    list_filter = [
        "status",
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
        "staff_note",
    ]
    readonly_fields = [f for f in fields if f not in ("status", "staff_note")]
    actions = ["mark_handled", "mark_answered"]

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
