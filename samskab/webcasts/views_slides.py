"""Slide decks for an agenda item (W10): editors and operators upload a PDF here."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskab.webcasts.models import AgendaItem, Slide, SlideDeck
from samskab.webcasts.slides import PDF_MAX_BYTES, slide_deck_create, validate_pdf


class SlideDeckForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    pdf = forms.FileField(
        label=gettext_lazy("PDF file"),
        help_text=gettext_lazy(
            "Save the presentation as PDF first (PowerPoint: File, Save as, PDF). "
            "At most %(mb)s MB."
        )
        % {"mb": PDF_MAX_BYTES // (1024 * 1024)},
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        validate_pdf(upload)
        return upload


@login_required
def item_slides(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting__body"), pk=item_pk, meeting_id=pk
    )
    if not request.user.has_perm("webcasts.manage_slides", item.meeting):
        raise PermissionDenied
    if request.method == "POST":
        form = SlideDeckForm(request.POST, request.FILES)
        if form.is_valid():
            slide_deck_create(
                agenda_item=item, title=form.cleaned_data["title"], pdf=form.cleaned_data["pdf"]
            )
            messages.success(
                request, _("The slides were uploaded. Their pages are being prepared.")
            )
            return redirect("webcasts:item_slides", pk=pk, item_pk=item.pk)
    else:
        form = SlideDeckForm()
    decks = SlideDeck.objects.filter(agenda_item=item).prefetch_related(
        Prefetch("slides", queryset=Slide.objects.order_by("number"))
    )
    return render(
        request,
        "webcasts/item_slides.html",
        {"item": item, "meeting": item.meeting, "form": form, "decks": list(decks)},
        status=400 if form.errors else 200,
    )
