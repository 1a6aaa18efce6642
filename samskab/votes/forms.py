"""Staff's form for a vote's map: the postal districts' outlines as a GeoJSON file."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from samskab.places.geo import MAX_BYTES


class AreasForm(forms.Form):
    geojson = forms.FileField(
        label=_("Postal districts (GeoJSON)"),
        required=False,
        help_text=_(
            "A GeoJSON FeatureCollection in WGS 84 with one feature per postal district of the "
            "vote, its code in the property “postnr” or “nr” (as Dataforsyningen's postnumre "
            "have it). Leave empty and save to remove the map."
        ),
    )

    def clean_geojson(self) -> str:
        upload = self.cleaned_data.get("geojson")
        if upload is None:
            return ""
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The map file is too large. The limit is %(limit)s."),
                params={"limit": filesizeformat(MAX_BYTES)},
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not text in UTF-8.")) from None
