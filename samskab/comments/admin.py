from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments to look up and read. Read-only: taking a post down, editing it and its
    status are moderation actions with a reason in the moderation log, made on the
    moderation pages (linked from each comment here), never by editing fields."""

    list_display = ["__str__", "status", "created_at", "agree_count", "disagree_count"]
    list_filter = ["status"]
    search_fields = ["body", "author_name"]
    fields = [
        "moderate",
        "status",
        "moderation_reason",
        "author",
        "author_name",
        "body",
        "image",
        "image_alt",
        "created_at",
        "edited_at",
        "published_at",
        "report_count",
        "agree_count",
        "disagree_count",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("moderate"))
    def moderate(self, comment: Comment) -> str:
        if comment.status != Comment.Status.PUBLISHED:
            return format_html(
                '<a href="{}">{}</a>', reverse("moderation:queue"), _("Moderation queue")
            )
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("moderation:take_down", args=["comments.comment", comment.pk]),
            _("Take down"),
            reverse("moderation:edit", args=["comments.comment", comment.pk]),
            _("Edit"),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
