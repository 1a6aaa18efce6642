from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.budgets.models import Heading


class ProjectForm(forms.Form):
    heading = forms.ModelChoiceField(queryset=Heading.objects.none(), label=_("Area"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea,
        max_length=10_000,
        help_text=_("What should be done, where, and why. You can use Markdown."),
    )

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heading"].queryset = Heading.objects.filter(group__budget=budget)


class ValuationForm(forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Can the project be carried out?"),
        choices=[("1", _("Yes, it is feasible")), ("0", _("No, it is not feasible"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    feasibility_explanation = forms.CharField(
        label=_("Explanation of feasibility (public)"), widget=forms.Textarea
    )
    price = forms.IntegerField(label=_("Price"), min_value=0, required=False)
    price_explanation = forms.CharField(
        label=_("Explanation of the price (public)"), widget=forms.Textarea, required=False
    )
