import rules
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskab.core import targets
from samskab.moderation import services
from samskab.moderation.models import (
    Ban,
    ModerationLogEntry,
    ModerationPolicy,
    ModerationSettings,
    RestrictedWord,
    TrustedAuthor,
)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "default_mode", "reports_to_queue"]


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mode", "allow_anonymous"]
    list_filter = ["mode", "allow_anonymous"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            # Only the kinds of place a mode applies to, not every table of the site.
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(t.model).pk for t in places()]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def places() -> list[targets.Target]:
    """The registered targets a mode can be chosen for: those posts are written on
    ("comment") and the processes whose staff may choose a mode (`<app>.moderate_<model>`),
    not the moderated posts themselves."""
    return [
        target
        for target in targets.registered()
        if "comment" in target.capabilities
        or (target.moderation is None and rules.perm_exists(target.permission("moderate")))
    ]


@admin.register(RestrictedWord)
class RestrictedWordAdmin(admin.ModelAdmin):
    list_display = ["pattern", "language", "action"]
    list_filter = ["language", "action"]
    search_fields = ["pattern"]


class BanForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["user", "viewer_key", "reason", "until"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not cleaned.get("viewer_key"):
            raise forms.ValidationError(_("Choose the account (or the viewer key) to ban."))
        until = cleaned.get("until")
        if until is not None and until <= timezone.now():
            self.add_error("until", _("The end of the ban must be in the future."))
        return cleaned


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    """A ban is made here (by account) or from the queue; either way it is logged. It is
    lifted on the moderation page Bans, with a reason for the log, so nothing here edits
    a ban once made."""

    form = BanForm
    list_display = ["__str__", "reason", "until", "created_by", "created_at", "lifted_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_by", "created_at", "lifted_at"]

    def has_change_permission(self, request, obj=None):
        # The change page is for reading; lifting is on /moderation/udelukkelser/.
        return False

    def save_model(self, request, obj, form, change):
        ban = services.ban_create(
            moderator=request.user,
            reason=obj.reason,
            user=obj.user,
            viewer_key=obj.viewer_key,
            until=obj.until,
        )
        obj.pk, obj.created_by, obj.created_at = ban.pk, ban.created_by, ban.created_at


@admin.register(TrustedAuthor)
class TrustedAuthorAdmin(admin.ModelAdmin):
    raw_id_fields = ["user"]
    readonly_fields = ["granted_by"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = obj.granted_by or request.user
        super().save_model(request, obj, form, change)


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "moderator", "action", "reason", "excerpt"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
