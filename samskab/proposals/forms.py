"""The forms of proposals: making one, retiring, the message to supporters, and staff's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.core.forms import CleanTextMixin
from samskab.debates.models import Area
from samskab.debates.services import MAX_TAGS, tags_parse
from samskab.proposals.models import MESSAGE_MAX, SUMMARY_MAX, TEXT_MAX, TITLE_MAX, Proposal
from samskab.proposals.services import video_of


class ProposalForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=SUMMARY_MAX,
        help_text=_("One or two sentences: what should the municipality do?"),
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Why, and how? You can use Markdown."),
    )
    video_url = forms.CharField(
        label=_("Video link (optional)"),
        required=False,
        max_length=300,
        help_text=_("A link to YouTube, Vimeo or one of our meetings."),
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
    address = forms.CharField(
        label=_("Place (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "An address or a description, e.g. “Byparken, by the playground”. You can also "
            "mark the place on the map."
        ),
    )
    # Filled by the map picker (places/map-picker.js); the address is the keyboard's way.
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )

    def clean_tags(self) -> list[str]:
        tags = tags_parse(self.cleaned_data.get("tags", ""))
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(_("Give at most %(n)d tags."), params={"n": MAX_TAGS})
        return tags

    def clean_video_url(self) -> str:
        url = self.cleaned_data.get("video_url", "").strip()
        if url and video_of(url) is None:
            raise forms.ValidationError(
                _("The video link must go to YouTube, Vimeo or one of our own meetings.")
            )
        return url

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class RetireForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you retire the proposal?"),
        max_length=500,
        help_text=_("Your supporters and followers are told."),
    )


class MessageForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Message to the supporters"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswerForm(CleanTextMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("State"),
        choices=[
            (value, label)
            for value, label in Proposal.Answer.choices
            if value and value != "agenda"
        ],
    )
    text = forms.CharField(
        label=_("Official answer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The author and the followers are told. You can use Markdown."),
    )


class AgendaForm(forms.Form):
    agenda_item = forms.TypedChoiceField(label=_("Agenda item"), coerce=int, choices=())

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [(item.pk, str(item)) for item in items]


class VoteStartForm(CleanTextMixin, forms.Form):
    commitment = forms.CharField(
        label=_("The municipality's commitment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What the municipality promises to do with the result, in plain words. The vote "
            "starts in preparation: add its questions on the vote's page, then open it."
        ),
    )


class HideForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is the proposal hidden?"),
        max_length=300,
        help_text=_("Its author sees this on the proposal's page."),
    )
