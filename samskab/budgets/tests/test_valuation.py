"""Valuation: editors assign valuators (in bulk on the staff list, or on a project's valuation
page), each valuator's list of projects to assess with the deadline, internal notes that
citizens never see, and the e-mail a valuator gets when projects are assigned or taken off."""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.selectors import user_data_export
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.activity.models import Event
from samskab.budgets.models import (
    BudgetPhase,
    Phase,
    Project,
    ValuationNote,
    ValuatorAssignment,
)
from samskab.budgets.services import BudgetRefused, project_valuate
from samskab.budgets.tests.factories import (
    BudgetFactory,
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    assigned_valuator,
)
from samskab.budgets.valuation import (
    ValuationState,
    projects_to_assess,
    valuation_note_add,
    valuation_state,
    valuator_language,
    valuators_assign,
)
from samskab.follows.services import follow_add

pytestmark = pytest.mark.django_db

COPENHAGEN_NOON = datetime.datetime(2031, 3, 20, 11, 0, tzinfo=datetime.UTC)


def _budget(phase=Phase.VALUATING, *, ends_on=datetime.date(2031, 3, 31), **kwargs):
    budget = BudgetFactory(phase=phase, **kwargs)
    if ends_on:
        BudgetPhase.objects.create(
            budget=budget,
            phase=Phase.VALUATING,
            starts_on=datetime.date(2031, 3, 1),
            ends_on=ends_on,
        )
    return budget


def _project(budget, title, **kwargs):
    heading = kwargs.pop("heading", None) or HeadingFactory(group__budget=budget)
    kwargs = {"status": Project.Status.SUBMITTED, "price": None} | kwargs
    return ProjectFactory(heading=heading, title=title, **kwargs)


def _valuator(name="Vera Vurdering", email="vera@kommune.example"):
    return StaffFactory(role=Role.VALUATOR, display_name=name, email=email)


def _staff_list(budget):
    return reverse("budgets:staff_projects", args=[budget.pk])


def _valuation(project):
    return reverse("budgets:valuation", args=[project.pk])


# --- assigning on the staff list ---------------------------------------------------------


def test_an_editor_assigns_two_projects_in_bulk_and_the_valuator_gets_one_mail_in_danish(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    budget = _budget(title="Borgerbudget Havnen")
    benches = _project(budget, "Bænke på kajen")
    lights = _project(budget, "Lys i gyden", heading=benches.heading)
    other = _project(budget, "Legeplads", heading=benches.heading)
    valuator = _valuator()
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _staff_list(budget),
            {"action": "assign", "valuator": valuator.pk, "project": [benches.pk, lights.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "Vera Vurdering (vera@kommune.example) is asked to assess 2 more projects" in page
    assert set(ValuatorAssignment.objects.values_list("project__title", flat=True)) == {
        "Bænke på kajen",
        "Lys i gyden",
    }
    # The list shows each project's valuators and its valuation state.
    assert page.count("<td data-valuators>Vera Vurdering</td>") == 2
    assert page.count('data-valuation="not_started"') == 3
    assert "Nobody" in page  # the third project

    [mail] = smtp_inbox.messages
    assert mail["To"] == "vera@kommune.example"
    assert mail["Subject"].strip() == "Projekter at vurdere i “Borgerbudget Havnen”"
    plain = mail.get_body(("plain",)).get_content()
    assert "Du er bedt om at vurdere 2 projekter." in plain
    assert "31. marts 2031" in plain
    assert "- Bænke på kajen" in plain and "- Lys i gyden" in plain and "Legeplads" not in plain
    assert reverse("budgets:my_valuations") in plain
    assert '<html lang="da">' in mail.get_body(("html",)).get_content()

    # Assigning the same projects again changes nothing and mails nobody.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _staff_list(budget),
            {"action": "assign", "valuator": valuator.pk, "project": [benches.pk, lights.pk]},
            follow=True,
        )
    assert "Nothing changed: Vera Vurdering (vera@kommune.example) already assesses the chosen" in (
        response.content.decode()
    )
    assert len(smtp_inbox.messages) == 1
    assert other.valuator_assignments.count() == 0


def test_the_valuator_is_written_to_in_the_language_they_write_notes_in(
    smtp_inbox, django_capture_on_commit_callbacks
):
    budget = _budget(title="Harbour budget")
    first, second = _project(budget, "Benches"), _project(budget, "Lights")
    valuator = assigned_valuator(first, _valuator())
    valuation_note_add(project=first, author=valuator, text="Looks fine.", language="en")
    assert valuator_language(valuator) == "en"
    with django_capture_on_commit_callbacks(execute=True):
        valuators_assign(projects=[second], valuator=valuator, by=StaffFactory(role=Role.EDITOR))
    [mail] = smtp_inbox.messages
    assert mail["Subject"].strip() == "Projects to assess in “Harbour budget”"
    assert "You are asked to assess 1 project." in mail.get_body(("plain",)).get_content()


def test_the_valuators_notification_leads_to_their_list_not_to_the_unpublished_budget(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    budget = _budget(title="Harbour budget", is_published=False)
    project = _project(budget, "Benches")
    valuator = _valuator()
    with django_capture_on_commit_callbacks(execute=True):
        valuators_assign(projects=[project], valuator=valuator, by=StaffFactory(role=Role.EDITOR))
    staff_sign_in(client, valuator)
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'<a href="{reverse("budgets:my_valuations")}">Harbour budget</a>' in page
    assert budget.get_absolute_url() not in page
    assert client.get(reverse("budgets:my_valuations")).status_code == 200


def test_the_budgets_followers_and_the_author_do_not_hear_of_an_assignment(
    smtp_inbox, django_capture_on_commit_callbacks
):
    budget = _budget()
    project = _project(budget, "Bænke", author=UserFactory(email="author@example.org"))
    follow_add(target=budget, user=UserFactory(email="follower@example.org"), language="da")
    follow_add(target=project, user=UserFactory(email="fan@example.org"), language="da")
    with django_capture_on_commit_callbacks(execute=True):
        valuators_assign(
            projects=[project], valuator=_valuator(), by=StaffFactory(role=Role.EDITOR)
        )
    assert [m["To"] for m in smtp_inbox.messages] == ["vera@kommune.example"]
    # Nothing lands in the project's public history either.
    assert not project.events.exists()


def test_an_editor_removes_a_valuator_in_bulk_and_the_valuator_is_told(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    budget = _budget(title="Borgerbudget Havnen")
    first, second = _project(budget, "Bænke"), _project(budget, "Lys")
    never = _project(budget, "Legeplads")
    valuator = assigned_valuator(first, _valuator())
    assigned_valuator(second, valuator)
    keeps = assigned_valuator(second)
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _staff_list(budget),
            {
                "action": "remove",
                "valuator": valuator.pk,
                "project": [first.pk, second.pk, never.pk],
            },
            follow=True,
        )
    assert "no longer assesses 2 projects" in response.content.decode()
    assert list(ValuatorAssignment.objects.values_list("valuator", flat=True)) == [keeps.pk]

    # One e-mail, in Danish (the valuator wrote no notes), naming the two projects they had.
    [mail] = smtp_inbox.messages
    assert mail["To"] == "vera@kommune.example"
    subject = "Projekter, du ikke længere skal vurdere, i “Borgerbudget Havnen”"
    assert mail["Subject"].strip() == subject
    plain = mail.get_body(("plain",)).get_content()
    assert "Du skal ikke længere vurdere 2 projekter" in plain
    assert "- Bænke" in plain and "- Lys" in plain and "Legeplads" not in plain
    assert "tog dig af dem" in plain

    # Removing them again: nothing to tell.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _staff_list(budget),
            {"action": "remove", "valuator": valuator.pk, "project": [first.pk]},
        )
    assert len(smtp_inbox.messages) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"valuator": ""}, "Choose a valuator."),
        ({"project": []}, "Tick the projects the action is for."),
    ],
)
def test_assigning_needs_a_valuator_and_ticked_projects(client, data, message):
    budget = _budget()
    project = _project(budget, "Bænke")
    valuator = _valuator()
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    post = {"action": "assign", "valuator": valuator.pk, "project": [project.pk]} | data
    response = client.post(_staff_list(budget), post, follow=True)
    assert message in response.content.decode()
    assert not ValuatorAssignment.objects.exists()


def test_only_people_holding_the_valuator_role_can_be_assigned(client):
    budget = _budget()
    project = _project(budget, "Bænke")
    editor = staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    gone = StaffFactory(role=Role.VALUATOR, is_active=False)
    for someone in (ResidentFactory(), StaffFactory(role=Role.MODERATOR), editor, gone):
        client.post(
            _staff_list(budget), {"action": "assign", "valuator": someone.pk, "project": project.pk}
        )
        with pytest.raises(BudgetRefused, match="Choose a valuator"):
            valuators_assign(projects=[project], valuator=someone, by=editor)
    assert not ValuatorAssignment.objects.exists()
    # The picker offers valuators only.
    page = client.get(_staff_list(budget)).content.decode()
    assert "vera@kommune.example" not in page
    _valuator()
    assert (
        "Vera Vurdering (vera@kommune.example)" in client.get(_staff_list(budget)).content.decode()
    )


def test_valuators_are_assigned_only_until_projects_are_valuated():
    budget = _budget(Phase.PUBLISHING_PRICES)
    project = _project(budget, "Bænke")
    with pytest.raises(BudgetRefused, match="until projects are valuated"):
        valuators_assign(
            projects=[project], valuator=_valuator(), by=StaffFactory(role=Role.ADMINISTRATOR)
        )
    with pytest.raises(BudgetRefused, match="Only editors and administrators"):
        valuators_assign(
            projects=[project],
            valuator=_valuator("B", "b@x.example"),
            by=_valuator("C", "c@x.example"),
        )


def test_the_list_filters_unassigned_projects_and_by_valuator(client):
    budget = _budget()
    vera, bo = _valuator(), _valuator("Bo Berg", "bo@kommune.example")
    benches, lights, _swings = (_project(budget, t) for t in ("Bænke", "Lys", "Gynger"))
    assigned_valuator(benches, vera)
    assigned_valuator(lights, vera)
    assigned_valuator(lights, bo)
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))

    def shown(**query):
        page = client.get(_staff_list(budget), query).content.decode()
        return {t for t in ("Bænke", "Lys", "Gynger") if f">{t}</a>" in page}

    assert shown() == {"Bænke", "Lys", "Gynger"}
    assert shown(valuator="none") == {"Gynger"}
    assert shown(valuator=vera.pk) == {"Bænke", "Lys"}
    assert shown(valuator=bo.pk) == {"Lys"}
    page = client.get(_staff_list(budget)).content.decode()
    assert "<td data-valuators>Bo Berg, Vera Vurdering</td>" in page


def test_the_list_asks_the_same_queries_for_many_projects(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    budget = _budget()
    heading = HeadingFactory(group__budget=budget)
    valuator = staff_sign_in(client, _valuator())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_staff_list(budget)).status_code == 200
        return len(captured.captured_queries)

    for title in ("Bænke", "Lys"):
        assigned_valuator(_project(budget, title, heading=heading), valuator)
    queries()  # the session and the site's settings are read once first
    few = queries()
    for n in range(6):
        project = _project(budget, f"Projekt {n}", heading=heading)
        assigned_valuator(project, valuator)
        valuation_note_add(project=project, author=valuator, text="Note.")
    assert queries() == few


def test_the_valuation_state_is_not_started_in_progress_or_done():
    budget = _budget()
    project = _project(budget, "Bænke")
    valuator = assigned_valuator(project, _valuator())
    assert valuation_state(project) == ValuationState.NOT_STARTED
    valuation_note_add(project=project, author=valuator, text="Ringer til vejafdelingen.")
    assert valuation_state(project) == ValuationState.IN_PROGRESS
    project_valuate(project=project, user=valuator, feasible=False, feasibility_explanation="Nej.")
    assert valuation_state(project) == ValuationState.DONE


# --- on the project's valuation page -----------------------------------------------------


def test_an_editor_assigns_and_removes_a_valuator_on_the_project_page(
    client, smtp_inbox, django_capture_on_commit_callbacks
):
    budget = _budget(Phase.SELECTING)
    project = _project(budget, "Bænke")
    valuator = _valuator()
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _valuation(project), {"action": "assign", "valuator": valuator.pk}, follow=True
        )
    page = response.content.decode()
    assert "is asked to assess the project and gets an e-mail" in page
    valuators = page.split('id="valuators"')[1].split("</section>")[0]
    assert "<li>Vera Vurdering</li>" in valuators
    assert len(smtp_inbox.messages) == 1
    response = client.post(
        _valuation(project), {"action": "remove", "valuator": valuator.pk}, follow=True
    )
    assert "Nobody is asked to assess this project yet." in response.content.decode()
    assert not ValuatorAssignment.objects.exists()


def test_the_assigned_valuator_assesses_and_the_form_shows_the_saved_assessment(client):
    project = _project(_budget(), "Bænke")
    staff_sign_in(client, assigned_valuator(project, _valuator()))
    response = client.post(
        _valuation(project),
        {
            "action": "assess",
            "feasible": "1",
            "feasibility_explanation": "Kommunens grund.",
            "price": "90000",
            "price_explanation": "Tilbud.",
        },
    )
    assert response.status_code == 302
    page = client.get(_valuation(project)).content.decode()
    assert 'value="90000"' in page and "Kommunens grund.</textarea>" in page
    assert 'data-valuation-state="done"' in page


# --- internal notes ----------------------------------------------------------------------


def test_staff_write_and_read_internal_notes_newest_last_with_author_and_time(client):
    project = _project(_budget(), "Bænke")
    valuator = assigned_valuator(project, _valuator())
    editor = StaffFactory(role=Role.EDITOR, display_name="Eva Redaktør")
    with time_machine.travel(COPENHAGEN_NOON, tick=False):
        valuation_note_add(project=project, author=editor, text="Husk vejafdelingen.")
    with time_machine.travel(COPENHAGEN_NOON + datetime.timedelta(hours=2), tick=False):
        staff_sign_in(client, valuator)
        response = client.post(
            _valuation(project),
            {"action": "note", "text": "Vejafdelingen siger ja.\nPris følger."},
            follow=True,
        )
    page = response.content.decode()
    assert "The note is saved. Only staff can read it." in page
    notes = page.split("data-notes>")[1].split("</ol>")[0]
    assert notes.index("Husk vejafdelingen.") < notes.index(
        "Vejafdelingen siger ja.<br>Pris følger."
    )
    assert "Eva Redaktør" in notes and "Vera Vurdering" in notes
    assert "20. March 2031 12:00" in notes and "20. March 2031 14:00" in notes
    note = ValuationNote.objects.get(author=valuator)
    assert note.language == "en"
    assert 'data-valuation-state="in_progress"' in page


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_an_empty_or_overlong_note_is_refused(client, text):
    project = _project(_budget(), "Bænke")
    staff_sign_in(client, assigned_valuator(project, _valuator()))
    response = client.post(_valuation(project), {"action": "note", "text": text})
    assert response.status_code == 400
    assert 'class="alert alert-error"' in response.content.decode()
    assert not ValuationNote.objects.exists()


def test_a_note_is_escaped_not_run(client):
    project = _project(_budget(), "Bænke")
    staff_sign_in(client, assigned_valuator(project, _valuator()))
    client.post(_valuation(project), {"action": "note", "text": "<script>alert(1)</script>"})
    page = client.get(_valuation(project)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_internal_notes_never_reach_citizens(client):
    budget = _budget(is_published=True)
    author = ResidentFactory()
    project = _project(budget, "Bænke", author=author)
    valuator = assigned_valuator(project, _valuator())
    valuation_note_add(project=project, author=valuator, text="HEMMELIG-NOTE-7")
    project_valuate(project=project, user=valuator, feasible=False, feasibility_explanation="Nej.")
    secret = "HEMMELIG-NOTE-7"
    heading = project.heading
    for url in (
        project.get_absolute_url(),
        heading.get_absolute_url(),
        budget.get_absolute_url(),
        f"/api/v1/budgets/{budget.pk}/headings/{heading.pk}/projects",
        f"/api/v1/budgets/{budget.pk}",
    ):
        for who in (None, author):
            if who:
                client.force_login(who)
            response = client.get(url)
            assert response.status_code == 200, url
            assert secret not in response.content.decode(), url
    # Not in the project's public history, nor in its author's data download.
    assert all(secret not in event.note for event in Event.objects.all())
    assert secret not in json.dumps(user_data_export(author), default=str)
    # The citizen cannot open the valuation page.
    client.force_login(author)
    assert client.get(_valuation(project)).status_code == 403


def test_notes_and_assignments_go_with_the_project():
    project = _project(_budget(), "Bænke")
    valuator = assigned_valuator(project, _valuator())
    valuation_note_add(project=project, author=valuator, text="Note.")
    project.delete()
    assert not ValuationNote.objects.exists() and not ValuatorAssignment.objects.exists()


def test_editors_see_valuators_and_notes_in_the_admin_and_valuators_do_not(client):
    project = _project(_budget(), "Bænke")
    valuator = assigned_valuator(project, _valuator())
    valuation_note_add(project=project, author=valuator, text="INTERN-ADMIN-NOTE")
    url = reverse("admin:budgets_project_change", args=[project.pk])
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    page = client.get(url).content.decode()
    assert "INTERN-ADMIN-NOTE" in page and "Vera Vurdering" in page
    # A valuator reads projects in the admin, but the notes only on the valuation page.
    staff_sign_in(client, _valuator("Bo", "bo@kommune.example"))
    response = client.get(url)
    assert response.status_code == 200
    assert "INTERN-ADMIN-NOTE" not in response.content.decode()


# --- the valuator's own list ----------------------------------------------------------------


def test_the_valuators_list_has_the_deadline_days_left_overdue_and_done_across_budgets(client):
    soon = _budget(title="Borgerbudget Nord", ends_on=datetime.date(2031, 3, 25))
    late = _budget(title="Borgerbudget Syd", ends_on=datetime.date(2031, 3, 15))
    undated = _budget(title="Borgerbudget Øst", ends_on=None, phase=Phase.SELECTING)
    finished = _budget(title="Borgerbudget Gammel", phase=Phase.FINISHED)
    valuator = _valuator()
    benches = _project(soon, "Bænke")
    lights = _project(late, "Lys")
    done = _project(late, "Sti", status=Project.Status.UNFEASIBLE, heading=lights.heading)
    later = _project(undated, "Gynger")
    old = _project(finished, "Gammelt")
    for project in (benches, lights, done, later, old):
        assigned_valuator(project, valuator)
    _project(soon, "Ikke min")

    with time_machine.travel(COPENHAGEN_NOON, tick=False):
        items = projects_to_assess(valuator)
        assert [i.project.title for i in items] == ["Lys", "Bænke", "Gynger", "Sti"]
        assert [(i.days_left, i.overdue, i.done) for i in items] == [
            (-5, True, False),
            (5, False, False),
            (None, False, False),
            (-5, False, True),
        ]
        staff_sign_in(client, valuator)
        page = client.get(reverse("budgets:my_valuations")).content.decode()
    assert "3 projects wait for your assessment." in page
    assert "Overdue by 5 days" in page and "5 days left" in page
    assert page.count("data-overdue") == 2  # the row and its badge
    assert "No deadline: the valuating phase has no end date." in page
    assert 'data-done="yes"' in page and page.count('data-done="no"') == 3
    assert "Gammelt" not in page and "Ikke min" not in page
    assert f'href="{_valuation(benches)}">Assess Bænke</a>' in page
    # Outside the valuating phase the project opens to be read, not assessed.
    assert f'href="{_valuation(later)}">Gynger</a>' in page


def test_the_list_is_for_valuators(client):
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    assert client.get(reverse("budgets:my_valuations")).status_code == 403
    client.force_login(ResidentFactory())
    assert client.get(reverse("budgets:my_valuations")).status_code == 403
    client.logout()
    assert client.get(reverse("budgets:my_valuations")).status_code == 302


def test_a_valuator_without_projects_is_told_so(client):
    staff_sign_in(client, _valuator())
    page = client.get(reverse("budgets:my_valuations")).content.decode()
    assert "No projects are assigned to you." in page


def test_the_staff_home_and_the_header_lead_the_valuator_to_the_list(client):
    project = _project(_budget(title="Borgerbudget Nord"), "Bænke")
    valuator = assigned_valuator(project, _valuator())
    with time_machine.travel(COPENHAGEN_NOON, tick=False):
        staff_sign_in(client, valuator)
        page = client.get(reverse("staff:home")).content.decode()
    panel = page.split('id="staff-valuation"')[1].split("</section>")[0]
    assert f'<a href="{_valuation(project)}">Bænke</a> · Borgerbudget Nord' in panel
    assert "11 days left" in panel
    assert reverse("budgets:my_valuations") in panel
    header = page.split("</header>")[0]
    assert f'href="{reverse("budgets:my_valuations")}"' in header
    tools = page.split("data-tools>")[1]
    assert "My projects to assess" in tools

    # Assessed, it leaves the home's panel (the list keeps it, as done).
    project_valuate(project=project, user=valuator, feasible=False, feasibility_explanation="N")
    page = client.get(reverse("staff:home")).content.decode()
    assert "No projects wait for your assessment." in page


def test_editors_and_citizens_have_no_list_link(client):
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    page = client.get(reverse("staff:home")).content.decode()
    assert 'id="staff-valuation"' not in page
    assert reverse("budgets:my_valuations") not in page
    client.force_login(ResidentFactory())
    assert reverse("budgets:my_valuations") not in client.get("/").content.decode()


def test_in_danish(danish_client):
    project = _project(_budget(), "Bænke")
    with time_machine.travel(COPENHAGEN_NOON, tick=False):
        staff_sign_in(danish_client, assigned_valuator(project, _valuator()))
        page = danish_client.get(reverse("budgets:my_valuations")).content.decode()
        assert "Mine projekter til vurdering" in page and "11 dage tilbage" in page
        page = danish_client.get(_valuation(project)).content.decode()
    assert "Interne noter" in page and "Fagvurderere" in page
    assert timezone.get_current_timezone_name() == "Europe/Copenhagen"
