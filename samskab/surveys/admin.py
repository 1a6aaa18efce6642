"""The survey builder for editors, and answers, statistics and exports for staff."""

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from samskab.surveys.export import csv_lines, xlsx_file
from samskab.surveys.models import Choice, Question, Section, Survey, survey_order_by
from samskab.surveys.selectors import response_rows, responses, survey_specs
from samskab.surveys.stats import answer_text, survey_stats

RESPONSES_PER_PAGE = 50


def _survey_menus(db_field, kwargs: dict, survey_id) -> None:
    """A question's section and condition as menus of its own survey's sections and
    options, not ids to look up (Question.clean refuses the rest)."""
    if db_field.name == "section":
        kwargs["queryset"] = Section.objects.filter(survey_id=survey_id)
    elif db_field.name == "show_if_choice":
        kwargs["queryset"] = (
            Choice.objects.filter(
                question__survey_id=survey_id,
                question__kind__in=[Question.Kind.SINGLE, Question.Kind.MULTIPLE],
                is_row=False,
            )
            .select_related("question")
            .order_by(*survey_order_by("question__"), "position", "pk")
        )


def _labelled(field):
    """Options named with their question: "Hvordan kommer du til byen?: Cykel"."""
    if field is not None and field.queryset.model is Choice:
        field.label_from_instance = lambda choice: f"{choice.question}: {choice}"
    return field


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


def _option_lines(text: str) -> list[tuple[str, str]]:
    """ "Cykel | Bike" lines as (Danish, English); blank lines are skipped."""
    options = []
    for line in text.splitlines():
        danish, _bar, english = line.partition("|")
        if danish.strip():
            options.append((danish.strip()[:300], english.strip()[:300]))
    return options


class QuestionInlineForm(forms.ModelForm):
    """A question on the survey's page, with its options typed one per line, so a survey is
    built on one page (review finding 21: options could only be added on each question's
    own page). The lines add options; existing ones are changed on the question's page,
    because answers refer to them."""

    options = forms.CharField(
        label=_("Add options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text=_(
            "Danish text, or Danish | English. For single and multiple choice, a ranking's "
            "items, or a matrix's columns."
        ),
    )
    rows = forms.CharField(
        label=_("Add matrix rows, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text=_("Only for a matrix: the statements to answer in each row."),
    )

    class Meta:
        model = Question
        fields = [  # the inline's own list decides what is shown
            "position",
            "section",
            "kind",
            "required",
            "text_da",
            "text_en",
            "help_da",
            "help_en",
            "low_label_da",
            "low_label_en",
            "high_label_da",
            "high_label_en",
            "minimum",
            "maximum",
            "show_if_choice",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            existing = ", ".join(str(choice) for choice in self.instance.choices.all())
            if existing:
                self.fields["options"].help_text = _("Now: %(options)s.") % {"options": existing}

    def clean_rows(self):
        rows = self.cleaned_data.get("rows", "")
        if _option_lines(rows) and self.cleaned_data.get("kind") != Question.Kind.MATRIX:
            raise forms.ValidationError(_("Only a matrix has rows."))
        return rows

    def save(self, commit=True):
        question = super().save(commit=commit)
        if commit:
            self._add_choices(question)
        else:
            save_m2m = self.save_m2m

            def save_all():
                save_m2m()
                self._add_choices(question)

            self.save_m2m = save_all
        return question

    def _add_choices(self, question: Question) -> None:
        last = question.choices.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
        for field, is_row in (("options", False), ("rows", True)):
            for danish, english in _option_lines(self.cleaned_data.get(field, "")):
                Choice.objects.create(
                    question=question,
                    position=position,
                    text_da=danish,
                    text_en=english,
                    is_row=is_row,
                )
                position += 1


class QuestionInline(admin.StackedInline):
    model = Question
    form = QuestionInlineForm
    extra = 1
    show_change_link = True
    fields = [
        ("position", "section", "kind", "required"),
        ("text_da", "text_en"),
        ("help_da", "help_en"),
        ("low_label_da", "low_label_en"),
        ("high_label_da", "high_label_en"),
        ("minimum", "maximum"),
        "show_if_choice",
        ("options", "rows"),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # On the survey's page: the survey being edited (none yet while it is added).
        survey_id = request.resolver_match.kwargs.get("object_id")
        _survey_menus(db_field, kwargs, survey_id)
        return _labelled(super().formfield_for_foreignkey(db_field, request, **kwargs))


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 3


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text_da", "survey", "kind", "required"]
    list_filter = ["kind"]
    search_fields = ["text_da", "text_en", "survey__title_da"]
    raw_id_fields = ["survey"]
    inlines = [ChoiceInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        question_id = request.resolver_match.kwargs.get("object_id")
        survey_id = (
            Question.objects.filter(pk=question_id).values_list("survey_id", flat=True).first()
            if question_id
            else None
        )
        if survey_id is not None:  # a new question: any survey's, checked by Question.clean
            _survey_menus(db_field, kwargs, survey_id)
        return _labelled(super().formfield_for_foreignkey(db_field, request, **kwargs))


def _readable(answer):
    """Numbers with the reader's decimal comma; a text, or no answer, as it is."""
    return answer if answer is None or isinstance(answer, str) else localize(answer)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title_da", "status", "meeting", "one_per", "answers", "links"]
    list_filter = ["status", "one_per"]
    search_fields = ["title_da", "title_en"]
    prepopulated_fields = {"slug": ["title_da"]}
    # The pickers name the meeting and its day (review finding 8).
    autocomplete_fields = ["meeting", "agenda_item"]
    inlines = [SectionInline, QuestionInline]

    @admin.display(description=_("answers"))
    def answers(self, survey: Survey) -> int:
        return survey.responses.count()

    @admin.display(description=_("links"))
    def links(self, survey: Survey) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            survey.get_absolute_url(),
            _("preview") if survey.status == Survey.Status.DRAFT else _("open"),
            reverse("admin:surveys_survey_results", args=[survey.pk]),
            _("results"),
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/results/",
                self.admin_site.admin_view(self.results_view),
                name="surveys_survey_results",
            ),
            path(
                "<int:pk>/responses/",
                self.admin_site.admin_view(self.responses_view),
                name="surveys_survey_responses",
            ),
            path(
                "<int:pk>/export.csv",
                self.admin_site.admin_view(self.csv_view),
                name="surveys_survey_csv",
            ),
            path(
                "<int:pk>/export.xlsx",
                self.admin_site.admin_view(self.xlsx_view),
                name="surveys_survey_xlsx",
            ),
        ]
        return own + super().get_urls()

    def _survey_for_results(self, request, pk: int) -> Survey:
        if not request.user.has_perm("surveys.read_results"):
            raise PermissionDenied
        return get_object_or_404(Survey, pk=pk)

    def _responses(self, request, survey: Survey, *, say: bool = False):
        """The responses between the dates asked for. `say`: on a page (not a download),
        tell staff when a date was left out or the range holds no day."""
        since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
        if say:
            for name, value in (("since", since), ("until", until)):
                if request.GET.get(name) and value is None:
                    self.message_user(
                        request,
                        _("“%(value)s” is not a date (year-month-day); it is left out.")
                        % {"value": request.GET[name]},
                        messages.WARNING,
                    )
            if since and until and since > until:
                self.message_user(
                    request,
                    _("The first date is after the last, so no answer falls between them."),
                    messages.WARNING,
                )
        return responses(survey, since=since, until=until)

    def results_view(self, request, pk: int) -> HttpResponse:
        survey = self._survey_for_results(request, pk)
        specs = survey_specs(survey)
        answers = list(self._responses(request, survey, say=True).values_list("answers", flat=True))
        stats = survey_stats(specs, answers)
        # What the charts draw; the tables on the page hold the same figures for everyone.
        charts = [
            {
                "labels": [str(row["label"]) for row in stat["counts"]],
                "counts": [row["count"] for row in stat["counts"]],
            }
            if stat.get("counts")
            else None
            for stat in stats
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Results: %(survey)s") % {"survey": survey},
            "survey": survey,
            "count": len(answers),
            "stats": list(zip(specs, stats, strict=True)),
            "charts": charts,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "query": request.GET.urlencode(),
            "opts": self.model._meta,
        }
        return render(request, "surveys/admin/results.html", context)

    def responses_view(self, request, pk: int) -> HttpResponse:
        """Every answer, respondent by respondent, numbered as in the exports."""
        survey = self._survey_for_results(request, pk)
        specs = survey_specs(survey)
        page = Paginator(self._responses(request, survey, say=True), RESPONSES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        respondents = [
            {
                "number": page.start_index() + n,
                "submitted_at": response.submitted_at,
                "answers": [
                    (q.label, _readable(answer_text(q, response.answers.get(str(q.id)))))
                    for q in specs
                ],
            }
            for n, response in enumerate(page.object_list)
        ]
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Answers: %(survey)s") % {"survey": survey},
            "survey": survey,
            "page": page,
            "respondents": respondents,
            "query": query.urlencode(),
            "opts": self.model._meta,
        }
        return render(request, "surveys/admin/responses.html", context)

    def csv_view(self, request, pk: int) -> StreamingHttpResponse:
        survey = self._survey_for_results(request, pk)
        delimiter = "," if request.GET.get("separator") == "comma" else ";"
        rows = response_rows(self._responses(request, survey))
        response = StreamingHttpResponse(
            csv_lines(survey_specs(survey), rows, delimiter=delimiter),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{slugify(survey.slug)}.csv"'
        return response

    def xlsx_view(self, request, pk: int) -> FileResponse:
        survey = self._survey_for_results(request, pk)
        # openpyxl's write-only workbook streams rows to disk; the finished file is sent from
        # a temporary file, not held in memory.
        target = xlsx_file(survey_specs(survey), response_rows(self._responses(request, survey)))
        return FileResponse(
            target,
            as_attachment=True,
            filename=f"{slugify(survey.slug)}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
