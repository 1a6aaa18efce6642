from django import forms
from django.utils.translation import gettext_lazy as _


class PlaceForm(forms.Form):
    """Where a target is. Words are enough: a keyboard user types the address; a point on
    the map (the picker fills the hidden coordinates) is optional."""

    address = forms.CharField(
        label=_("Where (address or place)"),
        max_length=200,
        required=False,
        help_text=_("For example “Byparken, by the playground”."),
    )
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
