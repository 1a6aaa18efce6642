from django.contrib import admin

from samskab.debates.models import Area, Debate, Tag


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Debate)
class DebateAdmin(admin.ModelAdmin):
    # Read here; featuring, closing and hiding are done on the debate's page (debates.rules).
    list_display = ["title", "status", "hidden_at", "featured_at", "agree_count", "created_at"]
    list_filter = ["status", "area"]
    search_fields = ["title"]
    readonly_fields = [f.name for f in Debate._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
