from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samskab.core.forms import CleanTextMixin
from samskab.webcasts.models import Person

MUNICIPALITY = ""


def recipients_for(meeting) -> list[Person]:
    """The meeting's politicians who accept messages."""
    if meeting is None:
        return []
    return list(
        meeting.speakers.filter(
            kind=Person.Kind.POLITICIAN,
            feedback_recipient__is_active=True,
        ).order_by("name")
    )


class FeedbackForm(CleanTextMixin, forms.Form):
    recipient = forms.ChoiceField(label=_("To"), required=False)
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        help_text=_("Only if you would like an answer."),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message.")},
    )

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in recipients_for(meeting)}
        self.fields["recipient"].choices = [(MUNICIPALITY, _("The municipality"))] + [
            (pk, f"{p.shown_name}" + (f" ({p.party})" if p.party else ""))
            for pk, p in self.people.items()
        ]
        if settings.FEEDBACK_REQUIRE_CONTACT:
            for name in ("name", "email"):
                self.fields[name].required = True
            self.fields["email"].help_text = _("So that the municipality can answer you.")

    def clean_name(self) -> str:
        # A name goes into the Reply-To header: no line breaks.
        return " ".join(self.cleaned_data["name"].split())

    def clean_message(self) -> str:
        text = self.cleaned_data["message"].strip()
        if not text:
            raise forms.ValidationError(_("Write a message."))
        return text

    def chosen_person(self) -> Person | None:
        return self.people.get(self.cleaned_data.get("recipient") or MUNICIPALITY)
