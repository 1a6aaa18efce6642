"""The municipality's site settings in the admin: one row, edited, never added twice or deleted."""

from django.contrib import admin
from django.db import models

from samskab.core.models import FooterLink, SiteSettings

# Addresses typed without a scheme are taken as https:// (Django 6's default).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class FooterLinkInline(admin.TabularInline):
    model = FooterLink
    extra = 1
    formfield_overrides = URL_FIELDS


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    inlines = [FooterLinkInline]
    formfield_overrides = URL_FIELDS

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
