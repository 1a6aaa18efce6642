"""The console's "Result" opens the staff result page, which shows the count whether or not
the public may read it yet (review finding 16)."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.polls.models import Poll
from samskab.polls.selectors import Voter
from samskab.polls.services import poll_open, poll_quick_create, vote_cast
from samskab.polls.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def staff(role):
    user = StaffFactory(role=role)
    with_totp(user)
    return user


def hidden_vox_pop() -> Poll:
    """An open vox pop with two votes for "Ja", its result hidden from the public."""
    meeting = MeetingFactory(status="live")
    poll = poll_quick_create(meeting=meeting, question="Ny svømmehal?", options=["Ja", "Nej"])
    Poll.objects.filter(pk=poll.pk).update(show_results_live=False)
    poll.refresh_from_db()
    poll_open(poll=poll)
    poll.refresh_from_db()
    yes = poll.questions.get().options.get(text="Ja")
    for n in (1, 2):
        vote_cast(poll=poll, voter=Voter(user=None, viewer_key=f"{n:064x}"), options=[yes])
    return poll


def test_the_console_s_result_link_opens_the_staff_result(client):
    poll = hidden_vox_pop()
    client.force_login(staff(Role.OPERATOR))
    console = client.get(reverse("webcasts:console", args=[poll.meeting_id])).content.decode()
    results = reverse("polls:staff_results", args=[poll.pk])
    assert f'href="{results}"' in console
    assert f'href="{poll.get_absolute_url()}"' not in console

    page = client.get(results).content.decode()
    assert 'data-option="' in page and "<td data-votes>2</td>" in page
    assert "Only staff while the vote is open." in page
    assert 'data-recount="agrees"' in page
    assert reverse("webcasts:console", args=[poll.meeting_id]) in page
    # The public page shows no count while the result is hidden.
    public = client.get(poll.get_absolute_url()).content.decode()
    assert "<td data-votes>" not in public


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMINISTRATOR])
def test_editors_and_administrators_read_it_too(client, role):
    poll = hidden_vox_pop()
    client.force_login(staff(role))
    assert client.get(reverse("polls:staff_results", args=[poll.pk])).status_code == 200


@pytest.mark.parametrize("who", ["citizen", "moderator", "anonymous"])
def test_others_are_refused(client, who):
    poll = hidden_vox_pop()
    if who == "citizen":
        client.force_login(UserFactory())
    elif who == "moderator":
        client.force_login(staff(Role.MODERATOR))
    response = client.get(reverse("polls:staff_results", args=[poll.pk]))
    assert response.status_code in (302, 403)
    assert b"<td data-votes>" not in response.content
