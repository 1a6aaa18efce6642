"""On a phone (issue 20, "Done when"): an unverified citizen cannot support a proposal and is
shown how to verify (and follows it); two verified residents support it to its threshold; it
turns successful; staff answer it and put it on a council meeting's agenda; the follower is
told of each step; after the meeting the proposal shows the clip of its agenda item, and the
meeting's page links back. Every page passes axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import PASSWORD, StaffFactory, UserFactory, with_totp
from samskab.debates.tests.factories import ResidentFactory
from samskab.notifications.models import Notification
from samskab.proposals.models import Proposal
from samskab.proposals.tests.factories import ProposalFactory
from samskab.recordings.models import Clip
from samskab.votes.models import BindingVote
from samskab.webcasts.models import AgendaItem, Body, Meeting
from tests.e2e.conftest import PHONE, assert_accessible, current_code, tab_to

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.one_pass(on="postgres"),
]


def _log_in(page, user, secret=None) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    if secret:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.locator("input[name=code]").fill(current_code(secret))
        with page.expect_navigation():
            page.locator("main button.button-primary").click()


@pytest.mark.parametrize("device", [PHONE], ids=["phone"])
def test_a_proposal_is_supported_to_its_threshold_answered_and_treated_by_the_council(
    page, site_settings, settings, start_of_a_totp_step
):
    settings.PROPOSALS_SUPPORTS_NEEDED = 2
    body = Body.objects.create(name="Byrådet", slug="byraadet")
    meeting = Meeting.objects.create(
        body=body, title="Byrådsmøde", starts_at=timezone.now() + timedelta(days=3)
    )
    item = AgendaItem.objects.create(
        meeting=meeting, number="4", title="Borgerforslag om sikker skolevej", position=4
    )
    proposal = ProposalFactory(
        title="Sikker skolevej i Vestbyen",
        summary="Et fodgængerfelt ved skolen.",
        author=ResidentFactory(),
    )
    follower = UserFactory()
    residents = [ResidentFactory(), ResidentFactory()]
    editor = StaffFactory(role=Role.EDITOR)
    secret = with_totp(editor)

    # An unverified citizen: no support button, but how to verify; they follow it.
    _log_in(page, follower)
    page.goto("/forslag/")
    assert_accessible(page)
    page.get_by_role("link", name=proposal.title).click()
    page.wait_for_url(f"**{proposal.get_absolute_url()}")
    box = page.locator("#proposal-support")
    assert "Only verified residents can support proposals" in box.inner_text()
    assert box.get_by_role("link", name="Verify that you live in the municipality").is_visible()
    assert box.get_by_role("button").count() == 0
    page.get_by_role("button", name="Follow this proposal").click()
    page.wait_for_selector("text=Stop following")
    assert_accessible(page)

    # Two verified residents support it, the first by keyboard; it turns successful.
    for number, resident in enumerate(residents, start=1):
        _log_in(page, resident)
        page.goto(proposal.get_absolute_url())
        if number == 1:
            tab_to(page, "#proposal-support button")
            page.keyboard.press("Enter")
        else:
            page.get_by_role("button", name="Support this proposal").click()
        page.wait_for_selector("text=You support this proposal.")
        assert f"{number} support" in page.locator("#proposal-support").inner_text()
        assert_accessible(page)
    assert "has reached its supports" in page.locator("#proposal-support").inner_text()
    proposal.refresh_from_db()
    assert proposal.support_count == 2 and proposal.is_successful

    # Staff answer it and put it on the meeting's agenda.
    _log_in(page, editor, secret)
    page.goto(proposal.get_absolute_url())
    page.get_by_label("State").select_option("evaluating")
    page.get_by_label("Official answer").fill("Forvaltningen ser på trafikken ved skolen.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the answer").click()
    assert "Forvaltningen ser på trafikken" in page.locator(".proposal-answer").inner_text()
    page.get_by_label("Agenda item").select_option(str(item.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Put on the agenda").click()
    council = page.locator(".proposal-council").inner_text()
    assert "To be treated at the council meeting" in council and item.title in council
    assert_accessible(page)
    proposal.refresh_from_db()
    assert proposal.state == "agenda" and proposal.agenda_item == item

    # The follower heard of each step.
    kinds = set(Notification.objects.filter(user=follower).values_list("kind", flat=True))
    assert {
        "proposals.proposal.succeeded",
        "proposals.proposal.answered",
        "proposals.proposal.agenda",
    } <= kinds

    # Staff start a binding vote from it; the vote and the proposal link to each other.
    page.get_by_label("The municipality's commitment").fill("Byrådet følger flertallet.")
    with page.expect_navigation():
        page.get_by_role("button", name="Start a binding vote").click()
    vote = BindingVote.objects.get()
    assert vote.origin == proposal and vote.status == "draft"
    page.wait_for_url(f"**{vote.get_absolute_url()}")
    assert_accessible(page)
    page.locator(".votes-origin").get_by_role("link", name=proposal.title).click()
    page.wait_for_url(f"**{proposal.get_absolute_url()}")
    assert vote.title in page.locator(".proposal-vote").inner_text()
    assert page.get_by_role("button", name="Start a binding vote").count() == 0

    # The meeting's page links back to the proposal.
    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name=proposal.title).click()
    page.wait_for_url(f"**{proposal.get_absolute_url()}")

    # After the meeting: the proposal shows the clip of its agenda item.
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.ENDED, starts_at=timezone.now() - timedelta(hours=3)
    )
    clip = Clip.objects.create(
        meeting=meeting, title="Punkt 4", start_ms=90_000, end_ms=300_000, agenda_item=item
    )
    page.context.clear_cookies()
    page.goto(proposal.get_absolute_url())
    council = page.locator(".proposal-council")
    assert "Treated at the council meeting" in council.inner_text()
    assert (
        council.get_by_role("link", name="Watch the clip of the item").get_attribute("href")
        == clip.get_absolute_url()
    )
    assert council.locator("iframe").get_attribute("src").endswith("?t=90")
    assert Proposal.objects.get().state == "agenda"
    assert_accessible(page)


OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[9.5, 55.9], [9.7, 55.9], [9.7, 56.0], [9.5, 56.0], [9.5, 55.9]]],
}


def test_a_citizen_marks_the_place_of_a_proposal_by_keyboard(page, site_settings):
    """The map picker on the municipality's outline works with the arrow keys; a place
    typed in words is enough, and a point outside the municipality is refused."""
    import json

    from samskab.places.selectors import place_of

    site_settings.municipality_area = json.dumps(OUTLINE)
    site_settings.save()
    _log_in(page, UserFactory())
    page.goto("/forslag/ny/")
    page.get_by_label("Title").fill("En bænk ved søen")
    page.get_by_label("Summary").fill("En bænk at hvile på.")
    page.get_by_label("Text", exact=True).fill("Ved stien om søen.")
    page.get_by_label("Place (optional)").fill("Stien ved søen")
    tab_to(page, "svg[data-map-picker]")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert "marked on the map" in page.locator("[data-map-status]").inner_text()
    assert_accessible(page)
    # Someone fiddles the coordinates to a place in another municipality: refused.
    page.evaluate(
        "() => { document.querySelector('input[name=latitude]').value = '55.6';"
        " document.querySelector('input[name=longitude]').value = '12.5'; }"
    )
    page.get_by_role("button", name="Publish the proposal").click()
    page.wait_for_selector("text=outside Testby Kommune")
    assert not Proposal.objects.exists()
    assert_accessible(page)
    # The mark comes back where it was refused; the citizen removes it and marks again.
    page.get_by_role("button", name="Remove the mark from the map").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowLeft")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the proposal").click()
    place = place_of(Proposal.objects.get())
    assert place.address == "Stien ved søen" and place.has_point
    assert 9.5 < place.longitude < 9.7 and 55.9 < place.latitude < 56.0
    assert page.locator(".places-map-point").count() == 1
    assert_accessible(page)
