"""The survey builder in the admin, as an editor uses it."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.surveys.models import Choice, Section, Survey
from samskab.surveys.tests.factories import add_question, make_survey
from samskab.surveys.tests.test_answering import staff_client

pytestmark = pytest.mark.django_db


def test_conditions_and_sections_are_menus_of_the_surveys_own_options(client):
    survey = make_survey()
    other = make_survey(slug="andet", title_da="Andet")
    Section.objects.create(survey=other, title_da="Andet afsnit")
    page = staff_client(client, Role.EDITOR).get(
        reverse("admin:surveys_survey_change", args=[survey.pk])
    )
    content = page.content.decode()
    assert page.status_code == 200
    assert ">Hvordan kommer du til byen?: Cykel</option>" in content
    assert "Hvad bruger du byen til?: Café" in content  # multiple choice too
    assert "Hvor enig er du?: " not in content  # matrix columns and rows are no conditions
    assert "Prioritér: " not in content  # nor are ranking items
    assert "Andet afsnit" not in content
    # One per question, the blank form and the template for more: not the other survey's.
    assert content.count(">Om dig</option>") == survey.questions.count() + 2
    assert '<select name="questions-0-show_if_choice"' in content  # no id to look up


def refusal(question, field):
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    return refused.value.message_dict[field][0]


def test_a_condition_on_a_later_question_or_on_itself_is_refused():
    survey = make_survey()
    later = add_question(survey, "single", "Senere", choices=("Ja", "Nej"))
    survey.q_number.show_if_choice = later.choices.first()
    assert "comes before this one" in refusal(survey.q_number, "show_if_choice")
    later.show_if_choice = later.choices.first()
    assert "comes before this one" in refusal(later, "show_if_choice")
    survey.q_number.show_if_choice = survey.q_single.choices.first()
    survey.q_number.full_clean()  # an earlier question is fine


def test_questions_come_section_by_section_whatever_their_positions(client):
    """A question added later to an earlier section is shown in that section (not after
    the last one, under its heading again); questions without a section come first. The
    page, the exports and the rule for conditions all follow that order."""
    from samskab.surveys.selectors import survey_questions

    survey = make_survey()
    you = survey.sections.get(title_da="Om dig")
    late = add_question(survey, "single", "Bor du i kommunen?", choices=("Ja", "Nej"), section=you)
    intro = add_question(survey, "text", "Et ord om dig selv", section=None)
    intro.section = None
    intro.save()
    order = survey_questions(survey)
    assert order[:3] == [intro, survey.q_single, late]
    assert order[-1] == survey.q_matrix
    # A condition may name a question that comes before, by this order, not by position.
    survey.q_number.show_if_choice = late.choices.first()
    survey.q_number.full_clean()
    late.show_if_choice = survey.q_multiple.choices.first()
    assert "comes before this one" in refusal(late, "show_if_choice")
    page = client.get(survey.get_absolute_url()).content.decode()
    assert page.count("<h2>About you</h2>") == 1
    texts = ["Et ord om dig selv", "About you", "Bor du i kommunen?", "About the town", "Hvor enig"]
    assert [page.index(text) for text in texts] == sorted(page.index(text) for text in texts)


def test_a_condition_or_section_of_another_survey_is_refused():
    survey, other = make_survey(), make_survey(slug="andet")
    survey.q_number.show_if_choice = other.q_single.choices.first()
    assert "another survey" in refusal(survey.q_number, "show_if_choice")
    survey.q_number.show_if_choice = None
    survey.q_number.section = other.q_single.section
    assert "another survey" in refusal(survey.q_number, "section")


def test_a_condition_on_a_matrix_row_or_ranking_item_is_refused():
    survey = make_survey()
    later = add_question(survey, "text", "Til sidst")
    for question in (survey.q_matrix, survey.q_ranking):
        later.show_if_choice = question.choices.first()
        assert "single or multiple choice" in refusal(later, "show_if_choice")
    later.show_if_choice = survey.q_matrix.choices.filter(is_row=True).first()
    assert "single or multiple choice" in refusal(later, "show_if_choice")


def test_a_range_no_number_fits_is_refused():
    survey = make_survey()
    survey.q_number.minimum, survey.q_number.maximum = 10, 5
    assert "lower than the lowest" in refusal(survey.q_number, "maximum")


class FormFields(HTMLParser):
    """The values a browser would send for the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "radio"):
            self.data[name] = a.get("value") or ""
        elif tag == "input" and name and "checked" in a:
            self.data[name] = a.get("value") or "on"
        elif tag == "select" and name:
            self.select = name
            self.data[name] = ""
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.lstrip("\n")


def test_an_editor_sets_a_condition_by_its_menu_and_a_later_one_is_refused_on_the_page(client):
    survey = make_survey()
    client = staff_client(client, Role.EDITOR)
    url = reverse("admin:surveys_survey_change", args=[survey.pk])
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    data = {k: v for k, v in parser.data.items() if "__prefix__" not in k}
    number = next(k[: -len("-id")] for k, v in data.items() if v == str(survey.q_number.pk))
    bike = survey.q_single.choices.get(text_da="Cykel")
    data[f"{number}-show_if_choice"] = str(bike.pk)
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    survey.q_number.refresh_from_db()
    assert survey.q_number.show_if_choice == bike

    later = add_question(survey, "single", "Senere", choices=("Ja", "Nej"))
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    data = {k: v for k, v in parser.data.items() if "__prefix__" not in k}
    data[f"{number}-show_if_choice"] = str(later.choices.first().pk)
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "comes before this one in the survey" in refused.content.decode()
    survey.q_number.refresh_from_db()
    assert survey.q_number.show_if_choice == bike


def test_a_new_survey_offers_no_other_surveys_sections_or_options(client):
    make_survey()
    page = staff_client(client, Role.EDITOR).get(reverse("admin:surveys_survey_add"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Om dig</option>" not in content and "Cykel</option>" not in content


def test_a_survey_opens_only_when_its_questions_have_their_options():
    survey = make_survey(status=Survey.Status.DRAFT)
    empty = add_question(survey, "single", "Hvilken bydel bor du i?", required=True)
    matrix = add_question(survey, "matrix", "Hvor enig er du i planen?", choices=("Enig", "Uenig"))
    survey.status = Survey.Status.OPEN
    with pytest.raises(ValidationError) as refused:
        survey.full_clean()
    message = refused.value.message_dict["status"][0]
    assert "«Hvilken bydel bor du i?»" in message and "«Hvor enig er du i planen?»" in message
    Choice.objects.create(question=empty, text_da="Midtbyen")
    Choice.objects.create(question=matrix, text_da="Trafik", is_row=True)
    survey.full_clean()  # now it may open


def survey_form(client, url) -> dict:
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}


def test_an_editor_adds_a_question_with_its_options_on_the_survey_s_page(client):
    # Review finding 21: options could only be added on each question's own page.
    survey = make_survey()
    client = staff_client(client, Role.EDITOR)
    url = reverse("admin:surveys_survey_change", args=[survey.pk])
    data = survey_form(client, url)
    new = f"questions-{survey.questions.count()}"
    data.update(
        {
            f"{new}-position": "99",
            f"{new}-kind": "single",
            f"{new}-text_da": "Hvordan kom du hertil?",
            f"{new}-options": "Bus | Bus\r\n\r\nTog | Train\r\nTil fods\r\n",
        }
    )
    bike = f"questions-{[q.pk for q in survey.questions.all()].index(survey.q_single.pk)}"
    assert data[f"{bike}-id"] == str(survey.q_single.pk)
    data[f"{bike}-options"] = "Løbehjul | Scooter"

    saved = client.post(url, data)

    assert saved.status_code == 302, saved.content.decode()[:3000]
    question = survey.questions.get(text_da="Hvordan kom du hertil?")
    assert [(c.text_da, c.text_en, c.position, c.is_row) for c in question.choices.all()] == [
        ("Bus", "Bus", 0, False),
        ("Tog", "Train", 1, False),
        ("Til fods", "", 2, False),
    ]
    added = survey.q_single.choices.order_by("-position").first()
    assert (added.text_da, added.text_en) == ("Løbehjul", "Scooter")
    assert survey.q_single.choices.count() == 4  # the first three kept
    page = client.get(url).content.decode()
    assert "Now: Bus, Tog, Til fods." in page


def test_matrix_rows_are_added_on_the_survey_s_page_and_refused_elsewhere(client):
    survey = make_survey()
    client = staff_client(client, Role.EDITOR)
    url = reverse("admin:surveys_survey_change", args=[survey.pk])
    data = survey_form(client, url)
    position = [q.pk for q in survey.questions.all()]
    matrix = f"questions-{position.index(survey.q_matrix.pk)}"
    single = f"questions-{position.index(survey.q_single.pk)}"
    data[f"{single}-rows"] = "Trafik"
    refused = client.post(url, data)
    assert refused.status_code == 200 and "Only a matrix has rows." in refused.content.decode()
    data[f"{single}-rows"] = ""
    data[f"{matrix}-rows"] = "Parkering"
    assert client.post(url, data).status_code == 302
    assert survey.q_matrix.choices.filter(text_da="Parkering", is_row=True).exists()
