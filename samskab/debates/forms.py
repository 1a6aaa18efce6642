"""The forms of debates: opening one, and the staff's reasons."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.core.forms import CleanTextMixin
from samskab.debates.models import TEXT_MAX, TITLE_MAX, Area
from samskab.debates.services import MAX_TAGS, tags_parse


class DebateForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What should be discussed, and why? You can use Markdown."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=_("Up to six words that say what it is about, separated by commas."),
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.all(),
        required=False,
        empty_label=_("The whole municipality"),
    )

    def clean_tags(self) -> list[str]:
        tags = tags_parse(self.cleaned_data.get("tags", ""))
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(_("Give at most %(n)d tags."), params={"n": MAX_TAGS})
        return tags


class HideForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is the debate hidden?"),
        max_length=300,
        help_text=_("Its author sees this on the debate's page."),
    )


class CloseForm(CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Note to the followers (optional)"), max_length=500, required=False
    )
