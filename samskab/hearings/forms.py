"""The forms of hearings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.core.assurance import Assurance
from samskab.core.forms import CleanTextMixin
from samskab.hearings.models import ANSWER_MAX, Phase


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProcessForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the hearing is about and what citizens can do. You can use Markdown."),
    )
    result = forms.CharField(
        label=_("What changed because of the input"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown in the result phase, with the adopted text and the municipality's answers."
        ),
    )
    is_published = forms.BooleanField(label=_("Published"), required=False)
    answer_assurance = forms.ChoiceField(
        label=_("MitID login required to answer"),
        choices=Assurance.choices,
        required=False,
        help_text=_(
            "A person logged in another way, or with MitID at a lower level, is asked to log "
            "in with MitID at this level before answering."
        ),
    )
    area = forms.CharField(
        label=_("The plan's area (GeoJSON)"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A GeoJSON Polygon of the area the plan covers, in WGS 84. Leave empty for none."
        ),
    )


def phase_fields():
    fields = {}
    for kind, label in Phase.Kind.choices:
        fields[f"{kind}_starts"] = forms.DateTimeField(
            label=_("%(phase)s: starts") % {"phase": label}, required=False, widget=DateTimeInput()
        )
        fields[f"{kind}_ends"] = forms.DateTimeField(
            label=_("%(phase)s: ends") % {"phase": label}, required=False, widget=DateTimeInput()
        )
    return fields


PhasesForm = type("PhasesForm", (forms.Form,), phase_fields())


class VersionForm(CleanTextMixin, forms.Form):
    docx = forms.FileField(
        label=_("Word document (.docx)"),
        required=False,
        help_text=_("Import the draft from Word. Leave empty to use the text below."),
    )
    markdown = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        max_length=400_000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Start a section with “§ 1.” and a numbered paragraph with “Stk. 2.”: they become "
            "the anchors comments keep. A line starting with # is a heading."
        ),
    )
    changelog = forms.CharField(
        label=_("What changed in this version"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    locked = forms.CharField(
        label=_("Locked sections"),
        required=False,
        max_length=500,
        help_text=_("Sections that cannot be commented on, e.g. “§ 1, § 2”."),
    )


class PassageForm(CleanTextMixin, forms.Form):
    """A passage by offsets (the script fills start and end from a selection) or, by
    keyboard, a paragraph and its first and last sentence."""

    anchor = forms.CharField(label=_("Paragraph"), max_length=60)
    first = forms.IntegerField(label=_("From sentence"), required=False, min_value=0)
    last = forms.IntegerField(label=_("To sentence"), required=False, min_value=0)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ProposalForm(CleanTextMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    text = forms.CharField(
        label=_("Your proposal for the text"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class QuestionForm(CleanTextMixin, forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line. Leave empty for a question answered in comments."),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,image/png,image/jpeg,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AnswerForm(CleanTextMixin, forms.Form):
    name = forms.CharField(
        label=_("Name to show"),
        max_length=120,
        help_text=_(
            "Shown with your answer if you agree to publication. Nothing else about you is."
        ),
    )
    organisation = forms.CharField(
        label=_("On behalf of an organisation"),
        required=False,
        max_length=200,
        help_text=_("The organisation, association or company you answer for, if any."),
    )
    text = forms.CharField(
        label=_("Your hearing answer"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    files = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to five PDF files or pictures (PNG, JPEG, WebP), 10 MB each."),
    )
    consent = forms.BooleanField(
        label=_("The municipality may publish my answer with the name above"), required=False
    )

    def __init__(self, *args, organisation: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if organisation:
            # An organisation's login answers in its name: no name or "on behalf of" to type.
            del self.fields["name"], self.fields["organisation"]
            self.fields["consent"].label = _(
                "The municipality may publish the answer with the organisation's name"
            )

    def clean(self):
        data = super().clean()
        data.setdefault("name", "")
        data.setdefault("organisation", "")
        return data


class TagForm(forms.Form):
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections"), required=False, widget=forms.CheckboxSelectMultiple
    )


class ThemeForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("New theme"), max_length=120)


class ResponseForm(CleanTextMixin, forms.Form):
    response = forms.CharField(
        label=_("The municipality's answer"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
