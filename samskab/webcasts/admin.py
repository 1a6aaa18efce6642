"""Administration of bodies, people, meetings and their agendas (W1-W3).

Editors keep everything here; timeline marks are set in the operator's console and only
corrected here (through the same services, so the index follows). The agenda import is a
two-step page on the meeting: upload, preview, confirm.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samskab.webcasts import importers, services, slides, vtt
from samskab.webcasts.models import (
    AgendaItem,
    Body,
    Captions,
    Document,
    Meeting,
    MeetingSeries,
    Person,
    Slide,
    SlideDeck,
    SpeakerTurn,
    TimelineMark,
)

IMPORT_SALT = "samskab.webcasts.agenda-import"
IMPORT_MAX_AGE = 60 * 60  # a preview is good for an hour
# Addresses typed without a scheme are taken as https (Django 6's default, chosen now).
URLS_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_AS_HTTPS
    list_display = ["name", "kind", "party", "role", "is_active"]
    list_filter = ["kind", "is_active", "party"]
    search_fields = ["name", "party", "role", "external_id"]
    prepopulated_fields = {"slug": ["name"]}


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["position", "number", "title", "is_public", "external_id"]
    extra = 0
    show_change_link = True


class DocumentInline(admin.TabularInline):
    formfield_overrides = URLS_AS_HTTPS
    model = Document
    fields = ["position", "title", "agenda_item", "file", "url"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only this meeting's agenda items.
        if db_field.name == "agenda_item":
            meeting_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = AgendaItem.objects.filter(meeting_id=meeting_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Agenda file"),
        help_text=_("Open Civic Data or OParl JSON, or CSV (number;title;description;public)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importers.MAX_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s KB). The limit is %(limit)s KB."),
                params={"size": upload.size // 1024, "limit": importers.MAX_BYTES // 1024},
            )
        try:
            return importers.read_agenda(
                upload.read(importers.MAX_BYTES + 1), filename=upload.name or ""
            )
        except importers.AgendaFileError as error:
            raise ValidationError(str(error)) from None


class ImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)

    def clean_payload(self):
        try:
            data = signing.loads(
                self.cleaned_data["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
            )
        except signing.SignatureExpired:
            raise ValidationError(_("The preview is too old. Upload the file again.")) from None
        except signing.BadSignature:
            raise ValidationError(_("The preview was altered. Upload the file again.")) from None
        if data.get("meeting") != self.meeting.pk:
            raise ValidationError(_("The preview belongs to another meeting."))
        return [importers.Row.from_dict(row) for row in data["rows"]]


class CaptionsInline(admin.TabularInline):
    model = Captions
    fields = ["language", "vtt", "created_at"]
    readonly_fields = ["language", "vtt", "created_at"]
    extra = 0
    can_delete = True
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # uploaded through the captions page, which checks the file


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_AS_HTTPS
    list_display = ["title", "body", "starts_at", "status", "is_published"]
    list_filter = ["body", "series", "status", "is_published", "starts_at"]
    date_hierarchy = "starts_at"
    search_fields = ["title", "description", "place", "agenda_items__title"]
    list_select_related = ["body"]
    inlines = [AgendaItemInline, DocumentInline, CaptionsInline]

    def get_queryset(self, request):
        # A meeting's name in the pickers names its body (Meeting.__str__).
        return super().get_queryset(request).select_related("body")

    filter_horizontal = ["speakers"]
    readonly_fields = ["created_at", "updated_at", "agenda_fetched_at", "agenda_fetch_error"]
    change_form_template = "admin/webcasts/meeting/change_form.html"
    fieldsets = [
        (
            None,
            {"fields": ["body", "series", "title", "starts_at", "ends_at", "place", "description"]},
        ),
        (_("Publication"), {"fields": ["status", "is_published", "external_id"]}),
        (
            _("Agenda from the agenda system"),
            {"fields": ["agenda_source_url", "agenda_fetched_at", "agenda_fetch_error"]},
        ),
        (
            _("Video"),
            {"fields": ["video_kind", "video_url", "recording_started_at", "duration_ms"]},
        ),
        (_("Speakers"), {"fields": ["speakers"]}),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def get_urls(self):
        return [
            path(
                "<int:pk>/import-agenda/",
                self.admin_site.admin_view(self.import_agenda_view),
                name="webcasts_meeting_import_agenda",
            ),
            *super().get_urls(),
        ]

    def import_agenda_view(self, request, pk: int):
        meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
        if not (
            self.has_change_permission(request, meeting)
            and request.user.has_perm("webcasts.add_agendaitem")
            and request.user.has_perm("webcasts.change_agendaitem")
        ):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "meeting": meeting,
            "original": meeting,
            "title": _("Import agenda"),
            "formats": importers,
        }
        upload_form = ImportUploadForm()
        if request.method == "POST" and "confirm" in request.POST:
            confirm_form = ImportConfirmForm(request.POST, meeting=meeting)
            if confirm_form.is_valid():
                plan = services.agenda_import(
                    meeting=meeting, rows=confirm_form.cleaned_data["payload"], by=request.user
                )
                self._report_import(request, plan)
                return redirect(reverse("admin:webcasts_meeting_change", args=[meeting.pk]))
            for error in confirm_form.errors.get("payload", []):
                messages.error(request, error)
        elif request.method == "POST":
            upload_form = ImportUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                parsed = upload_form.cleaned_data["file"]
                plan = importers.agenda_import_plan(
                    meeting=meeting, rows=parsed.rows, rejected=parsed.rejected
                )
                payload = signing.dumps(
                    {"meeting": meeting.pk, "rows": [row.as_dict() for row in plan.rows]},
                    salt=IMPORT_SALT,
                    compress=True,
                )
                context.update(
                    plan=plan,
                    parsed=parsed,
                    confirm_form=ImportConfirmForm(initial={"payload": payload}, meeting=meeting),
                )
                return TemplateResponse(
                    request, "admin/webcasts/meeting/import_agenda_preview.html", context
                )
        context["upload_form"] = upload_form
        return TemplateResponse(request, "admin/webcasts/meeting/import_agenda.html", context)

    def _report_import(self, request, plan: importers.Plan) -> None:
        created, updated = len(plan.create), len(plan.update)
        messages.success(
            request,
            ngettext(
                "The agenda was imported: %(created)s item created, %(updated)s updated.",
                "The agenda was imported: %(created)s items created, %(updated)s updated.",
                created,
            )
            % {"created": created, "updated": updated},
        )
        if plan.rejected:
            messages.warning(
                request,
                ngettext(
                    "%(count)s row was left out; see the preview for why.",
                    "%(count)s rows were left out; see the preview for why.",
                    len(plan.rejected),
                )
                % {"count": len(plan.rejected)},
            )


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "meeting", "is_public"]
    list_filter = ["is_public", "meeting__body", "meeting__starts_at"]
    search_fields = ["title", "description", "number", "meeting__title"]
    list_select_related = ["meeting__body"]
    autocomplete_fields = ["meeting"]

    def get_queryset(self, request):
        # An item's name in the pickers names its meeting (AgendaItem.__str__).
        return super().get_queryset(request).select_related("meeting__body")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    formfield_overrides = URLS_AS_HTTPS
    list_display = ["title", "meeting", "agenda_item"]
    list_filter = ["meeting__body"]
    search_fields = ["title", "meeting__title"]
    autocomplete_fields = ["meeting", "agenda_item"]


class SlideInline(admin.TabularInline):
    model = Slide
    fields = ["number", "image", "text"]
    readonly_fields = ["number", "image", "text"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # pages are rendered from the PDF


class SlideDeckForm(forms.ModelForm):
    """The same check as the editor's slides page: a readable PDF without protection."""

    class Meta:
        model = SlideDeck
        fields = ["agenda_item", "title", "pdf"]

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if isinstance(upload, UploadedFile):  # a new file, not the stored one
            slides.validate_pdf(upload)
        return upload


@admin.register(SlideDeck)
class SlideDeckAdmin(admin.ModelAdmin):
    form = SlideDeckForm
    list_display = ["title", "agenda_item", "page_count", "created_at"]
    search_fields = ["title", "agenda_item__title"]
    autocomplete_fields = ["agenda_item"]
    readonly_fields = ["page_count"]
    inlines = [SlideInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "pdf" in form.changed_data:
            # Rendered in the background once saved, as from the editor's slides page.
            slides.slide_deck_enqueue_render(obj)


class CaptionsForm(forms.ModelForm):
    class Meta:
        model = Captions
        fields = ["meeting", "language", "vtt"]

    def clean_vtt(self):
        upload = self.cleaned_data["vtt"]
        if isinstance(upload, UploadedFile):  # a new file, not the stored one
            parsed = vtt.parse(upload.read(services.CAPTIONS_MAX_BYTES + 1))
            upload.seek(0)
            if not parsed.ok:
                raise ValidationError(
                    [
                        _("Line %(line)s: %(problem)s")
                        % {"line": p.line, "problem": services.caption_problem(p)}
                        for p in parsed.problems
                    ]
                )
        return upload


@admin.register(Captions)
class CaptionsAdmin(admin.ModelAdmin):
    form = CaptionsForm
    list_display = ["meeting", "language", "created_at"]
    list_filter = ["language", "meeting__body"]
    search_fields = ["meeting__title", "text"]
    autocomplete_fields = ["meeting"]

    def get_readonly_fields(self, request, obj=None):
        return ["meeting", "language", "created_at"] if obj else ["created_at"]

    def save_model(self, request, obj, form, change):
        # Through the service: it checks the file, extracts the text and replaces any old one.
        if "vtt" not in form.changed_data:
            return
        try:
            saved = services.captions_upload(
                meeting=obj.meeting,
                language=obj.language,
                file=form.cleaned_data["vtt"],
                by=request.user,
            )
        except ValidationError as error:  # checked in the form already; a race at most
            raise PermissionDenied(" ".join(error.messages)) from None
        obj.pk, obj.vtt, obj.text, obj.created_at = (
            saved.pk,
            saved.vtt,
            saved.text,
            saved.created_at,
        )


class TimelineMarkForm(forms.ModelForm):
    class Meta:
        model = TimelineMark
        fields = ["offset_ms"]

    def clean_offset_ms(self):
        offset_ms = self.cleaned_data["offset_ms"]
        if offset_ms != self.instance.offset_ms:
            services.mark_correction_check(mark=self.instance, offset_ms=offset_ms)
        return offset_ms


@admin.register(TimelineMark)
class TimelineMarkAdmin(admin.ModelAdmin):
    """The log of marks. Editors correct an offset here; adding is the console's job."""

    form = TimelineMarkForm

    list_display = ["meeting", "offset", "kind", "agenda_item", "person", "is_undone", "created_by"]
    list_filter = ["kind", "is_undone", "meeting__body"]
    search_fields = ["meeting__title", "person__name", "agenda_item__title"]
    list_select_related = ["meeting__body", "agenda_item", "person", "created_by"]
    fields = [
        "meeting",
        "kind",
        "offset_ms",
        "at",
        "agenda_item",
        "person",
        "slide",
        "is_undone",
        "created_by",
        "created_at",
        "corrected_at",
    ]
    actions = ["remove_from_index"]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in self.fields if name != "offset_ms"]

    @admin.display(description=_("time"), ordering="offset_ms")
    def offset(self, mark: TimelineMark) -> str:
        return services.format_offset(mark.offset_ms)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a mark is removed from the index, never deleted from the log

    def save_model(self, request, obj, form, change):
        # The form checked the move; the service moves the mark and rebuilds the index.
        if "offset_ms" in form.changed_data:
            services.mark_correct(
                mark=TimelineMark.objects.get(pk=obj.pk),
                offset_ms=form.cleaned_data["offset_ms"],
                by=request.user,
            )

    @admin.action(description=_("Remove the chosen marks from the index"), permissions=["change"])
    def remove_from_index(self, request, queryset):
        removed = 0
        for mark in queryset:
            try:
                services.mark_remove(mark=mark, by=request.user)
                removed += 1
            except ValidationError as error:
                messages.warning(request, f"{mark}: {' '.join(error.messages)}")
        if removed:
            messages.success(request, _("%(count)s marks removed.") % {"count": removed})


@admin.register(SpeakerTurn)
class SpeakerTurnAdmin(admin.ModelAdmin):
    """Derived from the marks: to read, never to edit."""

    list_display = ["meeting", "person", "agenda_item", "start_ms", "end_ms"]
    list_filter = ["meeting__body"]
    search_fields = ["person__name", "meeting__title"]
    list_select_related = ["meeting__body", "person", "agenda_item"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanForm(forms.Form):
    first = forms.DateField(
        label=_("First meeting on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
    )
    count = forms.IntegerField(
        label=_("Number of meetings"),
        min_value=1,
        max_value=52,
        initial=6,
        help_text=_("Days that already have a meeting of the series are skipped."),
    )


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    """Templates of recurring meetings, and "Plan meetings" to make the coming ones."""

    list_display = ["title", "body", "repeat", "starts_at_time", "plan_link"]
    list_filter = ["body", "repeat"]
    search_fields = ["title", "body__name"]
    list_select_related = ["body"]
    filter_horizontal = ["speakers"]
    fieldsets = [
        (None, {"fields": ["body", "title", "repeat", "starts_at_time", "duration_minutes"]}),
        (_("Each new meeting"), {"fields": ["place", "description", "is_published", "video_kind"]}),
        (_("Speakers"), {"fields": ["speakers"]}),
        (_("Agenda"), {"fields": ["agenda_template"]}),
    ]

    @admin.display(description=_("plan"))
    def plan_link(self, series: MeetingSeries) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:webcasts_meetingseries_plan", args=[series.pk]),
            _("Plan meetings"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/plan/",
                self.admin_site.admin_view(self.plan_view),
                name="webcasts_meetingseries_plan",
            ),
            *super().get_urls(),
        ]

    def plan_view(self, request, pk: int):
        series = get_object_or_404(MeetingSeries.objects.select_related("body"), pk=pk)
        if not request.user.has_perm("webcasts.plan_series", series):
            raise PermissionDenied
        form = PlanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            made = services.series_plan(
                series=series,
                first=form.cleaned_data["first"],
                count=form.cleaned_data["count"],
                by=request.user,
            )
            messages.success(
                request,
                ngettext(
                    "%(count)d meeting was planned.", "%(count)d meetings were planned.", len(made)
                )
                % {"count": len(made)},
            )
            changelist = reverse("admin:webcasts_meeting_changelist")
            return redirect(f"{changelist}?series__id__exact={series.pk}")
        upcoming = series.meetings.filter(starts_at__gte=timezone.now()).order_by("starts_at")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": series,
            "series": series,
            "form": form,
            "upcoming": upcoming[:52],
            "title": _("Plan meetings of %(series)s") % {"series": series.title},
        }
        return TemplateResponse(request, "admin/webcasts/meetingseries/plan.html", context)
