from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from samskab.core.forms import CleanTextMixin
from samskab.feedback.models import FeedbackMessage
from samskab.feedback.selectors import MINE, NOBODY, TO_MUNICIPALITY
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


# The staff inbox.


class InboxFilterForm(forms.Form):
    """The inbox's filters, read from the address (GET), so a filtered list can be linked."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    meeting = forms.TypedChoiceField(
        label=_("Meeting"), required=False, coerce=int, empty_value=None
    )
    to = forms.ChoiceField(label=_("To"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    q = forms.CharField(
        label=_("Words in the message, name or e-mail"), required=False, max_length=100
    )

    def __init__(self, *args, meetings=(), people=(), handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        self.fields["status"].choices = [everything, *FeedbackMessage.Status.choices]
        self.fields["meeting"].choices = [everything] + [
            (m.pk, f"{m.title} ({m.starts_at:%d.%m.%Y})") for m in meetings
        ]
        self.fields["to"].choices = [everything, (TO_MUNICIPALITY, _("The municipality"))] + [
            (str(p.pk), p.shown_name) for p in people
        ]
        self.fields["assignee"].choices = [
            everything,
            (MINE, _("Me")),
            (NOBODY, _("Nobody")),
        ] + [(str(u.pk), handler_name(u)) for u in handlers]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "meeting": data["meeting"],
            "to": data["to"],
            "assignee": data["assignee"],
            "query": data["q"].strip(),
        }


def handler_name(user) -> str:
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = FeedbackMessage.Status.choices


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args, handlers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.handlers = {str(u.pk): u for u in handlers}
        self.fields["assignee"].choices = [("", _("Nobody"))] + [
            (pk, handler_name(u)) for pk, u in self.handlers.items()
        ]

    def chosen(self):
        return self.handlers.get(self.cleaned_data.get("assignee") or "")


class ReplyForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "E-mailed to the sender with their message below it. It is kept on the message, "
            "with your name and the time."
        ),
        error_messages={"required": _("Write an answer.")},
    )
