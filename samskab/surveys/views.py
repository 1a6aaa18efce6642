"""Answering a survey (its own link, or linked from a meeting)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from samskab.core.ratelimit import ratelimit
from samskab.surveys.forms import answers_from_post, question_blocks
from samskab.surveys.models import Survey
from samskab.surveys.selectors import (
    has_participated,
    participant_key,
    survey_questions,
    survey_specs,
)
from samskab.surveys.services import (
    ANSWER_RATE,
    ANSWERS_PER_ADDRESS,
    AnswerRefused,
    response_submit,
)


def _key(request: HttpRequest, survey: Survey) -> str | None:
    viewer = getattr(request, "viewer", None)
    viewer_key = viewer.key if viewer is not None and viewer.has_token else None
    return participant_key(survey, user=request.user, viewer_key=viewer_key)


@require_http_methods(["GET", "POST"])
@ratelimit("survey-answer", ANSWER_RATE, per_address=ANSWERS_PER_ADDRESS)
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    preview = survey.status == Survey.Status.DRAFT and request.user.has_perm(
        "surveys.preview_survey"
    )
    if survey.status == Survey.Status.DRAFT and not preview:
        return render(request, "surveys/unavailable.html", {"survey": survey}, status=404)
    if request.method == "GET" and survey.is_open and survey.one_per == Survey.OnePer.VIEWER:
        # Sets the cookie that makes it one answer per browser. Only on GET: a POST must
        # bring the cookie it was given, or anyone could answer again without one.
        request.viewer.token  # noqa: B018
    questions = survey_questions(survey)
    specs = survey_specs(survey, questions)
    raw: dict = {}
    errors: dict[int, str] = {}
    refusal = ""
    status = 200
    if request.method == "POST" and not preview:
        raw = answers_from_post(specs, request.POST)
        try:
            response_submit(survey=survey, participant_key=_key(request, survey), raw_answers=raw)
        except AnswerRefused as error:
            refusal, errors, status = str(error), error.errors, 400
        else:
            # Its own page, so reloading it does not send the answers again.
            return redirect("surveys:thanks", slug=survey.slug)
    context = {
        "survey": survey,
        "preview": preview,
        "refusal": refusal,
        "already": survey.is_open and has_participated(survey, _key(request, survey)),
        # Asked before the citizen fills in the form, not after they send it.
        "sign_in": survey.one_per == Survey.OnePer.ACCOUNT
        and not request.user.is_authenticated
        and not preview,
        "blocks": question_blocks(
            questions, specs, raw, errors, request.POST if request.method == "POST" else None
        ),
    }
    return render(request, "surveys/answer.html", context, status=status)


@require_http_methods(["GET"])
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.exclude(status=Survey.Status.DRAFT), slug=slug)
    return render(request, "surveys/thanks.html", {"survey": survey})
