"""core.text.clean_text where text comes in: forms, names, importers (security L2, I1)."""

import json

import pytest

from samskab.accounts.census import parse_census
from samskab.accounts.forms import ProfileForm
from samskab.accounts.services import account_update_profile
from samskab.accounts.tests.factories import UserFactory
from samskab.budgets import pabulib
from samskab.comments.forms import CommentForm
from samskab.comments.services import comment_post
from samskab.comments.tests.factories import MeetingFactory
from samskab.comments.tests.test_services import policy
from samskab.webcasts.importers import read_agenda

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Anne" + RLO + "nesneJ" reads "Anne Jensen"


def test_a_profile_name_loses_bidi_overrides_controls_and_line_breaks():
    form = ProfileForm(data={"display_name": f"Anne{RLO} nesneJ\x07\nx"})
    assert form.is_valid()
    assert form.cleaned_data["display_name"] == "Anne nesneJ x"


@pytest.mark.django_db
def test_the_profile_service_cleans_the_name_whatever_called_it():
    user = account_update_profile(user=UserFactory(), display_name=f" {RLO}Bo\u200f ")
    assert user.display_name == "Bo"


def test_a_form_textarea_keeps_its_lines_but_loses_controls():
    form = CommentForm(data={"body": f"linje 1\r\nlinje{RLO} 2\x1b"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == "linje 1\nlinje 2"


def test_a_form_refuses_nul_with_a_message():
    form = ProfileForm(data={"display_name": "a\x00b"})
    assert not form.is_valid()
    assert "display_name" in form.errors


@pytest.mark.django_db
def test_an_anonymous_commenter_s_name_cannot_be_reversed():
    meeting = MeetingFactory()
    policy(meeting, allow_anonymous=True)
    comment = comment_post(
        target=meeting, body="Hej \ud800", author_name=f"Borgmester{RLO}", viewer_key="k" * 64
    )
    assert comment.author_name == "Borgmester"
    assert comment.body == "Hej"


def test_an_agenda_with_a_lone_surrogate_or_nul_imports_cleaned():
    oparl = {
        "type": "https://schema.oparl.org/1.1/Meeting",
        "agendaItem": [{"id": "x:1", "number": "1", "order": 1, "name": "a\ud800b\x00c"}],
    }
    parsed = read_agenda(json.dumps(oparl).encode())
    assert parsed.rows[0].title == "abc"
    parsed.rows[0].title.encode("utf-8")  # what rendering the preview needs


def test_a_census_file_loses_invisible_characters_before_it_is_read():
    data = f"0101901234;1990-01-01;8000{RLO}\x07\r\n".encode()
    parsed = parse_census(data, pepper="p")
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].postal_code == "8000"


def test_a_pabulib_file_loses_lone_surrogates_and_controls():
    text = (
        "META\nkey;value\nnum_projects;1\nnum_votes;1\nbudget;10\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost;name\n1;5;Park\ud800\x07\n"
        "VOTES\nvoter_id;vote\nv1;1\n"
    )
    assert pabulib.parse(text).projects[0].fields["name"] == "Park"
