"""Every form a visitor or staff member fills in on the site uses DKFDS and the form tag.

Walks every template with a <form> (pages in the Django admin's look aside) and checks that labels,
inputs, selects, text areas and buttons carry the DKFDS classes, and that fields are drawn
through `{% form_field %}` rather than Django's bare widgets (`{{ field }}`, `as_div`).
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import samskab

# Reads templates and renders forms: the same on either database, so once (conftest.py).
pytestmark = pytest.mark.one_pass

ROOT = Path(samskab.__file__).parent
# The DKFDS language switcher is its own component: its buttons are styled by it.
EXEMPT = {"templates/includes/language_switch.html"}
# Raw widgets that are hidden inputs (filled by the map picker), not fields a person sees.
RAW_ALLOWED = {"{{ form.latitude }}", "{{ form.longitude }}"}
TAG = re.compile(r"<(input|textarea|select|button|label)\b([^>]*)>")
RAW = re.compile(r"\{\{\s*(?:form\.\w+|field|form\.as_\w+)\s*\}\}")


def _templates_with_forms() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        relative = path.relative_to(ROOT).as_posix()
        if "/templates/admin/" in f"/{relative}" or relative.endswith(tuple(EXEMPT)):
            continue
        text = path.read_text()
        # Staff pages inside the Django admin keep the admin's own look.
        if "<form" in text and '{% extends "admin/' not in text:
            found.append(path)
    return found


def _problems(text: str) -> list[str]:
    problems = []
    for match in TAG.finditer(text):
        tag, attrs = match.groups()
        css = (re.search(r'class="([^"]*)"', attrs) or [None, ""])[1]
        kind = (re.search(r'type="([^"]*)"', attrs) or [None, ""])[1]
        if tag == "input":
            # DKFDS has no class for file inputs; hidden inputs are not seen.
            ok = kind in ("hidden", "file") or re.search(
                r"form-(input|checkbox|radio)|sr-only", css
            )
        elif tag == "textarea":
            ok = "form-input" in css
        elif tag == "select":
            ok = "form-select" in css
        elif tag == "button":
            ok = re.search(r"\b(button|function-link|accordion-button)\b", css)
        else:  # a label: DKFDS's, or the one after a checkbox or radio button
            before = text[max(0, match.start() - 400) : match.start()]
            ok = re.search(r"form-label|sr-only", css) or re.search(
                r"form-(checkbox|radio)\b|form-group-(checkbox|radio)", before
            )
        if not ok:
            problems.append(match.group(0)[:100])
    problems += [raw for raw in RAW.findall(text) if raw not in RAW_ALLOWED]
    return problems


def test_the_walk_finds_the_forms():
    names = {path.name for path in _templates_with_forms()}
    assert {
        "form.html",
        "search.html",
        "delete.html",
        "ballot_choose.html",
        "ballot_points.html",
    } <= names


@pytest.mark.parametrize(
    "path", _templates_with_forms(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_every_form_uses_dkfds_and_the_form_tag(path):
    assert _problems(path.read_text()) == []


def test_the_checker_catches_a_bare_form():
    bare = '<form><label for="x">X</label>{{ field }}<button type="submit">Send</button></form>'
    assert len(_problems(bare)) == 3


@pytest.mark.django_db
def test_the_feedback_form_under_the_player_is_drawn_in_dkfds(client):
    from samskab.webcasts.tests.factories import MeetingFactory, PersonFactory

    meeting = MeetingFactory(is_published=True)
    PersonFactory()
    page = client.get(meeting.get_absolute_url()).content.decode()
    form = page.split("data-feedback-form", 1)[1].split("</form>", 1)[0]
    assert 'class="form-label"' in form and "form-input" in form
    assert 'class="button button-primary" type="submit"' in form
    assert 'class="form-field"' not in form


@pytest.mark.django_db
def test_the_deletion_checkbox_sits_beside_its_label(client):
    from samskab.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    page = client.get(reverse("accounts:delete")).content.decode()
    group = page.split('class="form-group-checkbox"', 1)[1].split("</div>", 1)[0]
    assert 'type="checkbox"' in group and 'class="form-checkbox"' in group and "<label" in group
