"""Staff pages for people: accounts and roles, the census import, residence verifications."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.accounts import services
from samskab.accounts.forms import CensusUploadForm, row_error_message
from samskab.accounts.models import (
    CensusImport,
    CensusRecord,
    ResidenceLetter,
    ResidenceVerification,
    User,
)
from samskab.accounts.roles import ROLE_DESCRIPTIONS, Role, role_label
from samskab.accounts.selectors import (
    census_current,
    residence_verifications_missing_from,
    residence_verifications_with_census_status,
)

# The page lists this many broken rows; the count of the rest is told.
ROW_ERRORS_SHOWN = 200


class RoleFilter(admin.SimpleListFilter):
    """Roles by their names in the reader's language (the plain "groups" filter showed the
    groups' internal English names)."""

    title = gettext_lazy("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        roles = [(str(group.pk), role_label(group.name)) for group in Group.objects.all()]
        return sorted(roles, key=lambda role: role[1].lower())

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(groups__pk=int(value))
        return queryset


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "display_name",
        "verification_level",
        "is_staff",
        "has_second_factor",
        "is_active",
    ]
    list_filter = [
        "verification_level",
        "is_staff",
        "is_active",
        RoleFilter,
        ("deleted_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "display_name"]
    ordering = ["-date_joined"]
    fields = [
        "email",
        "display_name",
        "groups",
        "is_staff",
        "second_factor",
        "is_active",
        "verification_level",
        "date_joined",
        "last_login",
        "deleted_at",
    ]
    # The staff flag follows the roles (save_related): powers come from role groups, and
    # every account with one must pass the second factor (StaffMFAMiddleware).
    readonly_fields = [
        "is_staff",
        "second_factor",
        "verification_level",
        "date_joined",
        "last_login",
        "deleted_at",
    ]
    filter_horizontal = ["groups"]
    change_form_template = "accounts/admin/user_change_form.html"
    # No "Add" here (has_add_permission): colleagues are invited, citizens sign up.
    change_list_template = "accounts/admin/user_change_list.html"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            # Roles by their names in the reader's language, with what each may do.
            field.label = gettext_lazy("roles")
            field.label_from_instance = lambda group: role_label(group.name)
            field.help_text = format_html_join("", "<br><strong>{}</strong>: {}", role_lines())
        return field

    def get_queryset(self, request):
        from allauth.mfa.models import Authenticator

        # One subquery for the column, not a query per row.
        totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        return super().get_queryset(request).annotate(has_totp=Exists(totp))

    @admin.display(description=gettext_lazy("second factor"), boolean=True, ordering="has_totp")
    def has_second_factor(self, user: User) -> bool:
        return user.has_totp  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description=gettext_lazy("second factor"))
    def second_factor(self, user: User) -> str:
        from allauth.mfa.models import Authenticator

        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if totp is None:
            return _("None set up")
        return _("Authenticator app, set up %(date)s") % {
            "date": formats.date_format(timezone.localtime(totp.created_at), "SHORT_DATE_FORMAT")
        }

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        is_staff = user.is_superuser or user.groups.exists()
        if user.is_staff != is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=is_staff)
            user.is_staff = is_staff

    def may_reset_second_factor(self, request: HttpRequest, user: User) -> bool:
        return (
            request.user.has_perm("accounts.change_user")
            and user.pk != request.user.pk
            and (request.user.is_superuser or not user.is_superuser)
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_reset_second_factor"] = obj is not None and self.may_reset_second_factor(
            request, obj
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<int:user_id>/second-factor-reset/",
                self.admin_site.admin_view(self.second_factor_reset_view),
                name="accounts_user_second_factor_reset",
            ),
            *super().get_urls(),
        ]

    def second_factor_reset_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """A colleague lost their phone: remove their authenticator, after a confirmation."""
        colleague = get_object_or_404(User, pk=user_id)
        if not self.may_reset_second_factor(request, colleague):
            raise PermissionDenied
        change_url = reverse("admin:accounts_user_change", args=[colleague.pk])
        if request.method == "POST":
            try:
                services.second_factor_reset(user=colleague, by=request.user)
            except services.SecondFactorResetRefused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(
                    request,
                    _(
                        "The second factor of %(email)s is reset. They have been logged out "
                        "and e-mailed, and set up a new authenticator app at their next login."
                    )
                    % {"email": colleague.email},
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset the second factor of %(email)s") % {"email": colleague.email},
            "opts": self.opts,
            "colleague": colleague,
            "change_url": change_url,
        }
        return TemplateResponse(request, "accounts/admin/second_factor_reset.html", context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people sign up themselves; `samskab createsuperuser` makes the first

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Deleting the row would take votes with it; a person deletes their own account
        # from their profile, which anonymises it and keeps a tombstone.
        return False


def role_lines() -> list[tuple[str, str]]:
    return [(role.label, ROLE_DESCRIPTIONS[role]) for role in Role]


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """Roles are groups kept by roles_sync(); they are shown by their names in the reader's
    language, with what each may do."""

    list_display = ["role", "description"]

    @admin.display(description=gettext_lazy("role"), ordering="name")
    def role(self, group: Group) -> str:
        return role_label(group.name)

    @admin.display(description=gettext_lazy("what the role may do"))
    def description(self, group: Group) -> str:
        try:
            return str(ROLE_DESCRIPTIONS[Role(group.name)])
        except ValueError:
            return ""


@admin.register(CensusImport)
class CensusImportAdmin(admin.ModelAdmin):
    """The census as staff see it: a log of imports; "add" is the upload page."""

    list_display = ["created_at", "file_name", "row_count", "created_by", "is_current"]
    fields = [
        "created_at",
        "file_name",
        "row_count",
        "identifier_label",
        "created_by",
        "verifications_outside",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(current=Exists(CensusRecord.objects.filter(census_import=OuterRef("pk"))))
        )

    @admin.display(boolean=True, description=gettext_lazy("current census"))
    def is_current(self, census_import: CensusImport) -> bool:
        return census_import.current

    @admin.display(description=gettext_lazy("verified residents not in this census"))
    def verifications_outside(self, census_import: CensusImport) -> str:
        if not census_import.current:
            return "-"
        url = reverse("admin:accounts_residenceverification_changelist")
        return format_html(
            '{} (<a href="{}?in_census=no">{}</a>)',
            residence_verifications_missing_from(),
            url,
            _("see the list"),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.import_census")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        """Upload, check (optional), import. The file is read here and never saved."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        current = census_current()
        form = CensusUploadForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            initial={"identifier_label": current.identifier_label if current else ""},
        )
        summary = None
        if request.method == "POST" and form.is_valid():
            census = form.census
            summary = {
                "rows_read": census.rows_read,
                "to_import": len(census.rows) if not census.errors else 0,
                "broken_rows": len({error.row for error in census.errors}),
                "error_count": len(census.errors),
                "errors": [
                    (error.row, row_error_message(error))
                    for error in census.errors[:ROW_ERRORS_SHOWN]
                ],
                "more_errors": max(0, len(census.errors) - ROW_ERRORS_SHOWN),
                "missing": residence_verifications_missing_from(
                    {row.identifier_hash for row in census.rows}
                ),
            }
            if census.ok and request.POST.get("action") == "import":
                return self._import(request, form)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import the census"),
            "opts": self.opts,
            "form": form,
            "summary": summary,
            "current": current,
            "current_count": CensusRecord.objects.count(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "accounts/admin/census_import.html", context)

    def _import(self, request: HttpRequest, form: CensusUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            result = services.census_replace(
                census=form.census,
                file_name=upload.name or "",
                created_by=request.user,
                identifier_label=form.cleaned_data["identifier_label"],
            )
        except services.CensusBusy:
            messages.error(request, _("Another census import ran at the same time. Try again."))
            return redirect("admin:accounts_censusimport_add")
        self.log_addition(request, result.census_import, [{"added": {}}])
        messages.success(
            request,
            _(
                "The census now has %(count)s residents. The %(removed)s records of the "
                "previous census were removed. Existing verifications were kept."
            )
            % {
                "count": intcomma(result.census_import.row_count),
                "removed": intcomma(result.removed),
            },
        )
        return redirect("admin:accounts_censusimport_change", result.census_import.pk)


class InCensusFilter(admin.SimpleListFilter):
    title = gettext_lazy("in the current census")
    parameter_name = "in_census"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(in_census=self.value() == "yes")
        return queryset


@admin.register(ResidenceVerification)
class ResidenceVerificationAdmin(admin.ModelAdmin):
    """Who is verified, and whether the current census still has them.

    A re-import never revokes a verification by itself; staff revoke one here by deleting
    it, which also lowers the account to e-mail verified. The same deletion releases the
    claim a deleted account keeps on a resident.
    """

    list_display = ["user", "method", "postal_code", "verified_at", "is_in_census"]
    list_filter = ["method", InCensusFilter]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "method", "postal_code", "verified_at", "is_in_census"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return residence_verifications_with_census_status()

    @admin.display(boolean=True, description=gettext_lazy("in the current census"))
    def is_in_census(self, verification: ResidenceVerification) -> bool:
        return verification.in_census

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ResidenceVerification) -> None:
        services.residence_verification_revoke(verification=obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for verification in queryset:
            services.residence_verification_revoke(verification=verification)


@admin.register(ResidenceLetter)
class ResidenceLetterAdmin(admin.ModelAdmin):
    """Letters with a one-time code (the typed residence check): staff see who waits, and
    administrators hand the waiting letters to the mail room as one CSV (accounts/letters.py).
    The CPR numbers and codes are in that file only, never on these pages."""

    list_display = ["number", "user", "postal_code", "created_at", "exported_at", "state"]
    list_display_links = ["number"]
    list_filter = ["exported_at", "confirmed_at", "void_at"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = [
        "user",
        "postal_code",
        "created_at",
        "expires_at",
        "exported_at",
        "attempts",
        "confirmed_at",
        "void_at",
    ]
    readonly_fields = fields
    change_list_template = "admin/accounts/residenceletter/change_list.html"

    @admin.display(description=gettext_lazy("letter no."), ordering="pk")
    def number(self, letter: ResidenceLetter) -> int:
        return letter.pk  # the number in the mail room's file

    @admin.display(description=gettext_lazy("state"))
    def state(self, letter: ResidenceLetter) -> str:
        if letter.confirmed_at:
            return _("confirmed")
        if letter.void_at:
            return _("void")
        if letter.expires_at <= timezone.now():
            return _("expired")
        if letter.exported_at:
            return _("sent, waiting for the code")
        return _("waiting for the mail room")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="accounts_residenceletter_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        from samskab.accounts import letters

        if request.method != "POST":
            return redirect("admin:accounts_residenceletter_changelist")
        try:
            export = letters.residence_letters_export(by=request.user)
        except letters.LetterRefused as refusal:
            raise PermissionDenied(refusal.message) from None
        response = HttpResponse(export.csv, content_type="text/csv; charset=utf-8")
        name = f"bopaelsbreve-{timezone.localtime():%Y-%m-%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
