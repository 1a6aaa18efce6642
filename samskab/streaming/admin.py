"""Stream keys and restream destinations in the administration.

A destination's stream key is written once and then shown only as its last four characters;
leaving the field empty keeps the stored key.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from samskab.streaming import crypto, services
from samskab.streaming.models import Destination, MeetingStream
from samskab.streaming.views import encoder_url


@admin.register(MeetingStream)
class MeetingStreamAdmin(admin.ModelAdmin):
    list_display = ["meeting", "publishing_since", "rotated_at"]
    list_select_related = ["meeting", "meeting__body"]
    search_fields = ["meeting__title", "meeting__body__name"]
    autocomplete_fields = ["meeting"]
    fields = ["meeting", "encoder_address", "stream_key", "publishing_since", "rotated_at"]
    readonly_fields = ["encoder_address", "stream_key", "publishing_since", "rotated_at"]
    actions = ["rotate_keys"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["meeting", *self.readonly_fields]
        return self.readonly_fields

    @admin.display(description=_("encoder server (URL)"))
    def encoder_address(self, obj: MeetingStream) -> str:
        return encoder_url(getattr(self, "_request", None))

    @admin.display(description=_("stream key"))
    def stream_key(self, obj: MeetingStream) -> str:
        # Masked: the operator console shows the whole key on request, never cached.
        if not obj.pk:
            return _("Made when you save.")
        return _("%(hint)s (the whole key is shown in the meeting's operator console)") % {
            "hint": crypto.hint(obj.key)
        }

    def get_form(self, request, obj=None, **kwargs):
        self._request = request
        return super().get_form(request, obj, **kwargs)

    @method_decorator(never_cache)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            services.stream_key_rotate(meeting=obj.meeting)
            obj.pk = MeetingStream.objects.get(meeting=obj.meeting).pk
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Make new stream keys (the old ones stop working)"))
    def rotate_keys(self, request, queryset):
        count = 0
        for stream in queryset.select_related("meeting"):
            services.stream_key_rotate(meeting=stream.meeting)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d new stream key.", "%(count)d new stream keys.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class DestinationForm(forms.ModelForm):
    stream_key = forms.CharField(
        label=_("stream key"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Destination
        fields = ["name", "kind", "meeting", "body", "server_url", "stream_key", "is_enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.key_hint:
            self.fields["stream_key"].help_text = _(
                "Stored: %(hint)s. Leave empty to keep it; type a new key to replace it."
            ) % {"hint": crypto.HINT + self.instance.key_hint}
        else:
            self.fields["stream_key"].help_text = _(
                "The key YouTube or Facebook shows for the stream. It is stored encrypted and "
                "shown only as its last four characters."
            )

    def clean(self):
        data = super().clean()
        meeting, body = data.get("meeting"), data.get("body")
        if bool(meeting) == bool(body):
            raise forms.ValidationError(_("Choose either one meeting or one body."))
        key = data.get("stream_key") or self.instance.stream_key
        if data.get("kind"):
            services.destination_check(
                kind=data["kind"], server_url=data.get("server_url", ""), key=key
            )
        return data

    def save(self, commit=True):
        destination = super().save(commit=False)
        if self.cleaned_data.get("stream_key"):
            services.destination_set_key(
                destination=destination, key=self.cleaned_data["stream_key"]
            )
        if commit:
            destination.save()
        return destination


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    form = DestinationForm
    list_display = ["name", "kind", "meeting", "body", "shown_key", "is_enabled"]
    list_filter = ["kind", "is_enabled", "body"]
    list_select_related = ["meeting", "body"]
    search_fields = ["name", "meeting__title", "body__name"]
    autocomplete_fields = ["meeting"]

    @admin.display(description=_("stream key"))
    def shown_key(self, obj: Destination) -> str:
        return crypto.HINT + obj.key_hint if obj.key_hint else "—"
