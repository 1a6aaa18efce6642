from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.core.forms import CleanTextMixin
from samskab.moderation.models import Mode, Report


class ReportForm(CleanTextMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this?"),
        choices=Report.Reason,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ModeratorEditForm(CleanTextMixin, forms.Form):
    body = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    reason = forms.CharField(label=_("Why (for the log)"), max_length=300)


class TakeDownForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the author and kept in the moderation log)"), max_length=300
    )


class LiftBanForm(forms.Form):
    reason = forms.CharField(label=_("Why is the ban lifted? (for the log)"), max_length=300)


BAN_DURATIONS = {"1d": 1, "7d": 7, "30d": 30, "forever": None}


class ModeForm(forms.Form):
    """A place's moderation mode, in words, on the place's own staff page."""

    mode = forms.ChoiceField(
        label=_("Moderation of comments here"),
        choices=[("", _("As the site's default (or the budget's, for a project)")), *Mode.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    allow_anonymous = forms.BooleanField(
        label=_("Viewers without an account may post"),
        help_text=_("Under a display name, with a proof of work and a rate limit."),
        required=False,
    )
