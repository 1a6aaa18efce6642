import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.surveys.models import Participation, Response, Survey
from samskab.surveys.services import AnswerRefused, response_submit
from samskab.surveys.tests.factories import add_question, full_answers, ids, make_survey

pytestmark = pytest.mark.django_db


def test_an_answer_is_stored_anonymously_rounded_to_the_hour_and_once_per_person():
    survey = make_survey()
    response = response_submit(
        survey=survey, participant_key="v:abc", raw_answers=full_answers(survey)
    )
    assert response.submitted_at.minute == 0 and response.submitted_at.second == 0
    field_names = {f.name for f in Response._meta.get_fields()}
    assert field_names == {"id", "survey", "answers", "submitted_at"}
    assert Participation.objects.get().participant_key == "v:abc"
    with pytest.raises(AnswerRefused, match="already answered"):
        response_submit(survey=survey, participant_key="v:abc", raw_answers=full_answers(survey))
    assert Response.objects.count() == 1 and Participation.objects.count() == 1


def test_it_stores_nothing_when_a_required_answer_is_missing():
    survey = make_survey()
    answers = full_answers(survey)
    del answers[str(survey.q_single.pk)]
    with pytest.raises(AnswerRefused) as refusal:
        response_submit(survey=survey, participant_key="v:abc", raw_answers=answers)
    assert refusal.value.errors == {survey.q_single.pk: "Answer this question."}
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_it_refuses_values_out_of_range():
    survey = make_survey()
    answers = {**full_answers(survey), str(survey.q_scale5.pk): 6, str(survey.q_number.pk): -1}
    with pytest.raises(AnswerRefused) as refusal:
        response_submit(survey=survey, participant_key="v:abc", raw_answers=answers)
    assert set(refusal.value.errors) == {survey.q_scale5.pk, survey.q_number.pk}
    assert not Response.objects.exists()


@pytest.mark.parametrize("status", [Survey.Status.DRAFT, Survey.Status.CLOSED])
def test_it_refuses_answers_to_a_survey_that_is_not_open(status):
    survey = make_survey(status=status)
    with pytest.raises(AnswerRefused, match="not open"):
        response_submit(survey=survey, participant_key="v:abc", raw_answers=full_answers(survey))


def test_it_refuses_a_missing_viewer_token_and_an_anonymous_account_survey():
    survey = make_survey()
    with pytest.raises(AnswerRefused, match="cookie"):
        response_submit(survey=survey, participant_key=None, raw_answers=full_answers(survey))
    survey.one_per = Survey.OnePer.ACCOUNT
    with pytest.raises(AnswerRefused, match="Sign in"):
        response_submit(survey=survey, participant_key=None, raw_answers=full_answers(survey))


def form_data(survey):
    rows, columns = ids(survey.q_matrix, rows=True), ids(survey.q_matrix)
    ranking = ids(survey.q_ranking)
    data = {
        f"q{survey.q_single.pk}": ids(survey.q_single)[1],
        f"q{survey.q_multiple.pk}": ids(survey.q_multiple)[:2],
        f"q{survey.q_follow.pk}": "Flere cykelstier, også på Ærøvej",
        f"q{survey.q_number.pk}": "37",
        f"q{survey.q_scale5.pk}": "5",
        f"q{survey.q_scale10.pk}": "0",
        f"q{survey.q_matrix.pk}_r{rows[0]}": columns[1],
        f"q{survey.q_matrix.pk}_r{rows[1]}": columns[2],
    }
    for place, pk in enumerate(ranking, start=1):
        data[f"q{survey.q_ranking.pk}_{pk}"] = str(place)
    return data


def test_a_viewer_answers_through_the_form_and_cannot_answer_twice(danish_client):
    client = danish_client  # written against the Danish default
    survey = make_survey()
    page = client.get(survey.get_absolute_url())
    assert page.status_code == 200 and "samskab_viewer" in page.cookies
    content = page.content.decode()
    assert "Hvordan kommer du til byen?" in content and "Om dig" in content
    assert f'data-show-if-question="{survey.q_single.pk}"' in content
    response = client.post(survey.get_absolute_url(), form_data(survey))
    # The thanks are a page of their own: reloading them sends nothing again.
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])
    assert "Tak for dine svar" in client.get(response["Location"]).content.decode()
    stored = Response.objects.get().answers
    assert stored[str(survey.q_ranking.pk)] == ids(survey.q_ranking)
    assert stored[str(survey.q_follow.pk)] == "Flere cykelstier, også på Ærøvej"
    again = client.get(survey.get_absolute_url())
    assert "Du har allerede besvaret" in again.content.decode()
    second = client.post(survey.get_absolute_url(), form_data(survey))
    assert second.status_code == 400 and Response.objects.count() == 1


def test_the_form_shows_which_answers_need_attention_and_keeps_the_others(client):
    survey = make_survey()
    client.get(survey.get_absolute_url())
    data = form_data(survey)
    data[f"q{survey.q_follow.pk}"] = ""
    data[f"q{survey.q_ranking.pk}_{ids(survey.q_ranking)[0]}"] = "2"  # two items in place 2
    response = client.post(survey.get_absolute_url(), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was saved" in content
    assert "Answer this question." in content
    assert "Give every item its own place in the ranking." in content
    assert 'value="37"' in content
    assert not Response.objects.exists() and not Participation.objects.exists()


def test_a_refused_ranking_shows_the_places_as_they_were_typed(client):
    survey = make_survey()
    client.get(survey.get_absolute_url())
    data = form_data(survey)
    first, second, third = ids(survey.q_ranking)
    name = f"q{survey.q_ranking.pk}"
    data.update({f"{name}_{first}": "2", f"{name}_{second}": "2", f"{name}_{third}": "1"})
    content = client.post(survey.get_absolute_url(), data).content.decode()
    assert "Give every item its own place in the ranking." in content
    for pk, place in ((first, "2"), (second, "2"), (third, "1")):
        assert re.search(rf'name="{name}_{pk}" id="{name}_{pk}" value="{place}"', content)


def test_a_forged_viewer_cookie_cannot_answer(client):
    survey = make_survey()
    client.cookies["samskab_viewer"] = "forged:cookie"
    response = client.post(survey.get_absolute_url(), form_data(survey))
    assert response.status_code == 400
    assert "Allow cookies" in response.content.decode()
    assert not Response.objects.exists()


def test_a_conditional_question_says_when_it_applies_for_browsers_without_javascript(
    client, django_assert_max_num_queries
):
    survey = make_survey()
    with django_assert_max_num_queries(20):
        content = client.get(survey.get_absolute_url()).content.decode()
    assert 'Only if you answered "Cykel" to "How do you get to town?".' in content


def test_texts_follow_the_active_language(client):
    survey = make_survey()
    content = client.get(survey.get_absolute_url(), headers={"Accept-Language": "en"}).content
    assert "How do you get to town?" in content.decode()
    assert "Traffic in the town centre" in content.decode()


def test_a_draft_is_hidden_from_citizens_and_previewed_by_editors(client):
    survey = make_survey(status=Survey.Status.DRAFT)
    assert client.get(survey.get_absolute_url()).status_code == 404
    editor = StaffFactory(role=Role.EDITOR)
    with_totp(editor)
    client.force_login(editor)
    page = client.get(survey.get_absolute_url())
    assert page.status_code == 200 and "Preview" in page.content.decode()
    client.post(survey.get_absolute_url(), form_data(survey))
    assert not Response.objects.exists()


def test_an_account_survey_asks_a_visitor_to_sign_in_before_the_questions(client):
    survey = make_survey(one_per=Survey.OnePer.ACCOUNT)
    content = client.get(survey.get_absolute_url()).content.decode()
    login = reverse("account_login") + "?next=" + survey.get_absolute_url()
    assert f'href="{login}">Sign in to answer this survey.</a>' in content
    assert "<form" not in content.split("<main", 1)[-1].split("</main>", 1)[0]


def test_an_account_survey_counts_one_answer_per_account(client):
    survey = make_survey(one_per=Survey.OnePer.ACCOUNT)
    client.force_login(UserFactory())
    client.post(survey.get_absolute_url(), form_data(survey))
    assert Participation.objects.get().participant_key.startswith("u:")


def staff_client(client, role=Role.EDITOR):
    user = StaffFactory(role=role)
    with_totp(user)
    from samskab.accounts.roles import roles_sync

    roles_sync()
    client.force_login(user)
    return client


def answered_survey(n=3):
    survey = make_survey()
    for k in range(n):
        response_submit(survey=survey, participant_key=f"v:{k}", raw_answers=full_answers(survey))
    return survey


def test_the_csv_opens_in_danish_excel_with_neutralised_formulas(danish_client):
    client = danish_client  # written against the Danish default
    survey = answered_survey(2)
    response = staff_client(client).get(reverse("admin:surveys_survey_csv", args=[survey.pk]))
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    assert len(rows) == 3
    assert header[:3] == ["Respondent", "Indsendt (time)", "Hvordan kommer du til byen?"]
    assert "Hvad bruger du byen til?: Café" in header  # one column per option, Danish intact
    assert "Hvor enig er du?: Færre biler" in header
    first = dict(zip(header, rows[1], strict=True))
    assert first["Hvordan kommer du til byen?"] == "Cykel"
    assert first["Hvad bruger du byen til?: Indkøb"] == "1"
    assert first["Hvad bruger du byen til?: Café"] == "0"
    assert first["Hvad kan gøre cykelruten bedre?"] == '\'=HYPERLINK("http://evil.example")'
    assert first["Din alder"] == "42,5"
    assert first["Prioritér: Bænke"] == "1"
    assert first["Hvor enig er du?: Færre biler"] == "Uenig"


def test_the_csv_can_use_commas_and_filter_by_date(client):
    survey = answered_survey(1)
    url = reverse("admin:surveys_survey_csv", args=[survey.pk])
    client = staff_client(client)
    body = b"".join(client.get(url + "?separator=comma").streaming_content).decode()
    assert body.splitlines()[0].startswith("\ufeffRespondent,")
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    later = b"".join(client.get(url + f"?since={tomorrow}").streaming_content).decode()
    assert len(later.splitlines()) == 1  # the header only


def test_the_xlsx_export_has_the_same_rows(danish_client):
    client = danish_client  # written against the Danish default
    survey = answered_survey(2)
    response = staff_client(client).get(reverse("admin:surveys_survey_xlsx", args=[survey.pk]))
    assert response.streaming  # sent from a temporary file, not built in memory
    assert 'filename="trafik.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert len(rows) == 3 and rows[0][2] == "Hvordan kommer du til byen?"
    assert rows[1][2] == "Cykel"


def test_the_results_page_shows_statistics_as_tables(danish_client):
    client = danish_client  # written against the Danish default
    survey = answered_survey(3)
    page = staff_client(client).get(reverse("admin:surveys_survey_results", args=[survey.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "3 besvarelser" in content
    assert (
        "<table" in content and "Cykel" in content and "100,0 %" in content
    )  # Danish decimal comma
    # Charts (Chart.js) draw the same figures; the tables stay as their accessible form.
    assert 'id="survey-charts"' in content and "chart.js-4.6.1/chart.umd.min.js" in content
    assert 'class="result-chart" aria-hidden="true"' in content


def test_the_results_say_when_a_date_is_left_out_or_the_range_is_empty(client):
    survey = answered_survey(2)
    client = staff_client(client)
    for name in ("results", "responses"):
        url = reverse(f"admin:surveys_survey_{name}", args=[survey.pk])
        page = client.get(url + "?since=2026-13-45").content.decode()
        assert "“2026-13-45” is not a date (year-month-day); it is left out." in page
        page = client.get(url + "?since=2026-05-02&until=2026-05-01").content.decode()
        assert "The first date is after the last, so no answer falls between them." in page
        plain = client.get(url + "?since=2026-05-01&until=2026-05-02").content.decode()
        assert "is not a date" not in plain and "The first date is after" not in plain


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.OPERATOR])
def test_other_staff_may_not_read_answers(client, role):
    survey = answered_survey(1)
    client = staff_client(client, role)
    for name in ("results", "responses", "csv", "xlsx"):
        response = client.get(reverse(f"admin:surveys_survey_{name}", args=[survey.pk]))
        assert response.status_code == 403


def test_a_pasted_control_character_does_not_break_the_xlsx_export(client):
    survey = make_survey()
    client.get(survey.get_absolute_url())
    data = {**form_data(survey), f"q{survey.q_follow.pk}": "Første linje\x0banden\x1b"}
    assert client.post(survey.get_absolute_url(), data).status_code == 302
    response = staff_client(client).get(reverse("admin:surveys_survey_xlsx", args=[survey.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert "Første linje\nanden" in list(sheet.values)[1]


def test_citizens_may_not_export(client):
    survey = answered_survey(1)
    client.force_login(UserFactory())
    response = client.get(reverse("admin:surveys_survey_csv", args=[survey.pk]))
    assert response.status_code in (302, 403)


def test_a_number_question_states_its_range_as_the_editor_typed_it(client):
    survey = make_survey()
    add_question(survey, "number", "Hvor mange km?", minimum=0.5)
    add_question(survey, "number", "Hvor mange børn?", maximum=12)
    content = client.get(survey.get_absolute_url()).content.decode()
    assert "Between 0 and 120." in content
    assert "At least 0.5." in content and "At most 12." in content
    assert " and .<" not in content


def test_an_api_answer_with_nul_or_a_lone_surrogate_is_saved_cleaned_not_a_server_error(client):
    survey = make_survey()
    client.get(survey.get_absolute_url())
    answers = {**full_answers(survey), str(survey.q_follow.pk): "Å\\u0000vej \\ud800"}
    body = json.dumps({"answers": answers}).replace("\\\\u", "\\u")  # raw JSON escapes
    url = f"/api/v1/surveys/{survey.slug}/responses"
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert Response.objects.get().answers[str(survey.q_follow.pk)] == "Åvej"  # core.text


def test_staff_read_every_answer_respondent_by_respondent(client, monkeypatch):
    client = staff_client(client)
    survey = make_survey()
    car = ids(survey.q_single)[0]
    response_submit(
        survey=survey, participant_key="v:1", raw_answers={str(survey.q_single.pk): car}
    )
    for k in range(2, 5):
        answers = {**full_answers(survey), str(survey.q_follow.pk): f"Svar nummer {k}"}
        response_submit(survey=survey, participant_key=f"v:{k}", raw_answers=answers)
    url = reverse("admin:surveys_survey_responses", args=[survey.pk])
    results = client.get(reverse("admin:surveys_survey_results", args=[survey.pk]))
    assert url in results.content.decode()
    monkeypatch.setattr("samskab.surveys.admin.RESPONSES_PER_PAGE", 3)
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "4 respondents" in first and "Respondent 3" in first and "Respondent 4" not in first
    assert "Respondent 4" in second
    both = first + second  # within an hour the order is random (anonymity), so both pages
    assert all(both.count(f"Svar nummer {k}") == 1 for k in range(2, 5))
    assert "Bil" in both and "(no answer)" in both  # respondent 1 answered one question
    assert "42.5" in both
    assert "Indkøb, Arbejde" in both  # multiple choice as its labels
    assert "1. Bænke, 2. Parkering, 3. Cykelsti" in both  # the ranking in order
    assert "Mere grønt: Enig; Færre biler: Uenig" in both
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    assert "0 respondents" in client.get(url + f"?since={tomorrow}").content.decode()
