"""The pages as a citizen and staff use them: list, detail, opening, voting, staff buttons."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.debates.models import Debate, DebateVote
from samskab.debates.tests.factories import AreaFactory, DebateFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_debates_in_the_chosen_order_and_the_nav_links_it(client):
    DebateFactory(title="Om cykelstier")
    page = client.get(reverse("debates:list") + "?order=new")
    assert page.status_code == 200
    assert "Om cykelstier" in page.text
    assert 'aria-current="true">Newest' in page.text
    assert reverse("debates:list") in client.get("/").text


def test_the_list_speaks_danish_by_default(danish_client):
    page = danish_client.get(reverse("debates:list"))
    assert "Debatter" in page.text and "Mest kommenterede" in page.text


def test_a_citizen_opens_a_debate(client):
    client.force_login(UserFactory())
    area = AreaFactory()
    page = client.post(
        reverse("debates:create"),
        {"title": "Flere bænke", "text": "Ved åen", "tags": "byliv, natur", "area": area.pk},
    )
    debate = Debate.objects.get()
    assert page.status_code == 302 and page.url == debate.get_absolute_url()
    assert debate.area == area


def test_opening_needs_a_title_and_a_sign_in(client):
    assert client.get(reverse("debates:create")).status_code == 302
    client.force_login(UserFactory())
    page = client.post(reverse("debates:create"), {"title": "", "text": "x"})
    assert page.status_code == 200 and not Debate.objects.exists()


def test_agree_then_disagree_leaves_one_vote_and_the_same_again_takes_it_back(client):
    debate = DebateFactory()
    client.force_login(UserFactory())
    url = reverse("debates:vote", args=[debate.pk])
    client.post(url, {"value": 1})
    page = client.post(url, {"value": -1}, headers={"HX-Request": "true"})
    assert 'aria-pressed="true">Disagree' in page.text
    assert DebateVote.objects.get().value == -1
    client.post(url, {"value": -1})
    assert not DebateVote.objects.exists()


def test_the_cap_refusal_is_shown_to_the_voter(client, settings):
    settings.DEBATES_MAX_UNVERIFIED_VOTE_PERCENT = 0
    settings.DEBATES_UNVERIFIED_CAP_FROM_VOTES = 0
    debate = DebateFactory()
    client.force_login(UserFactory())
    page = client.post(
        reverse("debates:vote", args=[debate.pk]), {"value": 1}, headers={"HX-Request": "true"}
    )
    assert "Verify that you live in the municipality" in page.text
    assert not DebateVote.objects.exists()


def test_a_hidden_debate_is_not_found_by_the_public_but_its_author_sees_why(client):
    debate = DebateFactory(hidden=True, hidden_reason="Spam")
    assert client.get(debate.get_absolute_url()).status_code == 404
    client.force_login(debate.author)
    assert "Reason: Spam" in client.get(debate.get_absolute_url()).text


def test_a_closed_debate_shows_no_vote_buttons(client):
    debate = DebateFactory(closed=True)
    client.force_login(UserFactory())
    page = client.get(debate.get_absolute_url())
    assert "votes can no longer change" in page.text
    assert reverse("debates:vote", args=[debate.pk]) not in page.text


def test_staff_feature_close_and_hide_from_the_page(client):
    debate = DebateFactory()
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    client.post(reverse("debates:feature", args=[debate.pk]))
    client.post(reverse("debates:close", args=[debate.pk]), {"note": "Behandles i udvalget"})
    debate.refresh_from_db()
    assert debate.is_featured and debate.status == Debate.Status.CLOSED
    assert "Behandles i udvalget" in client.get(debate.get_absolute_url()).text
    client.post(reverse("debates:hide", args=[debate.pk]), {"reason": "Spam"})
    debate.refresh_from_db()
    assert not debate.is_hidden  # editors feature and close; moderators hide
    staff_sign_in(client, StaffFactory(role=Role.MODERATOR))
    client.post(reverse("debates:hide", args=[debate.pk]), {"reason": "Spam"})
    debate.refresh_from_db()
    assert debate.is_hidden
    assert client.get(debate.get_absolute_url()).status_code == 200  # staff still see it
    client.post(reverse("debates:restore", args=[debate.pk]))
    client.post(reverse("debates:reopen", args=[debate.pk]))
    debate.refresh_from_db()
    assert not debate.is_hidden and debate.is_open


def test_a_citizen_cannot_use_the_staff_buttons(client):
    debate = DebateFactory()
    client.force_login(UserFactory())
    client.post(reverse("debates:close", args=[debate.pk]))
    debate.refresh_from_db()
    assert debate.status == Debate.Status.OPEN


def test_comments_and_follows_work_on_a_debate_by_registration(client):
    debate = DebateFactory()
    client.force_login(UserFactory())
    page = client.post(
        reverse("comments:post", args=["debates.debate", debate.pk]), {"body": "Enig!"}
    )
    assert page.status_code in (200, 302)
    assert debate.get_absolute_url() and "Enig!" in client.get(debate.get_absolute_url()).text
    client.post(reverse("follows:toggle", args=["debates.debate", debate.pk]), {"follow": "1"})
    from samskab.follows.models import Follow

    assert Follow.objects.filter(object_id=debate.pk).exists()


def test_the_list_and_the_api_ask_the_database_a_bounded_number_of_times(
    client, django_assert_max_num_queries
):
    for _ in range(25):
        debate = DebateFactory(area=AreaFactory())
        debate.tags.create(name=f"emne-{debate.pk}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("debates:list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/debates?limit=25").json()["items"]) == 25
