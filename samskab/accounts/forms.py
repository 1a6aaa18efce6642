"""Forms for the census import, residence verification, the profile and deletion."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.accounts.census import (
    CensusFileError,
    FileProblem,
    ParsedCensus,
    RowError,
    RowProblem,
    normalise_identifier,
    normalise_postal_code,
    parse_census,
    parse_date,
)
from samskab.accounts.roles import Role
from samskab.accounts.selectors import EVERYONE, STAFF
from samskab.core.forms import CleanTextMixin

# A census of 1.5 million residents (more than the largest municipality) fits well within.
CENSUS_MAX_BYTES = 64 * 1024 * 1024


class DKFDSForm(CleanTextMixin, forms.Form):
    """Give every text input the design system's class (labels are in the templates)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.TextInput | forms.PasswordInput):
                field.widget.attrs.setdefault("class", "form-input")


def file_problem_message(problem: FileProblem) -> str:
    return {
        FileProblem.NOT_TEXT: _(
            "The file is not a CSV text file. Save the census from Excel as "
            "'CSV UTF-8 (comma delimited)' and upload that file."
        ),
        FileProblem.UNKNOWN_ENCODING: _(
            "The file's characters cannot be read. In Excel choose 'Save as', then "
            "'CSV UTF-8 (comma delimited)', and upload that file."
        ),
        FileProblem.NO_ROWS: _("The file has no rows with residents."),
    }[problem]


def row_error_message(error: RowError) -> str:
    """What is wrong with a census row, in words; the identifier itself is never repeated."""
    if error.problem is RowProblem.EMPTY_IDENTIFIER:
        return _("the identifier is empty")
    if error.problem is RowProblem.BAD_DATE:
        return _("'%(value)s' is not a birth date (use YYYY-MM-DD or DD-MM-YYYY)") % {
            "value": error.detail
        }
    if error.problem is RowProblem.BAD_POSTAL_CODE:
        return _("'%(value)s' is not a postal code (four digits)") % {"value": error.detail}
    if error.problem is RowProblem.DUPLICATE_IDENTIFIER:
        return _("the same identifier is already in row %(row)s") % {"row": error.detail}
    return _("expected 3 columns (identifier, birth date, postal code), found %(count)s") % {
        "count": error.detail
    }


class CensusUploadForm(forms.Form):  # shown in the admin, styled by it
    file = forms.FileField(
        label=gettext_lazy("Census file (CSV)"),
        help_text=gettext_lazy(
            "Three columns: identifier, birth date, postal code; separated by ; or , "
            "with or without a header row."
        ),
    )
    identifier_label = forms.CharField(
        label=gettext_lazy("What citizens call the identifier"),
        required=False,
        max_length=60,
        help_text=gettext_lazy(
            "Shown on the verification page, e.g. 'CPR number'. Leave empty for CPR number."
        ),
    )

    census: ParsedCensus | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CENSUS_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s). The limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(CENSUS_MAX_BYTES)}
            )
        try:
            self.census = parse_census(
                upload.read(), pepper=settings.CENSUS_PEPPER, today=timezone.localdate()
            )
        except CensusFileError as error:
            raise forms.ValidationError(file_problem_message(error.problem)) from None
        return upload


class ResidenceForm(DKFDSForm):
    identifier = forms.CharField(max_length=64)
    birth_date = forms.CharField(
        label=gettext_lazy("Date of birth"),
        max_length=20,
        help_text=gettext_lazy("Day, month and year, for example 31-12-1990."),
        widget=forms.TextInput(attrs={"autocomplete": "bday"}),
    )
    postal_code = forms.CharField(
        label=gettext_lazy("Postal code"),
        max_length=8,
        help_text=gettext_lazy("Of your address in the census, for example 8000."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, identifier_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["identifier"]
        field.label = identifier_label
        field.help_text = _("Dashes and spaces do not matter.")
        field.widget.attrs.update(autocomplete="off", spellcheck="false")

    def clean_identifier(self) -> str:
        value = self.cleaned_data["identifier"]
        if not normalise_identifier(value):
            name = self.fields["identifier"].label
            raise forms.ValidationError(_("Enter your %(name)s.") % {"name": name})
        return value

    def clean_birth_date(self):
        value = parse_date(self.cleaned_data["birth_date"], today=timezone.localdate())
        if value is None:
            raise forms.ValidationError(
                _("Enter your date of birth as day, month and year, for example 31-12-1990.")
            )
        return value

    def clean_postal_code(self) -> str:
        value = normalise_postal_code(self.cleaned_data["postal_code"])
        if value is None:
            raise forms.ValidationError(_("Enter a postal code of four digits, e.g. 8000."))
        return value


class ResidenceCodeForm(DKFDSForm):
    code = forms.CharField(
        label=gettext_lazy("Code from the letter"),
        max_length=20,
        help_text=gettext_lazy("Eight digits."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ProfileForm(DKFDSForm):
    display_name = forms.CharField(
        label=gettext_lazy("Display name"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("Shown next to what you write. Leave empty to write anonymously."),
    )


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my account is deleted for good."),
        error_messages={"required": gettext_lazy("Tick the box to confirm the deletion.")},
    )


# People: the administrators' search and the invitation of a colleague.


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or e-mail"), required=False, max_length=100)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (STAFF, _("Any role (staff)")),
            *_role_choices(),
            (EVERYONE, _("Everyone, citizens too")),
        ]

    def search(self) -> dict[str, str]:
        if not self.is_valid():
            return {"query": "", "role": STAFF}
        return {"query": self.cleaned_data["q"].strip(), "role": self.cleaned_data["role"] or STAFF}


class InviteForm(CleanTextMixin, forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=150,
        help_text=gettext_lazy("As colleagues and citizens will see it, e.g. Mette Hansen."),
        error_messages={"required": gettext_lazy("Write the colleague's name.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Work e-mail address"),
        help_text=gettext_lazy("The invitation is sent here; it is also their login."),
        error_messages={"required": gettext_lazy("Write the colleague's e-mail address.")},
    )
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one role.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices()
