"""What every visitor-facing form shares."""

from django import forms

from samskab.core.text import clean_text


class CleanTextMixin:
    """Every text a form accepts goes through `clean_text` (security L2, I1).

    A textarea keeps its lines; any other text input becomes one line, so a name or a title
    cannot carry a line break, an invisible control or a right-to-left override. Django's
    CharField already refuses NUL with a message ("Null characters are not allowed.").
    Passwords are left as typed. For plain forms: a ModelForm builds its instance before.
    """

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        cleaned = getattr(self, "cleaned_data", None)
        if not cleaned:
            return
        for name, value in cleaned.items():
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if not isinstance(value, str) or field is None:
                continue
            if isinstance(field.widget, forms.PasswordInput | forms.HiddenInput):
                continue
            cleaned[name] = clean_text(value, line=not isinstance(field.widget, forms.Textarea))


class DateInput(forms.DateInput):
    """`<input type="date">`: the browser takes its value only as yyyy-mm-dd, never in the
    page's language (a Danish "10.12.2026" is shown empty, and saving again wiped the date)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
