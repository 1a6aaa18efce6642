from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.polls.models import Poll
from samskab.polls.selectors import poll_shape


class VoteForm(forms.Form):
    """One radio group per question, named q<question pk>. Options of other polls are not
    in the choices, so a forged option id is a form error, not a vote. The choices come
    from the poll's cached shape: checking a vote asks the database nothing."""

    def __init__(self, *args, poll: Poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        for question in poll_shape(poll).questions:
            self.fields[f"q{question.id}"] = forms.TypedChoiceField(
                choices=question.options,
                coerce=int,
                # DKFDS draws the radio through its label (the input itself is transparent).
                widget=forms.RadioSelect(attrs={"class": "form-radio"}),
                label=question.text,
                error_messages={
                    "required": _("Choose an option."),
                    "invalid_choice": _("That option does not belong to this question."),
                },
            )

    def chosen_options(self) -> list[int]:
        """The chosen options' primary keys, one per question."""
        return [self.cleaned_data[name] for name in self.fields]


class QuickPollForm(forms.Form):
    """The console's vox pop: a question and its options, one per line."""

    question = forms.CharField(label=_("Question"), max_length=300)
    options = forms.CharField(
        label=_("Options, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("Yes\nNo\nDon't know"),
        max_length=2000,
    )
    voter_policy = forms.ChoiceField(
        label=_("Who may vote"),
        choices=Poll.VoterPolicy.choices,
        initial=Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER,
    )
    open_now = forms.BooleanField(label=_("Open it at once"), required=False, initial=True)

    def option_texts(self) -> list[str]:
        return self.cleaned_data["options"].splitlines()
