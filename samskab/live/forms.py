from django import forms
from django.utils.translation import gettext_lazy as _


class DemoMessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=500, strip=True)
