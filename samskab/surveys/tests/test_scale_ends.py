"""A scale says what its ends mean (walk-citizen.md finding 22)."""

import pytest

from samskab.surveys.models import Question
from samskab.surveys.tests.factories import add_question, make_survey

pytestmark = pytest.mark.django_db


def test_a_scale_with_end_labels_names_both_ends_in_the_visitor_s_language(client):
    survey = make_survey()
    add_question(
        survey,
        Question.Kind.SCALE_5,
        "Hvor tilfreds er du?",
        low_label_da="meget utilfreds",
        low_label_en="very dissatisfied",
        high_label_da="meget tilfreds",
        high_label_en="very satisfied",
    )
    danish = client.get(survey.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "1 = meget utilfreds, 5 = meget tilfreds." in danish
    english = client.get(survey.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 = very dissatisfied, 5 = very satisfied." in english


def test_a_scale_without_labels_still_says_which_end_is_high(client):
    survey = make_survey()  # its scales have no labels
    page = client.get(survey.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 is the lowest, 5 the highest." in page
    assert "0 is the lowest, 10 the highest." in page
