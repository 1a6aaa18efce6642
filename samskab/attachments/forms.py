"""One picture (with what it shows) and one PDF document, both optional; the sizes are the
target kind's (core.uploads.AttachLimits). Other forms inherit it (a project's proposal)."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.core.uploads import AttachLimits, check_pdf, reencode_image


class AttachmentForm(forms.Form):
    image = forms.FileField(
        label=gettext_lazy("Picture"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    image_alt = forms.CharField(
        label=gettext_lazy("What the picture shows"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A short description for people who cannot see the picture."),
    )
    document = forms.FileField(
        label=gettext_lazy("Document (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    document_title = forms.CharField(
        label=gettext_lazy("Title of the document"), max_length=200, required=False
    )

    def __init__(self, *args, limits: AttachLimits | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits or AttachLimits()
        self.fields["image"].help_text = _(
            "PNG, JPEG or WebP, at most %(size)s. Location and camera data are removed."
        ) % {"size": filesizeformat(self.limits.image_bytes)}
        self.fields["document"].help_text = _(
            "A drawing, a sketch or an offer, as PDF, at most %(size)s."
        ) % {"size": filesizeformat(self.limits.document_bytes)}

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        return reencode_image(upload, max_bytes=self.limits.image_bytes) if upload else None

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        return check_pdf(upload, max_bytes=self.limits.document_bytes) if upload else None

    def clean(self):
        data = super().clean()
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe what the picture shows."))
        if data.get("document") and not (data.get("document_title") or "").strip():
            self.add_error("document_title", _("Give the document a title."))
        return data

    def images(self):
        image = self.cleaned_data.get("image")
        return [(image, self.cleaned_data["image_alt"])] if image else []

    def documents(self):
        document = self.cleaned_data.get("document")
        return [(document, self.cleaned_data["document_title"])] if document else []
