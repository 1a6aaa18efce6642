from django import forms
from django.utils.translation import gettext_lazy as _

from samskab.attachments.forms import AttachmentForm
from samskab.budgets.counting import MAX_AMOUNT
from samskab.budgets.models import Heading
from samskab.core.forms import CleanTextMixin, DateInput


class ProjectForm(CleanTextMixin, forms.Form):
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
        # A click on the map chooses the heading whose area it is (places' map picker).
        self.fields["heading"].widget.attrs["data-map-area-select"] = ""


class ValuationForm(CleanTextMixin, forms.Form):
    feasible = forms.TypedChoiceField(
        label=_("Can the project be carried out?"),
        choices=[("1", _("Yes, it is feasible")), ("0", _("No, it is not feasible"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    feasibility_explanation = forms.CharField(
        label=_("Explanation of feasibility (public)"), widget=forms.Textarea
    )
    price = forms.IntegerField(label=_("Price"), min_value=0, max_value=MAX_AMOUNT, required=False)
    price_explanation = forms.CharField(
        label=_("Explanation of the price (public)"), widget=forms.Textarea, required=False
    )


class ProjectSubmitForm(ProjectForm, AttachmentForm):
    """The citizen's proposal: what, where (heading, place, a point on the map), attachments
    within a project's limits (its registration in apps.py)."""

    location_description = forms.CharField(
        label=_("Where (address or place)"),
        max_length=200,
        required=False,
        help_text=_("For example “Byparken, by the playground”. You can also click on the map."),
    )
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )

    field_order = [
        "heading",
        "title",
        "description",
        "location_description",
        "latitude",
        "longitude",
        "image",
        "image_alt",
        "document",
        "document_title",
    ]

    def __init__(self, *args, budget, **kwargs):
        from samskab.core import targets

        limits = targets.get("budgets.project").attach
        super().__init__(*args, budget=budget, limits=limits, **kwargs)


class MapUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Map (GeoJSON)"),
        help_text=_(
            "A FeatureCollection with one Polygon or MultiPolygon feature per heading, "
            "in longitude and latitude (WGS 84), at most 2 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )
    property_name = forms.CharField(
        label=_("Property that names the heading"),
        max_length=100,
        initial="heading",
        help_text=_("Each feature's value is a heading's name or number."),
    )

    def clean_file(self):
        from samskab.core.uploads import check_size
        from samskab.places.geo import MAX_BYTES

        upload = self.cleaned_data["file"]
        check_size(upload, MAX_BYTES)
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The map file must be UTF-8 text.")) from None


# The staff list's valuator filter: projects nobody is asked to assess.
UNASSIGNED = "none"


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    heading = forms.ModelChoiceField(
        label=_("Heading"), queryset=Heading.objects.none(), required=False
    )
    valuator = forms.ChoiceField(label=_("Valuator"), required=False)

    def __init__(self, *args, budget, valuators=(), **kwargs):
        from samskab.budgets.models import Project
        from samskab.budgets.valuation import valuator_name

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Project.Status.choices]
        self.fields["heading"].queryset = Heading.objects.filter(group__budget=budget)
        self.fields["heading"].empty_label = _("All")
        self.fields["valuator"].choices = [
            ("", _("All")),
            (UNASSIGNED, _("Not assigned to anyone")),
            *((str(u.pk), valuator_name(u)) for u in valuators),
        ]


class ValuatorChoiceForm(forms.Form):
    """One valuator, chosen to assign to projects or take off them. It shares its form with
    the ballot's buttons on the staff list, so the browser must not ask for it there."""

    use_required_attribute = False

    valuator = forms.ChoiceField(label=_("Valuator"))

    def __init__(self, *args, valuators=(), **kwargs):
        from samskab.budgets.valuation import valuator_name

        super().__init__(*args, **kwargs)
        self.valuators = {str(u.pk): u for u in valuators}
        self.fields["valuator"].choices = [("", _("Choose a valuator"))] + [
            (pk, valuator_name(u)) for pk, u in self.valuators.items()
        ]

    def chosen(self):
        return self.valuators.get(self.cleaned_data.get("valuator") or "")


class ValuationNoteForm(CleanTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Only staff read it: the project's valuators, editors and administrators."),
    )


class PhasesForm(forms.Form):
    """The current phase, and each phase's dates and description."""

    phase = forms.ChoiceField(label=_("Current phase"))

    def __init__(self, *args, budget, **kwargs):
        from samskab.budgets.models import Phase

        super().__init__(*args, **kwargs)
        rows = {row.phase: row for row in budget.phases.all()}
        # Finishing is done by counting the vote, not by moving the phase.
        self.fields["phase"].choices = [
            (v, label) for v, label in Phase.choices if v != Phase.FINISHED or budget.phase == v
        ]
        self.fields["phase"].initial = budget.phase
        self.phase_rows = []
        for value, label in Phase.choices:
            row = rows.get(value)
            names = (f"{value}-starts_on", f"{value}-ends_on", f"{value}-description")
            self.fields[names[0]] = forms.DateField(
                label=_("%(phase)s: starts") % {"phase": label},
                required=False,
                initial=row.starts_on if row else None,
                widget=DateInput(),
            )
            self.fields[names[1]] = forms.DateField(
                label=_("%(phase)s: ends") % {"phase": label},
                required=False,
                initial=row.ends_on if row else None,
                widget=DateInput(),
            )
            self.fields[names[2]] = forms.CharField(
                label=_("%(phase)s: description") % {"phase": label},
                required=False,
                initial=row.description if row else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.phase_rows.append((value, label, [self[n] for n in names]))

    def rows(self):
        from samskab.budgets.process import PhaseDates

        data = self.cleaned_data
        return {
            value: PhaseDates(
                data.get(f"{value}-starts_on"),
                data.get(f"{value}-ends_on"),
                data.get(f"{value}-description") or "",
            )
            for value, _label, _fields in self.phase_rows
        }
