"""The municipality's site in the admin: one row of settings, with its footer links.

Staff log in through allauth's login and its second factor, never through the admin's own
password-only form: accounts.middleware.StaffMFAMiddleware sends them there.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samskab.core.colours import WHITE, contrast_ratio, theme_for
from samskab.core.models import FooterLink, SiteSettings

admin.site.site_header = _("Samskab administration")
admin.site.site_title = "Samskab"
admin.site.index_title = _("Administration")


class ColourInput(forms.TextInput):
    input_type = "color"


def https_by_default(db_field: models.Field, **kwargs) -> forms.Field | None:
    # Addresses typed without a scheme are taken as https (Django 6's default, chosen now).
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SiteSettingsForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("front_page_sections")
        if field is not None:
            # The names the installed apps registered (core.frontpage), in their usual order.
            from samskab.core import frontpage

            known = ", ".join(f"{s.key} ({s.label})" for s in frontpage.sections())
            field.help_text = f"{field.help_text} " + gettext("The sections: %(known)s.") % {
                "known": known
            }

    class Meta:
        model = SiteSettings
        fields = [
            "name",
            "tagline",
            "logo",
            "logo_alt",
            "primary_colour",
            "header_colour",
            "map_tile_url",
            "map_tile_attribution",
            "municipality_area",
            "contact_email",
            "website_url",
            "accessibility_statement_url",
            "privacy_contact",
            "dpo_name",
            "dpo_email",
            "dpo_address",
            "front_page_intro",
            "front_page_sections",
            "proposal_support_assurance",
        ]
        formfield_callback = https_by_default
        # A plain file field: the model's validate_logo then judges the file by its content
        # and size and says why in plain words, instead of Django's generic image message.
        field_classes = {"logo": forms.FileField}
        widgets = {
            "logo": AdminFileWidget(attrs={"accept": "image/png,image/jpeg,image/webp"}),
            "primary_colour": ColourInput,
            "header_colour": ColourInput,
        }


# The admin builds its forms again with its own widgets; the same choice applies there.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class FooterLinkInline(admin.StackedInline):
    model = FooterLink
    formfield_overrides = URL_FIELDS
    fields = ("label", "url", "position")
    extra = 1


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """A singleton: the list opens the one row; it can be neither added twice nor deleted."""

    form = SiteSettingsForm
    formfield_overrides = URL_FIELDS
    inlines = [FooterLinkInline]
    readonly_fields = ("colour_check",)
    fieldsets = (
        (None, {"fields": ("name", "tagline", "contact_email", "website_url")}),
        (
            _("Look"),
            {"fields": ("logo", "logo_alt", "primary_colour", "header_colour", "colour_check")},
        ),
        (_("Front page"), {"fields": ("front_page_intro", "front_page_sections")}),
        (
            _("Maps"),
            {
                "fields": ("municipality_area", "map_tile_url", "map_tile_attribution"),
                "description": _(
                    "Maps are drawn by the site itself. A tile server adds streets under the "
                    "areas; visitors' browsers then fetch its pictures, and the privacy page "
                    "says so."
                ),
            },
        ),
        (
            _("Accessibility and privacy"),
            {
                "fields": (
                    "accessibility_statement_url",
                    "privacy_contact",
                    "dpo_name",
                    "dpo_email",
                    "dpo_address",
                )
            },
        ),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SiteSettings | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        site = SiteSettings.current()
        return HttpResponseRedirect(reverse("admin:core_sitesettings_change", args=[site.pk]))

    @admin.display(description=_("Readable text"))
    def colour_check(self, site: SiteSettings) -> str:
        """What the visitor will see: which text colours keep the chosen colours readable."""
        theme = theme_for(primary=site.primary_colour, header=site.header_colour)
        notes = [
            gettext("Text on buttons: %(colour)s (contrast %(ratio).1f:1).")
            % {
                "colour": theme.on_primary,
                "ratio": contrast_ratio(theme.on_primary, theme.primary),
            },
            gettext("Text in the header: %(colour)s (contrast %(ratio).1f:1).")
            % {"colour": theme.on_header, "ratio": contrast_ratio(theme.on_header, theme.header)},
        ]
        if theme.link != theme.primary:
            notes.append(
                gettext(
                    "The primary colour is too light for links on white, so links use the "
                    "darker %(colour)s (contrast %(ratio).1f:1)."
                )
                % {"colour": theme.link, "ratio": contrast_ratio(theme.link, WHITE)}
            )
        return format_html_join(mark_safe("<br>"), "{}", ((note,) for note in notes))
