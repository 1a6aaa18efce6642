from django.contrib import admin

from samskab.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "created_at", "agree_count", "disagree_count"]
    list_filter = ["status", "content_type"]
    search_fields = ["body", "author_name"]
    raw_id_fields = ["author", "parent"]
    readonly_fields = ["body_html", "viewer_key", "agree_count", "disagree_count", "report_count"]
