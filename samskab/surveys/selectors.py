"""Reads for surveys: the survey as plain data, who answers, responses for statistics."""

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from samskab.surveys.models import (
    Participation,
    Question,
    Response,
    Survey,
    question_spec,
    survey_order_by,
)
from samskab.surveys.schema import QuestionSpec


def survey_questions(survey: Survey) -> list[Question]:
    """In survey order (`models.survey_order`): the answer page, the API, the exports and
    the statistics all list the questions so."""
    return list(
        survey.questions.select_related("section", "show_if_choice__question")
        .prefetch_related("choices")
        .order_by(*survey_order_by())
    )


def survey_specs(survey: Survey, questions: list[Question] | None = None) -> list[QuestionSpec]:
    questions = survey_questions(survey) if questions is None else questions
    return [question_spec(q, list(q.choices.all())) for q in questions]


def participant_key(survey: Survey, *, user, viewer_key: str | None) -> str | None:
    """Who this is for "one per person": account or hashed viewer token, as configured."""
    if survey.one_per == Survey.OnePer.ACCOUNT:
        return f"u:{user.pk}" if user is not None and user.is_authenticated else None
    return f"v:{viewer_key}" if viewer_key else None


def has_participated(survey: Survey, key: str | None) -> bool:
    return (
        key is not None
        and Participation.objects.filter(survey=survey, participant_key=key).exists()
    )


def surveys_open() -> QuerySet[Survey]:
    return Survey.objects.filter(status=Survey.Status.OPEN)


def surveys_for_meeting(meeting) -> QuerySet[Survey]:
    return surveys_open().filter(meeting=meeting)


def responses(survey: Survey, *, since: date | None = None, until: date | None = None):
    """The survey's responses, oldest first, optionally between two dates (inclusive)."""
    queryset = Response.objects.filter(survey=survey)
    zone = timezone.get_current_timezone()
    if since:
        queryset = queryset.filter(submitted_at__gte=datetime.combine(since, time.min, zone))
    if until:
        queryset = queryset.filter(submitted_at__lte=datetime.combine(until, time.max, zone))
    return queryset.order_by("submitted_at", "id")


def response_rows(queryset, *, chunk_size: int = 2000):
    """(submitted_at, answers) of the responses, streamed for an export, both as text:
    the answers as JSON, skipping Django's per-row converters (which cost more than
    writing the row; the export decodes them itself), and the times in ISO 8601 (as
    SQLite stores them and PostgreSQL writes them; they are whole hours, so the export
    parses each distinct one once).

    PostgreSQL sends them with COPY: the server streams while the export writes, where a
    server-side cursor waits for each batch, and psycopg parses the rows in C without
    building a datetime for each (together twice the rate). SQLite reads `chunk_size`
    rows at a time from a plain cursor, which fetches lazily itself.
    """
    from django.db import connections

    rows = queryset.values_list("submitted_at", "answers")
    sql, params = rows.query.sql_with_params()
    connection = connections[rows.db]
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
        ):
            yield from copy.rows()
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk_size):
            yield from batch
