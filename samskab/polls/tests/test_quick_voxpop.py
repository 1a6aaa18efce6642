"""A vox pop made on the spot in the operator console (review finding 16)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, with_totp
from samskab.polls.models import Poll
from samskab.polls.services import PollStateError, poll_quick_create
from samskab.polls.tests.factories import MeetingFactory
from samskab.webcasts.models import AgendaItem, TimelineMark
from samskab.webcasts.tests.factories import live_meeting

pytestmark = pytest.mark.django_db
STARTED = datetime(2030, 3, 4, 16, 0, tzinfo=UTC)


def staff(role):
    user = StaffFactory(role=role)
    with_totp(user)
    return user


def quick(client, meeting, **fields):
    data = {
        "question": "Skal byen have en ny svømmehal?",
        "options": "Ja\nNej\nVed ikke",
        "voter_policy": "anyone",
        "open_now": "on",
        "next": reverse("webcasts:console", args=[meeting.pk]),
        **fields,
    }
    return client.post(reverse("polls:quick", args=[meeting.pk]), data, follow=True)


def test_the_operator_makes_and_opens_a_vox_pop_from_the_console(client, time_machine):
    time_machine.move_to(STARTED.replace(minute=5), tick=False)
    meeting = live_meeting(started=STARTED)
    client.force_login(staff(Role.OPERATOR))

    page = client.get(reverse("webcasts:console", args=[meeting.pk])).content.decode()
    assert "New vox pop" in page

    response = quick(client, meeting)

    poll = meeting.polls.get()
    assert poll.status == Poll.Status.OPEN
    assert poll.voter_policy == Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER
    assert [o.text for o in poll.questions.get().options.all()] == ["Ja", "Nej", "Ved ikke"]
    assert meeting.marks.get(kind=TimelineMark.Kind.POLL_OPEN).offset_ms == 300_000
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("webcasts:console", args=[meeting.pk])
    assert "is open" in html
    assert reverse("polls:close", args=[poll.pk]) in html  # the console offers to close it


def test_without_open_at_once_it_waits_prepared(client):
    meeting = MeetingFactory(status="planned")
    client.force_login(staff(Role.OPERATOR))
    quick(client, meeting, open_now="")
    assert meeting.polls.get().status == Poll.Status.DRAFT


@pytest.mark.parametrize(
    ("options", "message"),
    [("Ja", "at least two"), ("Ja\nja", "same text"), ("\n".join("abcdefghi"), "at most 8")],
)
def test_bad_options_are_refused_and_nothing_is_made(client, options, message):
    meeting = MeetingFactory()
    client.force_login(staff(Role.OPERATOR))
    html = quick(client, meeting, options=options).content.decode()
    assert message in html
    assert not Poll.objects.exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR])
def test_only_operators_make_vox_pops_in_the_console(client, role):
    meeting = MeetingFactory()
    client.force_login(staff(role))
    response = client.post(reverse("polls:quick", args=[meeting.pk]), {"question": "?"})
    assert response.status_code == 403
    assert not Poll.objects.exists()


def test_an_item_of_another_meeting_is_refused():
    meeting = MeetingFactory()
    other = AgendaItem.objects.create(meeting=MeetingFactory(), number="1", title="Andet")
    with pytest.raises(PollStateError, match="another meeting"):
        poll_quick_create(meeting=meeting, question="?", options=["a", "b"], agenda_item=other)


def test_a_rehearsal_makes_the_vox_pop_but_never_opens_it(client, time_machine):
    time_machine.move_to(STARTED, tick=False)
    meeting = MeetingFactory(starts_at=STARTED, status="planned")
    client.force_login(staff(Role.OPERATOR))
    client.post(reverse("webcasts:console_rehearsal", args=[meeting.pk]), {"rehearse": "1"})

    quick(client, meeting)
    poll = meeting.polls.get()
    assert poll.status == Poll.Status.DRAFT

    response = client.post(reverse("polls:open", args=[poll.pk]), follow=True)
    assert "cannot be opened in a rehearsal" in response.content.decode()
    poll.refresh_from_db()
    assert poll.status == Poll.Status.DRAFT
