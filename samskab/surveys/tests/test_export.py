"""The fast CSV export (compiled rows, orjson, hand-joined lines) against a straightforward
writer: the same bytes for a survey with every question kind, conditions and formulas."""

import csv
import io
import json
from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from samskab.core.csvsafe import neutralise
from samskab.surveys.export import csv_lines, xlsx_file
from samskab.surveys.models import Response
from samskab.surveys.schema import Kind
from samskab.surveys.selectors import response_rows, responses, survey_specs
from samskab.surveys.services import response_submit
from samskab.surveys.tests.factories import add_question, full_answers, ids, make_survey

pytestmark = pytest.mark.django_db


def reference_csv(specs, stored, *, delimiter):
    """One csv.writer row per response, every cell worked out on its own."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    head = ["Respondent", "Submitted (hour)"]
    for q in specs:
        parts = q.rows if q.kind == Kind.MATRIX else q.choices
        if q.kind in (Kind.MULTIPLE, Kind.RANKING, Kind.MATRIX):
            head += [f"{q.label}: {label}" for _pk, label in parts]
        else:
            head.append(q.label)
    writer.writerow([neutralise(c) for c in head])
    for number, (at, text) in enumerate(stored, start=1):
        answers = json.loads(text)
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)
        row = [number, timezone.localtime(moment).strftime("%Y-%m-%d %H:00")]
        for q in specs:
            value = answers.get(str(q.id))
            label = {pk: neutralise(text) for pk, text in q.choices}
            if q.kind == Kind.SINGLE:
                row.append(label.get(value, ""))
            elif q.kind == Kind.MULTIPLE:
                row += [int(pk in (value or [])) for pk, _l in q.choices]
            elif q.kind == Kind.RANKING:
                order = value or []
                row += [order.index(pk) + 1 if pk in order else "" for pk, _l in q.choices]
            elif q.kind == Kind.MATRIX:
                row += [label.get((value or {}).get(str(pk)), "") for pk, _l in q.rows]
            elif value is None:
                row.append("")
            elif isinstance(value, float) and delimiter == ";":
                row.append(str(value).replace(".", ","))
            else:
                row.append(neutralise(value))
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()


@pytest.fixture
def survey():
    survey = make_survey()
    # A label that would be a formula, and one holding the separators and a quote.
    extra = add_question(survey, "single", '=cmd|"/c calc"!A1', choices=("+45 1234", "a;b,c"))
    for n in range(3):
        response_submit(survey=survey, participant_key=f"v:{n}", raw_answers=full_answers(survey))
    texts = [
        "-1+1",
        "@SUM(A1)",
        "\tindrykket",
        "\rretur",
        'Han sagde "nej"; og gik',
        "to\nlinjer, med komma",
        "Æbler, øl og ål",
        "",
    ]
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for n, text in enumerate(texts):
        answers = full_answers(survey)
        answers[str(survey.q_single.pk)] = ids(survey.q_single)[n % 3]  # only Cykel shows the text
        answers[str(survey.q_follow.pk)] = text
        answers[str(extra.pk)] = ids(extra)[n % 2]
        answers[str(survey.q_number.pk)] = [7, 2.5, -3, 10**30][n % 4]
        answers[str(survey.q_ranking.pk)] = ids(survey.q_ranking)[: n % 4]
        answers[str(survey.q_multiple.pk)] = [] if n % 2 else ids(survey.q_multiple)
        if n % 3 == 0:
            del answers[str(survey.q_matrix.pk)]
        Response.objects.create(
            survey=survey, answers=answers, submitted_at=hour - timedelta(hours=n)
        )
    return survey


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_export_equals_a_straightforward_writer(survey, delimiter):
    specs = survey_specs(survey)
    stored = [(r.submitted_at, json.dumps(r.answers)) for r in responses(survey)]
    assert len(stored) == 11
    exported = b"".join(csv_lines(specs, response_rows(responses(survey)), delimiter=delimiter))
    expected = reference_csv(specs, stored, delimiter=delimiter)
    assert exported == expected
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=delimiter))
    cells = {cell for row in rows for cell in row}
    assert {"'-1+1", "'@SUM(A1)", "'\tindrykket", "'\rretur", "'+45 1234"} <= cells
    assert 'Han sagde "nej"; og gik' in cells and "Æbler, øl og ål" in cells
    assert rows[0][-1] == '\'=cmd|"/c calc"!A1'
    assert "1000000000000000000000000000000" in cells  # beyond orjson's 64 bits


def test_a_survey_without_answers_exports_its_header():
    survey = make_survey()
    body = b"".join(csv_lines(survey_specs(survey), response_rows(responses(survey))))
    assert body.startswith("\ufeffRespondent;".encode()) and body.count(b"\r\n") == 1


def test_the_xlsx_has_one_row_per_respondent_with_values(survey):
    specs = survey_specs(survey)
    with xlsx_file(specs, response_rows(responses(survey))) as target:
        sheet = load_workbook(target, read_only=True).active
        rows = list(sheet.values)
    assert len(rows) == 12 and rows[0][0] == "Respondent"
    numbers = [row[rows[0].index("Din alder")] for row in rows[1:]]
    assert 2.5 in numbers and 7 in numbers  # numbers stay numbers in a workbook


def exported_hours(survey, queryset) -> list[str]:
    body = b"".join(csv_lines(survey_specs(survey), response_rows(queryset)))
    return [line.split(";")[1] for line in body.decode("utf-8-sig").splitlines()[1:]]


def test_a_date_range_exports_its_days_in_local_time_oldest_first():
    """Dates are the municipality's days (Europe/Copenhagen), both ends included, and the
    times come out in local time whichever way the database sends them."""
    assert timezone.get_current_timezone().key == "Europe/Copenhagen"
    survey = make_survey()
    # 22:00 UTC on 1 March is 23:00 in Copenhagen, still the 1st; 23:00 UTC is the 2nd.
    for hour in ["2026-03-03T12:00", "2026-03-01T23:00", "2026-03-01T21:00", "2026-03-01T22:00"]:
        moment = timezone.datetime.fromisoformat(hour).replace(tzinfo=UTC)
        Response.objects.create(survey=survey, answers={}, submitted_at=moment)
    first = timezone.datetime(2026, 3, 1).date()
    second = first + timedelta(days=1)
    one_day = responses(survey, since=first, until=first)
    assert exported_hours(survey, one_day) == ["2026-03-01 22:00", "2026-03-01 23:00"]
    later = responses(survey, since=second)
    assert exported_hours(survey, later) == ["2026-03-02 00:00", "2026-03-03 13:00"]


def test_an_export_stopped_early_leaves_the_connection_usable(survey):
    """A download the browser cancels closes the row stream half way (COPY on PostgreSQL);
    the next query on the same connection works."""
    rows = response_rows(responses(survey))
    assert next(rows) and next(rows)
    rows.close()
    assert Response.objects.filter(survey=survey).count() == 11


def test_the_xlsx_submitted_hour_is_a_date_and_time_in_local_time():
    # Review finding 21: "Submitted (hour)" was text in the workbook.
    survey = make_survey()
    moment = timezone.datetime(2026, 3, 1, 22, 17, tzinfo=UTC)  # 23:17 in Copenhagen
    Response.objects.create(survey=survey, answers={}, submitted_at=moment)
    with xlsx_file(survey_specs(survey), response_rows(responses(survey))) as target:
        sheet = load_workbook(target).active
        cell = sheet.cell(row=2, column=2)
        assert cell.value == timezone.datetime(2026, 3, 1, 23, 0)
        assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert exported_hours(survey, responses(survey)) == ["2026-03-01 23:00"]
