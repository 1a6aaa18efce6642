"""The staff home: who may open it, which links each role sees, and what it counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import (
    StaffFactory,
    UserFactory,
    staff_sign_in,
    totp_code,
    with_totp,
)
from samskab.budgets.models import Phase
from samskab.budgets.tests.factories import BudgetFactory
from samskab.webcasts.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

HOME = "/personale/"


def _page(client, role: Role) -> str:
    staff_sign_in(client, StaffFactory(role=role))
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def meeting():
    return MeetingFactory(starts_at=timezone.now() + timedelta(hours=2), title="Byrådsmøde i dag")


@pytest.fixture
def budget():
    return BudgetFactory(title="Borgerbudget Midtby", phase=Phase.VALUATING)


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_refuses_a_citizen(client):
    client.force_login(UserFactory())
    assert client.get(HOME).status_code == 403


def test_the_operator_sees_the_console_of_todays_meeting_and_not_the_moderation_queue(
    client, meeting
):
    page = _page(client, Role.OPERATOR)
    assert "Byrådsmøde i dag" in page
    assert reverse("webcasts:console", args=[meeting.pk]) in page
    assert reverse("webcasts:timeline", args=[meeting.pk]) not in page
    assert reverse("moderation:queue") not in page


def test_the_editor_sees_the_timeline_archive_agenda_import_and_budget_pages(
    client, meeting, budget
):
    page = _page(client, Role.EDITOR)
    assert reverse("webcasts:timeline", args=[meeting.pk]) in page
    assert reverse("recordings:recording", args=[meeting.pk]) in page
    assert reverse("admin:webcasts_meeting_import_agenda", args=[meeting.pk]) in page
    assert reverse("webcasts:console", args=[meeting.pk]) not in page
    assert reverse("budgets:staff_phases", args=[budget.pk]) in page
    assert reverse("budgets:staff_count", args=[budget.pk]) in page
    assert reverse("feedback:inbox") in page
    assert reverse("moderation:queue") not in page


def test_the_moderator_sees_the_queue_with_its_size_and_no_meeting_tools(client, meeting):
    page = _page(client, Role.MODERATOR)
    assert reverse("moderation:queue") in page
    assert 'data-queue-size="0"' in page
    assert reverse("moderation:bans") in page
    assert reverse("webcasts:console", args=[meeting.pk]) not in page
    assert "Byrådsmøde i dag" not in page


def test_the_valuator_sees_the_projects_page_and_not_the_phases(client, budget):
    page = _page(client, Role.VALUATOR)
    assert reverse("budgets:staff_projects", args=[budget.pk]) in page
    assert reverse("budgets:staff_phases", args=[budget.pk]) not in page
    assert reverse("feedback:inbox") not in page


def test_the_poll_officer_sees_paper_ballots_and_participation(client, budget):
    page = _page(client, Role.POLL_OFFICER)
    assert reverse("budgets:paper_overview", args=[budget.pk]) in page
    assert reverse("budgets:participation", args=[budget.pk]) in page
    assert reverse("budgets:staff_projects", args=[budget.pk]) not in page


def test_the_administrator_sees_settings_users_and_everyone_elses_tools(client, meeting, budget):
    page = _page(client, Role.ADMINISTRATOR)
    for url in (
        reverse("admin:core_sitesettings_changelist"),
        reverse("accounts:people"),
        reverse("accounts:invite"),
        reverse("admin:accounts_censusimport_add"),
        reverse("moderation:queue"),
        reverse("webcasts:console", args=[meeting.pk]),
        reverse("budgets:paper_overview", args=[budget.pk]),
        reverse("admin:index"),
    ):
        assert url in page, url


def test_roles_are_named_and_described_in_danish(client):
    client.cookies["django_language"] = "da"
    page = _page(client, Role.OPERATOR)
    assert "Webcast-operatør" in page
    assert "operatørkonsol" in page.lower()


def test_a_meeting_next_month_is_not_listed(client):
    MeetingFactory(starts_at=timezone.now() + timedelta(days=40), title="Langt ude")
    assert "Langt ude" not in _page(client, Role.EDITOR)


def test_waiting_and_failed_tasks_are_named_in_words(client):
    now = timezone.now()
    common = {"args_kwargs": {"args": [], "kwargs": {}}, "backend_name": "default"}
    DBTaskResult.objects.create(
        task_path="samskab.recordings.tasks.package_upload", status=TaskResultStatus.READY,
        **common,
    )  # fmt: skip
    DBTaskResult.objects.create(
        task_path="samskab.webcasts.slides.render_slide_deck", status=TaskResultStatus.FAILED,
        finished_at=now, **common,
    )  # fmt: skip
    DBTaskResult.objects.create(
        task_path="samskab.budgets.tasks.tally_run_task", status=TaskResultStatus.FAILED,
        finished_at=now - timedelta(days=30), **common,
    )  # fmt: skip
    page = _page(client, Role.EDITOR)
    assert "Preparing an uploaded recording: waiting" in page
    assert "Preparing slides: failed" in page
    assert "Counting a citizens&#x27; budget" not in page


def test_staff_land_on_the_staff_home_after_login_and_citizens_do_not(client):
    citizen = UserFactory(email="borger@example.dk")
    citizen.set_password("pw-samskab-1")
    citizen.save()
    response = client.post(
        reverse("account_login"), {"login": "borger@example.dk", "password": "pw-samskab-1"}
    )
    assert response["Location"] == reverse("accounts:profile")

    client.logout()
    staff = StaffFactory(role=Role.MODERATOR, email="mod@example.dk")
    staff.set_password("pw-samskab-1")
    staff.save()
    secret = with_totp(staff)
    response = client.post(
        reverse("account_login"), {"login": "mod@example.dk", "password": "pw-samskab-1"}
    )
    # The second factor comes first; after it, the staff home.
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == HOME


def test_the_header_links_staff_to_their_home(client):
    page = _page(client, Role.MODERATOR)
    assert f'href="{HOME}"' in page
    client.logout()
    client.force_login(UserFactory())
    assert f'href="{HOME}"' not in client.get(reverse("accounts:profile")).content.decode()


def test_every_background_task_has_a_name_in_words():
    """A task added without a name would show staff its Python path (a walk found one)."""
    import importlib
    import pkgutil

    from django_tasks.base import Task

    import samskab
    from samskab.staff.selectors import TASK_NAMES

    found = set()
    for module_info in pkgutil.walk_packages(samskab.__path__, "samskab."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or not name.endswith((".tasks", ".slides")):
            continue
        module = importlib.import_module(name)
        found |= {
            f"{name}.{attr}" for attr, value in vars(module).items() if isinstance(value, Task)
        }
    assert found, "no tasks found: the walk itself is broken"
    assert sorted(found - set(TASK_NAMES)) == []
    assert sorted(set(TASK_NAMES) - found) == []


def test_an_editor_sees_the_new_messages_assigned_to_them(client):
    from samskab.accounts.roles import roles_sync
    from samskab.accounts.tests.factories import StaffFactory, with_totp
    from samskab.feedback.models import FeedbackMessage

    roles_sync()
    editor = StaffFactory(role=Role.EDITOR)
    with_totp(editor)
    FeedbackMessage.objects.create(message="Til mig", assigned_to=editor)
    FeedbackMessage.objects.create(message="Til ingen")
    client.force_login(editor)
    page = client.get(reverse("staff:home")).content.decode()
    assert 'data-feedback-waiting="2"' in page
    assert 'data-feedback-mine="1"' in page
    assert reverse("feedback:inbox") + "?status=new&amp;assignee=me" in page


def test_editors_and_administrators_find_the_presentations_and_others_do_not(client):
    url = reverse("presentations:staff_list")
    assert url in _page(client, Role.EDITOR)
    client.logout()
    assert url in _page(client, Role.ADMINISTRATOR)
    client.logout()
    assert url not in _page(client, Role.MODERATOR)


def test_a_meeting_whose_agenda_could_not_be_fetched_says_so_on_its_row(client, meeting):
    from samskab.webcasts.agenda_fetch import FetchError, agenda_fetch

    other = MeetingFactory(starts_at=timezone.now() + timedelta(days=1))
    meeting.agenda_source_url = "ftp://dagsorden.testby.example/moede.json"
    meeting.save()
    with pytest.raises(FetchError):
        agenda_fetch(meeting=meeting)

    page = _page(client, Role.EDITOR)
    row = page.split(f'<tr data-meeting="{meeting.pk}">', 1)[1].split("</tr>", 1)[0]
    assert "data-agenda-fetch-error" in row
    assert "Problem fetching the agenda" in row and "must start with http" in row
    fine = page.split(f'<tr data-meeting="{other.pk}">', 1)[1].split("</tr>", 1)[0]
    assert "data-agenda-fetch-error" not in fine


HEARINGS, NEW_HEARING = "hearings:list", "hearings:create"
VOTES, DEBATES = "admin:votes_bindingvote_changelist", "admin:debates_debate_changelist"


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.EDITOR, [HEARINGS, NEW_HEARING, VOTES, DEBATES], []),
        (Role.MODERATOR, [DEBATES], [NEW_HEARING, VOTES]),
        (Role.OPERATOR, [], [NEW_HEARING, VOTES, DEBATES]),
    ],
)
def test_hearings_binding_votes_and_debates_are_reached_from_the_staff_home(
    client, role, shown, hidden
):
    page = _page(client, role)
    for name in shown:
        assert f'href="{reverse(name)}"' in page, name
        assert client.get(reverse(name)).status_code == 200, name
    for name in hidden:
        assert f'href="{reverse(name)}"' not in page, name
