"""The pages as citizens and staff use them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.debates.tests.factories import DebateFactory
from samskab.places.services import place_set
from samskab.proposals.models import Proposal
from samskab.proposals.tests.factories import AreaFactory, ProposalFactory, ResidentFactory
from samskab.supports.models import Support
from samskab.webcasts.models import AgendaItem, Body, Meeting

pytestmark = pytest.mark.django_db


def test_the_list_the_archive_apart_and_the_nav(client):
    ProposalFactory(title="Nye bænke")
    ProposalFactory(title="Gammelt forslag", archived=True)
    page = client.get(reverse("proposals:list"))
    assert "Nye bænke" in page.text and "Gammelt forslag" not in page.text
    archive = client.get(reverse("proposals:archive"))
    assert "Gammelt forslag" in archive.text and "Nye bænke" not in archive.text
    assert reverse("proposals:list") in client.get("/").text


def test_the_list_speaks_danish(danish_client):
    page = danish_client.get(reverse("proposals:list"))
    assert "Borgerforslag" in page.text or "Forslag" in page.text
    assert "Mest støttede" in page.text


def test_filters_by_state_area_and_tag(client):
    area = AreaFactory()
    ProposalFactory(title="Åbent forslag", area=area).tags.create(name="natur")
    ProposalFactory(title="Vedtaget forslag", successful=True, answer="accepted")
    page = client.get(reverse("proposals:list") + "?state=accepted")
    assert "Vedtaget forslag" in page.text and "Åbent forslag" not in page.text
    page = client.get(reverse("proposals:list") + f"?area={area.pk}&tag=natur")
    assert "Åbent forslag" in page.text and "Vedtaget forslag" not in page.text


def test_a_citizen_makes_a_proposal(client):
    client.force_login(UserFactory())
    page = client.post(
        reverse("proposals:create"),
        {
            "title": "Flere bænke",
            "summary": "Ti bænke",
            "text": "Ved åen",
            "tags": "natur, byliv",
            "video_url": "https://vimeo.com/123456",
            "latitude": "55.6",
            "longitude": "12.5",
        },
    )
    proposal = Proposal.objects.get()
    assert page.status_code == 302 and page.url == proposal.get_absolute_url()
    detail = client.get(page.url).text
    assert "Show video from Vimeo" in detail and "player.vimeo.com" in detail


def test_bad_forms_are_refused_with_the_reason(client):
    client.force_login(UserFactory())
    page = client.post(
        reverse("proposals:create"),
        {"title": "", "summary": "x", "text": "y", "video_url": "https://evil.example/v"},
    )
    assert page.status_code == 200 and not Proposal.objects.exists()
    assert "YouTube, Vimeo" in page.text


def test_an_unverified_citizen_is_shown_how_to_verify(client):
    proposal = ProposalFactory()
    client.force_login(UserFactory())
    page = client.get(proposal.get_absolute_url())
    assert reverse("accounts:residence_verify") in page.text
    assert reverse("proposals:support", args=[proposal.pk]) not in page.text
    answer = client.post(
        reverse("proposals:support", args=[proposal.pk]), headers={"HX-Request": "true"}
    )
    assert "Only verified residents" in answer.text and not Support.objects.exists()


def test_a_resident_supports_and_the_progress_moves(client, settings):
    settings.PROPOSALS_SUPPORTS_NEEDED = 2
    proposal = ProposalFactory()
    client.force_login(ResidentFactory())
    page = client.post(
        reverse("proposals:support", args=[proposal.pk]), headers={"HX-Request": "true"}
    )
    assert 'value="1"' in page.text and "50 %" in page.text
    assert "You support this proposal" in page.text
    again = client.post(
        reverse("proposals:support", args=[proposal.pk]), headers={"HX-Request": "true"}
    )
    assert "already support" in again.text and Support.objects.count() == 1


def test_a_hidden_proposal_is_not_found_but_its_author_sees_why(client):
    proposal = ProposalFactory(hidden=True, hidden_reason="Reklame")
    assert client.get(proposal.get_absolute_url()).status_code == 404
    client.force_login(proposal.author)
    assert "Reason: Reklame" in client.get(proposal.get_absolute_url()).text


def test_staff_answer_put_it_on_the_agenda_and_the_meeting_links_back(client):
    body = Body.objects.create(name="Byrådet", slug="byraadet")
    meeting = Meeting.objects.create(
        body=body, title="Byrådsmøde", starts_at=timezone.now() + timedelta(days=3)
    )
    item = AgendaItem.objects.create(meeting=meeting, number="7", title="Borgerforslag")
    proposal = ProposalFactory(successful=True, title="Sikker skolevej")
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    client.post(
        reverse("proposals:answer", args=[proposal.pk]),
        {"answer": "evaluating", "text": "Vi ser på det."},
    )
    client.post(reverse("proposals:agenda", args=[proposal.pk]), {"agenda_item": item.pk})
    proposal.refresh_from_db()
    assert proposal.agenda_item == item and proposal.state == "agenda"
    page = client.get(proposal.get_absolute_url()).text
    assert "To be treated at the council meeting" in page and "Vi ser på det." in page
    meeting_page = client.get(meeting.get_absolute_url()).text
    assert proposal.get_absolute_url() in meeting_page and "Sikker skolevej" in meeting_page


def test_a_citizen_cannot_use_the_staff_buttons(client):
    proposal = ProposalFactory(successful=True)
    client.force_login(UserFactory())
    client.post(
        reverse("proposals:answer", args=[proposal.pk]), {"answer": "accepted", "text": "x"}
    )
    client.post(reverse("proposals:hide", args=[proposal.pk]), {"reason": "x"})
    proposal.refresh_from_db()
    assert proposal.answer == "" and not proposal.is_hidden


def test_the_author_retires_and_writes_to_supporters(client):
    proposal = ProposalFactory()
    client.force_login(proposal.author)
    client.post(reverse("proposals:message", args=[proposal.pk]), {"text": "Tak for støtten"})
    page = client.get(proposal.get_absolute_url()).text
    assert "Tak for støtten" in page and "You can write to your supporters again" in page
    client.post(reverse("proposals:retire", args=[proposal.pk]), {"reason": "Løst af kommunen"})
    proposal.refresh_from_db()
    assert proposal.is_retired
    assert "Løst af kommunen" in client.get(proposal.get_absolute_url()).text


def test_the_map_and_the_author_page(client):
    proposal = ProposalFactory(title="Bænke ved åen")
    place_set(target=proposal, user=proposal.author, latitude=55.6, longitude=12.5)
    ProposalFactory(title="Uden sted")
    page = client.get(reverse("proposals:map")).text
    assert "<svg" in page and "Bænke ved åen" in page and "Uden sted" not in page
    DebateFactory(author=proposal.author, title="Min debat")
    author = client.get(reverse("proposals:author", args=[proposal.author_id])).text
    assert "Bænke ved åen" in author and "Min debat" in author
    assert client.get(reverse("proposals:author", args=[UserFactory().pk])).status_code == 404


def test_the_list_and_the_api_ask_the_database_a_bounded_number_of_times(
    client, django_assert_max_num_queries
):
    for _ in range(25):
        proposal = ProposalFactory(area=AreaFactory())
        proposal.tags.create(name=f"emne-{proposal.pk}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("proposals:list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/proposals?limit=25").json()["items"]) == 25


def test_the_cached_list_shows_a_new_or_hidden_proposal_at_once(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = ProposalFactory(title="Bænke ved havnen")
    assert "Bænke ved havnen" in client.get(reverse("proposals:list")).content.decode()
    with CaptureQueriesContext(connection) as again:
        client.get(reverse("proposals:list"))
    # The cards came from the cache: no query for the proposals or their number.
    assert not any('FROM "proposals_proposal"' in q["sql"] for q in again.captured_queries)
    ProposalFactory(title="Lys på stien")
    page = client.get(reverse("proposals:list")).content.decode()
    assert "Lys på stien" in page and "Bænke ved havnen" in page
    first.hidden_at = timezone.now()  # as services.proposal_hide saves it
    first.save(update_fields=["hidden_at"])
    assert "Bænke ved havnen" not in client.get(reverse("proposals:list")).content.decode()
