"""The archive search page (/moeder/soeg/): a GET form and hits that link to the moment."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from samskab.core.forms import DateInput
from samskab.webcasts.models import Body, Person
from samskab.webcasts.search import MAX_HITS, MAX_QUERY, archive_search


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), max_length=MAX_QUERY, required=False)
    body = forms.ModelChoiceField(
        label=_("Council or committee"),
        queryset=Body.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label=_("All"),
    )
    speaker = forms.ModelChoiceField(
        label=_("Speaker"),
        queryset=Person.objects.filter(is_active=True).exclude(
            kind=Person.Kind.CITIZEN, consent_to_name=False
        ),
        to_field_name="slug",
        required=False,
        empty_label=_("Anyone"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    hits = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"].strip() or data["speaker"]:
            hits = archive_search(
                q=data["q"],
                body=data["body"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                speaker=data["speaker"],
            )
    template = (
        "webcasts/partials/search_results.html"
        if request.headers.get("HX-Request")
        else "webcasts/search.html"
    )
    return render(request, template, {"form": form, "hits": hits, "max_hits": MAX_HITS})
