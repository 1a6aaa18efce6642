import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, with_totp
from samskab.feedback.models import FeedbackMessage, FeedbackRecipient
from samskab.feedback.services import feedback_send
from samskab.polls.tests.factories import MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting_with_politician():
    meeting = MeetingFactory(title="Teknik- og miljøudvalget")
    person = PersonFactory(name="Søren Ærø", party="Ø")
    FeedbackRecipient.objects.create(person=person, email="soeren@kommune.example")
    meeting.speakers.add(person)
    return meeting, person


def post(client, meeting, data):
    return client.post(reverse("feedback:meeting", args=[meeting.pk]), data)


def test_a_viewer_writes_to_a_politician_and_the_mail_arrives_with_both_parts(
    client, smtp_inbox, meeting_with_politician, django_capture_on_commit_callbacks
):
    meeting, person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            meeting,
            {
                "recipient": str(person.pk),
                "name": "Åse Østergård",
                "email": "aase@example.org",
                "message": "Tak for mødet.\nHvad med <b>cykelstien</b>?",
                "next": "/moeder/1/",
            },
        )
    assert response.status_code == 302 and response["Location"] == "/moeder/1/"
    [mail] = smtp_inbox.messages
    assert mail["To"] == "soeren@kommune.example"
    assert mail["Reply-To"] == "Åse Østergård <aase@example.org>"
    assert "Teknik- og miljøudvalget" in mail["Subject"]
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Hvad med <b>cykelstien</b>?" in plain
    assert "Hvad med &lt;b&gt;cykelstien&lt;/b&gt;?" in html  # the sender's HTML is text
    assert "Søren Ærø" in plain
    feedback = FeedbackMessage.objects.get()
    assert feedback.person == person and feedback.mailed_at is not None
    assert feedback.status == FeedbackMessage.Status.NEW


def test_an_anonymous_message_goes_to_the_municipality_without_reply_to(
    client, smtp_inbox, settings, meeting_with_politician, django_capture_on_commit_callbacks
):
    settings.FEEDBACK_EMAIL = "borgerservice@kommune.example"
    meeting, _person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        post(client, meeting, {"recipient": "", "message": "Lyden var dårlig."})
    [mail] = smtp_inbox.messages
    assert mail["To"] == "borgerservice@kommune.example"
    assert mail["Reply-To"] is None
    # For the municipality, in the site's language (Danish), though the viewer read English.
    assert (
        "Afsenderen har ikke angivet en e-mailadresse." in mail.get_body(("plain",)).get_content()
    )
    assert mail["Subject"].startswith("Besked fra en seer: ")


def test_it_refuses_a_politician_who_is_not_in_the_meeting(client, meeting_with_politician):
    meeting, _person = meeting_with_politician
    outsider = PersonFactory()
    FeedbackRecipient.objects.create(person=outsider, email="x@kommune.example")
    response = post(client, meeting, {"recipient": str(outsider.pk), "message": "Hej"})
    assert response.status_code == 400
    assert not FeedbackMessage.objects.exists()


def test_it_asks_for_name_and_email_when_the_municipality_requires_them(
    client, settings, meeting_with_politician
):
    settings.FEEDBACK_REQUIRE_CONTACT = True
    meeting, _person = meeting_with_politician
    response = post(client, meeting, {"message": "Hej"})
    assert response.status_code == 400
    assert response.context["feedback_form"].errors.keys() == {"name", "email"}
    assert not FeedbackMessage.objects.exists()


def test_it_refuses_an_empty_message_and_a_bad_email(client, meeting_with_politician):
    meeting, _person = meeting_with_politician
    response = post(client, meeting, {"message": "   ", "email": "ikke en adresse"})
    assert response.status_code == 400
    assert response.context["feedback_form"].errors.keys() == {"message", "email"}


def test_it_refuses_link_spam_with_a_clear_message(client, meeting_with_politician):
    meeting, _person = meeting_with_politician
    response = post(client, meeting, {"message": " ".join(["https://spam.example"] * 6)})
    assert response.status_code == 400
    assert "too many links" in response.content.decode()
    assert not FeedbackMessage.objects.exists()


def test_feedback_is_rate_limited(client, meeting_with_politician):
    meeting, _person = meeting_with_politician
    statuses = [post(client, meeting, {"message": f"Besked {n}"}).status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]
    # The sixth message is not lost: the form comes back with it, and says what to do.
    refused = post(client, meeting, {"message": "Min lange besked om cykelstien"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Min lange besked om cykelstien</textarea>" in html
    assert "Wait a few minutes, then send this one again." in html
    assert FeedbackMessage.objects.count() == 5


def test_a_mail_failure_keeps_the_message_in_the_inbox(
    settings, meeting_with_politician, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    meeting, _person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        feedback_send(meeting=meeting, person=None, name="", email="", message="Hej")
    assert FeedbackMessage.objects.get().mailed_at is None


def test_the_form_include_offers_the_meetings_politicians(meeting_with_politician):
    from django.template import engines
    from django.test import RequestFactory

    meeting, _person = meeting_with_politician
    PersonFactory(name="Ikke med i mødet")
    request = RequestFactory().get("/")
    html = (
        engines["django"]
        .from_string('{% include "feedback/form.html" with meeting=meeting %}')
        .render({"meeting": meeting}, request)
    )
    assert "Søren Ærø (Ø)" in html and "Ikke med i mødet" not in html
    assert reverse("feedback:meeting", args=[meeting.pk]) in html


def test_staff_mark_messages_answered_in_the_inbox(client, meeting_with_politician):
    meeting, _person = meeting_with_politician
    feedback = FeedbackMessage.objects.create(meeting=meeting, message="Hej")
    editor = StaffFactory(role=Role.EDITOR)
    with_totp(editor)
    from samskab.accounts.roles import roles_sync

    roles_sync()
    client.force_login(editor)
    changelist = reverse("admin:feedback_feedbackmessage_changelist")
    assert client.get(changelist + "?status__exact=new").status_code == 200
    client.post(changelist, {"action": "mark_answered", "_selected_action": [feedback.pk]})
    feedback.refresh_from_db()
    assert feedback.status == FeedbackMessage.Status.ANSWERED


def test_citizens_cannot_open_the_inbox(client):
    from samskab.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("admin:feedback_feedbackmessage_changelist"))
    assert response.status_code in (302, 403)


def test_a_restricted_word_that_rejects_refuses_the_message_kindly(client, meeting_with_politician):
    from samskab.moderation.models import RestrictedWord

    RestrictedWord.objects.create(language="en", pattern="idiot", action="reject")
    meeting, _person = meeting_with_politician
    response = post(client, meeting, {"message": "I think the mayor is an idiot."})
    assert response.status_code == 400
    assert "words that are not allowed" in response.content.decode()
    assert not FeedbackMessage.objects.exists()


def test_a_held_word_or_a_spam_score_keeps_the_message_in_the_inbox_unmailed(
    meeting_with_politician, smtp_inbox, django_capture_on_commit_callbacks
):
    from samskab.moderation.models import RestrictedWord

    RestrictedWord.objects.create(language="da", pattern="kasino", action="hold")
    meeting, person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        held = feedback_send(
            meeting=meeting, person=person, name="", email="", message="Vind i kasino nu"
        )
        first = feedback_send(
            meeting=meeting, person=None, name="", email="a@b.dk", message="Samme tekst igen"
        )
        repeated = feedback_send(
            meeting=meeting, person=None, name="", email="a@b.dk", message="Samme tekst igen"
        )
    for message in (held, repeated):
        message.refresh_from_db()
        assert message.mailed_at is None and "Held" in message.staff_note
    first.refresh_from_db()
    assert first.mailed_at is not None
    assert len(smtp_inbox.messages) == 1


def test_a_sender_with_a_name_and_an_international_domain_gets_an_answer_address(
    client, smtp_inbox, meeting_with_politician, django_capture_on_commit_callbacks
):
    # The form accepts addresses at domains with æ, ø and å; the Reply-To must not break.
    meeting, person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            meeting,
            {
                "recipient": str(person.pk),
                "name": "Åse Østergård",
                "email": "aase@sønderborg.dk",
                "message": "Tak for mødet.",
            },
        )
    assert response.status_code == 302
    [mail] = smtp_inbox.messages
    assert mail["Reply-To"].addresses[0].display_name == "Åse Østergård"
    assert mail["Reply-To"].addresses[0].domain == "xn--snderborg-l8a.dk"
    assert FeedbackMessage.objects.get().mailed_at is not None


def test_a_name_cannot_add_an_answer_address(
    client, smtp_inbox, meeting_with_politician, django_capture_on_commit_callbacks
):
    meeting, _person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            meeting,
            {
                "name": 'Bo\r\nBcc: x@evil.example, "Eve" <eve@evil.example>',
                "email": "bo@example.org",
                "message": "Hej",
            },
        )
    [mail] = smtp_inbox.messages
    assert [a.addr_spec for a in mail["Reply-To"].addresses] == ["bo@example.org"]
    assert mail["Bcc"] is None and len(smtp_inbox.envelopes[0].rcpt_tos) == 1


def test_the_help_and_the_errors_are_read_with_their_field(client, meeting_with_politician):
    """A screen reader reads a field's help and error with it (Django sets aria-describedby
    to <id>_helptext and <id>_error): those elements must be on the page."""
    import re

    meeting, _person = meeting_with_politician
    response = post(client, meeting, {"message": "", "email": "ikke en adresse"})
    html = response.content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    referenced = {ref for refs in described for ref in refs.split()}
    assert {"id_email_helptext", "id_email_error", "id_message_error"} <= referenced
    missing = {ref for ref in referenced if f'id="{ref}"' not in html}
    assert not missing


def test_a_form_sent_back_with_an_error_still_returns_the_viewer_to_the_player(
    client, meeting_with_politician
):
    meeting, _person = meeting_with_politician
    player = meeting.get_absolute_url()
    response = post(client, meeting, {"message": "", "next": player + "?t=90"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'name="next" value="{player}?t=90"' in html  # where the fixed form goes
    assert f"<h1>{meeting.title}</h1>" in html
    assert f'<a href="{player}?t=90">Back to the meeting</a>' in html
    elsewhere = post(client, meeting, {"message": "", "next": "https://evil.example/"})
    assert "evil.example" not in elsewhere.content.decode()
    assert f'<a href="{player}">Back to the meeting</a>' in elsewhere.content.decode()


def test_staff_read_filter_and_answer_messages_in_the_inbox(client, meeting_with_politician):
    from samskab.accounts.roles import roles_sync

    meeting, _person = meeting_with_politician
    feedback = FeedbackMessage.objects.create(
        meeting=meeting, email="aase@example.org", message="Husk cykelstien ved Møllevej."
    )
    editor = StaffFactory(role=Role.EDITOR)
    with_totp(editor)
    roles_sync()
    client.force_login(editor)
    changelist = reverse("admin:feedback_feedbackmessage_changelist")
    listed = client.get(changelist).content.decode()
    assert 'class="field-excerpt">Husk cykelstien ved Møllevej.' in listed  # without opening it
    assert f"meeting__id__exact={meeting.pk}" in listed  # filter by meeting
    page = client.get(reverse("admin:feedback_feedbackmessage_change", args=[feedback.pk]))
    assert 'href="mailto:aase@example.org?subject=Re%3A%20Teknik-%20og%20milj%C3%B8udvalget"' in (
        page.content.decode()
    )


def test_from_the_player_the_form_answers_in_place(
    client, smtp_inbox, meeting_with_politician, django_capture_on_commit_callbacks
):
    """feedback.js posts with X-Requested-With: fetch and gets only the form back: with the
    error and the text kept, or with the thanks and a fresh form; the mail goes as before."""
    meeting, person = meeting_with_politician
    url = reverse("feedback:meeting", args=[meeting.pk])
    inline = {"HTTP_X_REQUESTED_WITH": "fetch"}
    refused = client.post(url, {"name": "Åse", "message": " ", "next": "/moeder/1/"}, **inline)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "<html" not in html and "<script" not in html
    assert "data-feedback " in html and "Write a message." in html
    assert 'value="Åse"' in html and 'value="/moeder/1/"' in html
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url,
            {"recipient": str(person.pk), "message": "Tak for mødet.", "next": "/moeder/1/"},
            **inline,
        )
    assert sent.status_code == 200
    html = sent.content.decode()
    assert "<html" not in html and 'role="status"' in html
    assert "Thank you. Your message has been sent." in html
    assert "Tak for mødet." not in html  # a fresh form, for another message
    assert 'value="/moeder/1/"' in html
    assert len(smtp_inbox.messages) == 1
    # The page still works without JavaScript, and loads the script that sends in place.
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert page.count("dialogue/feedback.js") == 1


def test_the_limit_answers_in_place_too(client, meeting_with_politician):
    meeting, _person = meeting_with_politician
    url = reverse("feedback:meeting", args=[meeting.pk])
    for n in range(5):
        post(client, meeting, {"message": f"Besked {n}"})
    over = client.post(url, {"message": "Min besked"}, HTTP_X_REQUESTED_WITH="fetch")
    assert over.status_code == 429
    html = over.content.decode()
    assert "<html" not in html and "Min besked</textarea>" in html
    assert "Wait a few minutes" in html


def test_staff_send_a_held_message_from_the_inbox(
    client, smtp_inbox, meeting_with_politician, django_capture_on_commit_callbacks
):
    """A message the checks held (a false alarm) reaches its politician when staff send it;
    one already e-mailed is not sent twice."""
    from samskab.accounts.roles import roles_sync
    from samskab.moderation.models import RestrictedWord

    RestrictedWord.objects.create(language="da", pattern="kasino", action="hold")
    meeting, person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        held = feedback_send(
            meeting=meeting, person=person, name="", email="", message="Et kasino på havnen?"
        )
        mailed = feedback_send(meeting=meeting, person=None, name="", email="", message="Tak")
    assert len(smtp_inbox.messages) == 1
    editor = StaffFactory(role=Role.EDITOR)
    with_totp(editor)
    roles_sync()
    client.force_login(editor)
    changelist = reverse("admin:feedback_feedbackmessage_changelist")
    unsent = client.get(changelist + "?mailed=no").content.decode()
    assert "Et kasino på havnen?" in unsent and ">Tak<" not in unsent
    response = client.post(
        changelist,
        {"action": "mail_unsent", "_selected_action": [held.pk, mailed.pk]},
        follow=True,
    )
    assert "1 message was e-mailed." in response.content.decode()
    assert len(smtp_inbox.messages) == 2
    assert smtp_inbox.messages[1]["To"] == "soeren@kommune.example"
    held.refresh_from_db()
    assert held.mailed_at is not None


def test_fresh_cookies_from_one_address_meet_the_address_ceiling(meeting_with_politician):
    """Security review M2: a fresh viewer cookie per message was never limited."""
    from samskab.core.tests.browsers import fresh_browser

    meeting, _person = meeting_with_politician
    statuses = [
        post(fresh_browser(), meeting, {"message": f"Besked {n}"}).status_code for n in range(31)
    ]
    assert statuses == [302] * 30 + [429]


def test_mail_to_one_recipient_beyond_the_cap_is_kept_unsent_and_marked(
    settings, smtp_inbox, meeting_with_politician, django_capture_on_commit_callbacks
):
    from samskab.core.tests.browsers import fresh_browser

    settings.FEEDBACK_MAILS_PER_RECIPIENT = "3/h"
    meeting, person = meeting_with_politician
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            response = post(
                fresh_browser(), meeting, {"recipient": str(person.pk), "message": f"Hej {n}"}
            )
            assert response.status_code == 302  # the sender is thanked either way
    assert len(smtp_inbox.messages) == 3
    unsent = FeedbackMessage.objects.filter(mailed_at=None).order_by("pk")
    assert [m.message for m in unsent] == ["Hej 3", "Hej 4"]
    assert all("e-mails to this recipient" in m.staff_note for m in unsent)
    assert FeedbackMessage.objects.count() == 5
