"""The feedback inbox: staff read messages and mark them handled or answered."""

from django.contrib import admin
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
    list_display = ["created_at", "recipient", "meeting", "name", "status", "mailed_at"]
    list_filter = ["status", "created_at", ("person", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["message", "name", "email"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "meeting",
        "person",
        "sent_to",
        "name",
        "email",
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

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_handled(self, request, queryset) -> None:
        queryset.update(status=FeedbackMessage.Status.HANDLED)

    @admin.action(description=_("Mark as answered"), permissions=["change"])
    def mark_answered(self, request, queryset) -> None:
        queryset.update(status=FeedbackMessage.Status.ANSWERED)
