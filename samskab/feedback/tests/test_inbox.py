"""The feedback inbox as a case tool: who may do what (the role x action matrix), the list's
filters, status, assignment, and answers e-mailed to the sender with a log on the message."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from samskab.accounts.roles import Role, roles_sync
from samskab.accounts.tests.factories import StaffFactory, UserFactory, with_totp
from samskab.feedback.models import FeedbackMessage, FeedbackRecipient, FeedbackReply
from samskab.feedback.services import feedback_assign, feedback_reply
from samskab.polls.tests.factories import MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "citizen", *[role.name.lower() for role in Role]]
T, F = True, False
# action -> person -> (message with the sender's address, message without one)
EXPECTED = {
    "view inbox": {"administrator": (T, T), "editor": (T, T)},
    "set status": {"administrator": (T, T), "editor": (T, T)},
    "assign": {"administrator": (T, T), "editor": (T, T)},
    "reply": {"administrator": (T, F), "editor": (T, F)},
}
PERMISSIONS = {
    "view inbox": "feedback.view_inbox",
    "set status": "feedback.handle_feedback",
    "assign": "feedback.assign_feedback",
    "reply": "feedback.reply_feedback",
}


def _person(kind: str):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "citizen":
        return UserFactory()
    return StaffFactory(role=Role[kind.upper()])


@pytest.mark.parametrize("kind", PEOPLE)
def test_the_matrix(kind):
    user = _person(kind)
    with_address = FeedbackMessage.objects.create(email="a@example.org", message="Hej")
    without = FeedbackMessage.objects.create(message="Hej")
    got = {
        action: tuple(
            user.has_perm(perm, message) if action != "view inbox" else user.has_perm(perm)
            for message in (with_address, without)
        )
        for action, perm in PERMISSIONS.items()
    }
    wanted = {action: row.get(kind, (F, F)) for action, row in EXPECTED.items()}
    assert got == wanted


@pytest.fixture
def editor(client):
    roles_sync()
    user = StaffFactory(role=Role.EDITOR, display_name="Mette Redaktør", email="mette@k.example")
    with_totp(user)
    client.force_login(user)
    return user


@pytest.fixture
def messages_():
    meeting = MeetingFactory(title="Teknik- og miljøudvalget")
    other = MeetingFactory(title="Byrådet")
    person = PersonFactory(name="Søren Ærø", party="Ø")
    FeedbackRecipient.objects.create(person=person, email="soeren@kommune.example")
    to_politician = FeedbackMessage.objects.create(
        meeting=meeting,
        person=person,
        name="Åse Bøgh",
        email="aase@example.org",
        message="Husk cykelstien ved Møllevej.",
    )
    to_municipality = FeedbackMessage.objects.create(
        meeting=other, message="Lyden var dårlig.", status=FeedbackMessage.Status.HANDLED
    )
    return to_politician, to_municipality


def _listed(client, **params) -> str:
    response = client.get(reverse("feedback:inbox"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_inbox_filters_by_meeting_politician_status_and_assignee(client, editor, messages_):
    to_politician, to_municipality = messages_
    page = _listed(client)
    assert f'data-feedback="{to_politician.pk}"' in page
    assert f'data-feedback="{to_municipality.pk}"' in page
    mine = f'data-feedback="{to_politician.pk}"'
    theirs = f'data-feedback="{to_municipality.pk}"'

    def only(page, shown, hidden):
        return shown in page and hidden not in page

    assert only(_listed(client, meeting=to_politician.meeting_id), mine, theirs)
    assert only(_listed(client, to=str(to_politician.person_id)), mine, theirs)
    assert only(_listed(client, to="municipality"), theirs, mine)
    assert only(_listed(client, status="handled"), theirs, mine)
    assert only(_listed(client, q="cykelsti"), mine, theirs)
    feedback_assign(feedback=to_politician, assignee=editor, by=editor)
    assert only(_listed(client, assignee="me"), mine, theirs)
    assert only(_listed(client, assignee="none"), theirs, mine)
    assert only(_listed(client, assignee=str(editor.pk)), mine, theirs)
    # A filter value that is no choice shows the whole list, not an error.
    assert mine in _listed(client, status="nonsense")


def test_an_editor_assigns_sets_the_status_and_answers_by_email(
    client, editor, messages_, mailoutbox
):
    to_politician, _ = messages_
    url = reverse("feedback:message", args=[to_politician.pk])
    page = client.get(url).content.decode()
    assert "Husk cykelstien ved Møllevej." in page and "aase@example.org" in page

    colleague = StaffFactory(role=Role.ADMINISTRATOR, display_name="Jens Admin")
    response = client.post(url, {"action": "assign", "assign-assignee": str(colleague.pk)})
    assert response.status_code == 302
    to_politician.refresh_from_db()
    assert to_politician.assigned_to == colleague

    client.post(url, {"action": "status", "status-status": "handled"})
    to_politician.refresh_from_db()
    assert to_politician.status == FeedbackMessage.Status.HANDLED

    response = client.post(
        url, {"action": "reply", "reply-text": "Tak, vi ser på cykelstien i foråret."}
    )
    assert response.status_code == 302 and response.url.endswith("#replies")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["aase@example.org"]
    assert "Teknik- og miljøudvalget" in mail.subject
    assert "Tak, vi ser på cykelstien i foråret." in mail.body
    assert "Husk cykelstien ved Møllevej." in mail.body  # the sender's own message below
    assert "Mette Redaktør" in mail.body
    to_politician.refresh_from_db()
    assert to_politician.status == FeedbackMessage.Status.ANSWERED
    assert to_politician.assigned_to == colleague  # an assignment is kept
    reply = FeedbackReply.objects.get()
    assert reply.author == editor and reply.mailed_at is not None
    page = client.get(url).content.decode()
    assert "Tak, vi ser på cykelstien i foråret." in page and "Mette Redaktør" in page


def test_an_answer_the_mail_server_refuses_is_kept_and_can_be_sent_again(
    client, editor, messages_, mailoutbox, monkeypatch
):
    to_politician, _ = messages_
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    url = reverse("feedback:message", args=[to_politician.pk])
    client.post(url, {"action": "reply", "reply-text": "Svar"})
    reply = FeedbackReply.objects.get()
    assert reply.mailed_at is None
    to_politician.refresh_from_db()
    assert to_politician.status == FeedbackMessage.Status.NEW
    assert "E-mail this answer again" in client.get(url).content.decode() or (
        "Send svaret igen" in client.get(url).content.decode()
    )
    monkeypatch.undo()
    client.post(url, {"action": "resend", "reply": str(reply.pk)})
    reply.refresh_from_db()
    assert reply.mailed_at is not None and len(mailoutbox) == 1
    to_politician.refresh_from_db()
    assert to_politician.status == FeedbackMessage.Status.ANSWERED


def test_a_message_without_an_address_cannot_be_answered(client, editor, messages_, mailoutbox):
    _, to_municipality = messages_
    url = reverse("feedback:message", args=[to_municipality.pk])
    assert 'name="reply-text"' not in client.get(url).content.decode()
    assert client.post(url, {"action": "reply", "reply-text": "Svar"}).status_code == 403
    assert not mailoutbox and not FeedbackReply.objects.exists()


def test_an_empty_answer_is_refused_with_its_field(client, editor, messages_, mailoutbox):
    to_politician, _ = messages_
    url = reverse("feedback:message", args=[to_politician.pk])
    response = client.post(url, {"action": "reply", "reply-text": "   "})
    assert response.status_code == 400
    assert 'href="#id_reply-text"' in response.content.decode()
    assert not mailoutbox


def test_only_inbox_handlers_can_be_assigned(editor, messages_):
    to_politician, _ = messages_
    with pytest.raises(ValueError):
        feedback_assign(
            feedback=to_politician, assignee=StaffFactory(role=Role.MODERATOR), by=editor
        )


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.OPERATOR, Role.VALUATOR, None])
def test_other_roles_and_citizens_cannot_open_the_inbox(client, messages_, role):
    to_politician, _ = messages_
    user = StaffFactory(role=role) if role else UserFactory()
    if role:
        with_totp(user)
    client.force_login(user)
    assert client.get(reverse("feedback:inbox")).status_code == 403
    url = reverse("feedback:message", args=[to_politician.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "reply", "reply-text": "x"}).status_code == 403


def test_the_sender_finds_the_answers_in_their_data_download(editor, messages_):
    from allauth.account.models import EmailAddress

    from samskab.feedback.privacy import export

    to_politician, _ = messages_
    feedback_reply(feedback=to_politician, text="Vi svarer her.", by=editor)
    sender = UserFactory(email="aase@example.org")
    EmailAddress.objects.update_or_create(
        user=sender, email="aase@example.org", defaults={"verified": True, "primary": True}
    )
    (row,) = export(sender)
    assert row["answers"][0]["text"] == "Vi svarer her."
    assert row["answers"][0]["emailed_at"]


def test_the_inbox_list_costs_the_same_queries_for_many_messages(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("feedback:inbox")).status_code == 200
        return len(queries.captured_queries)

    person = PersonFactory()
    for n in range(3):
        FeedbackMessage.objects.create(
            meeting=MeetingFactory(), person=person, message=f"m{n}", assigned_to=editor
        )
    count()  # the first request fills the session's and the site's caches
    few = count()
    for n in range(20):
        FeedbackMessage.objects.create(
            meeting=MeetingFactory(), person=PersonFactory(), message=f"n{n}", assigned_to=editor
        )
    assert count() == few


def test_the_inbox_speaks_danish(client, editor, messages_):
    to_politician, _ = messages_
    client.cookies["django_language"] = "da"
    page = client.get(reverse("feedback:inbox")).content.decode()
    for danish in ("Indbakke med henvendelser", "Tildelt", "Modtaget", "2 henvendelser"):
        assert danish in page, danish
    page = client.get(reverse("feedback:message", args=[to_politician.pk])).content.decode()
    for danish in ("Behandling", "Gem status", "Tildel", "Dit svar", "Send svaret"):
        assert danish in page, danish
    for english in ("Save the status", "Send the answer", "Your answer", "Assigned to"):
        assert english not in page, english
