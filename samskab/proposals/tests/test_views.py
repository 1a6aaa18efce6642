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


# --- the place on the map, within the municipality ---------------------------------------

DEMOBY = {
    "type": "Polygon",
    "coordinates": [[[9.5, 55.9], [9.7, 55.9], [9.7, 56.0], [9.5, 56.0], [9.5, 55.9]]],
}


@pytest.fixture
def municipality_area():
    import json

    from samskab.core.models import SiteSettings

    site = SiteSettings.current()
    site.municipality_area = json.dumps(DEMOBY)
    site.save()
    from django.core.cache import cache

    cache.clear()
    return site


def _proposal_post(**extra):
    return {"title": "Bænk ved søen", "summary": "En bænk", "text": "Ved søen", **extra}


def test_the_form_draws_the_municipality_to_mark_the_place_on(client, municipality_area):
    client.force_login(UserFactory())
    page = client.get(reverse("proposals:create")).text
    assert "data-map-picker" in page and 'type="hidden" name="latitude"' in page
    # The keyboard's way: the address in words, labelled.
    assert 'name="address"' in page and "mark the place on the map" in page


def test_without_an_outline_the_form_asks_for_words_only(client):
    client.force_login(UserFactory())
    page = client.get(reverse("proposals:create")).text
    assert "data-map-picker" not in page and 'name="address"' in page


def test_a_place_inside_the_municipality_is_kept(client, municipality_area):
    client.force_login(UserFactory())
    page = client.post(
        reverse("proposals:create"), _proposal_post(latitude="55.95", longitude="9.6")
    )
    proposal = Proposal.objects.get()
    assert page.status_code == 302
    from samskab.places.selectors import place_of

    place = place_of(proposal)
    assert (place.latitude, place.longitude) == (55.95, 9.6)
    # The proposal's page draws it on the municipality's outline.
    assert "places-map-point" in client.get(proposal.get_absolute_url()).text


def test_a_place_outside_the_municipality_is_refused_and_nothing_is_saved(
    client, municipality_area
):
    client.force_login(UserFactory())
    page = client.post(
        reverse("proposals:create"), _proposal_post(latitude="55.6", longitude="12.5")
    )
    assert page.status_code == 200 and not Proposal.objects.exists()
    assert "outside Samskab Kommune" in page.text
    assert "describe the place in words" in page.text


def test_the_author_moves_the_place_on_the_map_later(client, municipality_area):
    author = UserFactory()
    proposal = ProposalFactory(author=author)
    client.force_login(author)
    detail = client.get(proposal.get_absolute_url()).text
    edit = reverse("places:edit", args=["proposals.proposal", proposal.pk])
    assert edit in detail
    assert "data-map-picker" in client.get(edit).text
    outside = client.post(edit, {"address": "", "latitude": "55.6", "longitude": "12.5"})
    assert outside.status_code == 400 and "outside Samskab Kommune" in outside.text
    inside = client.post(edit, {"address": "Søen", "latitude": "55.91", "longitude": "9.55"})
    assert inside.status_code == 302
    from samskab.places.selectors import place_of

    assert place_of(proposal).latitude == 55.91
    # Someone else may not.
    client.force_login(UserFactory())
    assert client.get(edit).status_code in (403, 404)


def test_the_site_settings_refuse_an_outline_that_is_not_an_area():
    from django.core.exceptions import ValidationError

    from samskab.core.models import SiteSettings

    site = SiteSettings.current()
    site.municipality_area = '{"type": "Point", "coordinates": [9.5, 55.9]}'
    with pytest.raises(ValidationError) as refused:
        site.clean()
    assert "Only Polygon and MultiPolygon" in str(refused.value)


# --- from a successful proposal to a binding vote -----------------------------------------


def test_staff_start_a_binding_vote_from_a_successful_proposal(client):
    from samskab.votes.models import BindingVote

    proposal = ProposalFactory(title="Ny skolestruktur", successful=True)
    editor = staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    detail = client.get(proposal.get_absolute_url()).text
    assert "Start a binding vote" in detail
    page = client.post(
        reverse("proposals:vote_start", args=[proposal.pk]),
        {"commitment": "Byrådet følger flertallet."},
    )
    vote = BindingVote.objects.get()
    assert page.status_code == 302 and page.url == vote.get_absolute_url()
    assert vote.status == "draft" and vote.origin == proposal and vote.title == proposal.title
    assert vote.commitment == "Byrådet følger flertallet."
    # Linked both ways: the vote names the proposal, the proposal shows the vote.
    assert proposal.get_absolute_url() in client.get(vote.get_absolute_url()).text
    detail = client.get(proposal.get_absolute_url()).text
    assert vote.get_absolute_url() in detail and "Start a binding vote" not in detail
    # A second vote is refused, even posted by hand.
    client.post(reverse("proposals:vote_start", args=[proposal.pk]), {"commitment": "Igen"})
    assert BindingVote.objects.count() == 1
    assert editor.pk  # the editor acted


def test_the_public_sees_the_vote_only_once_it_is_out_of_preparation(client):
    from samskab.proposals import services
    from samskab.votes.models import BindingVote

    proposal = ProposalFactory(successful=True)
    vote = services.proposal_vote_start(
        proposal=proposal, user=StaffFactory(role=Role.EDITOR), commitment="Vi følger det."
    )
    assert vote.get_absolute_url() not in client.get(proposal.get_absolute_url()).text
    BindingVote.objects.filter(pk=vote.pk).update(status="open")
    assert vote.get_absolute_url() in client.get(proposal.get_absolute_url()).text


@pytest.mark.parametrize("kind", ["open", "citizen", "no_commitment"])
def test_a_vote_is_refused_with_the_reason(client, kind):
    from samskab.votes.models import BindingVote

    proposal = ProposalFactory(successful=kind != "open")
    if kind == "citizen":
        client.force_login(ResidentFactory())
    else:
        staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    commitment = "" if kind == "no_commitment" else "Vi følger det."
    page = client.post(
        reverse("proposals:vote_start", args=[proposal.pk]), {"commitment": commitment}, follow=True
    )
    assert not BindingVote.objects.exists()
    wanted = {
        "open": "Only a successful proposal",
        "citizen": "Only a successful proposal",
        "no_commitment": "Say what the municipality commits",
    }[kind]
    assert wanted in page.text


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
