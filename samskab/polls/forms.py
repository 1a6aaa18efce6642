from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.polls.models import Option, Poll


class VoteForm(forms.Form):
    """One radio group per question, named q<question pk>. Options of other polls are not
    in the choices, so a forged option id is a form error, not a vote."""

    def __init__(self, *args, poll: Poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        for question in poll.questions.all():
            self.fields[f"q{question.pk}"] = forms.ModelChoiceField(
                queryset=question.options.all(),
                widget=forms.RadioSelect,
                empty_label=None,
                label=question.text,
                error_messages={
                    "required": _("Choose an option."),
                    "invalid_choice": _("That option does not belong to this question."),
                },
            )

    def chosen_options(self) -> list[Option]:
        return [self.cleaned_data[name] for name in self.fields]
