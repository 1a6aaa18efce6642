from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from samskab.stats.models import StatsSettings, stats_settings_changed


@admin.register(StatsSettings)
class StatsSettingsAdmin(admin.ModelAdmin):
    fields = ("enabled", "retention_days", "report_recipients")
    filter_horizontal = ("report_recipients",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "report_recipients":
            from django.contrib.auth import get_user_model

            # Only staff receive the report: it is for the council's secretariat.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        row, _created = StatsSettings.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:stats_statssettings_change", args=[row.pk]))

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        stats_settings_changed()
