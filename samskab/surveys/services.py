"""Writes for surveys: one respondent's answers, all or nothing, once per person."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.surveys.models import Participation, Response, Survey
from samskab.surveys.schema import (
    INCOMPLETE_MATRIX,
    INCOMPLETE_RANKING,
    NOT_A_CHOICE,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    REQUIRED,
    TOO_LONG,
    check_answers,
)
from samskab.surveys.selectors import survey_specs

# Answers are limited strictly per participant and generously per address (the web form
# and the API count in the same counters).
ANSWER_RATE = "10/m"
ANSWERS_PER_ADDRESS = "200/h"


class AnswerRefused(Exception):
    """Nothing was stored. `errors` maps question ids to messages for the respondent."""

    def __init__(self, message: str, errors: dict[int, str] | None = None):
        super().__init__(message)
        self.errors = errors or {}


def error_messages() -> dict[str, str]:
    return {
        REQUIRED: _("Answer this question."),
        NOT_A_CHOICE: _("Choose among the options given."),
        NOT_A_NUMBER: _("Write a number."),
        OUT_OF_RANGE: _("The number is outside the allowed range."),
        TOO_LONG: _("The answer is too long."),
        INCOMPLETE_RANKING: _("Give every item its own place in the ranking."),
        INCOMPLETE_MATRIX: _("Answer every row."),
    }


def to_the_hour(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def response_submit(*, survey: Survey, participant_key: str | None, raw_answers: dict) -> Response:
    if survey.status != Survey.Status.OPEN:
        raise AnswerRefused(_("This survey is not open for answers."))
    if participant_key is None:
        if survey.one_per == Survey.OnePer.ACCOUNT:
            raise AnswerRefused(_("Sign in to answer this survey."))
        raise AnswerRefused(
            _(
                "Your browser did not send the cookie that lets it answer once. "
                "Allow cookies for this site and reload the page."
            )
        )
    checked = check_answers(survey_specs(survey), raw_answers)
    if not checked.ok:
        texts = error_messages()
        raise AnswerRefused(
            _("Some answers need your attention. Nothing was saved."),
            {pk: texts[key] for pk, key in checked.errors.items()},
        )
    try:
        with transaction.atomic():
            Participation.objects.create(survey=survey, participant_key=participant_key)
            return Response.objects.create(
                survey=survey,
                answers=checked.answers,
                submitted_at=to_the_hour(timezone.now()),
            )
    except IntegrityError:
        raise AnswerRefused(_("You have already answered this survey. Thank you.")) from None
